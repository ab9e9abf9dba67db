/// Whether a `.gitattributes` file could make git convert content between the index and the
/// working tree (`gitattributes(5)`, *Effects*: checking out and checking in).
///
/// Most Go repositories have one (`*.go text eol=lf`, `linguist-generated`, `merge=union`),
/// and so do many vendored modules; none of those change checked-out bytes on Linux. What
/// can: `filter` (smudge and clean, Git LFS), `ident` (`$Id$` expansion),
/// `working-tree-encoding`, `eol=crlf`, and `text` / `text=auto` / the legacy `crlf` when
/// `core.eol` is `crlf`. A macro definition (`[attr]…`) may expand to any of them, so it
/// counts as converting too; a line whose pattern cannot be read does as well. Every other
/// attribute (diff, merge, linguist-*, export-*, whitespace, delta, -text, binary, eol=lf,
/// unset or unspecified ones) leaves the bytes alone.
enum GitAttributes {
    /// Where checkout may have converted content: per directory holding a `.gitattributes`
    /// file, the patterns of its lines that set a converting attribute. An attributes file
    /// applies to its directory's subtree only, and a line only to the paths its pattern
    /// matches (`gitattributes(5)`: gitignore's patterns, matched by git's `wildmatch`).
    /// Over-approximates where exactness would cost: a pattern this reader does not handle
    /// (a quoted one, a character class), a macro or an unreadable attributes file covers the
    /// whole subtree, matching ignores case, and a later line unsetting an attribute is not
    /// taken into account.
    struct Rules: Sendable {
        /// (directory, patterns): a nil pattern matches every path below the directory.
        fileprivate(set) var entries: [(dir: String, patterns: [Pattern?])] = []

        var isEmpty: Bool { entries.isEmpty }

        /// Every path below `dir` may have been converted.
        mutating func coverAll(_ dir: String) { entries.append((dir, [nil])) }

        /// The `patterns` of an attributes file in `dir`.
        mutating func add(_ dir: String, _ patterns: [Pattern?]) { entries.append((dir, patterns)) }

        /// Whether a rule can match a path in or below `dir` (a walk need not enter others).
        func appliesBelow(_ dir: String) -> Bool {
            dir.isEmpty
                || entries.contains { $0.dir.isEmpty || $0.dir == dir || dir.hasPrefix($0.dir + "/") || $0.dir.hasPrefix(dir + "/") }
        }

        /// Whether a rule applies to the files directly in `dir` (one of its directory or an
        /// ancestor's): when none does, none of them needs matching.
        func applies(inDirectory dir: String) -> Bool {
            entries.contains { $0.dir.isEmpty || $0.dir == dir || dir.hasPrefix($0.dir + "/") }
        }

        /// Whether every path below the root may have been converted.
        var coversEverything: Bool {
            entries.contains { $0.dir.isEmpty && $0.patterns.contains { $0 == nil } }
        }

        /// Whether checkout may have converted the file at `path`.
        func converts(_ path: String) -> Bool {
            for (dir, patterns) in entries {
                let relative: Substring
                if dir.isEmpty {
                    relative = Substring(path)
                } else if path.hasPrefix(dir + "/") {
                    relative = path.dropFirst(dir.count + 1)
                } else {
                    continue
                }
                for pattern in patterns {
                    guard let pattern else { return true }
                    if pattern.matches(relative) { return true }
                }
            }
            return false
        }
    }

    /// One line's pattern, as git reads it for attributes: without a slash it matches a
    /// path's last element at any depth, else the path relative to the attributes file's
    /// directory (a leading slash only anchors); a trailing slash names directories, which
    /// attributes never reach files through.
    struct Pattern: Sendable, Hashable {
        let glob: [UInt8]
        let basenameOnly: Bool
        let directoriesOnly: Bool

        /// nil for a pattern this reader does not handle (then the line counts everywhere).
        init?(_ text: Substring) {
            var bytes = Array(text.utf8)
            guard !bytes.isEmpty, bytes[0] != UInt8(ascii: "\""), bytes[0] != UInt8(ascii: "!") else { return nil }
            // Character classes (`[[:alpha:]]`) are left to the conservative side.
            if text.contains("[:") { return nil }
            directoriesOnly = bytes.last == UInt8(ascii: "/")
            while bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
            basenameOnly = !bytes.contains(UInt8(ascii: "/"))
            if bytes.first == UInt8(ascii: "/") { bytes.removeFirst() }
            guard !bytes.isEmpty else { return nil }
            glob = Self.lowercased(bytes)
        }

        func matches(_ path: Substring) -> Bool {
            if directoriesOnly { return false }
            var text = Array(path.utf8)
            if basenameOnly, let slash = text.lastIndex(of: UInt8(ascii: "/")) { text = Array(text[(slash + 1)...]) }
            return Wildmatch.match(glob[...], Self.lowercased(text)[...]) == .match
        }

