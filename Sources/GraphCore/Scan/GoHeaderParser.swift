#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A port of the parts of go/scanner and go/parser that go/build runs on a file header
// (parser.ParseFile with ImportsOnly): the package clause and import declarations,
// automatic semicolons, and the first error in position order with Go's message.

/// Token kinds of go/scanner that matter to the header parser.
enum GoTokenKind: Equatable {
    case eof, illegal, ident, number, char, string, semicolon
    case lparen, rparen, period, comma
    case keyword        // any Go keyword (text in `text`)
    case op             // any other operator (text in `text`)
}

struct GoToken {
    var kind: GoTokenKind
    var pos: Int         // byte offset of the token
    var lo: Int          // literal bounds (ident, string, ...)
    var hi: Int
    var text: String     // keyword / operator spelling, or ";" / "\n" for semicolons

    var isLiteral: Bool {
        switch kind {
        case .ident, .number, .char, .string: return true
        default: return false
        }
    }
}

/// go/scanner over a header, without comments (the parser skips them), with automatic
/// semicolon insertion.
struct GoTokenizer {
    let s: UnsafeBufferPointer<UInt8>
    var ch: Int32 = 0x20  // current rune, -1 at EOF
    var offset = 0
    var rdOffset = 0
    var insertSemi = false
    var nlPos = -1
    var errors: [(offset: Int, message: String)] = []

    static let keywords: Set<String> = [
        "break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
        "for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
        "return", "select", "struct", "switch", "type", "var",
    ]

    init(_ s: UnsafeBufferPointer<UInt8>) {
        self.s = s
        next()
        if ch == 0xFEFF { next() }
    }

    mutating func error(_ off: Int, _ msg: String) { errors.append((off, msg)) }

    mutating func next() {
        if rdOffset < s.count {
            offset = rdOffset
            var r = UInt32(s[rdOffset])
            var w = 1
            if r == 0 {
                error(offset, "illegal character NUL")
            } else if r >= 0x80 {
                (r, w) = goDecodeRune(s, rdOffset)
                if r == goRuneError && w == 1 {
                    error(offset, "illegal UTF-8 encoding")
                } else if r == 0xFEFF && offset > 0 {
                    error(offset, "illegal byte order mark")
                }
            }
            rdOffset += w
            ch = Int32(bitPattern: r)
        } else {
            offset = s.count
            ch = -1
        }
    }

    func peekByte() -> UInt8 { rdOffset < s.count ? s[rdOffset] : 0 }

    static func isLetter(_ ch: Int32) -> Bool {
        if ch < 0 { return false }
        if ch < 0x80 {
            return (ch >= 0x61 && ch <= 0x7A) || (ch >= 0x41 && ch <= 0x5A) || ch == 0x5F
        }
        return goIsLetter(UInt32(ch))
    }

    static func isDigit(_ ch: Int32) -> Bool {
        if ch < 0 { return false }
        if ch < 0x80 { return ch >= 0x30 && ch <= 0x39 }
        return goIsDigit(UInt32(ch))
    }

    mutating func skipWhitespace() {
        while ch == 0x20 || ch == 0x09 || (ch == 0x0A && !insertSemi) || ch == 0x0D { next() }
    }

