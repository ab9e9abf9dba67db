// The build context of go/build: target platform, cgo, tags, and the rules that decide
// whether a tag or a file name matches it (go/build matchTag and goodOSArchFile).

/// The platform and tags a package is loaded for, as `go/build.Context` holds them.
public struct BuildContext: Hashable, Sendable {
    /// Target operating system (`GOOS`).
    public var goos: String
    /// Target architecture (`GOARCH`).
    public var goarch: String
    /// Whether cgo is enabled (`CGO_ENABLED=1`): satisfies the `cgo` tag and puts files
    /// that import "C" into `CgoFiles` instead of `IgnoredGoFiles`.
    public var cgoEnabled: Bool
    /// User build tags (`-tags`), e.g. `lambda.norpc`.
    public var buildTags: [String]
    /// Toolchain tags: `goexperiment.*` for the enabled experiments and the architecture
    /// level (`amd64.v1`, `arm64.v8.0`, ...). The go command prints them with
    /// `go list -f '{{context.ToolTags}}' runtime`; they depend on the toolchain version.
    public var toolTags: [String]
    /// Release tags `go1.1` ... `go1.N` for the toolchain's minor version N.
    public var releaseTags: [String]
    /// The compiler name (a tag too): `gc`.
    public var compiler: String

    /// A context for `goos`/`goarch` with release tags `go1.1` through `go1.<goMinorVersion>`.
    public init(
        goos: String, goarch: String, cgoEnabled: Bool, buildTags: [String], goMinorVersion: Int,
        toolTags: [String] = []
    ) {
        self.goos = goos
        self.goarch = goarch
        self.cgoEnabled = cgoEnabled
        self.buildTags = buildTags
        self.toolTags = toolTags
        self.releaseTags = Self.releaseTags(upTo: goMinorVersion)
        self.compiler = "gc"
    }

    /// `go1.1` ... `go1.<minor>`, built once per process for the versions there are (a
    /// context is made per target: each built 27 strings anew).
    private static let knownReleaseTags: [[String]] = (0...63).map { minor in
        minor >= 1 ? (1...minor).map { "go1.\($0)" } : []
    }

    static func releaseTags(upTo minor: Int) -> [String] {
        if minor < knownReleaseTags.count { return minor >= 1 ? knownReleaseTags[minor] : [] }
        return (1...minor).map { "go1.\($0)" }
    }

    /// Whether `tag` is satisfied (go/build `matchTag`): `cgo` when cgo is enabled, GOOS,
    /// GOARCH, the compiler, `linux` on android, `solaris` on illumos, `darwin` on ios,
    /// `unix` on Unix systems, and any build, tool or release tag. `boringcrypto` is
    /// read as `goexperiment.boringcrypto`.
    public func satisfies(_ tag: String) -> Bool {
        if cgoEnabled && tag == "cgo" { return true }
        if tag == goos || tag == goarch || tag == compiler { return true }
        if goos == "android" && tag == "linux" { return true }
        if goos == "illumos" && tag == "solaris" { return true }
        if goos == "ios" && tag == "darwin" { return true }
        if tag == "unix" && Self.unixOS.contains(goos) { return true }
        let name = tag == "boringcrypto" ? "goexperiment.boringcrypto" : tag
        return buildTags.contains(name) || toolTags.contains(name) || releaseTags.contains(name)
    }

    /// Whether a file name's `_GOOS`, `_GOARCH` or `_GOOS_GOARCH` suffix (before the first
    /// `.`, optionally followed by `_test`) matches this context (go/build `goodOSArchFile`).
    /// Only the known lists count, and a name without `_` before the suffix (`linux.go`)
    /// is never constrained.
    public func matchesFileName(_ name: String) -> Bool {
        // By bytes (every file of every scanned directory comes here; searching and
        // splitting by Characters was a tenth of a cold scan's CPU).
        let bytes = name.utf8
        let end = bytes.firstIndex(of: UInt8(ascii: ".")) ?? bytes.endIndex
        guard let underscore = bytes[..<end].firstIndex(of: UInt8(ascii: "_")) else { return true }
        // The elements of `_a_b_c` (the first one empty), as go/build's split of the stem.
        var parts: [Substring] = []
        var start = underscore
        var index = underscore
        while index < end {
            if bytes[index] == UInt8(ascii: "_") {
                parts.append(name[start..<index])
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        parts.append(name[start..<end])
        if let last = parts.last, last == "test" { parts.removeLast() }
        let n = parts.count
        if n >= 2, Self.knownOS.contains(String(parts[n - 2])), Self.knownArch.contains(String(parts[n - 1])) {
            let arch = satisfies(String(parts[n - 1]))
            return arch && satisfies(String(parts[n - 2]))
        }
        if n >= 1 {
            let last = String(parts[n - 1])
            if Self.knownOS.contains(last) || Self.knownArch.contains(last) { return satisfies(last) }
        }
        return true
    }

    /// `internal/syslist.KnownOS`: GOOS values recognized in file names.
    public static let knownOS: Set<String> = [
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux",
        "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos",
    ]

    /// `internal/syslist.UnixOS`: GOOS values that satisfy the `unix` tag.
    public static let unixOS: Set<String> = [
        "aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "linux",
        "netbsd", "openbsd", "solaris",
    ]

    /// `internal/syslist.KnownArch`: GOARCH values recognized in file names.
    public static let knownArch: Set<String> = [
        "386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips", "mipsle",
        "mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le", "riscv",
        "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm",
    ]
}
