// The Go source header scanner: what go/build learns from one file without type
// checking — package clause, imports, build constraint and //go:embed patterns — read
// exactly as far as go/build reads it (read.go readGoInfo, build.go shouldBuild).

/// One import declaration of a Go file.
public struct GoImport: Hashable, Sendable {
    /// The import path as written (unquoted), e.g. `github.com/aws/aws-lambda-go/lambda`.
    public var path: String
    /// The local name (`_`, `.`, or an identifier), when the import declares one.
    public var alias: String?
    /// 1-based line of the import spec (its alias when present, as go/build records it).
    public var line: Int
    /// 1-based byte column of the import spec.
    public var column: Int

    public init(path: String, alias: String? = nil, line: Int, column: Int) {
        self.path = path
        self.alias = alias
        self.line = line
        self.column = column
    }
}

/// One pattern of a `//go:embed` directive.
public struct GoEmbedPattern: Hashable, Sendable {
    /// The pattern, unquoted (`static/*`, `a b.txt` from a quoted form).
    public var pattern: String
    /// 1-based line of the pattern.
    public var line: Int
    /// 1-based byte column of the pattern.
    public var column: Int

    public init(pattern: String, line: Int, column: Int) {
        self.pattern = pattern
        self.line = line
        self.column = column
    }
}

/// A position in a Go source file: file name, 1-based line and byte column.
public struct GoFilePosition: Hashable, Sendable, CustomStringConvertible {
    /// The file (as named to the scanner or assembler).
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`.
    public var description: String { "\(file):\(line):\(column)" }
}

/// What go/build learns from the header of one Go file. Independent of the build
/// context, so it can be memoized per file content.
public struct GoFileHeader: Hashable, Sendable {
    /// The package clause's name; `""` when the package clause itself could not be parsed.
    public var packageName: String
    /// Imports in source order (empty when `parseError` is set, as in go/build).
    public var imports: [GoImport]
    /// The `//go:build` line's expression, else the AND of the `// +build` lines of the
    /// leading comment block; `nil` when the file has neither.
    public var constraint: BuildConstraint?
    /// `//go:embed` patterns in source order: collected only when the file imports "embed".
    public var embeds: [GoEmbedPattern]
    /// A syntax error in the header (or an invalid import path) with go/parser's message.
    /// go/build still assigns such a file to its package (and lists it as invalid) when
    /// its constraint is satisfied.
    public var parseError: GoScanError?

    public init(
        packageName: String, imports: [GoImport], constraint: BuildConstraint?, embeds: [GoEmbedPattern],
        parseError: GoScanError? = nil
    ) {
        self.packageName = packageName
        self.imports = imports
        self.constraint = constraint
        self.embeds = embeds
        self.parseError = parseError
    }

    /// Whether the file imports "C" (uses cgo).
    public var importsC: Bool { imports.contains { $0.path == "C" } }
}

/// An error reading a Go source file, with go/build's message.
public struct GoScanError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, which decides how go/build treats the file.
    public enum Kind: Hashable, Sendable {
        /// go/parser rejected the header (`expected 'package', found ...`).
        case syntax
        /// An import path that go/build rejects (`invalid import path: ...`).
        case invalidImportPath
        /// go/build could not read the file (`unexpected NUL in input`).
        case read
        /// A malformed `//go:build` line or several of them.
        case buildConstraint
    }

    public var kind: Kind
    /// The file name given to the scanner.
    public var file: String
    /// 1-based line, or 0 when the error has no position.
    public var line: Int
    /// 1-based byte column, or 0 when the error has no position.
    public var column: Int
    /// go/build's message without the position prefix.
    public var message: String

    public init(kind: Kind, file: String, line: Int, column: Int, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// The message as go/build prints it (`x.go:3:8: expected ';', found ...`,
    /// `read x.go: unexpected NUL in input`, `x.go: multiple //go:build comments`).
    public var description: String {
        switch kind {
        case .syntax, .invalidImportPath: return "\(file):\(line):\(column): \(message)"
        case .read: return "read \(file): \(message)"
        case .buildConstraint: return "\(file): \(message)"
        }
    }
}