        static func lowercased(_ bytes: [UInt8]) -> [UInt8] {
            bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        }
    }

    /// The converting rules of the `.gitattributes` files among `directories` (`""` is the
    /// root). An attributes file that is not a regular file or cannot be read covers its
    /// whole subtree.
    static func convertingRules(
        _ directories: [(path: String, entries: [FileTreeEntry])], workdir: String, textConverts: Bool
    ) -> Rules {
        var rules = Rules()
        for (dir, entries) in directories {
            guard let entry = entries.first(where: { $0.name == ".gitattributes" }) else { continue }
            let relative = dir.isEmpty ? ".gitattributes" : dir + "/.gitattributes"
            guard entry.kind == .file, let text = try? WorktreeReader.contents(of: workdir + "/" + relative, relativePath: relative)
            else {
                rules.coverAll(dir)
                continue
            }
            let patterns = convertingPatterns(text, textConverts: textConverts)
            if !patterns.isEmpty { rules.entries.append((dir, patterns)) }
        }
        return rules
    }

    /// Whether `text` (an attributes file's content) sets anything that converts content;
    /// `textConverts` says whether a file marked `text` is converted on checkout
    /// (`core.eol=crlf`).
    static func convertsContent(_ text: [UInt8], textConverts: Bool) -> Bool {
        !convertingPatterns(text, textConverts: textConverts).isEmpty
    }

    /// The patterns of the lines of `text` that set a converting attribute (nil for a line
    /// whose pattern this reader does not handle, and for a macro definition). With
    /// `anyState`, also of the lines that unset, unspecify or override one (`-text`, `!eol`,
    /// `eol=lf`, `text=auto`, `binary`): between two revisions such a line changes what another
    /// line's conversion reaches (`b.go -text` below `*.go text eol=crlf`).
    /// The macros (`[attr]NAME …` lines; git reads them only from the top-level attributes
    /// file) of `texts` whose attributes take part in conversion, directly or through another
    /// such macro.
    static func convertingMacros(_ texts: [[UInt8]]) -> Set<Substring> {
        var definitions: [(name: Substring, attributes: Substring)] = []
        for text in texts {
            for rawLine in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
                let line = Substring(decoding: rawLine, as: UTF8.self).drop { $0 == " " || $0 == "\t" || $0 == "\r" }
                guard line.hasPrefix("[attr]") else { continue }
                let body = line.dropFirst("[attr]".count)
                let end = body.firstIndex { $0 == " " || $0 == "\t" } ?? body.endIndex
                definitions.append((body[..<end], body[end...]))
            }
        }
        var macros = Set<Substring>()
        var grew = true
        while grew {
            grew = false
            for definition in definitions where !macros.contains(definition.name) {
                if namesConverting(definition.attributes, macros: macros) {
                    macros.insert(definition.name)
                    grew = true
                }
            }
        }
        return macros
    }

    static func convertingPatterns(
        _ text: [UInt8], textConverts: Bool, anyState: Bool = false, macros: Set<Substring> = []
    ) -> [Pattern?] {
        var found: [Pattern?] = []
        for rawLine in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = Substring(decoding: rawLine, as: UTF8.self)
            line = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            // The pattern: up to the first blank, or a quoted string (C-style escapes).
            var rest: Substring
            let pattern: Pattern?
            if line.hasPrefix("\"") {
                var index = line.index(after: line.startIndex)
                var closed = false
                while index < line.endIndex {
                    let character = line[index]
                    if character == "\\" {
                        index = line.index(after: index)
                        if index < line.endIndex { index = line.index(after: index) }
                        continue
                    }
                    if character == "\"" {
                        closed = true
                        break
                    }
                    index = line.index(after: index)
                }
                guard closed else {
                    found.append(nil)
                    continue
                }
                rest = line[line.index(after: index)...]
                pattern = nil
            } else {
                let end = line.firstIndex { $0 == " " || $0 == "\t" } ?? line.endIndex
                if line[..<end].hasPrefix("[attr]") {
                    found.append(nil)
                    continue
                }
                rest = line[end...]
                pattern = Pattern(line[..<end])
            }
            if anyState ? namesConverting(rest, macros: macros) : setsConverting(rest, textConverts: textConverts) {
                found.append(pattern)
            }
        }
        return found
    }

    /// Attributes that take part in checkout conversion, in any state (`binary` is the
    /// built-in macro `-diff -merge -text`).
    static let conversionAttributes: Set<Substring> = [
        "text", "eol", "crlf", "ident", "filter", "working-tree-encoding", "binary",
    ]

    /// Whether a line's attributes (after its pattern) name one that takes part in conversion,
    /// set, unset (`-`), unspecified (`!`) or with any value, or one of `macros`.
    static func namesConverting(_ attributes: Substring, macros: Set<Substring> = []) -> Bool {
        attributes.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).contains { token in
            let name = token.drop { $0 == "-" || $0 == "!" }.prefix { $0 != "=" }
            return conversionAttributes.contains(name) || macros.contains(name)
        }
    }

    /// Whether a line's attributes (after its pattern) set one that converts content.
    private static func setsConverting(_ attributes: Substring, textConverts: Bool) -> Bool {
        for token in attributes.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
            if token.hasPrefix("-") || token.hasPrefix("!") { continue }
            let name: Substring
            let value: Substring?
            if let equals = token.firstIndex(of: "=") {
                name = token[..<equals]
                value = token[token.index(after: equals)...]
            } else {
                name = token
                value = nil
            }
            switch name {
            case "filter", "ident", "working-tree-encoding":
                return true
            case "eol":
                if value != "lf" { return true }
            case "text", "crlf":
                if textConverts { return true }
            default:
                continue
            }
        }
        return false
    }
}

