/// The go command's rules for import paths, file names and glob patterns
/// (golang.org/x/mod/module and the path package), used by import and embed resolution.
enum GoPathRules {
    /// x/mod's `badWindowsNames` (the go command's vendored copy: no COM0 or LPT0).
    private static let badWindowsNames: Set<String> = [
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ]

    /// `module.CheckImportPath`: nil when valid, else the reason (one implementation,
    /// `ModulePaths.check`, for imports, go.mod and vendor/modules.txt).
    static func importPathProblem(_ path: String) -> String? {
        ModulePaths.check(path, kind: .importPath)
    }

    /// `module.CheckFilePath` of a single element: what `isBadEmbedName` rejects.
    static func isBadEmbedName(_ name: String) -> Bool {
        if name.isEmpty { return true }
        if fileElementProblem(Substring(name)) != nil { return true }
        switch name {
        case ".bzr", ".hg", ".git", ".svn": return true
        default: return false
        }
    }

    /// x/mod's `checkElem` for a file path element (no tilde rule for file paths).
    private static func fileElementProblem(_ elem: Substring) -> String? {
        if elem.isEmpty { return "empty path element" }
        if elem.allSatisfy({ $0 == "." }) { return "invalid path element \"\(elem)\"" }
        if elem.last == "." { return "trailing dot in path element" }
        for scalar in elem.unicodeScalars where !fileNameOK(scalar) {
            return "invalid char '\(scalar)'"
        }
        var short = elem
        if let dot = short.firstIndex(of: ".") { short = short[..<dot] }
        if badWindowsNames.contains(short.uppercased()) {
            return "\"\(short)\" disallowed as path element component on Windows"
        }
        return nil
    }

    private static func fileNameOK(_ r: Unicode.Scalar) -> Bool {
        if r.isASCII {
            switch r {
            case "0"..."9", "a"..."z", "A"..."Z": return true
            default: return "!#$%&()+,-.=@[]^_{}~ ".unicodeScalars.contains(r)
            }
        }
        return r.properties.isAlphabetic
    }

    /// `search.IsStandardImportPath`: the first element has no dot.
    /// go/build `IsLocalImport`: `.`, `..`, or a path starting `./` or `../`.
    static func isLocalImport(_ path: String) -> Bool {
        path == "." || path == ".." || path.hasPrefix("./") || path.hasPrefix("../")
    }

    static func looksStandard(_ path: String) -> Bool {
        // No dot in the first non-empty element (bytes: this runs for every import of
        // every load).
        var started = false
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if started { return true }
                continue
            }
            started = true
            if byte == UInt8(ascii: ".") { return false }
        }
        return true
    }

    /// `fs.ValidPath` and not ".": the validity check of an embed pattern.
    static func isValidEmbedPattern(_ pattern: String) -> Bool {
        if pattern == "." || pattern.isEmpty { return false }
        for elem in pattern.split(separator: "/", omittingEmptySubsequences: false) {
            if elem.isEmpty || elem == "." || elem == ".." { return false }
        }
        return true
    }

    /// Whether a pattern element contains glob metacharacters (`filepath.hasMeta`).
    static func hasMeta(_ s: Substring) -> Bool {
        s.contains { $0 == "*" || $0 == "?" || $0 == "[" || $0 == "\\" }
    }

    /// `path.Match`: nil when the pattern is malformed, else whether `name` matches.
    static func match(_ pattern: Substring, _ name: Substring) -> Bool? {
        match(Array(pattern.unicodeScalars), 0, Array(name.unicodeScalars), 0)
    }

    private static func match(_ p: [Unicode.Scalar], _ pi0: Int, _ n: [Unicode.Scalar], _ ni0: Int) -> Bool? {
        var pi = pi0
        var ni = ni0
        while pi < p.count {
            let c = p[pi]
            if c == "*" {
                // Collapse consecutive stars; a star matches any run of non-slash characters.
                var pj = pi
                while pj < p.count, p[pj] == "*" { pj += 1 }
                if pj == p.count {
                    // Trailing star: the rest must hold no slash. The pattern remainder is valid.
                    return !n[ni...].contains("/")
                }
                var k = ni
                while true {
                    guard let result = match(p, pj, n, k) else { return nil }
                    if result { return true }
                    if k >= n.count || n[k] == "/" {
                        // Validate the rest of the pattern before answering false.
                        return validate(p, pj) ? false : nil
                    }
                    k += 1
                }
            }
            if c == "?" {
                if ni >= n.count || n[ni] == "/" { return validate(p, pi + 1) ? false : nil }
                pi += 1
                ni += 1
                continue
            }
            if c == "[" {
                guard let (matched, next) = matchClass(p, pi, ni < n.count ? n[ni] : nil) else { return nil }
                if ni >= n.count || n[ni] == "/" || !matched { return validate(p, next) ? false : nil }
                pi = next
                ni += 1
                continue
            }
            var lit = c
            if c == "\\" {
                pi += 1
                guard pi < p.count else { return nil }
                lit = p[pi]
            }
            if ni >= n.count || n[ni] != lit { return validate(p, pi + 1) ? false : nil }
            pi += 1
            ni += 1
        }
        return ni == n.count
    }

    /// Parses a `[...]` class at `p[start]`; returns whether `ch` is in it and the index after it.
    private static func matchClass(_ p: [Unicode.Scalar], _ start: Int, _ ch: Unicode.Scalar?) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < p.count, p[i] == "^" {
            negated = true
            i += 1
        }
        var matched = false
        var count = 0
        while true {
            guard i < p.count else { return nil }
            if p[i] == "]", count > 0 { i += 1; break }
            guard let (lo, afterLo) = classChar(p, i) else { return nil }
            i = afterLo
            var hi = lo
            if i < p.count, p[i] == "-" {
                guard let (h, afterHi) = classChar(p, i + 1) else { return nil }
                hi = h
                i = afterHi
            }
            if let ch, lo.value <= ch.value, ch.value <= hi.value { matched = true }
            count += 1
        }
        return (matched != negated, i)
    }

    private static func classChar(_ p: [Unicode.Scalar], _ i: Int) -> (Unicode.Scalar, Int)? {
        guard i < p.count else { return nil }
        let c = p[i]
        if c == "-" || c == "]" { return nil }
        if c == "\\" {
            guard i + 1 < p.count else { return nil }
            return (p[i + 1], i + 2)
        }
        return (c, i + 1)
    }

    /// Whether the remainder of a pattern from `i` is syntactically valid.
    private static func validate(_ p: [Unicode.Scalar], _ start: Int) -> Bool {
        var i = start
        while i < p.count {
            switch p[i] {
            case "\\":
                if i + 1 >= p.count { return false }
                i += 2
            case "[":
                guard let (_, next) = matchClass(p, i, nil) else { return false }
                i = next
            default:
                i += 1
            }
        }
        return true
    }
}