    mutating func scan() -> GoToken {
        while true {
            if nlPos >= 0 {
                let p = nlPos
                nlPos = -1
                return GoToken(kind: .semicolon, pos: p, lo: p, hi: p, text: "\n")
            }
            skipWhitespace()
            let pos = offset
            var semi = false
            var tok: GoToken
            let c = ch
            if Self.isLetter(c) {
                while Self.isLetter(ch) || Self.isDigit(ch) { next() }
                let text = goString(s, pos, offset)
                if offset - pos > 1 && Self.keywords.contains(text) {
                    tok = GoToken(kind: .keyword, pos: pos, lo: pos, hi: offset, text: text)
                    semi = text == "break" || text == "continue" || text == "fallthrough" || text == "return"
                } else {
                    tok = GoToken(kind: .ident, pos: pos, lo: pos, hi: offset, text: text)
                    semi = true
                }
            } else if (c >= 0x30 && c <= 0x39) || (c == 0x2E && peekByte() >= 0x30 && peekByte() <= 0x39) {
                scanNumber()
                tok = GoToken(kind: .number, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                semi = true
            } else {
                next()
                switch c {
                case -1:
                    if insertSemi {
                        insertSemi = false
                        return GoToken(kind: .semicolon, pos: pos, lo: pos, hi: pos, text: "\n")
                    }
                    tok = GoToken(kind: .eof, pos: pos, lo: pos, hi: pos, text: "EOF")
                case 0x0A:
                    insertSemi = false
                    return GoToken(kind: .semicolon, pos: pos, lo: pos, hi: pos, text: "\n")
                case 0x22:
                    scanString(pos)
                    tok = GoToken(kind: .string, pos: pos, lo: pos, hi: offset, text: "")
                    semi = true
                case 0x27:
                    scanRune(pos)
                    tok = GoToken(kind: .char, pos: pos, lo: pos, hi: offset, text: "")
                    semi = true
                case 0x60:
                    scanRawString(pos)
                    tok = GoToken(kind: .string, pos: pos, lo: pos, hi: offset, text: "")
                    semi = true
                case 0x2F where ch == 0x2F || ch == 0x2A:
                    let nl = scanComment(pos)
                    if insertSemi && nl >= 0 {
                        nlPos = nl
                        insertSemi = false
                    }
                    continue  // comments are not tokens for the parser
                case 0x3B:
                    tok = GoToken(kind: .semicolon, pos: pos, lo: pos, hi: offset, text: ";")
                case 0x28: tok = GoToken(kind: .lparen, pos: pos, lo: pos, hi: offset, text: "(")
                case 0x29:
                    tok = GoToken(kind: .rparen, pos: pos, lo: pos, hi: offset, text: ")")
                    semi = true
                case 0x2C: tok = GoToken(kind: .comma, pos: pos, lo: pos, hi: offset, text: ",")
                case 0x2E:
                    if ch == 0x2E && peekByte() == 0x2E {
                        next(); next()
                        tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: "...")
                    } else {
                        tok = GoToken(kind: .period, pos: pos, lo: pos, hi: offset, text: ".")
                    }
                case 0x5D, 0x7D:
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                    semi = true
                case 0x2B, 0x2D:
                    // + += ++ / - -= --
                    if ch == 0x3D {
                        next()
                    } else if ch == c {
                        next()
                        semi = true
                    }
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                case 0x3C:
                    if ch == 0x2D {
                        next()
                    } else {
                        if ch == 0x3D { next() } else if ch == 0x3C { next(); if ch == 0x3D { next() } }
                    }
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                case 0x3E:
                    if ch == 0x3D { next() } else if ch == 0x3E { next(); if ch == 0x3D { next() } }
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                case 0x26:
                    if ch == 0x5E {
                        next()
                        if ch == 0x3D { next() }
                    } else if ch == 0x3D || ch == 0x26 {
                        next()
                    }
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                case 0x7C:
                    if ch == 0x3D || ch == 0x7C { next() }
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                case 0x3A, 0x2A, 0x2F, 0x25, 0x5E, 0x3D, 0x21:
                    if ch == 0x3D { next() }
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                case 0x5B, 0x7B, 0x7E:
                    tok = GoToken(kind: .op, pos: pos, lo: pos, hi: offset, text: goString(s, pos, offset))
                default:
                    if c != 0xFEFF {
                        if c == 0x201C || c == 0x201D {
                            error(pos, "curly quotation mark '\(String(UnicodeScalar(UInt32(c)).map(Character.init) ?? " "))' (use neutral '\"')")
                        } else {
                            error(pos, "illegal character " + goFormatRuneU(UInt32(bitPattern: c)))
                        }
                    }
                    semi = insertSemi
                    tok = GoToken(kind: .illegal, pos: pos, lo: pos, hi: offset, text: "ILLEGAL")
                }
            }
            insertSemi = semi
            return tok
        }
    }

