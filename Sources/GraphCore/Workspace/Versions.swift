// Version arithmetic of the go command: module versions (golang.org/x/mod/semver and
// module.CanonicalVersion) and Go release versions (internal/gover).

/// Semantic versions as golang.org/x/mod/semver reads them (`v1`, `v1.2`, `v1.2.3-pre+build`).
enum SemVer {
    struct Parsed {
        var major = "", minor = "", patch = "", short = "", prerelease = "", build = ""
    }

    /// By bytes (golang.org/x/mod/semver reads bytes; a go.mod of a hundred requirements
    /// parses some three hundred versions, and Character-wise parsing cost milliseconds).
    static func parse(_ v: String) -> Parsed? {
        var v = v
        return v.withUTF8 { b -> Parsed? in
            let n = b.count
            guard n > 0, b[0] == UInt8(ascii: "v") else { return nil }
            var i = 1
            func text(_ lo: Int, _ hi: Int) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[lo..<hi]), as: UTF8.self) }
            func int() -> String? {
                let start = i
                while i < n, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
                guard i > start, !(b[start] == UInt8(ascii: "0") && i - start != 1) else { return nil }
                return text(start, i)
            }
            /// The `-pre` or `+build` part starting at `i` (its sign included).
            func dotted(prerelease: Bool) -> String? {
                let start = i
                i += 1
                var identStart = i
                var numeric = true
                while true {
                    let atEnd = i == n || (prerelease && b[i] == UInt8(ascii: "+"))
                    if atEnd || b[i] == UInt8(ascii: ".") {
                        guard i > identStart else { return nil }
                        if prerelease, numeric, i - identStart > 1, b[identStart] == UInt8(ascii: "0") { return nil }
                        if atEnd { break }
                        i += 1
                        identStart = i
                        numeric = true
                        continue
                    }
                    let c = b[i]
                    switch c {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): break
                    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "-"):
                        numeric = false
                    default: return nil
                    }
                    i += 1
                }
                return text(start, i)
            }
            var p = Parsed()
            guard let major = int() else { return nil }
            p.major = major
            if i == n {
                p.minor = "0"; p.patch = "0"; p.short = ".0.0"
                return p
            }
            guard b[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            guard let minor = int() else { return nil }
            p.minor = minor
            if i == n {
                p.patch = "0"; p.short = ".0"
                return p
            }
            guard b[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            guard let patch = int() else { return nil }
            p.patch = patch
            if i < n, b[i] == UInt8(ascii: "-") {
                guard let pre = dotted(prerelease: true) else { return nil }
                p.prerelease = pre
            }
            if i < n, b[i] == UInt8(ascii: "+") {
                guard let build = dotted(prerelease: false) else { return nil }
                p.build = build
            }
            return i == n ? p : nil
        }
    }

    static func isValid(_ v: String) -> Bool { parse(v) != nil }

    static func canonical(_ v: String) -> String? {
        guard let p = parse(v) else { return nil }
        if !p.build.isEmpty { return String(v.dropLast(p.build.count)) }
        return v + p.short
    }

    static func major(_ v: String) -> String {
        guard let p = parse(v) else { return "" }
        return "v" + p.major
    }

    static func build(_ v: String) -> String { parse(v)?.build ?? "" }

    /// module.CanonicalVersion: semver.Canonical keeping `+incompatible`.
    static func moduleCanonical(_ v: String) -> String? {
        guard var cv = canonical(v) else { return nil }
        if build(v) == "+incompatible" { cv += "+incompatible" }
        return cv
    }

    static func compare(_ v: String, _ w: String) -> Int {
        let pv = parse(v), pw = parse(w)
        guard let pv, let pw else {
            if pv == nil && pw == nil { return 0 }
            return pv == nil ? -1 : 1
        }
        for (x, y) in [(pv.major, pw.major), (pv.minor, pw.minor), (pv.patch, pw.patch)] {
            let c = compareInt(x, y)
            if c != 0 { return c }
        }
        return comparePrerelease(pv.prerelease, pw.prerelease)
    }

    static func compareInt(_ x: String, _ y: String) -> Int {
        if x == y { return 0 }
        if x.count != y.count { return x.count < y.count ? -1 : 1 }
        return x < y ? -1 : 1
    }

    private static func comparePrerelease(_ x: String, _ y: String) -> Int {
        if x == y { return 0 }
        if x.isEmpty { return 1 }
        if y.isEmpty { return -1 }
        let xs = x.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        let ys = y.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        for (dx, dy) in zip(xs, ys) where dx != dy {
            let ix = dx.allSatisfy(\.isNumber), iy = dy.allSatisfy(\.isNumber)
            if ix != iy { return ix ? -1 : 1 }
            if ix, dx.count != dy.count { return dx.count < dy.count ? -1 : 1 }
            return dx < dy ? -1 : 1
        }
        return xs.count < ys.count ? -1 : (xs.count == ys.count ? 0 : 1)
    }
}

