/// The files a package's C, C++, Objective-C and assembly sources include from outside its
/// own file list: headers in other directories (`#cgo CFLAGS: -I${SRCDIR}/../include`) and
/// in the package's subdirectories (`#include "sub/x.h"`).
///
/// The go command compiles them into the binary but lists none of them (`go list` shows the
/// package directory's files only, and its build cache does not see them either), so a
/// key that stopped at the package's files would restore a binary built from an old header.
///
/// The rule is conservative, never fewer files than the C preprocessor reads:
/// - roots: the cgo files (their preambles) and the package's C-family and assembly files;
/// - search path: the file's own directory for `#include "…"`, then the `-iquote`, `-I`,
///   `-isystem` and `-idirafter` directories of every `#cgo CFLAGS/CPPFLAGS/CXXFLAGS/FFLAGS`
///   line of the package (whatever its constraint), `${SRCDIR}` being the package directory
///   and relative directories taken from it (the go command compiles there), then the
///   package directory itself (the go command's own `-I`); `-include`/`-imacros` files are
///   roots too; for a `.s` file and the headers it reaches, `#include "…"` starts from the
///   package directory (cmd/asm's rule), not from the including header's directory;
/// - every candidate that exists in the snapshot counts (not only the first, which the
///   preprocessor would take), and is followed in turn; `#include` lines inside `#if`
///   branches and comments count too;
/// - an include named by a macro (`#include FOO_H`) counts every header file under the
///   including file's directory and under every search directory, at any depth;
/// - directories outside the repository (absolute paths elsewhere, system headers) are not
///   read: the C compiler's identity stands for its own headers;
/// - the linker's inputs in the repository count too: a `#cgo LDFLAGS` argument that is a
///   path (`${SRCDIR}/libx.a`), and every library or object file (`.a`, `.so`, `.o`, …) of a
///   `-L` directory.
enum CIncludes {
    /// Extensions of files whose `#include` lines the build follows.
    static let scannedExtensions: Set<String> = [
        "c", "h", "cc", "cpp", "cxx", "hh", "hpp", "hxx", "m", "s", "S", "sx", "F", "FOR", "fpp", "FPP",
    ]
    /// Extensions counted for an include named by a macro.
    static let headerExtensions: Set<String> = ["h", "hh", "hpp", "hxx", "H", "inc", "def", "tcc", "ipp"]

    /// Whether a package has sources whose `#include` lines the build follows.
    static func hasSources(_ package: GoPackage) -> Bool {
        !package.cgoFiles.isEmpty || package.otherFiles.contains { scannedExtensions.contains(fileExtension($0)) }
    }

    /// Whether a file of this name could be included by C or assembly sources: a header or
    /// one of the scanned source kinds.
    static func mayBeIncluded(_ name: String) -> Bool {
        let ext = fileExtension(name)
        return headerExtensions.contains(ext) || scannedExtensions.contains(ext)
    }

    /// One `#include` line.
    enum Spec: Hashable {
        /// `#include "name"`: the including file's directory first.
        case quoted(String)
        /// `#include <name>`.
        case angled(String)
        /// `#include MACRO`.
        case macro
    }

    /// What one file says: its includes and, for a cgo file, its search-path flags.
    struct Scan {
        var includes: [Spec] = []
        /// Arguments of `#cgo CFLAGS/CPPFLAGS/CXXFLAGS/FFLAGS` lines, in order.
        var flags: [String] = []
        /// Arguments of `#cgo pkg-config:` lines, in order.
        var pkgConfig: [String] = []
        /// Arguments of `#cgo LDFLAGS:` lines, in order.
        var ldflags: [String] = []
    }

    /// The arguments of the `#cgo pkg-config:` lines of `package`'s cgo files (whatever their
    /// constraint), sorted and unique: the go command asks `pkg-config --cflags --libs` for
    /// them, and its answer (a machine's installed libraries) goes into the binary.
    static func pkgConfig(of package: GoPackage, tree: any FileTree, memo: Memo) -> [String] {
        guard let dir = package.dir, !package.cgoFiles.isEmpty else { return [] }
        let packageDir = dir == "." ? "" : dir
        var args = Set<String>()
        for name in package.cgoFiles { args.formUnion(scan(join(packageDir, name), isGo: true, tree: tree, memo: memo).pkgConfig) }
        return args.sorted()
    }

