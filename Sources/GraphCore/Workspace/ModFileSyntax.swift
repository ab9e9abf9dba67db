// The lexer and parser shared by go.mod and go.work: a port of
// golang.org/x/mod/modfile/read.go that keeps its positions and error texts.

/// A position in a go.mod-like file: 1-based line, 1-based rune column, 0-based byte.
struct ModPosition: Hashable, Sendable {
    var line = 1
    var lineRune = 1
    var byte = 0
}

/// One line of tokens (`require x v1` at top level, or `x v1` inside a block).
struct ModLine: Hashable, Sendable {
    var start: ModPosition
    var tokens: [String]
    var end: ModPosition
    var inBlock: Bool
    /// End-of-line comments on the same line, with their `//`.
    var suffixComments: [String] = []
}

/// A statement of the file: a line, or a factored block `verb ( ... )`.
enum ModStatement: Hashable, Sendable {
    case line(ModLine)
    case block(start: ModPosition, tokens: [String], lines: [ModLine])
}

struct ModFileSyntax {
    var statements: [ModStatement]

    static func parse(_ data: [UInt8], file: String) throws(GoModFileError) -> ModFileSyntax {
        var input = ModInput(data: data, file: file)
        try input.readToken()
        try input.parseFile()
        // Attach end-of-line comments to the line they follow (modfile's assignComments
        // gives a suffix comment to the syntax ending just before it on the same line).
        var byLine: [Int: [(Int, String)]] = [:]
        for c in input.eolComments { byLine[c.pos.line, default: []].append((c.pos.byte, c.text)) }
        func attach(_ l: inout ModLine) {
            guard let cs = byLine[l.start.line], l.start.line == l.end.line else { return }
            l.suffixComments = cs.filter { $0.0 >= l.end.byte }.map(\.1)
        }
        var stmts = input.statements
        for i in stmts.indices {
            switch stmts[i] {
            case .line(var l):
                attach(&l)
                stmts[i] = .line(l)
            case .block(let start, let tokens, var lines):
                for j in lines.indices { attach(&lines[j]) }
                stmts[i] = .block(start: start, tokens: tokens, lines: lines)
            }
        }
        return ModFileSyntax(statements: stmts)
    }
}

private enum TokenKind: Equatable {
    case eof, eolComment, ident, string, comment
    case punct(UInt8)

    var isEOL: Bool {
        switch self {
        case .eof, .eolComment, .punct(UInt8(ascii: "\n")): return true
        default: return false
        }
    }
}

private struct Token {
    var kind: TokenKind = .eof
    var pos = ModPosition()
    var endPos = ModPosition()
    var text = ""
}

private struct ModInput {
    let data: [UInt8]
    let file: String
    var offset = 0
    var pos = ModPosition()
    var tokenStart = 0
    var token = Token()
    var eolComments: [(pos: ModPosition, text: String)] = []
    var statements: [ModStatement] = []

    init(data: [UInt8], file: String) {
        self.data = data
        self.file = file
    }

    func error(_ message: String, at p: ModPosition? = nil) -> GoModFileError {
        let at = p ?? pos
        return GoModFileError(file: file, line: at.line, column: at.lineRune, message: message)
    }

    var eof: Bool { offset >= data.count }

    /// utf8.DecodeRune: the rune at `at` and its width (U+FFFD, 1 when invalid).
    func decode(at i: Int) -> (Unicode.Scalar, Int) {
        let b0 = data[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        var need = 0
        var value: UInt32 = 0
        var minimum: UInt32 = 0
        if b0 & 0xE0 == 0xC0 { need = 1; value = UInt32(b0 & 0x1F); minimum = 0x80 }
        else if b0 & 0xF0 == 0xE0 { need = 2; value = UInt32(b0 & 0x0F); minimum = 0x800 }
        else if b0 & 0xF8 == 0xF0 { need = 3; value = UInt32(b0 & 0x07); minimum = 0x10000 }
        else { return ("\u{FFFD}", 1) }
        guard i + need < data.count else { return ("\u{FFFD}", 1) }
        for k in 1...need {
            let b = data[i + k]
            guard b & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(b & 0x3F)
        }
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return ("\u{FFFD}", 1) }
        return (scalar, need + 1)
    }

    func peekRune() -> Unicode.Scalar? { eof ? nil : decode(at: offset).0 }

    func peekPrefix(_ prefix: String) -> Bool {
        var i = offset
        for b in prefix.utf8 {
            guard i < data.count, data[i] == b else { return false }
            i += 1
        }
        return true
    }

    @discardableResult
    mutating func readRune() -> Unicode.Scalar {
        let (r, size) = decode(at: offset)
        offset += size
        if r == "\n" {
            pos.line += 1
            pos.lineRune = 1
        } else {
            pos.lineRune += 1
        }
        pos.byte += size
        return r
    }

    mutating func startToken() {
        tokenStart = offset
        token.text = ""
        token.pos = pos
    }