/// git's `wildmatch` (wildmatch.c) with `WM_PATHNAME`: `*` and `?` stop at `/`, `**` between
/// slashes (or at an end) crosses them, `[...]` sets with ranges and `!`/`^` negation, `\`
/// escapes. Character classes are not handled (callers leave such patterns out).
enum Wildmatch {
    enum Result: Equatable { case match, noMatch, abortAll, abortToStarStar }

    static func match(_ p: ArraySlice<UInt8>, _ t: ArraySlice<UInt8>) -> Result {
        let slash = UInt8(ascii: "/")
        var pi = p.startIndex
        var ti = t.startIndex
        while pi < p.endIndex {
            var pc = p[pi]
            if ti == t.endIndex && pc != UInt8(ascii: "*") { return .abortAll }
            let tc: UInt8 = ti < t.endIndex ? t[ti] : 0
            switch pc {
            case UInt8(ascii: "\\"):
                pi += 1
                guard pi < p.endIndex else { return .noMatch }
                if tc != p[pi] { return .noMatch }
            case UInt8(ascii: "?"):
                if tc == slash { return .noMatch }
            case UInt8(ascii: "*"):
                pi += 1
                var matchSlash = false
                if pi < p.endIndex && p[pi] == UInt8(ascii: "*") {
                    let previous = pi - 2
                    while pi < p.endIndex && p[pi] == UInt8(ascii: "*") { pi += 1 }
                    if (previous < p.startIndex || p[previous] == slash) && (pi == p.endIndex || p[pi] == slash) {
                        if pi < p.endIndex, p[pi] == slash, match(p[(pi + 1)...], t[ti...]) == .match { return .match }
                        matchSlash = true
                    }
                }
                if pi == p.endIndex {
                    if !matchSlash && t[ti...].contains(slash) { return .abortToStarStar }
                    return .match
                }
                if !matchSlash && p[pi] == slash {
                    guard let next = t[ti...].firstIndex(of: slash) else { return .abortAll }
                    ti = next
                    // The slash of the pattern and the text's, consumed below.
                    break
                }
                while ti < t.endIndex {
                    let matched = match(p[pi...], t[ti...])
                    if matched != .noMatch {
                        if !matchSlash || matched != .abortToStarStar { return matched }
                    } else if !matchSlash && t[ti] == slash {
                        return .abortToStarStar
                    }
                    ti += 1
                }
                return .abortAll
            case UInt8(ascii: "["):
                pi += 1
                guard pi < p.endIndex else { return .abortAll }
                pc = p[pi]
                if pc == UInt8(ascii: "^") { pc = UInt8(ascii: "!") }
                let negated = pc == UInt8(ascii: "!")
                if negated {
                    pi += 1
                    guard pi < p.endIndex else { return .abortAll }
                    pc = p[pi]
                }
                var previous: UInt8 = 0
                var matched = false
                repeat {
                    if pc == UInt8(ascii: "\\") {
                        pi += 1
                        guard pi < p.endIndex else { return .abortAll }
                        pc = p[pi]
                        if tc == pc { matched = true }
                    } else if pc == UInt8(ascii: "-") && previous != 0 && pi + 1 < p.endIndex && p[pi + 1] != UInt8(ascii: "]") {
                        pi += 1
                        pc = p[pi]
                        if pc == UInt8(ascii: "\\") {
                            pi += 1
                            guard pi < p.endIndex else { return .abortAll }
                            pc = p[pi]
                        }
                        if tc <= pc && tc >= previous { matched = true }
                        pc = 0
                    } else if tc == pc {
                        matched = true
                    }
                    previous = pc
                    pi += 1
                    guard pi < p.endIndex else { return .abortAll }
                    pc = p[pi]
                } while pc != UInt8(ascii: "]")
                if matched == negated || tc == slash { return .noMatch }
            default:
                if tc != pc { return .noMatch }
            }
            pi += 1
            ti += 1
        }
        return ti == t.endIndex ? .match : .noMatch
    }
}
