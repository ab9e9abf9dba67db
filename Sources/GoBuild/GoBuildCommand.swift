import CacheStore
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
    ///     GOPATH, GOMODCACHE, XDG_CACHE_HOME, the proxy variables, GOGC and GOMEMLIMIT are
    ///     taken from it).
    ///   - processes: how many compile and link processes may run at once (the memory
    ///     budget of `CollectorTuning` is shared among them); by default one per core.
    ///   - memoryBytes: the memory to share; by default `CollectorTuning.availableMemory()`.
    public init(
        settings: BuildSettings, unitRoot: String, workFile: String?, repositoryRoot: String,
        inherited: [String: String], processes: Int? = nil, memoryBytes: UInt64?? = nil
    ) {
        self.settings = settings
        self.directory = unitRoot.isEmpty || unitRoot == "." ? repositoryRoot : repositoryRoot + "/" + unitRoot
        var env = GoToolchain.baseEnvironment(inherited)
        env.merge(GoToolchain.platformEnvironment(settings)) { $1 }
        env["GOFLAGS"] = ""
        env["GOWORK"] = workFile.map { repositoryRoot + "/" + $0 } ?? "off"
        if let fips = settings.gofips140 { env["GOFIPS140"] = fips }
        if settings.cgoEnabled {
            if let cc = settings.cc { env["CC"] = cc }
            for (name, value) in settings.cgoFlags { env[name] = value }
        }
        env.merge(
            CollectorTuning.environment(
                inherited: inherited, processes: processes ?? ProcessInfo.processInfo.activeProcessorCount,
                memoryBytes: memoryBytes ?? CollectorTuning.availableMemory())
        ) { $1 }
        self.environment = env
        var flags: [String] = []
        if settings.trimpath { flags.append("-trimpath") }
        flags.append("-buildvcs=\(settings.buildvcs)")
        if !settings.ldflags.isEmpty { flags.append("-ldflags=" + settings.ldflags) }
        if !settings.gcflags.isEmpty { flags.append("-gcflags=" + settings.gcflags) }
        if !settings.tags.isEmpty { flags.append("-tags=" + settings.tagsFlag) }
        self.flags = flags
    }

    /// This command made to compile anew the packages whose included files (headers outside
    /// the package, which the go command's own cache does not see) have changed: `digests`
    /// (the jobs' `TargetKey.includedFilesDigest`s) become a macro in `CGO_CPPFLAGS` (every
    /// C, C++ and Objective-C compile reads it) and, for the packages with assembly
    /// (`assemblyPackages`), an assembler `-D`. Both enter the go command's action ids and
    /// define a name no source uses: the object code does not change, only which cache entry
    /// the go command may reuse (the same digest, the same entries). Unchanged without digests.
    public func forcingRecompile(digests: [String], assemblyPackages: [String]) -> GoBuildCommand {
        let unique = Array(Set(digests)).sorted()
        guard !unique.isEmpty else { return self }
        let combined = unique.count == 1 ? unique[0] : ((try? SHA256Hasher.hash(Array(unique.joined(separator: ",").utf8)).hex) ?? unique[0])
        let name = "GOCACHE_INCLUDES_" + combined.prefix(16)
        var command = self
        let macro = "-D" + name
        command.environment["CGO_CPPFLAGS"] = environment["CGO_CPPFLAGS"].map { $0.isEmpty ? macro : $0 + " " + macro } ?? macro
        for package in Array(Set(assemblyPackages)).sorted() {
            command.flags.append("-asmflags=" + package + "=-D=" + name)
        }
        return command
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

/// The garbage collector settings of the go command and the compile and link processes it
/// starts. They change how fast the toolchain runs, never what it builds: the go command
/// keys its cache and stamps binaries without them.
///
/// With the default `GOGC=100` the linker of a Lambda binary spends a good part of its time
/// collecting garbage it would never run short of memory for: measured on the benchmark
/// machine, one `go build` of 10 functions took 0.735 s (median of 6) with the default and
/// 0.645 s with `GOGC=off` (12% less). So gocache runs the toolchain with `GOGC=off` and a
/// `GOMEMLIMIT` (the runtime then collects only when a process nears the limit): each of the
/// processes that may run at once gets half of its share of the machine's memory (or the
/// cgroup's limit, in a container). When that share is under 512 MiB, or when the user's
/// environment sets `GOGC` or `GOMEMLIMIT`, the toolchain runs as configured there.
public enum CollectorTuning {
    /// The smallest per-process limit for which the collector is turned off.
    public static let minimumLimit: UInt64 = 512 << 20

    /// `GOGC` and `GOMEMLIMIT` for the go command's environment.
    public static func environment(inherited: [String: String], processes: Int, memoryBytes: UInt64?) -> [String: String] {
        let userGOGC = inherited["GOGC"]
        let userLimit = inherited["GOMEMLIMIT"]
        if userGOGC != nil || userLimit != nil {
            var env: [String: String] = [:]
            env["GOGC"] = userGOGC
            env["GOMEMLIMIT"] = userLimit
            return env
        }
        guard let memoryBytes else { return [:] }
        let limit = memoryBytes / UInt64(2 * max(1, processes))
        guard limit >= minimumLimit else { return [:] }
        return ["GOGC": "off", "GOMEMLIMIT": String(limit)]
    }

    /// Physical memory, or the cgroup's memory limit when lower (v2 `memory.max`, v1
    /// `memory.limit_in_bytes`); nil when unknown.
    public static func availableMemory() -> UInt64? {
        var result: UInt64?
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 { result = UInt64(pages) * UInt64(pageSize) }
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            guard let data = FileManager.default.contents(atPath: file),
                let limit = UInt64(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            else { continue }
            result = min(result ?? limit, limit)
        }
        return result
    }
}