/// Go release versions as internal/gover reads them (`1.21`, `1.21.3`, `1.22rc1`).
enum GoVersion {
    struct Parsed: Equatable {
        var major = "", minor = "", patch = "", kind = "", pre = ""
    }

    static func parse(_ x: String) -> Parsed? {
        var rest = Substring(x)
        var v = Parsed()
        guard let major = cutInt(&rest) else { return nil }
        v.major = major
        if rest.isEmpty {
            v.minor = "0"; v.patch = "0"
            return v
        }
        guard rest.first == "." else { return nil }
        rest = rest.dropFirst()
        guard let minor = cutInt(&rest) else { return nil }
        v.minor = minor
        if rest.isEmpty {
            if SemVer.compareInt(minor, "21") < 0 { v.patch = "0" }
            return v
        }
        if rest.first == "." {
            rest = rest.dropFirst()
            guard let patch = cutInt(&rest), rest.isEmpty else { return nil }
            v.patch = patch
            return v
        }
        let kind = rest.prefix { $0 >= "a" && $0 <= "z" }
        guard !kind.isEmpty, kind.count == rest.prefix(while: { !$0.isNumber }).count else { return nil }
        v.kind = String(kind)
        rest = rest.dropFirst(kind.count)
        if rest.isEmpty { return v }
        guard let pre = cutInt(&rest), rest.isEmpty else { return nil }
        v.pre = pre
        return v
    }

    private static func cutInt(_ s: inout Substring) -> String? {
        let digits = s.prefix { $0 >= "0" && $0 <= "9" }
        guard !digits.isEmpty, !(digits.first == "0" && digits.count != 1) else { return nil }
        s = s.dropFirst(digits.count)
        return String(digits)
    }

    static func isValid(_ x: String) -> Bool { parse(x) != nil }

    /// gover.Compare: invalid versions compare as the zero version.
    static func compare(_ x: String, _ y: String) -> Int {
        let vx = parse(x) ?? Parsed(), vy = parse(y) ?? Parsed()
        for (a, b) in [(vx.major, vy.major), (vx.minor, vy.minor), (vx.patch, vy.patch)] {
            let c = SemVer.compareInt(a, b)
            if c != 0 { return c }
        }
        if vx.kind != vy.kind { return vx.kind < vy.kind ? -1 : 1 }
        return SemVer.compareInt(vx.pre, vy.pre)
    }

    /// modfile.GoVersionRE: `^([1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?([a-z]+[0-9]+)?$`.
    static func matchesGoDirective(_ s: String) -> Bool {
        var rest = Substring(s)
        func number() -> Bool {
            let digits = rest.prefix { $0 >= "0" && $0 <= "9" }
            guard !digits.isEmpty, !(digits.first == "0" && digits.count > 1) else { return false }
            rest = rest.dropFirst(digits.count)
            return true
        }
        guard rest.first != "0", number(), rest.first == "." else { return false }
        rest = rest.dropFirst()
        guard number() else { return false }
        if rest.first == "." {
            rest = rest.dropFirst()
            guard number() else { return false }
        }
        if rest.isEmpty { return true }
        let letters = rest.prefix { $0 >= "a" && $0 <= "z" }
        guard !letters.isEmpty else { return false }
        rest = rest.dropFirst(letters.count)
        let digits = rest.prefix { $0 >= "0" && $0 <= "9" }
        return !digits.isEmpty && digits.count == rest.count
    }
}