    /// Per-run memo of scanned files and of existence checks (shared by the packages of
    /// every graph a `TargetInputs.Cache` collects).
    final class Memo {
        var scans: [String: Scan] = [:]
        var fileExists: [String: Bool] = [:]
        var listings: [String: [FileTreeEntry]?] = [:]
        var headersUnder: [String: [String]] = [:]
    }

    /// The repository-relative files that `package`'s sources include and that are not the
    /// package's own inputs, sorted.
    static func files(of package: GoPackage, tree: any FileTree, memo: Memo) -> [String] {
        guard let dir = package.dir else { return [] }
        guard hasSources(package) else { return [] }
        let own = package.cgoFiles + package.otherFiles.filter { scannedExtensions.contains(fileExtension($0)) }
        let packageDir = dir == "." ? "" : dir
        let workdir = (tree as? Snapshot)?.location.workdir

        // Search directories from the cgo preambles' `#cgo` lines.
        var quoteDirs: [String] = []
        var searchDirs: [String] = []
        var forced: [(value: String, path: String)] = []
        for name in package.cgoFiles {
            let flags = scan(join(packageDir, name), isGo: true, tree: tree, memo: memo).flags
            var index = 0
            while index < flags.count {
                let flag = flags[index]
                index += 1
                for option in ["-iquote", "-isystem", "-idirafter", "-include", "-imacros", "-I"] where flag.hasPrefix(option) {
                    var value = String(flag.dropFirst(option.count))
                    if value.isEmpty {
                        guard index < flags.count else { break }
                        value = flags[index]
                        index += 1
                    }
                    guard let path = resolve(value, packageDir: packageDir, workdir: workdir) else { break }
                    switch option {
                    case "-iquote": quoteDirs.append(path)
                    case "-include", "-imacros": forced.append((value, path))
                    default: searchDirs.append(path)
                    }
                    break
                }
            }
        }

        var found = Set<String>()
        // Files the linker reads from the repository: `${SRCDIR}/libx.a` (any path that is no
        // option), and the libraries and objects in `-L` directories.
        for name in package.cgoFiles {
            let flags = scan(join(packageDir, name), isGo: true, tree: tree, memo: memo).ldflags
            var index = 0
            while index < flags.count {
                let flag = flags[index]
                index += 1
                if flag.hasPrefix("-L") {
                    var value = String(flag.dropFirst(2))
                    if value.isEmpty, index < flags.count {
                        value = flags[index]
                        index += 1
                    }
                    guard let libraryDir = resolve(value, packageDir: packageDir, workdir: workdir) else { continue }
                    for entry in listing(libraryDir, tree: tree, memo: memo) where isLinkable(entry.name) {
                        let path = join(libraryDir, entry.name)
                        if exists(path, tree: tree, memo: memo) { found.insert(path) }
                    }
                } else if !flag.hasPrefix("-"), let path = resolve(flag, packageDir: packageDir, workdir: workdir),
                    exists(path, tree: tree, memo: memo)
                {
                    found.insert(path)
                }
            }
        }
        // The go command compiles C with `-I <package dir>` after the #cgo flags (and runs
        // the compilers there), so the package directory is on every search path.
        searchDirs.append(packageDir)

        // What to scan, and whether it is read by the Go assembler (a `.s` file and the
        // headers it reaches: cmd/asm resolves every `#include "…"` from the package
        // directory, where it runs, never from the including header's own directory).
        var queue = own.map { (path: join(packageDir, $0), assembler: $0.hasSuffix(".s")) }
        // A relative `-include`/`-imacros` file is looked for in the package directory (where
        // the compiler runs), then along the `#include "…"` chain: every candidate counts.
        for (value, path) in forced {
            var candidates = [path]
            if !value.hasPrefix("/") && !value.hasPrefix("${SRCDIR}") {
                candidates += (quoteDirs + searchDirs).compactMap { normalize(join($0, value)) }
            }
            for candidate in candidates where exists(candidate, tree: tree, memo: memo) && found.insert(candidate).inserted {
                queue.append((candidate, false))
            }
        }
        var visited = Set(queue.map { "\($0.assembler) \($0.path)" })
        var index = 0
        while index < queue.count {
            let (file, assembler) = queue[index]
            index += 1
            let fileDir = assembler ? packageDir : parent(file)
            let isGo = file.hasSuffix(".go")
            for spec in scan(file, isGo: isGo, tree: tree, memo: memo).includes {
                var candidates: [String] = []
                switch spec {
                case .quoted(let name):
                    candidates = ([fileDir] + quoteDirs + searchDirs).compactMap { normalize(join($0, name)) }
                case .angled(let name):
                    candidates = searchDirs.compactMap { normalize(join($0, name)) }
                case .macro:
                    // The macro may name a path below a search directory (FreeType's
                    // `#include FT_FREETYPE_H`, `<freetype/freetype.h>`): every header under them.
                    for candidateDir in Set([fileDir] + quoteDirs + searchDirs) {
                        candidates += headers(under: candidateDir, tree: tree, memo: memo)
                    }
                }
                for candidate in candidates
                where !visited.contains("\(assembler) \(candidate)") && exists(candidate, tree: tree, memo: memo) {
                    visited.insert("\(assembler) \(candidate)")
                    found.insert(candidate)
                    queue.append((candidate, assembler))
                }
            }
        }
        let ownPaths = Set(package.inputFiles)
        return found.subtracting(ownPaths).sorted()
    }

