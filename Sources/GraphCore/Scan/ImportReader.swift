// A port of go/build's importReader (read.go): it decides how much of a file the go
// command reads (the header: package clause and imports, or the leading comments of a
// non-Go file) and reports NUL bytes and unterminated comments the way go/build does.

struct ImportReader {
    enum Failure: Error { case syntax, nul }

    let s: UnsafeBufferPointer<UInt8>
    /// Number of bytes consumed (`len(r.buf)`).
    var n = 0
    var peek: UInt8 = 0
    var err: Failure?
    var eof = false

    init(_ s: UnsafeBufferPointer<UInt8>) { self.s = s }

    @inline(__always)
    static func isIdent(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
            || c >= 0x80
    }

    @inline(__always)
    mutating func syntaxError() { if err == nil { err = .syntax } }

    @inline(__always)
    mutating func readByte() -> UInt8 {
        if n < s.count {
            let c = s[n]
            n += 1
            if c == 0 {
                if err == nil { err = .nul }
            }
            return c
        }
        eof = true
        return 0
    }

    mutating func peekByte(_ skipSpace: Bool) -> UInt8 {
        if err != nil { return 0 }
        var c = peek
        if c == 0 { c = readByte() }
        while err == nil && !eof {
            if skipSpace {
                switch c {
                case 0x20, 0x0C, 0x09, 0x0D, 0x0A, 0x3B:
                    c = readByte()
                    continue
                case 0x2F:
                    c = readByte()
                    if c == 0x2F {
                        // Fast path: jump to the end of the line.
                        while c != 0x0A && err == nil && !eof { c = readByte() }
                    } else if c == 0x2A {
                        var c1: UInt8 = 0
                        while (c != 0x2A || c1 != 0x2F) && err == nil {
                            if eof { syntaxError() }
                            c = c1
                            c1 = readByte()
                        }
                    } else {
                        syntaxError()
                    }
                    c = readByte()
                    continue
                default:
                    break
                }
            }
            break
        }
        peek = c
        return peek
    }

    @inline(__always)
    mutating func nextByte(_ skipSpace: Bool) -> UInt8 {
        let c = peekByte(skipSpace)
        peek = 0
        return c
    }

    mutating func readKeyword(_ kw: StaticString) {
        _ = peekByte(true)
        let p = kw.utf8Start
        for k in 0..<kw.utf8CodeUnitCount {
            if nextByte(false) != p[k] {
                syntaxError()
                return
            }
        }
        if Self.isIdent(peekByte(false)) { syntaxError() }
    }

    mutating func readIdent() {
        let c = peekByte(true)
        if !Self.isIdent(c) {
            syntaxError()
            return
        }
        while Self.isIdent(peekByte(false)) { peek = 0 }
    }

    mutating func readString() {
        switch nextByte(true) {
        case 0x60:
            while err == nil {
                if nextByte(false) == 0x60 { break }
                if eof { syntaxError() }
            }
        case 0x22:
            while err == nil {
                let c = nextByte(false)
                if c == 0x22 { break }
                if eof || c == 0x0A { syntaxError() }
                if c == 0x5C { _ = nextByte(false) }
            }
        default:
            syntaxError()
        }
    }

    mutating func readImport() {
        let c = peekByte(true)
        if c == 0x2E {
            peek = 0
        } else if Self.isIdent(c) {
            readIdent()
        }
        readString()
    }

    /// `readGoInfo`'s reading part: the end of the header, or `.nul` when go/build fails
    /// to read the file. After a syntax error the header is the whole file.
    static func goHeaderEnd(_ s: UnsafeBufferPointer<UInt8>) -> Result<Int, Failure> {
        var r = ImportReader(s)
        r.readKeyword("package")
        r.readIdent()
        while r.peekByte(true) == 0x69 {
            r.readKeyword("import")
            if r.peekByte(true) == 0x28 {
                _ = r.nextByte(false)
                while r.peekByte(true) != 0x29 && r.err == nil { r.readImport() }
                _ = r.nextByte(false)
            } else {
                r.readImport()
            }
        }
        switch r.err {
        case .nul: return .failure(.nul)
        case .syntax: return .success(s.count)
        case nil: return .success(r.eof ? r.n : r.n - 1)
        }
    }

    /// `readComments`: the end of the leading comment block of a non-Go file, and whether
    /// reading failed (go/build then keeps the file whatever its constraints say).
    static func commentsEnd(_ s: UnsafeBufferPointer<UInt8>) -> (end: Int, failed: Bool) {
        var r = ImportReader(s)
        _ = r.peekByte(true)
        if r.err == nil && !r.eof { return (r.n - 1, false) }
        return (r.n, r.err != nil)
    }
}