/// Reads Go source headers the way go/build does.
public enum GoSourceScanner {
    /// Scans a Go file: package clause, imports, build constraint and (when the file
    /// imports "embed") its `//go:embed` patterns.
    ///
    /// Reading stops after the import declarations, as go/build's reader stops; a
    /// leading UTF-8 BOM is skipped. Syntax errors of the header are returned in
    /// `GoFileHeader.parseError`.
    ///
    /// - Throws: `GoScanError` of kind `.read` for a NUL byte in the part go/build reads,
    ///   `.buildConstraint` for several `//go:build` lines or one that does not parse.
    ///   go/build lists such a file as invalid whatever the build context.
    /// - Complexity: O(header) bytes, O(file) when the file imports "embed".
    public static func scanHeader(_ bytes: [UInt8], fileName: String) throws(GoScanError) -> GoFileHeader {
        let result: Result<GoFileHeader, GoScanError> = bytes.withUnsafeBufferPointer { whole in
            var s = whole
            if s.count >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
                s = UnsafeBufferPointer(rebasing: whole[3...])
            }
            return scanGo(s, fileName: fileName)
        }
        return try result.get()
    }

    /// The build constraint of a non-Go source file (`.c`, `.h`, `.s`, ...): the
    /// `//go:build` line, else the `// +build` lines, of its leading comment block.
    ///
    /// Returns `nil` when the file is not constrained, which includes go/build's case of
    /// a leading comment block it fails to read (an unterminated `/*`): such a file is
    /// always kept.
    /// - Throws: `GoScanError` (`.buildConstraint`) for several `//go:build` lines or one
    ///   that does not parse: go/build then excludes the file.
    public static func scanConstraint(_ bytes: [UInt8], fileName: String = "") throws(GoScanError) -> BuildConstraint? {
        let result: Result<BuildConstraint?, GoScanError> = bytes.withUnsafeBufferPointer { whole in
            var s = whole
            if s.count >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF {
                s = UnsafeBufferPointer(rebasing: whole[3...])
            }
            let (end, failed) = ImportReader.commentsEnd(s)
            if failed { return .success(nil) }
            return headerConstraint(s, end, fileName: fileName)
        }
        return try result.get()
    }

    // MARK: - Go files

    static func scanGo(_ s: UnsafeBufferPointer<UInt8>, fileName: String) -> Result<GoFileHeader, GoScanError> {
        let headerEnd: Int
        switch ImportReader.goHeaderEnd(s) {
        case .failure:
            return .failure(GoScanError(kind: .read, file: fileName, line: 0, column: 0, message: "unexpected NUL in input"))
        case .success(let end):
            headerEnd = end
        }
        let header = UnsafeBufferPointer(rebasing: s[0..<headerEnd])
        let constraint: BuildConstraint?
        switch headerConstraint(header, headerEnd, fileName: fileName) {
        case .failure(let e): return .failure(e)
        case .success(let c): constraint = c
        }

        let parsed = GoHeaderParser.parse(header)
        let lines = parsed.lines
        var result = GoFileHeader(packageName: parsed.packageName, imports: [], constraint: constraint, embeds: [])
        if let first = parsed.errors.first {
            let p = lines.position(first.offset)
            result.parseError = GoScanError(kind: .syntax, file: fileName, line: p.line, column: p.column, message: first.message)
            return .success(result)
        }
        var imports: [GoImport] = []
        imports.reserveCapacity(parsed.imports.count)
        var hasEmbed = false
        for imp in parsed.imports {
            let path = unquote(header, imp.pathLo, imp.pathHi)
            let specPos = imp.namePos ?? imp.pathPos
            let p = lines.position(specPos)
            if !isValidImport(path) {
                result.parseError = GoScanError(
                    kind: .invalidImportPath, file: fileName, line: p.line, column: p.column,
                    message: "invalid import path: " + path)
                return .success(result)
            }
            if path == "embed" { hasEmbed = true }
            imports.append(GoImport(path: path, alias: imp.name, line: p.line, column: p.column))
        }
        result.imports = imports
        if hasEmbed {
            result.embeds = embedPatterns(s)
        }
        return .success(result)
    }

    // MARK: - Build constraints (shouldBuild / parseFileHeader)

    /// The constraint of a header: go/build's `parseFileHeader` + `shouldBuild`.
    static func headerConstraint(_ s: UnsafeBufferPointer<UInt8>, _ count: Int, fileName: String)
        -> Result<BuildConstraint?, GoScanError>
    {
        var end = 0
        var p = 0
        var ended = false
        var inSlashStar = false
        var goBuild: (Int, Int)?

        lines: while p < count {
            let lineStart = p
            var nl = p
            while nl < count && s[nl] != 0x0A { nl += 1 }
            p = nl < count ? nl + 1 : count
            var (lo, hi) = goTrimSpace(s, lineStart, nl)
            if lo == hi && !ended {
                end = p
                continue lines
            }
            if !hasPrefix(s, lo, hi, "//") { ended = true }
            if !inSlashStar && isGoBuildComment(s, lo, hi) {
                if goBuild != nil {
                    return .failure(GoScanError(kind: .buildConstraint, file: fileName, line: 0, column: 0, message: "multiple //go:build comments"))
                }
                goBuild = (lo, hi)
            }
            comments: while lo < hi {
                if inSlashStar {
                    var k = lo
                    while k + 1 < hi && !(s[k] == 0x2A && s[k + 1] == 0x2F) { k += 1 }
                    if k + 1 < hi {
                        inSlashStar = false
                        (lo, hi) = goTrimSpace(s, k + 2, hi)
                        continue comments
                    }
                    continue lines
                }
                if hasPrefix(s, lo, hi, "//") { continue lines }
                if hasPrefix(s, lo, hi, "/*") {
                    inSlashStar = true
                    (lo, hi) = goTrimSpace(s, lo + 2, hi)
                    continue comments
                }
                break lines
            }
        }

        if let (lo, hi) = goBuild {
            do {
                return .success(try BuildConstraint.parse(s, lo, hi))
            } catch {
                return .failure(GoScanError(
                    kind: .buildConstraint, file: fileName, line: 0, column: 0,
                    message: "parsing //go:build line: " + error.message))
            }
        }
        var combined: BuildConstraint?
        p = 0
        while p < end {
            let lineStart = p
            var nl = p
            while nl < end && s[nl] != 0x0A { nl += 1 }
            p = nl < end ? nl + 1 : end
            let (lo, hi) = goTrimSpace(s, lineStart, nl)
            guard hasPrefix(s, lo, hi, "//"), contains(s, lo, hi, "+build") else { continue }
            guard BuildConstraint.splitPlusBuild(s, lo, hi) != nil,
                let x = try? BuildConstraint.parse(s, lo, hi)
            else { continue }
            combined = combined.map { .and($0, x) } ?? x
        }
        return .success(combined)
    }

    static func isGoBuildComment(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
        guard hasPrefix(s, lo, hi, "//go:build") else { return false }
        let rest = lo + 10
        if rest == hi { return true }
        let (a, b) = goTrimSpace(s, rest, hi)
        return b - a < hi - rest
    }

    static func contains(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ needle: StaticString) -> Bool {
        let n = needle.utf8CodeUnitCount
        var i = lo
        while i + n <= hi {
            if hasPrefix(s, i, hi, needle) { return true }
            i += 1
        }
        return false
    }

    // MARK: - Import paths

    /// `strconv.Unquote` of a string literal the scanner accepted.
    static func unquote(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> String {
        guard hi - lo >= 2 else { return "" }
        var out: [UInt8] = []
        out.reserveCapacity(hi - lo)
        if s[lo] == 0x60 {
            for k in (lo + 1)..<(hi - 1) where s[k] != 0x0D { out.append(s[k]) }
            return String(decoding: out, as: UTF8.self)
        }
        var i = lo + 1
        let end = hi - 1
        var plain = true
        for k in i..<end where s[k] == 0x5C { plain = false; break }
        if plain { return goString(s, i, end) }
        while i < end {
            let c = s[i]
            if c != 0x5C {
                out.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < end else { break }
            let e = s[i]
            i += 1
            switch e {
            case 0x61: out.append(0x07)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x76: out.append(0x0B)
            case 0x5C, 0x22, 0x27: out.append(e)
            case 0x30...0x37:
                var v = UInt32(e - 0x30)
                var n = 1
                while n < 3 && i < end && s[i] >= 0x30 && s[i] <= 0x37 {
                    v = v * 8 + UInt32(s[i] - 0x30)
                    i += 1
                    n += 1
                }
                out.append(UInt8(truncatingIfNeeded: v))
            case 0x78, 0x75, 0x55:
                let digits = e == 0x78 ? 2 : (e == 0x75 ? 4 : 8)
                var v: UInt32 = 0
                var n = 0
                while n < digits && i < end {
                    let d = GoTokenizer.digitVal(Int32(s[i]))
                    if d >= 16 { break }
                    v = v &* 16 &+ UInt32(d)
                    i += 1
                    n += 1
                }
                if e == 0x78 {
                    out.append(UInt8(truncatingIfNeeded: v))
                } else if let scalar = Unicode.Scalar(v) {
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                }
            default:
                out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// go/build's `isValidImport`.
    static func isValidImport(_ path: String) -> Bool {
        if path.isEmpty { return false }
        for scalar in path.unicodeScalars {
            let r = scalar.value
            if !goIsGraphic(r) || goIsSpace(r) { return false }
            switch r {
            case 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2C, 0x3A, 0x3B, 0x3C, 0x3D,
                0x3E, 0x3F, 0x5B, 0x5C, 0x5D, 0x5E, 0x60, 0x7B, 0x7C, 0x7D, 0xFFFD:
                return false
            default:
                continue
            }
        }
        return true
    }

    // MARK: - //go:embed

    /// Every `//go:embed` pattern of a file, found by go/scanner's comment rules (comments
    /// inside string, raw string and rune literals do not count).
    static func embedPatterns(_ s: UnsafeBufferPointer<UInt8>) -> [GoEmbedPattern] {
        var result: [GoEmbedPattern] = []
        var lines: LineTable?
        let n = s.count
        var i = 0
        while i < n {
            let c = s[i]
            switch c {
            case 0x2F:
                guard i + 1 < n else { i += 1; continue }
                if s[i + 1] == 0x2F {
                    var e = i + 2
                    while e < n && s[e] != 0x0A { e += 1 }
                    if hasPrefix(s, i, e, "//go:embed") {
                        if lines == nil { lines = LineTable(s) }
                        if let table = lines { parseEmbed(s, i, e, table, into: &result) }
                    }
                    i = e
                } else if s[i + 1] == 0x2A {
                    var e = i + 2
                    while e + 1 < n && !(s[e] == 0x2A && s[e + 1] == 0x2F) { e += 1 }
                    i = e + 2
                } else {
                    i += 1
                }
            case 0x22, 0x27:
                var e = i + 1
                while e < n {
                    let d = s[e]
                    if d == c { e += 1; break }
                    if d == 0x0A { break }
                    if d == 0x5C && e + 1 < n && s[e + 1] != 0x0A { e += 2; continue }
                    e += 1
                }
                i = e
            case 0x60:
                var e = i + 1
                while e < n && s[e] != 0x60 { e += 1 }
                i = e + 1
            default:
                i += 1
            }
        }
        return result
    }

    /// `ast.ParseDirective` + `Directive.ParseArgs` for one `//go:embed` comment
    /// `s[lo..<hi]` (up to the newline); malformed directives are skipped, as go/build does.
    static func parseEmbed(
        _ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ lines: LineTable, into result: inout [GoEmbedPattern]
    ) {
        // The comment text as go/scanner returns it: without carriage returns. Offsets in
        // it map back to file offsets through `origin`.
        var text: [UInt8] = []
        var origin: [Int] = []
        text.reserveCapacity(hi - lo)
        for k in lo..<hi where s[k] != 0x0D {
            text.append(s[k])
            origin.append(k)
        }
        text.withUnsafeBufferPointer { t in
            let end = t.count
            // "//go:embed" then the name must end at a space.
            var i = 10
            while i < end {
                let (r, w) = goDecodeRune(t, i)
                if goIsSpace(r) { break }
                i += w
            }
            guard i == 10 else { return }  // name is not exactly "embed"
            // Args: trim trailing space.
            var argsEnd = end
            while argsEnd > i {
                var start = argsEnd - 1
                while start > i && t[start] & 0xC0 == 0x80 { start -= 1 }
                let (r, _) = goDecodeRune(UnsafeBufferPointer(rebasing: t[start..<argsEnd]), 0)
                if goIsSpace(r) { argsEnd = start } else { break }
            }
            var found: [GoEmbedPattern] = []
            var p = i
            while true {
                while p < argsEnd {
                    let (r, w) = goDecodeRune(UnsafeBufferPointer(rebasing: t[p..<argsEnd]), 0)
                    if goIsSpace(r) { p += w } else { break }
                }
                if p >= argsEnd { break }
                let argStart = p
                let arg: String
                let q = t[p]
                if q == 0x22 || q == 0x60 {
                    guard let qEnd = quotedPrefixEnd(t, p, argsEnd) else { return }
                    arg = unquote(t, p, qEnd)
                    p = qEnd
                    if p < argsEnd {
                        let (r, _) = goDecodeRune(UnsafeBufferPointer(rebasing: t[p..<argsEnd]), 0)
                        if !goIsSpace(r) { return }
                    }
                } else {
                    while p < argsEnd {
                        let (r, w) = goDecodeRune(UnsafeBufferPointer(rebasing: t[p..<argsEnd]), 0)
                        if goIsSpace(r) { break }
                        p += w
                    }
                    arg = goString(t, argStart, p)
                }
                let pos = lines.position(origin[argStart])
                found.append(GoEmbedPattern(pattern: arg, line: pos.line, column: pos.column))
            }
            result.append(contentsOf: found)
        }
    }

    /// `strconv.QuotedPrefix` for `"..."` and `` `...` ``: the end of the literal, or nil.
    static func quotedPrefixEnd(_ t: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Int? {
        let q = t[lo]
        var i = lo + 1
        if q == 0x60 {
            while i < hi && t[i] != 0x60 { i += 1 }
            return i < hi ? i + 1 : nil
        }
        while i < hi {
            let c = t[i]
            if c == 0x22 { return i + 1 }
            if c == 0x0A { return nil }
            if c != 0x5C { i += 1; continue }
            i += 1
            guard i < hi else { return nil }
            let e = t[i]
            i += 1
            switch e {
            case 0x61, 0x62, 0x66, 0x6E, 0x72, 0x74, 0x76, 0x5C, 0x22: continue
            case 0x30...0x37:
                var v = UInt32(e - 0x30)
                for _ in 0..<2 {
                    guard i < hi, t[i] >= 0x30, t[i] <= 0x37 else { return nil }
                    v = v * 8 + UInt32(t[i] - 0x30)
                    i += 1
                }
                if v > 255 { return nil }
            case 0x78, 0x75, 0x55:
                let digits = e == 0x78 ? 2 : (e == 0x75 ? 4 : 8)
                var v: UInt32 = 0
                for _ in 0..<digits {
                    guard i < hi else { return nil }
                    let d = GoTokenizer.digitVal(Int32(t[i]))
                    if d >= 16 { return nil }
                    v = v &* 16 &+ UInt32(d)
                    i += 1
                }
                if e != 0x78 && (v > 0x10FFFF || (0xD800 <= v && v < 0xE000)) { return nil }
            default:
                return nil
            }
        }
        return nil
    }
}