    /// `value` of a search-path flag as a repository-relative directory, or nil when it
    /// leaves the repository.
    static func resolve(_ value: String, packageDir: String, workdir: String?) -> String? {
        var value = value
        if value.hasPrefix("${SRCDIR}") {
            value = packageDir + value.dropFirst("${SRCDIR}".count)
            if value.hasPrefix("/") { value.removeFirst() }
            return normalize(value)
        }
        if value.hasPrefix("/") {
            guard let workdir, value.hasPrefix(workdir + "/") || value == workdir else { return nil }
            return normalize(String(value.dropFirst(workdir.count)))
        }
        return normalize(join(packageDir, value))
    }

    /// `path` without `.` and `..` elements and empty ones; nil when it climbs above the root.
    static func normalize(_ path: String) -> String? {
        var parts: [Substring] = []
        for element in path.split(separator: "/", omittingEmptySubsequences: true) {
            if element == "." { continue }
            if element == ".." {
                guard !parts.isEmpty else { return nil }
                parts.removeLast()
            } else {
                parts.append(element)
            }
        }
        return parts.joined(separator: "/")
    }

    /// A library or object file name the linker could take from a `-L` directory.
    static func isLinkable(_ name: String) -> Bool {
        ["a", "o", "so", "lib", "syso"].contains(fileExtension(name)) || name.contains(".so.")
    }

