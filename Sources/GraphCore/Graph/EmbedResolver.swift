/// `//go:embed` pattern resolution with the go command's rules
/// (cmd/go/internal/load resolveEmbed): globs, directories recursively, hidden files only
/// through `all:` or by name, nothing from nested modules, an error for a pattern that
/// matches nothing.
struct EmbedResolver {
    let tree: any FileTree

    struct Failure: Error {
        var pattern: String
        var message: String
        var text: String { "pattern \(pattern): \(message)" }
    }

    /// The files the patterns match, relative to `packageDir`, sorted and unique.
    func resolve(patterns: [String], packageDir: String) throws(Failure) -> [String] {
        var all = Set<String>()
        var dirOK = Set<String>()
        for pattern in patterns {
            let (glob, allFiles) = pattern.hasPrefix("all:") ? (String(pattern.dropFirst(4)), true) : (pattern, false)
            guard GoPathRules.match(Substring(glob), "") != nil, GoPathRules.isValidEmbedPattern(glob) else {
                throw Failure(pattern: pattern, message: "invalid pattern syntax")
            }
            var list: [String] = []
            var seen = Set<String>()
            for rel in try globMatches(glob, in: packageDir, pattern: pattern) {
                let full = join(packageDir, rel)
                let kind = try entryKind(full, pattern: pattern)
                let what = kind == .directory ? "directory" : "file"
                // Directories along the path must not begin a new module, nor be bad names.
                var d = rel
                while !d.isEmpty, !dirOK.contains(join(packageDir, d)) {
                    let absolute = join(packageDir, d)
                    if hasGoMod(absolute) {
                        throw Failure(pattern: pattern, message: "cannot embed \(what) \(rel): in different module")
                    }
                    if d != rel, let k = try? entryKind(absolute, pattern: pattern), k != .directory {
                        throw Failure(pattern: pattern, message: "cannot embed \(what) \(rel): in non-directory \(d)")
                    }
                    dirOK.insert(absolute)
                    let elem = lastElement(d)
                    if GoPathRules.isBadEmbedName(elem) {
                        if d == rel {
                            throw Failure(pattern: pattern, message: "cannot embed \(what) \(rel): invalid name \(elem)")
                        }
                        throw Failure(pattern: pattern, message: "cannot embed \(what) \(rel): in invalid directory \(elem)")
                    }
                    d = parent(d)
                }
                switch kind {
                case .file:
                    if seen.insert(rel).inserted { list.append(rel) }
                case .directory:
                    var count = 0
                    try walk(rel, packageDir: packageDir, all: allFiles, pattern: pattern) { file in
                        count += 1
                        if seen.insert(file).inserted { list.append(file) }
                    }
                    if count == 0 {
                        throw Failure(pattern: pattern, message: "cannot embed directory \(rel): contains no embeddable files")
                    }
                case .symlink, .submodule:
                    throw Failure(pattern: pattern, message: "cannot embed irregular file \(rel)")
                }
            }
            if list.isEmpty {
                throw Failure(pattern: pattern, message: "no matching files found")
            }
            all.formUnion(list)
        }
        return all.sorted()
    }

    /// `filepath.Glob(pkgdir/glob)`, as paths relative to the package directory, sorted per level.
    private func globMatches(_ glob: String, in packageDir: String, pattern: String) throws(Failure) -> [String] {
        var current = [""]
        for element in glob.split(separator: "/", omittingEmptySubsequences: false) {
            var next: [String] = []
            for base in current {
                let dir = join(packageDir, base)
                if GoPathRules.hasMeta(element) {
                    guard let entries = (try? tree.entries(in: dir)) ?? nil else { continue }
                    for entry in entries {
                        if GoPathRules.match(element, Substring(entry.name)) == true {
                            next.append(base.isEmpty ? entry.name : base + "/" + entry.name)
                        }
                    }
                } else {
                    let name = unescape(element)
                    let candidate = base.isEmpty ? name : base + "/" + name
                    if exists(join(packageDir, candidate)) { next.append(candidate) }
                }
            }
            current = next
            if current.isEmpty { break }
        }
        return current
    }

    private func walk(
        _ rel: String, packageDir: String, all: Bool, pattern: String, visit: (String) -> Void
    ) throws(Failure) {
        guard let entries = (try? tree.entries(in: join(packageDir, rel))) ?? nil else { return }
        for entry in entries {
            let path = rel + "/" + entry.name
            let name = entry.name
            let hidden = name.hasPrefix(".") || name.hasPrefix("_")
            if GoPathRules.isBadEmbedName(name) || (hidden && !all) {
                if entry.kind == .directory || hidden { continue }
                throw Failure(pattern: pattern, message: "cannot embed file \(path): invalid name \(name)")
            }
            switch entry.kind {
            case .directory:
                if hasGoMod(join(packageDir, path)) { continue }
                try walk(path, packageDir: packageDir, all: all, pattern: pattern, visit: visit)
            case .file:
                visit(path)
            case .symlink, .submodule:
                continue
            }
        }
    }

    private func entryKind(_ path: String, pattern: String) throws(Failure) -> FileTreeEntry.Kind {
        let (dir, name) = (parent(path), lastElement(path))
        guard let entries = (try? tree.entries(in: dir)) ?? nil,
            let entry = entries.first(where: { $0.name == name })
        else {
            throw Failure(pattern: pattern, message: "no matching files found")
        }
        return entry.kind
    }

    private func exists(_ path: String) -> Bool {
        guard let entries = (try? tree.entries(in: parent(path))) ?? nil else { return false }
        let name = lastElement(path)
        return entries.contains { $0.name == name }
    }

    private func hasGoMod(_ dir: String) -> Bool {
        guard let entries = (try? tree.entries(in: dir)) ?? nil else { return false }
        return entries.contains { $0.name == "go.mod" && $0.kind != .directory }
    }

    private func unescape(_ element: Substring) -> String {
        var out = ""
        var escaped = false
        for ch in element {
            if !escaped, ch == "\\" {
                escaped = true
                continue
            }
            escaped = false
            out.append(ch)
        }
        return out
    }
}

/// Joins repository-relative paths (`""` is the root).
func join(_ a: String, _ b: String) -> String {
    if a.isEmpty { return b }
    if b.isEmpty { return a }
    return a + "/" + b
}

/// The parent of a repository-relative path (`""` for a top-level name).
func parent(_ path: String) -> String {
    // By bytes: a search by Characters costs grapheme breaking on every path.
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    return String(path[..<slash])
}

/// The last element of a repository-relative path.
func lastElement(_ path: String) -> String {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
    return String(path[path.utf8.index(after: slash)...])
}
