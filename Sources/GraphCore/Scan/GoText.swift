// Byte-level helpers that mirror the Go standard library functions the go command uses
// when it reads source files: utf8.DecodeRune, unicode.IsSpace / IsLetter / IsDigit /
// IsGraphic, bytes.TrimSpace. They operate on UTF-8 bytes, never on `Character`s.

/// Go's `utf8.RuneError`.
let goRuneError: UInt32 = 0xFFFD

/// Decodes one rune at `i` exactly like Go's `utf8.DecodeRune`: an invalid or
/// truncated encoding yields `(RuneError, 1)`.
@inline(__always)
func goDecodeRune(_ s: UnsafeBufferPointer<UInt8>, _ i: Int) -> (rune: UInt32, width: Int) {
    let n = s.count - i
    let b0 = UInt32(s[i])
    if b0 < 0x80 { return (b0, 1) }
    @inline(__always) func cont(_ k: Int) -> UInt32? {
        guard k < n else { return nil }
        let b = UInt32(s[i + k])
        return b & 0xC0 == 0x80 ? b & 0x3F : nil
    }
    if b0 >= 0xC2 && b0 <= 0xDF {
        guard let c1 = cont(1) else { return (goRuneError, 1) }
        return ((b0 & 0x1F) << 6 | c1, 2)
    }
    if b0 >= 0xE0 && b0 <= 0xEF {
        guard n >= 2 else { return (goRuneError, 1) }
        let b1 = UInt32(s[i + 1])
        let lo: UInt32 = b0 == 0xE0 ? 0xA0 : 0x80
        let hi: UInt32 = b0 == 0xED ? 0x9F : 0xBF
        guard b1 >= lo && b1 <= hi, let c2 = cont(2) else { return (goRuneError, 1) }
        return ((b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | c2, 3)
    }
    if b0 >= 0xF0 && b0 <= 0xF4 {
        guard n >= 2 else { return (goRuneError, 1) }
        let b1 = UInt32(s[i + 1])
        let lo: UInt32 = b0 == 0xF0 ? 0x90 : 0x80
        let hi: UInt32 = b0 == 0xF4 ? 0x8F : 0xBF
        guard b1 >= lo && b1 <= hi, let c2 = cont(2), let c3 = cont(3) else { return (goRuneError, 1) }
        return ((b0 & 0x07) << 18 | (b1 & 0x3F) << 12 | c2 << 6 | c3, 4)
    }
    return (goRuneError, 1)
}

/// Go's `unicode.IsSpace`.
func goIsSpace(_ r: UInt32) -> Bool {
    switch r {
    case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0: return true
    default:
        if r < 0x100 { return false }
        guard let scalar = Unicode.Scalar(r) else { return false }
        return scalar.properties.isWhitespace
    }
}

/// Go's `unicode.IsLetter` (general category L).
func goIsLetter(_ r: UInt32) -> Bool {
    if r < 0x80 {
        return (r >= 0x61 && r <= 0x7A) || (r >= 0x41 && r <= 0x5A)
    }
    guard let scalar = Unicode.Scalar(r) else { return false }
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
    default: return false
    }
}

/// Go's `unicode.IsDigit` (general category Nd).
func goIsDigit(_ r: UInt32) -> Bool {
    if r < 0x80 { return r >= 0x30 && r <= 0x39 }
    guard let scalar = Unicode.Scalar(r) else { return false }
    return scalar.properties.generalCategory == .decimalNumber
}

/// Go's `unicode.IsGraphic` (categories L, M, N, P, S and Zs).
func goIsGraphic(_ r: UInt32) -> Bool {
    if r < 0x80 { return r >= 0x20 && r < 0x7F }
    guard let scalar = Unicode.Scalar(r) else { return false }
    switch scalar.properties.generalCategory {
    case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator:
        return false
    default:
        return true
    }
}

/// Go's `bytes.TrimSpace` on `s[lo..<hi]`: the bounds after trimming Unicode white space.
func goTrimSpace(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> (Int, Int) {
    var lo = lo
    var hi = hi
    while lo < hi {
        let b = s[lo]
        if b < 0x80 {
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { lo += 1; continue }
            break
        }
        let (r, w) = goDecodeRune(UnsafeBufferPointer(rebasing: s[lo..<hi]), 0)
        if goIsSpace(r) { lo += w } else { break }
    }
    while hi > lo {
        let b = s[hi - 1]
        if b < 0x80 {
            if b == 0x20 || (b >= 0x09 && b <= 0x0D) { hi -= 1; continue }
            break
        }
        // Find the start of the last rune (like utf8.DecodeLastRune).
        var start = hi - 1
        while start > lo && start > hi - 4 && s[start] & 0xC0 == 0x80 { start -= 1 }
        let (r, w) = goDecodeRune(UnsafeBufferPointer(rebasing: s[start..<hi]), 0)
        if start + w == hi, goIsSpace(r) { hi = start } else { break }
    }
    return (lo, hi)
}

/// `String` from UTF-8 bytes (invalid sequences become U+FFFD, as Go prints them).
@inline(__always)
func goString(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int) -> String {
    String(decoding: UnsafeBufferPointer(rebasing: s[lo..<hi]), as: UTF8.self)
}

@inline(__always)
func hasPrefix(_ s: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, _ prefix: StaticString) -> Bool {
    let n = prefix.utf8CodeUnitCount
    guard hi - lo >= n else { return false }
    let p = prefix.utf8Start
    for k in 0..<n where s[lo + k] != p[k] { return false }
    return true
}

/// Go's `%#U` formatting of a rune: `U+0041 'A'` (printable) or `U+0000`.
func goFormatRuneU(_ r: UInt32) -> String {
    var hex = String(r, radix: 16, uppercase: true)
    while hex.count < 4 { hex = "0" + hex }
    if let scalar = Unicode.Scalar(r), goIsGraphic(r) {
        return "U+\(hex) '\(Character(scalar))'"
    }
    return "U+\(hex)"
}

/// Go's `strings.Fields` on the bytes of one line: the runs between Unicode white space.
func goFields(_ line: ArraySlice<UInt8>) -> [String] {
    if line.allSatisfy({ $0 < 0x80 }) {
        return line.split(whereSeparator: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) })
            .map { String(decoding: $0, as: UTF8.self) }
    }
    return String(decoding: line, as: UTF8.self).unicodeScalars
        .split(whereSeparator: { goIsSpace($0.value) }).map { String(String.UnicodeScalarView($0)) }
}

/// Go's `strings.TrimSpace`.
func goTrimmed(_ text: Substring) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !goIsSpace($0.value) }),
        let last = scalars.lastIndex(where: { !goIsSpace($0.value) })
    else { return "" }
    return String(String.UnicodeScalarView(scalars[first...last]))
}
