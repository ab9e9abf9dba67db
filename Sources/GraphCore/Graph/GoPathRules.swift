/// The go command's rules for import paths, file names and glob patterns
/// (golang.org/x/mod/module and the path package), used by import and embed resolution.
enum GoPathRules {
    private static let badWindowsNames: Set<String> = [
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ]

    private enum Kind { case importPath, filePath }

    /// `module.CheckImportPath`: nil when valid, else the reason.
    static func importPathProblem(_ path: String) -> String? {
        if path.isEmpty { return "empty string" }
        if isPlainImportPath(path) { return nil }
        return importPathProblemByElement(path)
    }

    /// `importPathProblem` without the fast path for plain paths (which must agree with it).
    static func importPathProblemByElement(_ path: String) -> String? {
        if path.isEmpty { return "empty string" }
        if path.hasPrefix("/") { return "leading slash" }
        if path.hasSuffix("/") { return "trailing slash" }
        if path.contains("//") { return "double slash" }
        for elem in path.split(separator: "/", omittingEmptySubsequences: false) {
            if let problem = elementProblem(Substring(elem), kind: .importPath) { return problem }
        }
        return nil
    }

    /// A fast check for the common case: lower/upper ASCII letters, digits and `-._/`,
    /// elements not empty, not starting or ending with a dot, no Windows-reserved short names.
    private static func isPlainImportPath(_ path: String) -> Bool {
        var elementStart = true
        var previous: UInt8 = 0
        // The current element's stem (the bytes before its first dot), upper-cased, while
        // it is at most 4 bytes long: a stem of 3 or 4 may be a reserved Windows name.
        var stem: UInt32 = 0
        var stemLength = 0
        var inStem = true
        func reservedStem() -> Bool {
            (stemLength == 3 || stemLength == 4) && reservedWindowsStems.contains(stem)
        }
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "/"):
                if elementStart || previous == UInt8(ascii: ".") || reservedStem() { return false }
                elementStart = true
                stem = 0
                stemLength = 0
                inStem = true
                previous = byte
                continue
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                elementStart = false
            case UInt8(ascii: "."):
                if elementStart { return false }
                inStem = false
            default:
                return false
            }
            if inStem {
                stemLength += 1
                if stemLength <= 4 {
                    let upper = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) ? byte - 32 : byte
                    stem = stem << 8 | UInt32(upper)
                }
            }
            previous = byte
        }
        if elementStart || previous == UInt8(ascii: ".") { return false }
        return !reservedStem()
    }

    /// `badWindowsNames`, each packed big-endian into a UInt32 (3 or 4 ASCII bytes).
    private static let reservedWindowsStems: Set<UInt32> = Set(
        badWindowsNames.map { name in name.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } })

    /// `module.CheckFilePath` of a single element: what `isBadEmbedName` rejects.
    static func isBadEmbedName(_ name: String) -> Bool {
        if name.isEmpty { return true }
        if elementProblem(Substring(name), kind: .filePath) != nil { return true }
        switch name {
        case ".bzr", ".hg", ".git", ".svn": return true
        default: return false
        }
    }

    private static func elementProblem(_ elem: Substring, kind: Kind) -> String? {
        if elem.isEmpty { return "empty path element" }
        if elem.allSatisfy({ $0 == "." }) { return "invalid path element \"\(elem)\"" }
        if elem.last == "." { return "trailing dot in path element" }
        for scalar in elem.unicodeScalars {
            let ok: Bool
            switch kind {
            case .importPath: ok = importPathOK(scalar)
            case .filePath: ok = fileNameOK(scalar)
            }
            if !ok { return "invalid char '\(scalar)'" }
        }
        var short = elem
        if let dot = short.firstIndex(of: ".") { short = short[..<dot] }
        if badWindowsNames.contains(short.uppercased()) {
            return "\"\(short)\" disallowed as path element component on Windows"
        }
        if kind == .filePath { return nil }
        if let tilde = short.lastIndex(of: "~"), short.index(after: tilde) < short.endIndex {
            let suffix = short[short.index(after: tilde)...]
            if suffix.allSatisfy({ $0.isASCII && $0.isNumber }) {
                return "trailing tilde and digits in path element"
            }
        }
        return nil
    }

    private static func importPathOK(_ r: Unicode.Scalar) -> Bool {
        guard r.isASCII else { return false }
        switch r {
        case "0"..."9", "a"..."z", "A"..."Z", "-", ".", "_", "~", "+": return true
        default: return false
        }
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
