import CacheStore
import Foundation
import GoBuild
import GraphCore
import Synchronization

/// While a run is recorded for the run memo, `Stdout.write` and `Stderr.write` also append
/// what they write here.
enum OutputRecording {
    static let buffers = Mutex<RunMemo.Output?>(nil)

    static func start() {
        buffers.withLock { $0 = RunMemo.Output(stdout: [], stderr: []) }
    }

    static func finish() -> RunMemo.Output? {
        buffers.withLock { recorded in
            defer { recorded = nil }
            return recorded
        }
    }

    static func stdout(_ text: String) {
        buffers.withLock { $0?.stdout.append(contentsOf: text.utf8) }
    }

    static func stderr(_ text: String) {
        buffers.withLock { $0?.stderr.append(contentsOf: text.utf8) }
    }
}

/// One run of a reading command (`affected`, `hash`) under the run memo (`RunMemo`): on a
/// hit the remembered output is printed and nothing is loaded; on a miss the run's output
/// is recorded and remembered when the command succeeds.
struct MemoizedRun {
    let memo: RunMemo
    let key: RunMemoKey

    /// The memo of this run, or nil when it does not apply: `GOCACHE_RUN_MEMO=off`, a cache
    /// directory inside the working tree (writing the memo would change what it keys on), an
    /// executable that cannot be identified, or a working tree changed too recently for its
    /// stat data to stand for its content (git's racy-clean rule).
    ///
    /// - Parameters:
    ///   - revisions: the commits the command reads, labelled.
    ///   - worktree: the working-tree snapshot the command reads, if any; it is walked here,
    ///     and keeps the listings for the load that follows on a miss.
    ///   - extra: inputs that are not on the command line (a path list read from stdin).
    static func begin(
        command: String, cacheDirectory: String, location: RepositoryLocation, toolchain: GoToolchain,
        revisions: [(String, Snapshot)], worktree: Snapshot?, extra: [String: [String]] = [:]
    ) -> MemoizedRun? {
        var trace = PhaseTrace("run memo")
        defer { trace.report() }
        let environment = ProcessInfo.processInfo.environment
        guard let memo = RunMemo(memoDirectory: cacheDirectory + "/memo", environment: environment) else { return nil }
        let cwd = FileManager.default.currentDirectoryPath
        // `..` and `.` resolved (a `--cache-dir ../c` beside the tree is not inside it).
        let cache = ((cacheDirectory.hasPrefix("/") ? cacheDirectory : cwd + "/" + cacheDirectory) as NSString).standardizingPath
        if cache == location.workdir || cache.hasPrefix(location.workdir + "/") {
            trace.mark("off: the cache directory is inside the working tree")
            return nil
        }
        var key = RunMemoKey(command: command)
        guard key.addExecutable() else { return nil }
        key.add("arguments", list: Array(CommandLine.arguments.dropFirst()))
        key.add("cwd", cwd)
        key.addEnvironment(environment)
        key.addToolchain(toolchain)
        key.addRepository(location, environment: environment)
        for (label, snapshot) in revisions { key.addRevision(label, snapshot: snapshot) }
        for (label, list) in extra.sorted(by: { $0.key < $1.key }) { key.add(label, list: list) }
        if let worktree {
            let walked: WorktreeWalk??
            do {
                walked = try worktree.walkWorktree(limit: RunMemo.walkLimit)
            } catch {
                walked = nil
            }
            guard let outcome = walked else {
                trace.mark("off: the working tree cannot be walked")
                return nil
            }
            guard let walk = outcome else {
                trace.mark("off: the working tree has more than \(RunMemo.walkLimit) entries")
                return nil
            }
            trace.mark(
                "walk \(walk.directories.count) directories, \(walk.fileCount) files (\(walk.indexedFileCount) known by git's index)")
            guard key.addWorktree(walk) else {
                trace.mark("off: files changed within a second of the walk (racy)")
                return nil
            }
        }
        guard let digest = try? key.digest() else {
            trace.mark("off: SHA-256 is unavailable")
            return nil
        }
        trace.mark("key \(digest.hex.prefix(16))")
        return MemoizedRun(memo: memo, key: key)
    }

    /// Prints the remembered output and returns true on a hit; otherwise starts recording
    /// this run's output and returns false.
    func replay() -> Bool {
        var trace = PhaseTrace("run memo")
        defer { trace.report() }
        if let output = memo.lookup(key), output.holds(in: Self.moduleCache()) {
            FileHandle.standardOutput.write(Data(output.stdout))
            FileHandle.standardError.write(Data(output.stderr))
            trace.mark("hit")
            return true
        }
        trace.mark("miss")
        OutputRecording.start()
        return false
    }

    /// Remembers the recorded output of a run that succeeded, with the module cache and the
    /// compilers and pkg-config as the run found them.
    func finish() {
        guard var output = OutputRecording.finish() else { return }
        output.moduleFacts = Self.moduleCache()?.facts() ?? []
        output.externalFacts = ExternalFact.all
        memo.store(output, under: key)
    }

    /// The module cache the run's loads read (the environment's, as `RepositorySession` finds it).
    static func moduleCache() -> ModuleCache? {
        ModuleCache.location(environment: ProcessInfo.processInfo.environment).flatMap { ModuleCache.shared(root: $0) }
    }
}
