import ArgumentParser
import CacheStore
#if os(Linux)
import CExecutableShims
#endif
import Foundation
import GoBuild
import GraphCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--cache-dir` and the remote-cache flags shared by `build` and `plan`.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("The cache directory (default: $GOCACHE_DIR, $XDG_CACHE_HOME/gocache, ~/.cache/gocache).", valueName: "dir"))
    var cacheDir: String?

    @Option(name: .long, help: ArgumentHelp("A remote cache (bazel-remote, nginx WebDAV): http(s)://[user:password@]host[:port][/prefix]; default $GOCACHE_REMOTE. A bearer token comes from $GOCACHE_REMOTE_TOKEN.", valueName: "url"))
    var remote: String?

    @Flag(name: .customLong("remote-read-only"), help: "Read the remote cache but never write to it.")
    var remoteReadOnly = false

    var cacheDirectory: String {
        CacheDirectory.resolve(flag: cacheDir, environment: ProcessInfo.processInfo.environment)
    }

    /// The tiered store; remote warnings go to stderr as they happen.
    func store() throws -> TieredStore {
        let environment = ProcessInfo.processInfo.environment
        let local = LocalStore(cacheDirectory: cacheDirectory)
        let url = remote ?? environment["GOCACHE_REMOTE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let url else { return TieredStore(local: local, remote: nil) }
        let warnings = StoreWarnings { Stderr.write("warning: \($0)\n") }
        let help = "pass --remote http(s)://host[:port][/prefix] (or set GOCACHE_REMOTE)"
        do {
            try RemoteStore.validate(url: url)
        } catch {
            throw CommandFailure.badInput("\(error)", help: help)
        }
        #if os(Linux)
        // The release binary opens libcurl only now (CExecutableShims); without it there is no HTTP,
        // and a remote cache never fails a build: the local store only, said once.
        if let reason = gocache_curl_load() {
            warnings.report(
                "remote cache \(RemoteStore.redact(url)) not used: \(String(cString: reason)); install libcurl 4 (Debian: apt-get install libcurl4)")
            return TieredStore(local: local, remote: nil)
        }
        #endif
        do {
            let remoteStore = try RemoteStore(
                url: url, environment: environment, configuration: .init(readOnly: remoteReadOnly), warnings: warnings)
            return TieredStore(local: local, remote: remoteStore)
        } catch {
            throw CommandFailure.badInput("\(error)", help: help)
        }
    }
}

/// `--repo` and the platform flags of the commands that read the working tree only.
struct WorktreeOptions: ParsableArguments {
    @Option(name: .long, help: "The repository (or a directory inside it).")
    var repo: String = "."

    @OptionGroup var platform: PlatformOptions

    /// Opens the working tree for keys and builds (standard packages as leaves);
    /// parsed headers and file digests are memoised in `cacheDirectory`.
    func openSession(cacheDirectory: String) async throws -> RepositorySession {
        do {
            return try await RepositorySession.open(
                path: repo, revision: nil, overrides: platform.overrides, goBinary: platform.go,
                memoDirectory: cacheDirectory + "/memo", digestCacheDirectory: cacheDirectory, standardLibrary: .importedOnly)
        } catch {
            throw CommandFailure.from(error)
        }
    }
}

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the working tree's targets as Lambda zips, compiling only cache misses.",
        discussion: """
            Keys every selected target, restores hits from the local store (then the remote), \
            compiles the misses with the go command and stores them. The output directory \
            (--out, default dist/ at the repository root) gets <name>/bootstrap, <name>.zip and \
            manifest.json. Exit status 1 when a target fails to compile (the others still finish).
            CI fan-out: `gocache plan --shards N --out plan.json`, then on each shard \
            `gocache build --plan plan.json --shard I/N --remote URL`, then a final \
            `gocache build --remote URL` assembles every artifact from the cache.
            """)

    @OptionGroup var worktree: WorktreeOptions
    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "Target directories (default: all targets).")
    var targets: [String] = []

    @Option(name: .long, help: ArgumentHelp("Build only targets affected since this revision.", valueName: "rev"))
    var base: String?

    @Option(name: .long, help: ArgumentHelp("The output directory (default: dist/ at the repository root).", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: "Go invocations at once when building one target per invocation (default: the number of cores).")
    var jobs: Int?

    @Option(name: .long, help: "auto (= batch, measured faster), batch (one go build per platform) or parallel (one per target).")
    var strategy: StrategyArgument = .auto

    @Flag(name: .customLong("fail-fast"), help: "Stop at the first target that fails to compile.")
    var failFast = false

    @Flag(
        name: .customLong("copy-outputs"),
        help: ArgumentHelp(
            "Write outputs as copies, independent of the local store's files.",
            discussion: "By default, where the output and cache directories share a file system, a hit's bootstrap and zip are hard links to the store's verified files, and a new binary and zip become the stored blobs themselves. Tools that rewrite an output in place would change the stored blob (detected on its next read, then rebuilt); with this flag outputs are independent copies."))
    var copyOutputs = false

    @Option(name: .long, help: ArgumentHelp("A plan written by `gocache plan` (with --shard).", valueName: "file"))
    var plan: String?

    @Option(name: .long, help: ArgumentHelp("The shard of --plan to build, I/N with I from 1.", valueName: "I/N"))
    var shard: String?

    @Option(name: .long, help: "Stdout: text (one line per target) or json (the manifest).")
    var format: BuildOutputFormat = .text

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if (plan == nil) != (shard == nil) { throw ValidationError("--plan and --shard go together") }
        if plan != nil, !targets.isEmpty || base != nil {
            throw ValidationError("--plan selects the targets; do not also name targets or --base")
        }
        if base != nil, !targets.isEmpty { throw ValidationError("give target directories or --base, not both") }
        if let shard, ShardSpec(shard) == nil {
            throw ValidationError("--shard takes I/N with 1 <= I <= N, such as 2/4; not \(shard)")
        }
    }

    func run() async throws {
        let cacheDirectory = storeOptions.cacheDirectory
        let session = try await worktree.openSession(cacheDirectory: cacheDirectory)
        let store = try storeOptions.store()
        let selection: TargetSelection
        var planned: ShardPlan?
        if let plan, let shard, let spec = ShardSpec(shard) {
            let loaded = try Self.readPlan(plan)
            guard loaded.shards == spec.count else {
                throw CommandFailure.badInput(
                    "--shard \(shard) does not match \(plan), which has \(loaded.shards) shards",
                    help: "pass --shard I/\(loaded.shards)")
            }
            if store.remote == nil {
                Stderr.write("warning: no remote cache (--remote or GOCACHE_REMOTE): this shard's artifacts stay on this machine\n")
            }
            planned = loaded
            selection = .precomputed(loaded.dirs(ofShard: spec.index))
            // Targets the plan does not know are in no shard: the final build compiles them.
            let known = Set(loaded.targets.map(\.dir))
            let unplanned = session.repository.targets.map(\.dir).filter { !known.contains($0) }
            if loaded.coversAllTargets == true, !unplanned.isEmpty {
                Stderr.write(
                    "warning: \(unplanned.count) target(s) are in no shard of \(plan) (added since it was made: "
                        + unplanned.prefix(3).joined(separator: ", ") + (unplanned.count > 3 ? ", …" : "")
                        + "); the final build compiles them — make the plan from the same commit\n")
            }
        } else if let base {
            do {
                selection = .precomputed(
                    try await AffectedSelection.affectedDirs(
                        since: base, session: session, overrides: worktree.platform.overrides, cacheDirectory: cacheDirectory))
            } catch {
                throw CommandFailure.from(error)
            }
        } else {
            selection = targets.isEmpty ? .all : .listed(targets)
        }
        if case .listed(let dirs) = selection {
            for dir in dirs where session.repository.target(atDir: dir) == nil {
                throw CommandFailure.unknownTarget(dir, known: session.repository.targets.map(\.dir))
            }
        }
        let outDirectory = Self.absolute(out ?? session.location.workdir + "/dist")
        let options = BuildOptions(
            outputDirectory: outDirectory, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, failFast: failFast, strategy: strategy.strategy,
            cacheDirectory: cacheDirectory, publishHits: planned != nil, linkOutputs: !copyOutputs)
        let progress = BuildProgress(live: isatty(STDERR_FILENO) == 1)
        let builder = Builder(session: session, store: store, options: options) { progress.handle($0) }

        let task = Task { try await builder.build(selection) }
        // Ctrl-C, a kill, or the terminal or ssh session closing (SIGHUP): the go processes
        // run in their own process group, so without this they would outlive gocache.
        let interrupts = [SIGINT, SIGTERM, SIGHUP].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { task.cancel() }
            source.resume()
            return source
        }
        defer { interrupts.forEach { $0.cancel() } }
        let result: BuildResult
        do {
            result = try await task.value
        } catch is CancellationError {
            progress.finishLine()
            Stderr.write("interrupted: go processes stopped; completed artifacts kept, manifest.json removed (not written)\n")
            throw ExitCode(130)
        } catch let error as BuildError {
            progress.finishLine()
            throw CommandFailure(message: error.description, help: "check that the output directory and the go command are usable", status: 2)
        } catch let error as StoreError {
            progress.finishLine()
            throw CommandFailure(
                message: error.description,
                help: "check that the cache directory is on a writable file system with space left, or pass another --cache-dir",
                status: 2)
        } catch {
            progress.finishLine()
            throw CommandFailure(message: "\(error)", help: "check the files named above", status: 2)
        }
        progress.summary(result.manifest, outDirectory: outDirectory)
        if let planned {
            let plannedKeys = Dictionary(planned.targets.map { ($0.dir, $0.key) }, uniquingKeysWith: { first, _ in first })
            for target in result.manifest.targets where plannedKeys[target.dir] != target.key {
                Stderr.write("warning: \(target.dir) has another key than when the plan was made; the tree differs from the planned one\n")
            }
        }
        switch format {
        case .text:
            Stdout.write(
                result.manifest.targets.map { "\($0.status.rawValue)\t\($0.dir)\t\($0.zip.map { outDirectory + "/" + $0 } ?? "-")\n" }
                    .joined())
        case .json:
            Stdout.write(String(decoding: try result.manifest.encoded(), as: UTF8.self))
        }
        if !result.succeeded { throw ExitCode(1) }
    }

    static func absolute(_ path: String) -> String {
        var path = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    static func readPlan(_ path: String) throws -> ShardPlan {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure.badInput("cannot read the plan \(path)", help: "write one with `gocache plan --shards N --out \(path)`")
        }
        do {
            return try ShardPlan.decode(Array(data))
        } catch {
            throw CommandFailure.badInput("\(path) is not a plan: \(error)", help: "write one with `gocache plan --shards N --out \(path)`")
        }
    }
}

enum BuildOutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// `--strategy`, mirroring `BuildStrategy`.
enum StrategyArgument: String, ExpressibleByArgument, CaseIterable {
    case auto, batch, parallel

    var strategy: BuildStrategy {
        switch self {
        case .auto: return .auto
        case .batch: return .batch
        case .parallel: return .parallel
        }
    }
}

/// `I/N` of `--shard`.
struct ShardSpec {
    var index: Int
    var count: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index >= 1, index <= count
        else { return nil }
        self.index = index
        self.count = count
    }
}

/// Renders build events on stderr: one live line on a terminal, plain event lines otherwise;
/// compiler errors always in full.
final class BuildProgress: Sendable {
    private struct State {
        var total = 0
        var done = 0
        var hits = 0
        var building = 0
        var failed = 0
        var lineShown = false
    }

    private let live: Bool
    private let started = ContinuousClock.now
    private let state = Mutex(State())

    init(live: Bool) { self.live = live }

    private var elapsed: String {
        let duration = ContinuousClock.now - started
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: "%.1fs", seconds)
    }

    func handle(_ event: BuildEvent) {
        state.withLock { state in
            var line: String?
            switch event {
            case .started(let total):
                state.total = total
                line = total == 1 ? "1 target" : "\(total) targets"
            case .warning(let message):
                clear(&state)
                Stderr.write("warning: \(message)\n")
            case .hit(let dir, let remote):
                state.done += 1
                state.hits += 1
                line = "hit \(dir)\(remote ? " (remote)" : "")"
            case .compiling(let dirs, let strategy):
                state.building += dirs.count
                line = dirs.count == 1 ? "compiling \(dirs[0])" : "compiling \(dirs.count) targets (\(strategy.rawValue))"
            case .built(let dir, let seconds):
                state.building = max(0, state.building - 1)
                state.done += 1
                line = "built \(dir) in " + String(format: "%.1fs", seconds)
            case .failed(let dir, let output):
                state.building = max(0, state.building - 1)
                state.done += 1
                state.failed += 1
                clear(&state)
                Stderr.write("error: \(dir) failed to compile:\n\(output.hasSuffix("\n") ? output : output + "\n")")
            case .retryingSeparately(let dirs):
                state.building = max(0, state.building - dirs.count)
                line = "a batch of \(dirs.count) failed; building them one by one"
            case .skipped(let dir):
                state.done += 1
                line = "skipped \(dir) (--fail-fast)"
            }
            if live {
                Stderr.write(
                    "\r\u{1b}[K[\(state.done)/\(state.total)] hits \(state.hits), building \(state.building)"
                        + (state.failed > 0 ? ", failed \(state.failed)" : "") + ", \(elapsed)")
                state.lineShown = true
            } else if let line {
                Stderr.write(line + "\n")
            }
        }
    }

    private func clear(_ state: inout State) {
        if live && state.lineShown {
            Stderr.write("\r\u{1b}[K")
            state.lineShown = false
        }
    }

    func finishLine() {
        state.withLock { clear(&$0) }
    }

    func summary(_ manifest: BuildManifest, outDirectory: String) {
        finishLine()
        let totals = manifest.totals
        var text = "built \(totals.built), hits \(totals.hits)"
        if totals.failed > 0 { text += ", failed \(totals.failed)" }
        if totals.skipped > 0 { text += ", skipped \(totals.skipped)" }
        text += " of \(totals.targets) targets in " + String(format: "%.1fs", totals.seconds) + " → \(outDirectory)"
        Stderr.write(text + "\n")
    }
}
