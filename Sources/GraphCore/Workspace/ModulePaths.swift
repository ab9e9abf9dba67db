// Module and import path rules of golang.org/x/mod/module, and the path helpers the
// workspace model needs (clean, join, IsDirectoryPath).

enum ModulePaths {
    enum Kind { case module, importPath }

    private static let badWindowsNames: Set<String> = [
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ]

    /// module.CheckImportPath; returns the problem (`malformed import path "x": reason`) or nil.
    static func checkImportPath(_ path: String) -> String? {
        if let reason = check(path, kind: .importPath) { return "malformed import path \(goQuote(path)): \(reason)" }
        return nil
    }

    /// module.CheckPath's general part (what `checkPath(path, modulePath)` reports).
    static func check(_ path: String, kind: Kind) -> String? {
        isPlainlyValid(path, kind: kind) ? nil : problem(path, kind: kind)
    }

    /// `check`'s rules one by one, with the reason.
    static func problem(_ path: String, kind: Kind) -> String? {
        if path.isEmpty { return "empty string" }
        if path.first == "-" { return "leading dash" }
        if path.contains("//") { return "double slash" }
        if path.last == "/" { return "trailing slash" }
        for elem in path.split(separator: "/", omittingEmptySubsequences: false) {
            if let reason = checkElem(elem, kind: kind) { return reason }
        }
        return nil
    }

