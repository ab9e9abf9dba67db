import Foundation
public import GraphCore

/// The exact `go build` environment and flags for targets of one build unit and one set of
/// resolved settings.
public struct GoBuildCommand: Hashable, Sendable {
    /// The settings every target of the invocation shares.
    public var settings: BuildSettings
    /// Absolute directory the go command runs in: the unit's root.
    public var directory: String
    /// The whole environment of the go command.
    public var environment: [String: String]
    /// The flags before `-o` (`-trimpath`, `-buildvcs=…`, `-ldflags=…`, `-gcflags=…`, `-tags=…`).
    public var flags: [String]

    /// The command for a build unit.
    ///
    /// - Parameters:
    ///   - unit: the unit's root (repository-relative) and its go.work path, if a workspace.
    ///   - repositoryRoot: absolute path of the working tree.
    ///   - inherited: the environment gocache runs in (only HOME, PATH, TMPDIR, GOCACHE,
    ///     GOPATH, GOMODCACHE, XDG_CACHE_HOME and the proxy variables are taken from it).
    public init(
        settings: BuildSettings, unitRoot: String, workFile: String?, repositoryRoot: String,
        inherited: [String: String]
    ) {
        self.settings = settings
        self.directory = unitRoot.isEmpty || unitRoot == "." ? repositoryRoot : repositoryRoot + "/" + unitRoot
        var env = GoToolchain.baseEnvironment(inherited)
        env.merge(GoToolchain.platformEnvironment(settings)) { $1 }
        env["GOFLAGS"] = ""
        // The user's go env file could set GOFLAGS or GOEXPERIMENT behind gocache's back.
        env["GOENV"] = "off"
        env["GOWORK"] = workFile.map { repositoryRoot + "/" + $0 } ?? "off"
        if let fips = settings.gofips140 { env["GOFIPS140"] = fips }
        if settings.cgoEnabled {
            if let cc = settings.cc { env["CC"] = cc }
            for (name, value) in settings.cgoFlags { env[name] = value }
        }
        self.environment = env
        var flags: [String] = []
        if settings.trimpath { flags.append("-trimpath") }
        flags.append("-buildvcs=\(settings.buildvcs)")
        if !settings.ldflags.isEmpty { flags.append("-ldflags=" + settings.ldflags) }
        if !settings.gcflags.isEmpty { flags.append("-gcflags=" + settings.gcflags) }
        if !settings.tags.isEmpty { flags.append("-tags=" + settings.tagsFlag) }
        self.flags = flags
    }

    /// `build <flags> -o <output> <packages…>`: `output` is a file for one package, or a
    /// directory ending in `/` for several.
    public func arguments(output: String, packages: [String]) -> [String] {
        ["build"] + flags + ["-o", output] + packages
    }

    /// The package argument for a target: its directory relative to the unit root, `./`-prefixed.
    public static func packageArgument(targetDir: String, unitRoot: String) -> String {
        let dir = targetDir == "." ? "" : targetDir
        let root = unitRoot == "." ? "" : unitRoot
        if root.isEmpty { return dir.isEmpty ? "." : "./" + dir }
        if dir == root { return "." }
        return "./" + String(dir.dropFirst(root.count + 1))
    }

    /// The file name `go build -o DIR/` gives a main package (cmd/go `DefaultExecName`): the
    /// last element of its import path, or the one before it when that is a major-version
    /// suffix `v2`, `v3`, …; `.exe` added for windows.
    public static func executableName(importPath: String, goos: String) -> String {
        var elements = importPath.split(separator: "/").map(String.init)
        var name = elements.popLast() ?? importPath
        if let previous = elements.last, isVersionElement(name) { name = previous }
        return goos == "windows" ? name + ".exe" : name
    }

    static func isVersionElement(_ element: String) -> Bool {
        let chars = Array(element)
        guard chars.count >= 2, chars[0] == "v", chars[1] != "0", !(chars[1] == "1" && chars.count == 2) else { return false }
        return chars.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// Warnings for settings that make binaries differ from build to build.
    public static func reproducibilityWarnings(_ settings: BuildSettings) -> [String] {
        var warnings: [String] = []
        if settings.buildvcs {
            warnings.append(
                "buildvcs is on: the go command stamps the VCS revision and dirty state into binaries, so they differ from build to build (set buildvcs: false)")
        }
        if !settings.trimpath {
            warnings.append(
                "trimpath is off: binaries embed absolute source paths, so clones in different directories build different bytes (set trimpath: true)")
        }
        return warnings
    }
}