    /// Returns the offset of the first newline inside a `/*...*/` comment, or -1.
    mutating func scanComment(_ start: Int) -> Int {
        var nl = -1
        if ch == 0x2F {
            next()
            while ch != 0x0A && ch >= 0 { next() }
            return -1
        }
        next()
        while ch >= 0 {
            let c = ch
            if c == 0x0A && nl < 0 { nl = offset }
            next()
            if c == 0x2A && ch == 0x2F {
                next()
                return nl
            }
        }
        error(start, "comment not terminated")
        return nl
    }

    mutating func scanNumber() {
        // Simplified: consume the literal's characters; Go's number syntax errors are not
        // reproduced (numbers never belong in a header).
        while true {
            if ch == 0x2E || ch == 0x5F || (ch >= 0x30 && ch <= 0x39) || (ch >= 0x61 && ch <= 0x7A)
                || (ch >= 0x41 && ch <= 0x5A)
            {
                let prev = ch
                next()
                if (prev == 0x65 || prev == 0x45 || prev == 0x70 || prev == 0x50) && (ch == 0x2B || ch == 0x2D) {
                    next()
                }
                continue
            }
            break
        }
    }

    static func digitVal(_ ch: Int32) -> Int {
        switch ch {
        case 0x30...0x39: return Int(ch - 0x30)
        case 0x61...0x66: return Int(ch - 0x61 + 10)
        case 0x41...0x46: return Int(ch - 0x41 + 10)
        default: return 16
        }
    }

    /// go/scanner `scanEscape`.
    @discardableResult
    mutating func scanEscape(_ quote: Int32) -> Bool {
        let offs = offset
        var n = 0
        var base: UInt32 = 0
        var max: UInt32 = 0
        switch ch {
        case 0x61, 0x62, 0x66, 0x6E, 0x72, 0x74, 0x76, 0x5C, quote:
            next()
            return true
        case 0x30...0x37: n = 3; base = 8; max = 255
        case 0x78: next(); n = 2; base = 16; max = 255
        case 0x75: next(); n = 4; base = 16; max = 0x10FFFF
        case 0x55: next(); n = 8; base = 16; max = 0x10FFFF
        default:
            var msg = "unknown escape sequence"
            if ch < 0 { msg = "escape sequence not terminated" }
            error(offs, msg)
            return false
        }
        var x: UInt32 = 0
        while n > 0 {
            let d = UInt32(Self.digitVal(ch))
            if d >= base {
                var msg = "illegal character \(goFormatRuneU(UInt32(bitPattern: ch))) in escape sequence"
                if ch < 0 { msg = "escape sequence not terminated" }
                error(offset, msg)
                return false
            }
            x = x &* base &+ d
            next()
            n -= 1
        }
        if x > max || (0xD800 <= x && x < 0xE000) {
            error(offs, "escape sequence is invalid Unicode code point")
            return false
        }
        return true
    }

    mutating func scanString(_ start: Int) {
        while true {
            let c = ch
            if c == 0x0A || c < 0 {
                error(start, "string literal not terminated")
                break
            }
            next()
            if c == 0x22 { break }
            if c == 0x5C { scanEscape(0x22) }
        }
    }

    mutating func scanRawString(_ start: Int) {
        while true {
            let c = ch
            if c < 0 {
                error(start, "raw string literal not terminated")
                break
            }
            next()
            if c == 0x60 { break }
        }
    }

    mutating func scanRune(_ start: Int) {
        var valid = true
        var n = 0
        while true {
            let c = ch
            if c == 0x0A || c < 0 {
                if valid {
                    error(start, "rune literal not terminated")
                    valid = false
                }
                break
            }
            next()
            if c == 0x27 { break }
            n += 1
            if c == 0x5C {
                if !scanEscape(0x27) { valid = false }
            }
        }
        if valid && n != 1 { error(start, "illegal rune literal") }
    }
}