    /// One pass over the bytes that accepts the common path (ASCII letters, digits and
    /// `-._~+`, no element a Windows device name or ending in `~` and digits) without the
    /// element-by-element checks; anything else (a problem, or a path it cannot judge this
    /// simply) is left to them, so both always agree.
    static func isPlainlyValid(_ path: String, kind: Kind) -> Bool {
        let result = path.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            let n = bytes.count
            guard n > 0, bytes[0] != UInt8(ascii: "-"), bytes[n - 1] != UInt8(ascii: "/") else { return false }
            var start = 0
            while start < n {
                var end = start
                var firstDot = -1
                var lastTilde = -1
                var allDots = true
                while end < n, bytes[end] != UInt8(ascii: "/") {
                    let c = bytes[end]
                    switch c {
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                        allDots = false
                    case UInt8(ascii: "."):
                        if firstDot < 0 { firstDot = end }
                    case UInt8(ascii: "~"):
                        allDots = false
                        if firstDot < 0 { lastTilde = end }
                    case UInt8(ascii: "+") where kind == .importPath:
                        allDots = false
                    default:
                        return false
                    }
                    end += 1
                }
                // Empty, all dots, a leading dot in a module path, a trailing dot.
                guard end > start, !allDots, bytes[end - 1] != UInt8(ascii: "."),
                    !(kind == .module && bytes[start] == UInt8(ascii: "."))
                else { return false }
                let shortEnd = firstDot < 0 ? end : firstDot
                if isWindowsDeviceName(bytes, start, shortEnd) { return false }
                if lastTilde >= 0, lastTilde + 1 < shortEnd,
                    (lastTilde + 1..<shortEnd).allSatisfy({ bytes[$0] >= UInt8(ascii: "0") && bytes[$0] <= UInt8(ascii: "9") })
                {
                    return false
                }
                start = end + 1
            }
            return true
        }
        return result ?? false
    }

    /// Whether `bytes[lo..<hi]` (ASCII) is one of `badWindowsNames`, in any case.
    private static func isWindowsDeviceName(_ bytes: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
        func upper(_ i: Int) -> UInt8 { bytes[lo + i] & 0xDF }  // ASCII letters; digits fail the comparisons below
        switch hi - lo {
        case 3:
            let (a, b, c) = (upper(0), upper(1), upper(2))
            return (a, b, c) == (0x43, 0x4F, 0x4E) || (a, b, c) == (0x50, 0x52, 0x4E)  // CON PRN
                || (a, b, c) == (0x41, 0x55, 0x58) || (a, b, c) == (0x4E, 0x55, 0x4C)  // AUX NUL
        case 4:
            let digit = bytes[lo + 3]
            guard digit >= UInt8(ascii: "1"), digit <= UInt8(ascii: "9") else { return false }
            let (a, b, c) = (upper(0), upper(1), upper(2))
            return (a, b, c) == (0x43, 0x4F, 0x4D) || (a, b, c) == (0x4C, 0x50, 0x54)  // COM LPT
        default:
            return false
        }
    }

    private static func checkElem(_ elem: Substring, kind: Kind) -> String? {
        if elem.isEmpty { return "empty path element" }
        if elem.allSatisfy({ $0 == "." }) { return "invalid path element \(goQuote(String(elem)))" }
        if elem.first == ".", kind == .module { return "leading dot in path element" }
        if elem.last == "." { return "trailing dot in path element" }
        for r in elem.unicodeScalars {
            let ok = r.isASCII && (r == "-" || r == "." || r == "_" || r == "~"
                || ("0"..."9").contains(r) || ("A"..."Z").contains(r) || ("a"..."z").contains(r)
                || (kind == .importPath && r == "+"))
            if !ok { return "invalid char \(goQuoteRune(r))" }
        }
        var short = elem
        if let dot = short.firstIndex(of: ".") { short = short[..<dot] }
        if badWindowsNames.contains(short.uppercased()) {
            return "\(goQuote(String(short))) disallowed as path element component on Windows"
        }
        if let tilde = short.lastIndex(of: "~"), short.index(after: tilde) < short.endIndex,
            short[short.index(after: tilde)...].allSatisfy({ $0 >= "0" && $0 <= "9" })
        {
            return "trailing tilde and digits in path element"
        }
        return nil
    }

    /// module.SplitPathVersion: the major-version suffix (`/v2`, `.v1` for gopkg.in) or nil when malformed.
    static func pathMajor(_ path: String) -> String? {
        let bytes = Array(path.utf8)
        if path.hasPrefix("gopkg.in/") {
            var i = bytes.count
            if path.hasSuffix("-unstable") { i -= "-unstable".utf8.count }
            while i > 0, bytes[i - 1] >= 0x30, bytes[i - 1] <= 0x39 { i -= 1 }
            guard i > 1, bytes[i - 1] == UInt8(ascii: "v"), bytes[i - 2] == UInt8(ascii: ".") else { return nil }
            let major = Array(bytes[(i - 2)...])
            if major.count <= 2 || (major[2] == UInt8(ascii: "0") && String(decoding: major, as: UTF8.self) != ".v0") {
                return nil
            }
            return String(decoding: major, as: UTF8.self)
        }
        var i = bytes.count
        var dot = false
        while i > 0, (bytes[i - 1] >= 0x30 && bytes[i - 1] <= 0x39) || bytes[i - 1] == UInt8(ascii: ".") {
            if bytes[i - 1] == UInt8(ascii: ".") { dot = true }
            i -= 1
        }
        if i <= 1 || i == bytes.count || bytes[i - 1] != UInt8(ascii: "v") || bytes[i - 2] != UInt8(ascii: "/") {
            return ""
        }
        let major = Array(bytes[(i - 2)...])
        let text = String(decoding: major, as: UTF8.self)
        if dot || major.count <= 2 || major[2] == UInt8(ascii: "0") || text == "/v1" { return nil }
        return text
    }

    /// module.CheckPathMajor; returns the InvalidVersionError text or nil.
    static func checkPathMajor(_ v: String, _ pathMajor: String) -> String? {
        var pathMajor = pathMajor
        if pathMajor.hasPrefix(".v"), pathMajor.hasSuffix("-unstable") { pathMajor.removeLast("-unstable".count) }
        if v.hasPrefix("v0.0.0-"), pathMajor == ".v1" { return nil }
        let m = SemVer.major(v)
        var want = pathMajor
        if pathMajor.isEmpty {
            if m == "v0" || m == "v1" || SemVer.build(v) == "+incompatible" { return nil }
            want = "v0 or v1"
        } else if pathMajor.first == "/" || pathMajor.first == "." {
            if m == String(pathMajor.dropFirst()) { return nil }
            want = String(pathMajor.dropFirst())
        }
        return "version \(goQuote(v)) invalid: should be \(want), not \(m)"
    }

    /// modfile.IsDirectoryPath: `.`, `..`, `./x`, `../x`, rooted and Windows-drive paths.
    static func isDirectoryPath(_ ns: String) -> Bool {
        if ns == "." || ns.hasPrefix("./") || ns.hasPrefix(".\\") || ns == ".." || ns.hasPrefix("../")
            || ns.hasPrefix("..\\") || ns.hasPrefix("/") || ns.hasPrefix("\\")
        {
            return true
        }
        let u = Array(ns.utf8)
        return u.count >= 2 && ((u[0] >= 0x41 && u[0] <= 0x5A) || (u[0] >= 0x61 && u[0] <= 0x7A)) && u[1] == UInt8(ascii: ":")
    }

    /// Cleans a `/`-separated relative path; `""` is the root. Returns nil when the path
    /// climbs above the root or is absolute.
    static func cleanRelative(_ path: String) -> String? {
        if path.hasPrefix("/") { return nil }
        var out: [Substring] = []
        for elem in path.split(separator: "/", omittingEmptySubsequences: true) {
            if elem == "." { continue }
            if elem == ".." {
                if out.isEmpty { return nil }
                out.removeLast()
                continue
            }
            out.append(elem)
        }
        return out.joined(separator: "/")
    }

    /// Joins a repository-relative directory and a relative path, cleaning the result;
    /// nil when it leaves the repository.
    static func join(_ dir: String, _ rel: String) -> String? {
        if rel.hasPrefix("/") { return nil }
        return cleanRelative(dir.isEmpty ? rel : dir + "/" + rel)
    }

    /// The relative path from directory `base` to `target` (both repository-relative), as
    /// filepath.Rel gives it, then as module.ToDirectoryPath writes it (`./x`, `../x`, `.`).
    static func relativeDirectoryPath(from base: String, to target: String) -> String {
        let b = base.split(separator: "/"), t = target.split(separator: "/")
        var common = 0
        while common < b.count, common < t.count, b[common] == t[common] { common += 1 }
        let parts = Array(repeating: "..", count: b.count - common) + t[common...].map(String.init)
        if parts.isEmpty { return "." }
        let rel = parts.joined(separator: "/")
        return isDirectoryPath(rel) ? rel : "./" + rel
    }

    /// Whether `dir` is `ancestor` or inside it (repository-relative paths).
    static func isWithin(_ dir: String, _ ancestor: String) -> Bool {
        ancestor.isEmpty || dir == ancestor || dir.hasPrefix(ancestor + "/")
    }
}

