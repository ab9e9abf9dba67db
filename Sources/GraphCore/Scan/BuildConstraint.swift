// Build constraints: `//go:build` expressions and legacy `// +build` lines, parsed and
// printed exactly like Go's go/build/constraint package.

/// A build constraint expression, as `go/build/constraint.Expr` models it.
///
/// `//go:build linux && (amd64 || arm64)` parses to
/// `.and(.tag("linux"), .or(.tag("amd64"), .tag("arm64")))`. A `// +build` line parses to
/// the equivalent expression (spaces are OR, commas are AND, invalid words become the tag
/// `ignore`).
public indirect enum BuildConstraint: Hashable, Sendable, CustomStringConvertible {
    /// A build tag such as `linux`, `cgo` or `go1.21`.
    case tag(String)
    /// `!x`.
    case not(BuildConstraint)
    /// `x && y`.
    case and(BuildConstraint, BuildConstraint)
    /// `x || y`.
    case or(BuildConstraint, BuildConstraint)

    /// Parses one `//go:build ...` or `// +build ...` line (a trailing newline is allowed).
    ///
    /// - Throws: `BuildConstraintSyntaxError` with Go's message ("unexpected token ...",
    ///   "missing close paren", "not a build constraint", ...).
    public static func parse(_ line: String) throws(BuildConstraintSyntaxError) -> BuildConstraint {
        var bytes = Array(line.utf8)
        return try bytes.withUnsafeMutableBufferPointer { (buf) throws(BuildConstraintSyntaxError) -> BuildConstraint in
            try parse(UnsafeBufferPointer(buf), 0, buf.count)
        }
    }

    /// Whether `line` is a `//go:build` line (`constraint.IsGoBuild`).
    public static func isGoBuild(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBufferPointer { splitGoBuild(UnsafeBufferPointer($0), 0, $0.count) != nil }
    }

    /// Whether `line` is a `// +build` line (`constraint.IsPlusBuild`).
    public static func isPlusBuild(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        return bytes.withUnsafeMutableBufferPointer { splitPlusBuild(UnsafeBufferPointer($0), 0, $0.count) != nil }
    }

    /// Evaluates the expression, asking `isSatisfied` about every tag (both operands of
    /// `&&` and `||` are evaluated, as in Go, so a recording closure sees every tag).
    public func evaluate(_ isSatisfied: (String) -> Bool) -> Bool {
        switch self {
        case .tag(let t): return isSatisfied(t)
        case .not(let x): return !x.evaluate(isSatisfied)
        case .and(let x, let y):
            let a = x.evaluate(isSatisfied)
            let b = y.evaluate(isSatisfied)
            return a && b
        case .or(let x, let y):
            let a = x.evaluate(isSatisfied)
            let b = y.evaluate(isSatisfied)
            return a || b
        }
    }

    /// The expression in `//go:build` syntax, parenthesized like Go's `Expr.String()`.
    public var description: String {
        switch self {
        case .tag(let t): return t
        case .not(let x):
            switch x {
            case .and, .or: return "!(\(x))"
            default: return "!\(x)"
            }
        case .and(let x, let y):
            func arg(_ e: BuildConstraint) -> String {
                if case .or = e { return "(\(e))" }
                return e.description
            }
            return arg(x) + " && " + arg(y)
        case .or(let x, let y):
            func arg(_ e: BuildConstraint) -> String {
                if case .and = e { return "(\(e))" }
                return e.description
            }
            return arg(x) + " || " + arg(y)
        }
    }

    // MARK: - Parsing on bytes

    static func parse(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) throws(BuildConstraintSyntaxError) -> BuildConstraint {
        if let (a, b) = splitGoBuild(s, lo, hi) {
            var p = ExprParser(s: s, start: a, i: a, end: b)
            return try p.parse()
        }
        if let (a, b) = splitPlusBuild(s, lo, hi) {
            return try parsePlusBuild(s, a, b)
        }
        throw BuildConstraintSyntaxError(offset: 0, message: "not a build constraint")
    }

    /// `constraint.splitGoBuild`: the expression bounds of a `//go:build` line.
    static func splitGoBuild(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> (Int, Int)? {
        var hi = hi
        if hi > lo && s[hi - 1] == 0x0A { hi -= 1 }
        for k in lo..<hi where s[k] == 0x0A { return nil }
        guard hasPrefix(s, lo, hi, "//go:build") else { return nil }
        let (tlo, thi) = goTrimSpace(s, lo, hi)
        let rlo = tlo + 10
        let (a, b) = goTrimSpace(s, rlo, thi)
        if b - a == thi - rlo && thi > rlo { return nil }
        return (a, b)
    }

    /// `constraint.splitPlusBuild`: the expression bounds of a `// +build` line.
    static func splitPlusBuild(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> (Int, Int)? {
        var hi = hi
        if hi > lo && s[hi - 1] == 0x0A { hi -= 1 }
        for k in lo..<hi where s[k] == 0x0A { return nil }
        guard hasPrefix(s, lo, hi, "//") else { return nil }
        let (a0, b0) = goTrimSpace(s, lo + 2, hi)
        guard hasPrefix(s, a0, b0, "+build") else { return nil }
        let rlo = a0 + 6
        let (a, b) = goTrimSpace(s, rlo, b0)
        if b - a == b0 - rlo && b0 > rlo { return nil }
        return (a, b)
    }

    static func isValidTag(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> Bool {
        if lo >= hi { return false }
        var i = lo
        while i < hi {
            let (r, w) = goDecodeRune(UnsafeBufferPointer(rebasing: s[i..<hi]), 0)
            if !(goIsLetter(r) || goIsDigit(r) || r == 0x5F || r == 0x2E) { return false }
            i += w
        }
        return true
    }

    static func parsePlusBuild(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) throws(BuildConstraintSyntaxError) -> BuildConstraint {
        let maxOldSize = 100
        var size = 0
        var x: BuildConstraint?
        var i = lo
        while i < hi {
            // strings.Fields: skip Unicode space, take a run of non-space.
            let (r, w) = goDecodeRune(UnsafeBufferPointer(rebasing: s[i..<hi]), 0)
            if goIsSpace(r) { i += w; continue }
            var j = i
            while j < hi {
                let (r2, w2) = goDecodeRune(UnsafeBufferPointer(rebasing: s[j..<hi]), 0)
                if goIsSpace(r2) { break }
                j += w2
            }
            // Clause s[i..<j], split on commas.
            var y: BuildConstraint?
            var litStart = i
            var k = i
            while k <= j {
                if k == j || s[k] == 0x2C {
                    var a = litStart
                    let b = k
                    var z: BuildConstraint
                    let n = b - a
                    if (n >= 2 && s[a] == 0x21 && s[a + 1] == 0x21) || (n == 1 && s[a] == 0x21) {
                        z = .tag("ignore")
                    } else {
                        var neg = false
                        if n >= 1 && s[a] == 0x21 { neg = true; a += 1 }
                        z = isValidTag(s, a, b) ? .tag(goString(s, a, b)) : .tag("ignore")
                        if neg { z = .not(z) }
                    }
                    if let yy = y {
                        size += 1
                        if size > maxOldSize {
                            throw BuildConstraintSyntaxError(offset: 0, message: "expression too complex for // +build lines")
                        }
                        y = .and(yy, z)
                    } else {
                        y = z
                    }
                    litStart = k + 1
                }
                k += 1
            }
            if let xx = x, let yy = y {
                size += 1
                if size > maxOldSize {
                    throw BuildConstraintSyntaxError(offset: 0, message: "expression too complex for // +build lines")
                }
                x = .or(xx, yy)
            } else {
                x = y
            }
            i = j
        }
        return x ?? .tag("ignore")
    }
}

/// A syntax error in a build constraint line, with Go's message.
public struct BuildConstraintSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Byte offset in the expression where the error was detected.
    public var offset: Int
    /// Go's description, e.g. `unexpected token )`.
    public var message: String
    public var description: String { message }
}

/// The recursive-descent parser of `constraint.parseExpr`.
private struct ExprParser {
    let s: UnsafeBufferPointer<UInt8>
    let start: Int
    var i: Int
    let end: Int
    var tokLo = 0
    var tokHi = 0
    var isTag = false
    var pos = 0
    var size = 0

    var tokIsEmpty: Bool { tokLo == tokHi }
    func tokIs(_ c: UInt8) -> Bool { tokHi - tokLo == 1 && s[tokLo] == c }
    func tokIs2(_ c: UInt8) -> Bool { tokHi - tokLo == 2 && s[tokLo] == c && s[tokLo + 1] == c }
    var tokString: String { goString(s, tokLo, tokHi) }

    func fail(_ offset: Int, _ message: String) -> BuildConstraintSyntaxError {
        BuildConstraintSyntaxError(offset: offset - start, message: message)
    }

    mutating func parse() throws(BuildConstraintSyntaxError) -> BuildConstraint {
        let x = try or()
        if !tokIsEmpty { throw fail(pos, "unexpected token " + tokString) }
        return x
    }

    mutating func or() throws(BuildConstraintSyntaxError) -> BuildConstraint {
        var x = try and()
        while tokIs2(0x7C) { x = .or(x, try and()) }
        return x
    }

    mutating func and() throws(BuildConstraintSyntaxError) -> BuildConstraint {
        var x = try not()
        while tokIs2(0x26) { x = .and(x, try not()) }
        return x
    }

    mutating func not() throws(BuildConstraintSyntaxError) -> BuildConstraint {
        size += 1
        if size > 1000 { throw fail(pos, "build expression too large") }
        try lex()
        if tokIs(0x21) {
            try lex()
            if tokIs(0x21) { throw fail(pos, "double negation not allowed") }
            return .not(try atom())
        }
        return try atom()
    }

    mutating func atom() throws(BuildConstraintSyntaxError) -> BuildConstraint {
        if tokIs(0x28) {
            let openPos = pos
            let x: BuildConstraint
            do {
                x = try or()
            } catch {
                if error.message == "unexpected end of expression" {
                    throw BuildConstraintSyntaxError(offset: error.offset, message: "missing close paren")
                }
                throw error
            }
            if !tokIs(0x29) { throw fail(openPos, "missing close paren") }
            try lex()
            return x
        }
        if !isTag {
            if tokIsEmpty { throw fail(pos, "unexpected end of expression") }
            throw fail(pos, "unexpected token " + tokString)
        }
        let t = tokString
        try lex()
        return .tag(t)
    }

    mutating func lex() throws(BuildConstraintSyntaxError) {
        isTag = false
        while i < end && (s[i] == 0x20 || s[i] == 0x09) { i += 1 }
        if i >= end {
            tokLo = i; tokHi = i; pos = i
            return
        }
        switch s[i] {
        case 0x28, 0x29, 0x21:
            pos = i; tokLo = i; i += 1; tokHi = i
            return
        case 0x26, 0x7C:
            if i + 1 >= end || s[i + 1] != s[i] {
                throw fail(i, "invalid syntax at " + String(UnicodeScalar(s[i])))
            }
            pos = i; tokLo = i; i += 2; tokHi = i
            return
        default:
            break
        }
        var j = i
        while j < end {
            let (r, w) = goDecodeRune(UnsafeBufferPointer(rebasing: s[j..<end]), 0)
            if !(goIsLetter(r) || goIsDigit(r) || r == 0x5F || r == 0x2E) { break }
            j += w
        }
        if j == i {
            let (r, _) = goDecodeRune(UnsafeBufferPointer(rebasing: s[i..<end]), 0)
            let c = Unicode.Scalar(r).map { String(Character($0)) } ?? "\u{FFFD}"
            throw fail(i, "invalid syntax at " + c)
        }
        pos = i; tokLo = i; tokHi = j; i = j
        isTag = true
    }
}