/// One import spec as the parser saw it.
struct ParsedImport {
    var namePos: Int?
    var name: String?
    var pathPos: Int
    var pathLo: Int
    var pathHi: Int
}

/// The result of parsing a header with go/parser's ImportsOnly mode.
struct ParsedHeader {
    /// The package name of the (possibly partial) AST: "" when the package clause failed.
    var packageName: String
    var imports: [ParsedImport]
    /// Errors (offset, message) sorted as go/scanner's ErrorList sorts them.
    var errors: [(offset: Int, message: String)]
    /// Line starts of the parsed bytes (positions of imports and errors).
    var lines: LineTable
}

/// go/parser's `parseFile` in ImportsOnly mode.
struct GoHeaderParser {
    var sc: GoTokenizer
    var tok: GoToken
    var errors: [(offset: Int, message: String)] = []
    var lines: LineTable
    var syncPos = -1
    var syncCnt = 0
    var imports: [ParsedImport] = []
    struct Bailout: Error {}

    init(_ s: UnsafeBufferPointer<UInt8>) {
        sc = GoTokenizer(s)
        lines = LineTable(s)
        tok = GoToken(kind: .eof, pos: 0, lo: 0, hi: 0, text: "")
        next()
    }

    static func parse(_ s: UnsafeBufferPointer<UInt8>) -> ParsedHeader {
        var p = GoHeaderParser(s)
        var name = ""
        do {
            name = try p.parseFile()
        } catch {
            name = ""
        }
        var all = p.errors
        // ErrorList.Sort: by line, column, then message.
        let table = p.lines
        all.sort { a, b in
            let pa = table.position(a.offset)
            let pb = table.position(b.offset)
            if pa.line != pb.line { return pa.line < pb.line }
            if pa.column != pb.column { return pa.column < pb.column }
            return a.message < b.message
        }
        return ParsedHeader(packageName: name, imports: p.imports, errors: all, lines: table)
    }

    var errorCount: Int { errors.count }

    mutating func next() {
        tok = sc.scan()
        if !sc.errors.isEmpty {
            // go/scanner reports into the parser's list directly (no filtering).
            errors += sc.errors
            sc.errors.removeAll(keepingCapacity: true)
        }
    }

    mutating func error(_ pos: Int, _ msg: String) throws(Bailout) {
        let line = lines.position(pos).line
        let n = errorCount
        if let last = errors.last, lines.position(last.offset).line == line {
            // Discard errors on the line of the last recorded error.
            return
        }
        if n > 10 { throw Bailout() }
        errors.append((pos, msg))
    }

    mutating func errorExpected(_ pos: Int, _ what: String) throws(Bailout) {
        var msg = "expected " + what
        if pos == tok.pos {
            if tok.kind == .semicolon && tok.text == "\n" {
                msg += ", found newline"
            } else if tok.isLiteral {
                msg += ", found " + literalText(tok)
            } else {
                msg += ", found '" + tokenString(tok) + "'"
            }
        }
        try error(pos, msg)
    }

    func literalText(_ t: GoToken) -> String {
        if t.kind == .ident || t.kind == .number { return t.text }
        return goString(sc.s, t.lo, t.hi)
    }

    func tokenString(_ t: GoToken) -> String {
        switch t.kind {
        case .semicolon: return ";"
        default: return t.text
        }
    }

    @discardableResult
    mutating func expect(_ kind: GoTokenKind, _ text: String, _ name: String) throws(Bailout) -> Int {
        let pos = tok.pos
        if tok.kind != kind || (kind == .keyword && tok.text != text) {
            try errorExpected(pos, "'" + name + "'")
        }
        next()
        return pos
    }