/// strconv.Quote for the characters go.mod errors print.
func goQuote(_ s: String) -> String {
    var out = "\""
    for r in s.unicodeScalars {
        switch r {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        default: out += escapeScalar(r)
        }
    }
    return out + "\""
}

/// strconv.QuoteRune.
func goQuoteRune(_ r: Unicode.Scalar) -> String {
    switch r {
    case "'": return "'\\''"
    case "\\": return "'\\\\'"
    default: return "'" + escapeScalar(r) + "'"
    }
}

private func escapeScalar(_ r: Unicode.Scalar) -> String {
    switch r {
    case "\u{07}": return "\\a"
    case "\u{08}": return "\\b"
    case "\u{0C}": return "\\f"
    case "\n": return "\\n"
    case "\r": return "\\r"
    case "\t": return "\\t"
    case "\u{0B}": return "\\v"
    default:
        if isGoPrint(r) { return String(r) }
        let hex = String(r.value, radix: 16)
        if r.value < 0x80 { return "\\x" + String(repeating: "0", count: 2 - hex.count) + hex }
        if r.value < 0x10000 { return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex }
        return "\\U" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}

/// unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
func isGoPrint(_ r: Unicode.Scalar) -> Bool {
    if r == " " { return true }
    switch r.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
        .nonspacingMark, .spacingMark, .enclosingMark,
        .decimalNumber, .letterNumber, .otherNumber,
        .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
        .initialPunctuation, .finalPunctuation, .otherPunctuation,
        .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        return true
    default:
        return false
    }
}

/// unicode.IsSpace.
func isGoSpace(_ r: Unicode.Scalar) -> Bool {
    switch r.value {
    case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0: return true
    default: return r.value > 0xFF && r.properties.isWhitespace
    }
}
