/// The go command's platform rules that add implicit imports to a binary
/// (cmd/go/internal/load LinkerDeps, internal/platform).
enum LinkerRules {
    /// `platform.MustLinkExternal(goos, goarch, false)`.
    static func mustLinkExternal(goos: String, goarch: String) -> Bool {
        switch goos {
        case "android": return goarch != "arm64"
        case "ios": return goarch == "arm64"
        default: return false
        }
    }

    /// `platform.DefaultPIE(goos, goarch, false)`.
    static func defaultPIE(goos: String) -> Bool {
        ["android", "ios", "windows", "darwin"].contains(goos)
    }

    /// `platform.InternalLinkPIESupported`.
    static func internalLinkPIESupported(goos: String, goarch: String) -> Bool {
        [
            "android/arm64", "darwin/amd64", "darwin/arm64", "linux/amd64", "linux/arm64", "linux/loong64",
            "linux/ppc64", "linux/ppc64le", "linux/s390x", "windows/386", "windows/amd64", "windows/arm64",
        ].contains(goos + "/" + goarch)
    }

    /// Why a `package main` must link externally (so imports runtime/cgo), or nil.
    static func externalLinkingReason(goos: String, goarch: String, ldflags: [String]) -> String? {
        if mustLinkExternal(goos: goos, goarch: goarch) { return goos + "/" + goarch }
        if defaultPIE(goos: goos), !internalLinkPIESupported(goos: goos, goarch: goarch) {
            return "default PIE binary"
        }
        var i = ldflags.count - 1
        while i >= 0 {
            let a = ldflags[i]
            if a == "-linkmode=external" || (a == "-linkmode" && i + 1 < ldflags.count && ldflags[i + 1] == "external") {
                return a
            }
            if a == "-linkmode=internal" || (a == "-linkmode" && i + 1 < ldflags.count && ldflags[i + 1] == "internal") {
                return nil
            }
            i -= 1
        }
        return nil
    }

    /// The implicit imports of a `package main` (`LinkerDeps`), or an error message.
    static func linkerDependencies(goos: String, goarch: String, cgoEnabled: Bool, ldflags: [String]) -> ([String], String?) {
        var deps = ["runtime"]
        if let reason = externalLinkingReason(goos: goos, goarch: goarch, ldflags: ldflags) {
            if !cgoEnabled {
                return ([], "\(reason) requires external (cgo) linking, but cgo is not enabled")
            }
            deps.append("runtime/cgo")
        }
        if goarch == "arm" { deps.append("math") }
        return (deps, nil)
    }

    /// Splits a flags string the way the go command splits -ldflags (quoting aware).
    static func splitFlags(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for ch in text {
            if let q = quote {
                if ch == q { quote = nil } else { current.append(ch) }
                continue
            }
            if ch == "'" || ch == "\"" {
                quote = ch
                inWord = true
                continue
            }
            if ch == " " || ch == "\t" || ch == "\n" {
                if inWord { result.append(current) }
                current = ""
                inWord = false
                continue
            }
            current.append(ch)
            inWord = true
        }
        if inWord { result.append(current) }
        return result
    }
}