    mutating func expectSemi() throws(Bailout) {
        switch tok.kind {
        case .rparen: return
        case .op where tok.text == "}": return
        case .comma:
            try errorExpected(tok.pos, "';'")
            next()
        case .semicolon:
            next()
        default:
            try errorExpected(tok.pos, "';'")
            advance(stmtStart: true)
        }
    }

    func isStmtStart(_ t: GoToken) -> Bool {
        guard t.kind == .keyword else { return false }
        switch t.text {
        case "break", "const", "continue", "defer", "fallthrough", "for", "go", "goto", "if",
            "import", "return", "select", "switch", "type", "var":
            return true
        default: return false
        }
    }

    func isExprEnd(_ t: GoToken) -> Bool {
        switch t.kind {
        case .comma, .semicolon, .rparen: return true
        case .op: return t.text == ":" || t.text == "]" || t.text == "}"
        default: return false
        }
    }

    mutating func advance(stmtStart: Bool) {
        while tok.kind != .eof {
            if stmtStart ? isStmtStart(tok) : isExprEnd(tok) {
                if tok.pos == syncPos && syncCnt < 10 {
                    syncCnt += 1
                    return
                }
                if tok.pos > syncPos {
                    syncPos = tok.pos
                    syncCnt = 0
                    return
                }
            }
            next()
        }
    }

    mutating func parseIdent() throws(Bailout) -> String {
        if tok.kind == .ident {
            let name = tok.text
            next()
            return name
        }
        try expect(.ident, "", "IDENT")
        return "_"
    }

    mutating func parseFile() throws(Bailout) -> String {
        if errorCount != 0 { return "" }
        try expect(.keyword, "package", "package")
        let name = try parseIdent()
        try expectSemi()
        if errorCount != 0 { return "" }
        while tok.kind == .keyword && tok.text == "import" {
            try parseImportDecl()
        }
        return name
    }

    mutating func parseImportDecl() throws(Bailout) {
        try expect(.keyword, "import", "import")
        if tok.kind == .lparen {
            next()
            while tok.kind != .rparen && tok.kind != .eof {
                try parseImportSpec()
            }
            try expect(.rparen, "", ")")
            try expectSemi()
        } else {
            try parseImportSpec()
        }
    }

    mutating func parseImportSpec() throws(Bailout) {
        var name: String?
        var namePos: Int?
        if tok.kind == .ident {
            namePos = tok.pos
            name = try parseIdent()
        } else if tok.kind == .period {
            namePos = tok.pos
            name = "."
            next()
        }
        let pos = tok.pos
        var lo = pos
        var hi = pos
        if tok.kind == .string {
            lo = tok.lo
            hi = tok.hi
            next()
        } else if tok.isLiteral {
            try error(pos, "import path must be a string")
            next()
        } else {
            try error(pos, "missing import path")
            advance(stmtStart: false)
        }
        try expectSemi()
        imports.append(ParsedImport(namePos: namePos, name: name, pathPos: pos, pathLo: lo, pathHi: hi))
    }
}

/// Byte offset → (line, column), both 1-based, columns in bytes (go/token).
struct LineTable {
    /// Offsets of the first byte of each line after the first.
    private let lineStarts: [Int]

    init(_ s: UnsafeBufferPointer<UInt8>) {
        var starts: [Int] = []
        guard let base = s.baseAddress else {
            lineStarts = starts
            return
        }
        // memchr from one newline to the next (vectorised), not a byte loop.
        var i = 0
        while i < s.count, let hit = memchr(base + i, 0x0A, s.count - i) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if at + 1 < s.count { starts.append(at + 1) }  // go/token adds no line at EOF
            i = at + 1
        }
        lineStarts = starts
    }

    func position(_ offset: Int) -> (line: Int, column: Int) {
        // Number of line starts <= offset.
        var lo = 0
        var hi = lineStarts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if lineStarts[mid] <= offset { lo = mid + 1 } else { hi = mid }
        }
        let start = lo == 0 ? 0 : lineStarts[lo - 1]
        return (lo + 1, offset - start + 1)
    }
}
