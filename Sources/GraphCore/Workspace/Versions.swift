// Version arithmetic of the go command: module versions (golang.org/x/mod/semver and
// module.CanonicalVersion) and Go release versions (internal/gover).

/// Semantic versions as golang.org/x/mod/semver reads them (`v1`, `v1.2`, `v1.2.3-pre+build`).
enum SemVer {
    struct Parsed {
        var major = "", minor = "", patch = "", short = "", prerelease = "", build = ""
    }

    static func parse(_ v: String) -> Parsed? {
        var rest = Substring(v)
        guard rest.first == "v" else { return nil }
        rest = rest.dropFirst()
        var p = Parsed()
        guard let major = parseInt(&rest) else { return nil }
        p.major = major
        if rest.isEmpty {
            p.minor = "0"; p.patch = "0"; p.short = ".0.0"
            return p
        }
        guard rest.first == "." else { return nil }
        rest = rest.dropFirst()
        guard let minor = parseInt(&rest) else { return nil }
        p.minor = minor
        if rest.isEmpty {
            p.patch = "0"; p.short = ".0"
            return p
        }
        guard rest.first == "." else { return nil }
        rest = rest.dropFirst()
        guard let patch = parseInt(&rest) else { return nil }
        p.patch = patch
        if rest.first == "-" {
            guard let pre = parseDotted(&rest, prerelease: true) else { return nil }
            p.prerelease = pre
        }
        if rest.first == "+" {
            guard let build = parseDotted(&rest, prerelease: false) else { return nil }
            p.build = build
        }
        return rest.isEmpty ? p : nil
    }

    private static func parseInt(_ s: inout Substring) -> String? {
        let digits = s.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty else { return nil }
        if digits.first == "0" && digits.count != 1 { return nil }
        s = s.dropFirst(digits.count)
        return String(digits)
    }

    private static func parseDotted(_ s: inout Substring, prerelease: Bool) -> String? {
        var text = s.dropFirst()
        if prerelease, let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        let idents = text.split(separator: ".", omittingEmptySubsequences: false)
        for ident in idents {
            guard !ident.isEmpty else { return nil }
            guard ident.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return nil }
            if prerelease, ident.count > 1, ident.first == "0", ident.allSatisfy({ $0.isNumber }) { return nil }
        }
        let result = String(s.prefix(text.count + 1))
        s = s.dropFirst(text.count + 1)
        return result
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
