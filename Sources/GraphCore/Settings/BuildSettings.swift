// The resolved build settings of one target: exactly the environment and flags gocache
// passes to the go command (DESIGN.md "Settings").

/// The settings one target is built with. gocache runs the go command with an explicit
/// environment holding exactly these, so they are also inputs of the target key.
public struct BuildSettings: Hashable, Sendable, Codable {
    /// GOOS.
    public var goos: String
    /// GOARCH.
    public var goarch: String
    /// The level variable of `goarch` (GOAMD64, GOARM64, GOARM, GO386, GOMIPS, GOMIPS64,
    /// GOPPC64, GORISCV64), with the go command's default when not set; nil for an
    /// architecture without one.
    public var goarchLevel: String?
    /// CGO_ENABLED.
    public var cgoEnabled: Bool
    /// Build tags, in the order given (`-tags a,b`).
    public var tags: [String]
    /// `-gcflags` text.
    public var gcflags: String
    /// `-ldflags` text.
    public var ldflags: String
    /// `-trimpath`.
    public var trimpath: Bool
    /// `-buildvcs`.
    public var buildvcs: Bool
    /// GOEXPERIMENT, when set.
    public var goexperiment: String?
    /// GOFIPS140, when set.
    public var gofips140: String?
    /// CC; kept only when cgo is enabled.
    public var cc: String?
    /// CGO_CFLAGS, CGO_CPPFLAGS, CGO_CXXFLAGS, CGO_FFLAGS, CGO_LDFLAGS; kept only when cgo is enabled.
    public var cgoFlags: [String: String]
    /// Extra inputs of the key: repository-relative paths or globs (`*` one element, `**` any depth).
    public var extraInputs: [String]

    public init(
        goos: String, goarch: String, goarchLevel: String?, cgoEnabled: Bool, tags: [String], gcflags: String,
        ldflags: String, trimpath: Bool, buildvcs: Bool, goexperiment: String? = nil, gofips140: String? = nil,
        cc: String? = nil, cgoFlags: [String: String] = [:], extraInputs: [String] = []
    ) {
        self.goos = goos
        self.goarch = goarch
        self.goarchLevel = goarchLevel
        self.cgoEnabled = cgoEnabled
        self.tags = tags
        self.gcflags = gcflags
        self.ldflags = ldflags
        self.trimpath = trimpath
        self.buildvcs = buildvcs
        self.goexperiment = goexperiment
        self.gofips140 = gofips140
        self.cc = cc
        self.cgoFlags = cgoFlags
        self.extraInputs = extraInputs
    }

    /// The built-in defaults for AWS Lambda: linux/amd64 (GOAMD64=v1), cgo off, `-trimpath`,
    /// `-buildvcs=false`, `-ldflags=-s -w`, no tags.
    public static let lambdaDefaults = BuildSettings(
        goos: "linux", goarch: "amd64", goarchLevel: "v1", cgoEnabled: false, tags: [], gcflags: "",
        ldflags: "-s -w", trimpath: true, buildvcs: false)

    /// The environment variable that holds the level of `goarch`, or nil.
    public static func archLevelVariable(goarch: String) -> String? {
        switch goarch {
        case "amd64": return "GOAMD64"
        case "arm64": return "GOARM64"
        case "arm": return "GOARM"
        case "386": return "GO386"
        case "mips", "mipsle": return "GOMIPS"
        case "mips64", "mips64le": return "GOMIPS64"
        case "ppc64", "ppc64le": return "GOPPC64"
        case "riscv64": return "GORISCV64"
        default: return nil
        }
    }

    /// The go command's default level for `goarch` (internal/buildcfg), or nil.
    public static func defaultArchLevel(goarch: String) -> String? {
        switch archLevelVariable(goarch: goarch) {
        case "GOAMD64": return "v1"
        case "GOARM64": return "v8.0"
        case "GOARM": return "7"
        case "GO386": return "sse2"
        case "GOMIPS", "GOMIPS64": return "hardfloat"
        case "GOPPC64": return "power8"
        case "GORISCV64": return "rva20u64"
        default: return nil
        }
    }

    /// Whether `level` is a value the go command accepts for the level variable `variable`.
    public static func isValidArchLevel(_ level: String, variable: String) -> Bool {
        switch variable {
        case "GOAMD64": return ["v1", "v2", "v3", "v4"].contains(level)
        case "GOARM":
            var v = Substring(level)
            for suffix in [",softfloat", ",hardfloat"] where v.hasSuffix(suffix) { v = v.dropLast(suffix.count) }
            return ["5", "6", "7"].contains(v)
        case "GOARM64":
            let parts = level.split(separator: ",")
            guard let base = parts.first else { return false }
            let versions = (0...9).map { "v8.\($0)" } + (0...5).map { "v9.\($0)" }
            return versions.contains(String(base)) && parts.dropFirst().allSatisfy { $0 == "lse" || $0 == "crypto" }
        case "GO386": return ["sse2", "softfloat"].contains(level)
        case "GOMIPS", "GOMIPS64": return ["hardfloat", "softfloat"].contains(level)
        case "GOPPC64": return ["power8", "power9", "power10"].contains(level)
        case "GORISCV64": return ["rva20u64", "rva22u64", "rva23u64"].contains(level)
        default: return false
        }
    }

    /// The names cgo flags may have.
    public static let cgoFlagNames: Set<String> = ["CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_FFLAGS", "CGO_LDFLAGS"]

    /// The `-tags` value (`a,b`): the tags sorted, each once. Their order means nothing to
    /// the build but the binary's build info records the flag as given, so an order-free
    /// value keeps one binary (and one key: the key takes the tags as a set) per tag set.
    public var tagsFlag: String { Set(tags).sorted().joined(separator: ",") }
}

/// Settings given on the command line; nil leaves the configured value.
public struct SettingsOverrides: Hashable, Sendable {
    public var goos: String?
    public var goarch: String?
    /// The level for the final GOARCH (GOAMD64 for amd64, ...).
    public var goarchLevel: String?
    public var cgoEnabled: Bool?
    public var tags: [String]?
    public var ldflags: String?
    public var gcflags: String?
    public var trimpath: Bool?
    public var buildvcs: Bool?

    public init(
        goos: String? = nil, goarch: String? = nil, goarchLevel: String? = nil, cgoEnabled: Bool? = nil,
        tags: [String]? = nil, ldflags: String? = nil, gcflags: String? = nil, trimpath: Bool? = nil,
        buildvcs: Bool? = nil
    ) {
        self.goos = goos
        self.goarch = goarch
        self.goarchLevel = goarchLevel
        self.cgoEnabled = cgoEnabled
        self.tags = tags
        self.ldflags = ldflags
        self.gcflags = gcflags
        self.trimpath = trimpath
        self.buildvcs = buildvcs
    }

    /// Parses a `-tags` value as the go command does: comma-separated, and (for old
    /// scripts) space-separated when it has no comma; empty elements are dropped.
    public static func parseTags(_ text: String) -> [String] {
        let separator: Character = text.contains(",") ? "," : " "
        return text.split(separator: separator).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