    static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...])
    }

    /// Every header file under `dir`, at any depth (`.git` excepted), memoised per run.
    static func headers(under dir: String, tree: any FileTree, memo: Memo) -> [String] {
        if let known = memo.headersUnder[dir] { return known }
        var result: [String] = []
        var stack = [dir]
        while let current = stack.popLast() {
            for entry in listing(current, tree: tree, memo: memo) {
                let path = join(current, entry.name)
                if entry.kind == .directory {
                    if entry.name != ".git" { stack.append(path) }
                } else if headerExtensions.contains(fileExtension(entry.name)) {
                    result.append(path)
                }
            }
        }
        memo.headersUnder[dir] = result
        return result
    }

    static func listing(_ dir: String, tree: any FileTree, memo: Memo) -> [FileTreeEntry] {
        if let known = memo.listings[dir] { return known ?? [] }
        let entries = (try? tree.entries(in: dir)) ?? nil
        memo.listings[dir] = .some(entries)
        return entries ?? []
    }

    static func exists(_ path: String, tree: any FileTree, memo: Memo) -> Bool {
        if let known = memo.fileExists[path] { return known }
        let name = lastElement(path)
        let entry = listing(parent(path), tree: tree, memo: memo).first { $0.name == name }
        let result =
            entry.map { $0.kind == .file || ($0.kind == .symlink && TargetInputs.followsToFile(path, in: tree)) } ?? false
        memo.fileExists[path] = result
        return result
    }

    static func scan(_ path: String, isGo: Bool, tree: any FileTree, memo: Memo) -> Scan {
        if let known = memo.scans[path] { return known }
        let result = (try? tree.contents(of: path)).map { parse($0, isGo: isGo) } ?? Scan()
        memo.scans[path] = result
        return result
    }

    /// The `#include` lines of a source file and, for a Go file, its `#cgo` flags (lines of
    /// a Go file count with or without a leading `//`: the preamble is a comment).
    static func parse(_ bytes: [UInt8], isGo: Bool) -> Scan {
        var result = Scan()
        var lineStart = 0
        let count = bytes.count
        while lineStart < count {
            var lineEnd = lineStart
            while lineEnd < count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var i = lineStart
            func skipSpace() { while i < lineEnd, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 } }
            skipSpace()
            if isGo, i + 1 < lineEnd, bytes[i] == UInt8(ascii: "/"), bytes[i + 1] == UInt8(ascii: "/") {
                i += 2
                skipSpace()
            }
            // Block comments before a directive are a space to the preprocessor
            // (`/* note */ #include "x.h"`).
            while i + 1 < lineEnd, bytes[i] == UInt8(ascii: "/"), bytes[i + 1] == UInt8(ascii: "*") {
                var end = i + 2
                while end + 1 < lineEnd, !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                guard end + 1 < lineEnd else { break }
                i = end + 2
                skipSpace()
            }
            if i < lineEnd, bytes[i] == UInt8(ascii: "#") {
                i += 1
                skipSpace()
                let wordStart = i
                while i < lineEnd, (bytes[i] >= UInt8(ascii: "a") && bytes[i] <= UInt8(ascii: "z")) || bytes[i] == UInt8(ascii: "_") {
                    i += 1
                }
                let word = String(decoding: bytes[wordStart..<i], as: UTF8.self)
                if word == "include" || word == "include_next" || word == "import" {
                    skipSpace()
                    result.includes.append(spec(bytes, from: i, to: lineEnd))
                } else if isGo, word == "cgo" {
                    let line = String(decoding: bytes[i..<lineEnd], as: UTF8.self)
                    if let colon = line.firstIndex(of: ":") {
                        let variable = line[..<colon].split(whereSeparator: { $0 == " " || $0 == "\t" }).last.map(String.init) ?? ""
                        if ["CFLAGS", "CPPFLAGS", "CXXFLAGS", "FFLAGS"].contains(variable) {
                            result.flags += splitQuoted(String(line[line.index(after: colon)...]))
                        } else if variable == "LDFLAGS" {
                            result.ldflags += splitQuoted(String(line[line.index(after: colon)...]))
                        } else if variable == "pkg-config" {
                            result.pkgConfig += splitQuoted(String(line[line.index(after: colon)...]))
                        }
                    }
                }
            }
            lineStart = lineEnd + 1
        }
        return result
    }

    static func spec(_ bytes: [UInt8], from start: Int, to end: Int) -> Spec {
        guard start < end else { return .macro }
        let close: UInt8
        switch bytes[start] {
        case UInt8(ascii: "\""): close = UInt8(ascii: "\"")
        case UInt8(ascii: "<"): close = UInt8(ascii: ">")
        default: return .macro
        }
        var i = start + 1
        while i < end, bytes[i] != close { i += 1 }
        guard i < end, i > start + 1 else { return .macro }
        let name = String(decoding: bytes[(start + 1)..<i], as: UTF8.self)
        return close == UInt8(ascii: "\"") ? .quoted(name) : .angled(name)
    }

    /// Splits flags as the go command splits a `#cgo` line's value: on spaces, with `'…'`
    /// and `"…"` quoting.
    static func splitQuoted(_ text: String) -> [String] {
        // go/build's splitQuoted: `\` escapes the next character anywhere, quotes group.
        var args: [String] = []
        var current = ""
        var quote: Character?
        var started = false
        var escaped = false
        for ch in text {
            if escaped {
                escaped = false
                current.append(ch)
            } else if ch == "\\" {
                escaped = true
            } else if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
            } else if ch == "'" || ch == "\"" {
                quote = ch
                started = true
            } else if ch.isWhitespace {
                if started || !current.isEmpty { args.append(current) }
                current = ""
                started = false
            } else {
                current.append(ch)
            }
        }
        if started || !current.isEmpty { args.append(current) }
        return args
    }
}