    mutating func endToken(_ kind: TokenKind) {
        token.kind = kind
        var bytes = data[tokenStart..<offset]
        if kind == .comment || kind == .eolComment {
            if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
            if bytes.last == UInt8(ascii: "\r"), data[tokenStart..<offset].last == UInt8(ascii: "\n") {
                bytes = bytes.dropLast()
            }
        }
        token.text = String(decoding: bytes, as: UTF8.self)
        token.endPos = pos
    }

    func peek() -> TokenKind { token.kind }

    mutating func lex() throws(GoModFileError) -> Token {
        let tok = token
        try readToken()
        return tok
    }

    static func isIdent(_ r: Unicode.Scalar) -> Bool {
        switch r {
        case " ", "(", ")", "[", "]", "{", "}", ",": return false
        default: return !isGoSpace(r) && isGoPrint(r)
        }
    }

    mutating func readToken() throws(GoModFileError) {
        while !eof {
            let c = data[offset]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                readRune()
                continue
            }
            if peekPrefix("//") {
                startToken()
                // Whole-line comment when only spaces precede it on its line.
                var i = offset
                while i > 0, data[i - 1] != UInt8(ascii: "\n") { i -= 1 }
                let before = String(decoding: data[i..<offset], as: UTF8.self)
                let suffix = before.unicodeScalars.contains { !isGoSpace($0) }
                readRune()
                readRune()
                while !eof, readRune() != "\n" {}
                if !suffix {
                    endToken(.comment)
                    return
                }
                endToken(.eolComment)
                eolComments.append((token.pos, token.text))
                return
            }
            if peekPrefix("/*") {
                throw error("mod files must use // comments (not /* */ comments)")
            }
            break
        }
        startToken()
        if eof {
            endToken(.eof)
            return
        }
        let c = data[offset]
        switch c {
        case UInt8(ascii: "\n"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"),
            UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","):
            readRune()
            endToken(.punct(c))
            return
        case UInt8(ascii: "\""), UInt8(ascii: "`"):
            let quote = Unicode.Scalar(c)
            readRune()
            while true {
                if eof {
                    pos = token.pos
                    throw error("unexpected EOF in string")
                }
                if data[offset] == UInt8(ascii: "\n") {
                    throw error("unexpected newline in string")
                }
                let r = readRune()
                if r == quote { break }
                if r == "\\", quote != "`" {
                    if eof {
                        pos = token.pos
                        throw error("unexpected EOF in string")
                    }
                    readRune()
                }
            }
            endToken(.string)
            return
        default:
            break
        }
        if let r = peekRune(), !Self.isIdent(r) {
            throw error("unexpected input character \(goQuoteRune(r))")
        }
        while let r = peekRune(), Self.isIdent(r) {
            if peekPrefix("//") { break }
            if peekPrefix("/*") { throw error("mod files must use // comments (not /* */ comments)") }
            readRune()
        }
        endToken(.ident)
    }

    mutating func parseFile() throws(GoModFileError) {
        while true {
            switch peek() {
            case .punct(UInt8(ascii: "\n")), .comment:
                _ = try lex()
            case .eof:
                return
            default:
                try parseStatement()
            }
        }
    }

    mutating func parseStatement() throws(GoModFileError) {
        let tok = try lex()
        let start = tok.pos
        var end = tok.endPos
        var tokens = [tok.text]
        while true {
            let tok = try lex()
            if tok.kind.isEOL {
                statements.append(.line(ModLine(start: start, tokens: tokens, end: end, inBlock: false)))
                return
            }
            if tok.kind == .punct(UInt8(ascii: "(")) {
                let next = peek()
                if next.isEOL {
                    try parseLineBlock(start: start, tokens: tokens)
                    return
                } else if next == .punct(UInt8(ascii: ")")) {
                    let rparen = try lex()
                    if peek().isEOL {
                        _ = try lex()
                        statements.append(.block(start: start, tokens: tokens, lines: []))
                        return
                    }
                    tokens += [tok.text, rparen.text]
                } else {
                    tokens.append(tok.text)
                }
                continue
            }
            tokens.append(tok.text)
            end = tok.endPos
        }
    }

    mutating func parseLineBlock(start: ModPosition, tokens: [String]) throws(GoModFileError) {
        var lines: [ModLine] = []
        while true {
            switch peek() {
            case .eolComment, .punct(UInt8(ascii: "\n")), .comment:
                _ = try lex()
            case .eof:
                throw error("syntax error (unterminated block started at \(file):\(start.line):\(start.lineRune))")
            case .punct(UInt8(ascii: ")")):
                _ = try lex()
                if !peek().isEOL {
                    throw error("syntax error (expected newline after closing paren)")
                }
                _ = try lex()
                statements.append(.block(start: start, tokens: tokens, lines: lines))
                return
            default:
                let tok = try lex()
                let lineStart = tok.pos
                var end = tok.endPos
                var lineTokens = [tok.text]
                while true {
                    let t = try lex()
                    if t.kind.isEOL { break }
                    lineTokens.append(t.text)
                    end = t.endPos
                }
                lines.append(ModLine(start: lineStart, tokens: lineTokens, end: end, inBlock: true))
            }
        }
    }
}
