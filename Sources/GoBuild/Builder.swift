public import CacheStore
import Foundation
import GraphCore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How misses of one platform are compiled.
public enum BuildStrategy: String, Hashable, Sendable, CaseIterable {
    /// The faster of the two as measured by the benchmarks (docs/benchmarks.md, "batch or
    /// parallel"): `batch`. One go command shares package loading, the standard library's
    /// staleness checks and every shared package's compile between the targets, and links
    /// them in parallel; separate invocations repeat all of that per target.
    case auto
    /// One `go build -o DIR/ pkg…` per build unit and platform.
    case batch
    /// One `go build -o FILE pkg` per target, `jobs` at a time.
    case parallel
}

/// Knobs of a build.
public struct BuildOptions: Sendable {
    /// Where `<name>/bootstrap`, `<name>.zip` and `manifest.json` go (absolute).
    public var outputDirectory: String
    /// Go invocations at once for the `parallel` strategy (default: the number of cores).
    public var jobs: Int
    /// Stop at the first target that fails to compile.
    public var failFast: Bool
    public var strategy: BuildStrategy
    /// The cache directory, for the timing memos (strategy speeds, per-target durations).
    public var cacheDirectory: String?
    /// Upload local hits that the remote lacks (shard builds, so the final assembly finds
    /// every artifact remotely).
    public var publishHits: Bool
    /// The environment gocache runs in (default: this process's); the go command gets only
    /// the parts `GoBuildCommand` takes.
    public var environment: [String: String]
    /// Restore hits as hard links to the local store's files where the file system allows
    /// (still read and verified; no bytes written), else as copies. A linked output shares
    /// its bytes with the store: a tool that rewrites it in place instead of replacing it
    /// changes the stored blob, which the next read detects (a miss, built again).
    public var linkOutputs: Bool

    /// Options with the defaults of `gocache build`.
    public init(
        outputDirectory: String, jobs: Int? = nil, failFast: Bool = false,
        strategy: BuildStrategy = .auto, cacheDirectory: String? = nil, publishHits: Bool = false,
        environment: [String: String]? = nil, linkOutputs: Bool = true
    ) {
        self.outputDirectory = outputDirectory
        self.jobs = max(1, jobs ?? ProcessInfo.processInfo.activeProcessorCount)
        self.failFast = failFast
        self.strategy = strategy
        self.cacheDirectory = cacheDirectory
        self.publishHits = publishHits
        self.environment = environment ?? ProcessInfo.processInfo.environment
        self.linkOutputs = linkOutputs
    }
}

/// What a build reports while it runs, in order.
public enum BuildEvent: Hashable, Sendable {
    /// Keys are computed; `total` targets selected.
    case started(total: Int)
    /// A setting that makes binaries differ from build to build, or another non-fatal problem.
    case warning(String)
    /// A target restored from the store (`remote` when the local store did not have it).
    case hit(dir: String, remote: Bool)
    /// A go invocation started for these targets.
    case compiling(dirs: [String], strategy: BuildStrategy)
    /// A target compiled, packaged and stored.
    case built(dir: String, seconds: Double)
    /// A target failed to compile; `output` is the go command's error output.
    case failed(dir: String, output: String)
    /// A batch failed; its targets are rebuilt one by one.
    case retryingSeparately(dirs: [String])
    /// A target was not attempted (`--fail-fast`).
    case skipped(dir: String)
}

/// The outcome of a build: the document written to `manifest.json`.
public struct BuildResult: Hashable, Sendable {
    public var manifest: BuildManifest
    /// Whether every target is a hit or built.
    public var succeeded: Bool { manifest.totals.failed == 0 && manifest.totals.skipped == 0 }
}

/// Errors that stop a build as a whole (a target that fails to compile does not).
public enum BuildError: Error, Hashable, Sendable, CustomStringConvertible {
    case outputDirectory(path: String, reason: String)
    case goCommand(String)
    case packaging(dir: String, reason: String)

    public var description: String {
        switch self {
        case .outputDirectory(let path, let reason): return "cannot write the output directory \(path): \(reason)"
        case .goCommand(let reason): return "cannot run the go command: \(reason)"
        case .packaging(let dir, let reason): return "cannot package \(dir): \(reason)"
        }
    }
}

/// Builds the working tree: keys the selected targets, restores hits from the store,
/// compiles only the misses, packages each binary as a Lambda zip and stores it.
public final class Builder: Sendable {
    /// The artifact names in a store entry.
    public static let binaryArtifact = "bootstrap"
    public static let zipArtifact = "function.zip"

    public let session: RepositorySession
    public let store: TieredStore
    public let options: BuildOptions
    private let events: @Sendable (BuildEvent) -> Void
    /// Whether the warning that the local store could not take a built target was given.
    private let storeFailureWarned = Mutex(false)

    /// A builder of `session`'s working tree over `store`; `events` is called as the build
    /// progresses (from any thread, one call at a time).
    public init(
        session: RepositorySession, store: TieredStore, options: BuildOptions,
        events: @escaping @Sendable (BuildEvent) -> Void = { _ in }
    ) {
        self.session = session
        self.store = store
        self.options = options
        let lock = Mutex(())
        self.events = { event in lock.withLock { _ in events(event) } }
    }

    /// One selected target with its key and output name.
    struct Job: Sendable {
        var target: GoTarget
        var key: TargetKey
        var name: String
    }

    /// Builds `selection`. Writes `manifest.json` last; a cancelled build throws
    /// `CancellationError`, kills its go processes and leaves no partial file behind.
    public func build(_ selection: TargetSelection) async throws -> BuildResult {
        let clock = ContinuousClock.now
        var trace = PhaseTrace("build")
        defer { trace.report() }
        // Blobs verified by reading in this build need not be read by the next one.
        defer { store.local.saveVerifiedStamps() }
        let repository = session.repository
        let targets = try selection.targets(in: repository)
        let names = OutputNames.names(for: repository.targets)
        let keys = try await TargetKeyRecipe.keys(
            for: targets, in: repository, tree: session.snapshot, goVersion: session.toolchain.version,
            digester: session.fileDigester(cacheDirectory: options.cacheDirectory), cCompiler: session.toolchain.cCompilerIdentity,
            compiler: session.toolchain.compilerIdentity(variable:),
            pkgConfig: session.toolchain.pkgConfigIdentity)
        let jobs = zip(targets, keys).map { Job(target: $0, key: $1, name: names[$0.dir] ?? $0.dir) }
        trace.mark("keys of \(jobs.count) targets")
        events(.started(total: jobs.count))
        var warned = Set<String>()
        let selectedDirs = Set(targets.map(\.dir))
        for conflict in OutputNames.conflicts(for: repository.targets) where selectedDirs.contains(conflict.dir) {
            events(.warning(conflict.message))
        }
        for job in jobs {
            for warning in GoBuildCommand.reproducibilityWarnings(job.target.settings) where warned.insert(warning).inserted {
                events(.warning(warning))
            }
        }

        var outcomes: [String: BuildManifest.Target] = [:]
        // Hits are restored while the misses compile (copies are I/O, compiles CPU); a hit
        // whose blobs turn out missing or corrupt is compiled afterwards.
        var hits: [(Job, Found)] = []
        var misses: [Job] = []
        // A target reading a directory outside the repository has a key that does not cover
        // it: built every time, never restored, never stored.
        let unkeyable = jobs.filter { !$0.key.inputs.outside.isEmpty }
        for job in unkeyable {
            events(
                .warning(
                    "\(job.target.dir) reads \(job.key.inputs.outside.joined(separator: ", ")) outside the repository, which its "
                        + "key does not cover: built every time, never cached (move or vendor that module into the repository)"))
        }
        misses += unkeyable
        for (job, found) in try await lookUp(jobs.filter { $0.key.inputs.outside.isEmpty }) {
            if let found { hits.append((job, found)) } else { misses.append(job) }
        }
        trace.mark("look up")
        // A store that cannot be written fails the build now, not after every miss compiled;
        // a build of hits alone (or of targets never stored) writes nothing there and goes on
        // (a cache mounted read-only for untrusted jobs).
        if misses.contains(where: { $0.key.inputs.outside.isEmpty }) { try store.local.checkWritable() }
        let out = options.outputDirectory
        let staging = out + "/.gocache-staging-\(getpid())-\(UUID().uuidString.prefix(8))"
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw BuildError.outputDirectory(path: out, reason: "it is a file, not a directory")
        }
        if mkdir(out, 0o777) != 0, errno != EEXIST, errno != ENOENT {
            throw BuildError.outputDirectory(path: out, reason: String(cString: strerror(errno)))
        }
        // One build writes an output directory at a time: another one (a second terminal, a
        // parallel CI step on one dist/) waits, so the manifest always describes the files
        // beside it. The lock is on the directory itself (no lock file among the outputs),
        // and goes with the process.
        let outputLock = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if outputLock >= 0 { close(outputLock) } }
        if outputLock >= 0, flock(outputLock, LOCK_EX | LOCK_NB) != 0, errno == EWOULDBLOCK {
            events(.warning("another gocache build is writing \(out); waiting for it to finish"))
            // Polled, not blocked in flock(2): Ctrl-C or a SIGTERM (task cancellation) ends
            // the wait at once.
            while flock(outputLock, LOCK_EX | LOCK_NB) != 0, errno == EWOULDBLOCK || errno == EINTR {
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            let code = (error as NSError).userInfo[NSUnderlyingErrorKey].flatMap { ($0 as? NSError)?.code }
            throw BuildError.outputDirectory(
                path: out, reason: code.map { String(cString: strerror(Int32($0))) } ?? error.localizedDescription)
        }
        defer { try? FileManager.default.removeItem(atPath: staging) }
        Self.removeAbandonedStaging(in: out)
        // The previous run's manifest describes the zips it placed: gone before any output of
        // this run is placed, so an interrupted run leaves no manifest that lies about them.
        let previous = Self.readJSON(BuildManifest.self, at: out + "/" + BuildManifest.fileName)
        if unlink(out + "/" + BuildManifest.fileName) != 0, errno != ENOENT {
            throw BuildError.outputDirectory(path: out, reason: "cannot remove the previous manifest.json: \(String(cString: strerror(errno)))")
        }

        async let restoring = restoreAll(hits)
        var stopped = false
        for result in try await compileAll(misses, staging: staging + "/m", stopped: &stopped) {
            outcomes[result.dir] = result
        }
        trace.mark("compile and package \(misses.count) misses")
        var lost: [Job] = []
        for (job, restored) in try await restoring {
            if let restored { outcomes[job.target.dir] = restored } else { lost.append(job) }
        }
        trace.mark("restore \(hits.count) hits (rest)")
        for result in try await compileAll(lost, staging: staging + "/l", stopped: &stopped) {
            outcomes[result.dir] = result
        }
        recordDurations(outcomes.values.filter { $0.status == .built })

        let elapsed = ContinuousClock.now - clock
        let manifest = BuildManifest(
            targets: jobs.map { outcomes[$0.target.dir] ?? skipped($0) },
            seconds: Self.seconds(elapsed), toolchainVersion: session.toolchain.version,
            platform: "\(repository.defaultSettings.goos)/\(repository.defaultSettings.goarch)")
        try Task.checkCancellation()
        removeOutputsOfRemovedTargets(previous, keeping: Set(jobs.map(\.name)))
        trace.mark("finish")
        do {
            // Marks the directory as gocache's output: `extraInputs` globs never match in it
            // (its manifest holds timings; a fresh clone has none of it).
            if access(out + "/" + FileGlob.outputMarker, F_OK) != 0 {
                _ = Self.writeFile([], to: out + "/" + FileGlob.outputMarker)
            }
            try writeAtomically(try manifest.encoded(), to: out + "/" + BuildManifest.fileName, staging: staging)
        } catch let error as BuildError {
            throw error
        } catch {
            throw BuildError.outputDirectory(path: out, reason: "\(error)")
        }
        return BuildResult(manifest: manifest)
    }

    /// Removes what the previous run placed for targets the repository no longer has (the
    /// previous `manifest.json` lists them): `<name>.zip` and `<name>/bootstrap` (the
    /// directory too, when nothing else is in it) — a deploy step iterating over `dist/`
    /// would otherwise ship deleted functions. Outputs of targets that still exist but were
    /// not selected stay; names this run placed are not touched.
    private func removeOutputsOfRemovedTargets(_ previous: BuildManifest?, keeping names: Set<String>) {
        guard let previous else { return }
        let existing = Set(session.repository.targets.map(\.dir))
        let out = options.outputDirectory
        for target in previous.targets where !existing.contains(target.dir) && !names.contains(target.name) {
            // A name from a manifest is one path element; anything else is not gocache's.
            guard !target.name.isEmpty, !target.name.contains("/"), target.name != ".", target.name != ".." else { continue }
            unlink("\(out)/\(target.name).zip")
            unlink("\(out)/\(target.name)/\(LambdaZip.entryName)")
            rmdir("\(out)/\(target.name)")
        }
    }

    /// Removes staging directories (`.gocache-staging-<pid>-…`) whose process is gone (killed
    /// mid-build, e.g. by SIGKILL): no live build writes there.
    static func removeAbandonedStaging(in out: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: out) else { return }
        for name in names where name.hasPrefix(".gocache-staging-") {
            let rest = name.dropFirst(".gocache-staging-".count)
            guard let pid = Int32(rest.prefix { $0.isNumber }), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: out + "/" + name) }
        }
    }

    struct GroupKey: Hashable {
        var unitRoot: String
        var settings: BuildSettings
    }

    /// Compiles `misses`, grouped by build unit and settings; after a failure with
    /// `--fail-fast` (`stopped`), the rest are skipped.
    private func compileAll(_ misses: [Job], staging: String, stopped: inout Bool) async throws -> [BuildManifest.Target] {
        var groups: [[Job]] = []
        var groupIndex: [GroupKey: Int] = [:]
        for job in misses {
            let key = GroupKey(unitRoot: job.target.unitRoot, settings: job.target.settings)
            if let index = groupIndex[key] {
                groups[index].append(job)
            } else {
                groupIndex[key] = groups.count
                groups.append([job])
            }
        }
        var results: [BuildManifest.Target] = []
        for (index, group) in groups.enumerated() {
            if stopped {
                for job in group {
                    results.append(skipped(job))
                    events(.skipped(dir: job.target.dir))
                }
                continue
            }
            for result in try await compile(group, staging: staging + "/g\(index)") {
                results.append(result)
                if result.status == .failed { stopped = stopped || options.failFast }
            }
        }
        return results
    }

    // MARK: Hits

    /// A store entry found for a job's key, and whether it came from the remote.
    struct Found: Sendable {
        var manifest: ArtifactManifest
        var remote: Bool
    }

    /// Looks every job's key up (a few at a time, for remote latency): local, then remote.
    private func lookUp(_ jobs: [Job]) async throws -> [(Job, Found?)] {
        try await withThrowingTaskGroup(of: (Int, Found?).self) { group in
            var results = [Found?](repeating: nil, count: jobs.count)
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask { (index, try await self.find(jobs[index])) }
            }
            for _ in 0..<min(8, jobs.count) { add() }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < jobs.count { add() }
            }
            return Array(zip(jobs, results))
        }
    }

    private func find(_ job: Job) async throws -> Found? {
        if let manifest = try await store.local.manifest(for: job.key.key) { return Found(manifest: manifest, remote: false) }
        if store.remote != nil, let manifest = try await store.manifest(for: job.key.key) {
            return Found(manifest: manifest, remote: true)
        }
        return nil
    }

    /// Sets a file's mode to 0755 unless it already is.
    static func makeExecutable(_ path: String) {
        var info = stat()
        guard stat(path, &info) != 0 || UInt32(info.st_mode) & 0o7777 != 0o755 else { return }
        chmod(path, 0o755)
    }

    /// Restores the hits (a few at a time); nil for one whose blobs are gone or corrupt.
    private func restoreAll(_ hits: [(Job, Found)]) async throws -> [(Job, BuildManifest.Target?)] {
        try await withThrowingTaskGroup(of: (Int, BuildManifest.Target?).self) { group in
            var results = [BuildManifest.Target?](repeating: nil, count: hits.count)
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask { (index, try await self.restore(hits[index].0, found: hits[index].1)) }
            }
            for _ in 0..<min(8, hits.count) { add() }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < hits.count { add() }
            }
            return Array(zip(hits.map(\.0), results))
        }
    }

    /// Restores a hit into the output directory; nil when its blobs cannot be had.
    private func restore(_ job: Job, found: Found) async throws -> BuildManifest.Target? {
        let started = ContinuousClock.now
        let manifest = found.manifest
        let remote = found.remote
        guard let binary = manifest.artifacts.first(where: { $0.name == Self.binaryArtifact }),
            let zipArtifact = manifest.artifacts.first(where: { $0.name == Self.zipArtifact })
        else { return nil }
        let out = options.outputDirectory
        let binaryPath = "\(out)/\(job.name)/\(LambdaZip.entryName)"
        let placeBlob = options.linkOutputs ? store.linkBlob : store.copyBlob
        // A failure to write in the output directory is the output directory's (a directory
        // where the file goes…), not the store's.
        func place(_ digest: SHA256Digest, _ path: String) async throws -> Bool {
            do {
                return try await placeBlob(digest, path)
            } catch let error as StoreError where error.path == out || error.path.hasPrefix(out + "/") {
                throw BuildError.outputDirectory(path: path, reason: error.detail)
            }
        }
        guard try await place(binary.digest, binaryPath), try await place(zipArtifact.digest, "\(out)/\(job.name).zip")
        else { return nil }
        // The placed binary may be the store's file itself (a hard link): its mode is set
        // only when it differs, since a chmod would change its stamp (VerifiedBlobStamps).
        Self.makeExecutable(binaryPath)
        if options.publishHits, !remote, let remoteStore = store.remote, !remoteStore.configuration.readOnly,
            try await remoteStore.manifest(for: job.key.key) == nil
        {
            for artifact in manifest.artifacts {
                if let bytes = try await store.local.blob(artifact.digest) { try await remoteStore.putBlob(bytes) }
            }
            try await remoteStore.putManifest(manifest)
        }
        events(.hit(dir: job.target.dir, remote: remote))
        var entry = record(job, status: .hit, seconds: Self.seconds(ContinuousClock.now - started))
        entry.zip = job.name + ".zip"
        entry.binarySha256 = binary.digest.hex
        entry.zipSha256 = zipArtifact.digest.hex
        entry.codeSha256 = zipArtifact.digest.base64
        entry.bytes = zipArtifact.size
        return entry
    }

    // MARK: Misses

    /// Compiles one group (same unit, same settings) with the chosen strategy, falling back
    /// to one target at a time when a batch fails.
    private func compile(_ group: [Job], staging: String) async throws -> [BuildManifest.Target] {
        guard let first = group.first else { return [] }
        let unit = session.repository.layout.units.first { $0.rootDir == first.target.unitRoot }
        // A batch runs up to a process per core; one by one (`--jobs`, and a failed batch's
        // retry) that many go commands at once.
        let processes = ProcessInfo.processInfo.activeProcessorCount * min(options.jobs, group.count)
        let command = GoBuildCommand(
            settings: first.target.settings, unitRoot: first.target.unitRoot, workFile: unit?.workFilePath,
            repositoryRoot: session.location.workdir, inherited: options.environment, processes: processes)
        let strategy = chooseStrategy(count: group.count)
        if strategy == .batch {
            var results: [BuildManifest.Target] = []
            var failedBatches: [Job] = []
            for (index, batch) in Self.batches(group).enumerated() {
                if let built = try await compileBatch(batch, command: command, directory: "\(staging)/batch\(index)") {
                    results += built
                } else {
                    failedBatches += batch
                }
            }
            if failedBatches.isEmpty {
            } else {
                events(.retryingSeparately(dirs: failedBatches.map(\.target.dir)))
                results += try await compileSeparately(failedBatches, command: command, staging: staging + "/retry")
            }
            return results
        }
        let results = try await compileSeparately(group, command: command, staging: staging)
        return results
    }

    /// Splits a group so no two targets of a batch get the same executable name.
    static func batches(_ group: [Job]) -> [[Job]] {
        var batches: [[Job]] = []
        var names: [Set<String>] = []
        for job in group {
            let name = GoBuildCommand.executableName(importPath: job.target.importPath, goos: job.target.settings.goos)
            if let index = names.firstIndex(where: { !$0.contains(name) }) {
                batches[index].append(job)
                names[index].insert(name)
            } else {
                batches.append([job])
                names.append([name])
            }
        }
        return batches
    }

    /// One `go build -o DIR/ pkg…`; nil when it failed (the caller retries one by one).
    private func compileBatch(_ batch: [Job], command: GoBuildCommand, directory: String) async throws
        -> [BuildManifest.Target]?
    {
        if batch.count == 1 {
            let result = try await compileOne(batch[0], command: command, directory: directory)
            return [result]
        }
        let command = Self.forcingRecompile(command, for: batch)
        try makeDirectory(directory)
        events(.compiling(dirs: batch.map(\.target.dir), strategy: .batch))
        let started = ContinuousClock.now
        var trace = PhaseTrace("batch of \(batch.count)")
        defer { trace.report() }
        let result = try await runGo(
            command.arguments(
                output: directory + "/",
                packages: batch.map { GoBuildCommand.packageArgument(targetDir: $0.target.dir, unitRoot: $0.target.unitRoot) }),
            command: command)
        trace.mark("go build")
        guard result.succeeded else { return nil }
        let share = Self.seconds(ContinuousClock.now - started) / Double(batch.count)
        // Packaging (deflate, hashing) on all cores, and a few more at once: a package's store
        // writes wait for the disk off the cooperative pool (`TieredStore.putBuild`), while
        // the next one compresses.
        let packaged = try await withThrowingTaskGroup(of: (Int, BuildManifest.Target).self) { group in
            var results = [BuildManifest.Target?](repeating: nil, count: batch.count)
            var next = 0
            func add() {
                let index = next
                next += 1
                let job = batch[index]
                let file = directory + "/" + GoBuildCommand.executableName(importPath: job.target.importPath, goos: job.target.settings.goos)
                group.addTask { (index, try await self.finish(job, binaryAt: file, compileSeconds: share)) }
            }
            for _ in 0..<min(ProcessInfo.processInfo.activeProcessorCount + 2, batch.count) { add() }
            while let (index, result) = try await group.next() {
                results[index] = result
                if next < batch.count { add() }
            }
            return results.compactMap { $0 }
        }
        trace.mark("package and store")
        return packaged
    }

    /// Compiles targets one per go invocation, `jobs` at a time.
    private func compileSeparately(_ jobs: [Job], command: GoBuildCommand, staging: String) async throws -> [BuildManifest.Target] {
        let failFast = options.failFast
        return try await withThrowingTaskGroup(of: BuildManifest.Target.self) { group in
            var results: [BuildManifest.Target] = []
            var next = 0
            var stop = false
            func add() {
                let index = next
                next += 1
                group.addTask { try await self.compileOne(jobs[index], command: command, directory: "\(staging)/t\(index)") }
            }
            for _ in 0..<min(options.jobs, jobs.count) { add() }
            while let result = try await group.next() {
                results.append(result)
                if result.status == .failed && failFast { stop = true }
                if next < jobs.count {
                    if stop {
                        for job in jobs[next...] {
                            results.append(skipped(job))
                            events(.skipped(dir: job.target.dir))
                        }
                        next = jobs.count
                    } else {
                        add()
                    }
                }
            }
            return results
        }
    }

    /// `command` made to compile anew the packages of `jobs` whose headers from elsewhere
    /// changed (the go command's cache would reuse objects compiled from the old ones, and
    /// that binary would be stored under the new key).
    static func forcingRecompile(_ command: GoBuildCommand, for jobs: [Job]) -> GoBuildCommand {
        var assembly: [String] = []
        for job in jobs where job.key.includedFilesDigest != nil {
            for package in job.key.inputs.packages where !package.includedFiles.isEmpty && package.files.contains(where: { $0.hasSuffix(".s") }) {
                assembly.append(package.importPath)
            }
        }
        return command.forcingRecompile(digests: jobs.compactMap(\.key.includedFilesDigest), assemblyPackages: assembly)
    }

    /// One `go build -o FILE pkg`, then packaging; a compile error is a `.failed` record.
    private func compileOne(_ job: Job, command: GoBuildCommand, directory: String) async throws -> BuildManifest.Target {
        let command = Self.forcingRecompile(command, for: [job])
        try makeDirectory(directory)
        events(.compiling(dirs: [job.target.dir], strategy: .parallel))
        let started = ContinuousClock.now
        let file = directory + "/" + GoBuildCommand.executableName(importPath: job.target.importPath, goos: job.target.settings.goos)
        let result = try await runGo(
            command.arguments(
                output: file, packages: [GoBuildCommand.packageArgument(targetDir: job.target.dir, unitRoot: job.target.unitRoot)]),
            command: command)
        let seconds = Self.seconds(ContinuousClock.now - started)
        guard result.succeeded else {
            removeOutputs(of: job)
            let output = result.stderr.isEmpty ? "go build exited with status \(result.status)" : result.stderr
            events(.failed(dir: job.target.dir, output: output))
            var entry = record(job, status: .failed, seconds: seconds)
            entry.error = output
            return entry
        }
        return try await finish(job, binaryAt: file, compileSeconds: seconds)
    }

    private func runGo(_ arguments: [String], command: GoBuildCommand) async throws -> ProcessResult {
        do {
            return try await ProcessRunner.runCancellable(
                session.toolchain.goBinary, arguments, environment: command.environment, directory: command.directory)
        } catch let error as ProcessLaunchError {
            throw BuildError.goCommand(error.description)
        }
    }

    /// Packages a compiled binary, stores binary, zip and entry, and moves both into the
    /// output directory (each by an atomic rename).
    private func finish(_ job: Job, binaryAt path: String, compileSeconds: Double) async throws -> BuildManifest.Target {
        let started = ContinuousClock.now
        let dir = job.target.dir
        guard let binary = Self.readFile(path) else {
            throw BuildError.packaging(dir: dir, reason: "the go command wrote no binary at \(path)")
        }
        let package: LambdaZip.Package
        do {
            package = try LambdaZip.package(binary: binary)
        } catch {
            throw BuildError.packaging(dir: dir, reason: "\(error)")
        }
        // Beside the binary under a name no binary of the batch can have (an import path
        // element never starts with a dot): `<dir>/x.zip` would be the binary of a target
        // `…/x.zip` built in the same batch — and, linked into the store, its blob.
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let zipPath = String(path[..<slash]) + "." + String(path[slash...]) + ".zip"
        guard Self.writeFile(package.bytes, to: zipPath) else {
            throw BuildError.packaging(dir: dir, reason: "cannot write \(zipPath): \(String(cString: strerror(errno)))")
        }
        chmod(path, 0o755)
        try Task.checkCancellation()
        let seconds = compileSeconds + Self.seconds(ContinuousClock.now - started)
        // The go command read the inputs when it compiled, after the key was computed from
        // the listing: an input edited in between is in this binary but not in the key.
        // Such a binary is placed (it is what the files now say) but not stored under a key
        // that does not describe it.
        let moved = session.snapshot.pathsChangedSinceListing(job.key.inputs.files)
        if !job.key.inputs.outside.isEmpty {
            // Warned about when looked up: its key does not describe it.
        } else if !moved.isEmpty {
            events(
                .warning(
                    "\(dir): \(moved.count) input file(s) changed during the build (\(moved.prefix(3).joined(separator: ", ")))"
                        + "; its artifact is not stored in the cache — build again to cache it"))
        } else {
            do {
                try await storeArtifacts(
                    job, binary: binary, package: package, seconds: seconds,
                    files: options.linkOutputs ? (binary: path, zip: zipPath) : nil)
            } catch let error as StoreError where [ENOSPC, EDQUOT, EROFS].contains(error.code) {
                // The cache's file system filled up (or turned read-only) during the build:
                // the binary is good, only the cache misses it — as a failing remote, a
                // warning, not a failed build.
                let first = storeFailureWarned.withLock { warned in
                    defer { warned = true }
                    return !warned
                }
                if first {
                    events(.warning("cannot store built targets in the local store (\(error.description)); they are built but not cached"))
                }
            }
        }
        let out = options.outputDirectory
        try makeDirectory("\(out)/\(job.name)")
        try move(path, to: "\(out)/\(job.name)/\(LambdaZip.entryName)")
        try move(zipPath, to: "\(out)/\(job.name).zip")
        events(.built(dir: dir, seconds: seconds))
        var entry = record(job, status: .built, seconds: seconds)
        entry.zip = job.name + ".zip"
        entry.binarySha256 = package.binarySha256.hex
        entry.zipSha256 = package.zipSha256.hex
        entry.codeSha256 = package.codeSha256
        entry.bytes = Int64(package.bytes.count)
        return entry
    }

    /// Stores a built target's artifacts and its action entry: with `files` (the staging
    /// files holding those bytes, which become the outputs), by making them the stored blobs
    /// where a hard link can (no second copy written; outputs then share their bytes with the
    /// store, as restored hits do), else from memory — either way with the digests just
    /// computed, not read back, not hashed again.
    private func storeArtifacts(
        _ job: Job, binary: [UInt8], package: LambdaZip.Package, seconds: Double, files: (binary: String, zip: String)?
    ) async throws {
        let dir = job.target.dir
        let settings = job.target.settings
        let manifest = ArtifactManifest(
            key: job.key.key,
            artifacts: [
                .init(name: Self.binaryArtifact, digest: package.binarySha256, size: Int64(binary.count)),
                .init(name: Self.zipArtifact, digest: package.zipSha256, size: Int64(package.bytes.count)),
            ],
            metadata: [
                "dir": dir, "importPath": job.target.importPath, "goos": settings.goos, "goarch": settings.goarch,
                "toolchain": session.toolchain.version,
            ],
            durationSeconds: seconds, createdAt: Date())
        try await store.putBuild(
            [
                .init(bytes: binary, digest: package.binarySha256, file: files?.binary),
                .init(bytes: package.bytes, digest: package.zipSha256, file: files?.zip),
            ], manifest: manifest)
    }

    // MARK: Records and files

    private func record(_ job: Job, status: BuildManifest.Status, seconds: Double) -> BuildManifest.Target {
        BuildManifest.Target(
            dir: job.target.dir, name: job.name, importPath: job.target.importPath, goos: job.target.settings.goos,
            goarch: job.target.settings.goarch, key: job.key.key.hex, status: status, seconds: (seconds * 1000).rounded() / 1000)
    }

    private func skipped(_ job: Job) -> BuildManifest.Target {
        removeOutputs(of: job)
        return record(job, status: .skipped, seconds: 0)
    }

    /// Removes a target's artifacts of an earlier build, so a failed target has none.
    private func removeOutputs(of job: Job) {
        let out = options.outputDirectory
        try? FileManager.default.removeItem(atPath: "\(out)/\(job.name).zip")
        try? FileManager.default.removeItem(atPath: "\(out)/\(job.name)")
    }

    private func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw BuildError.outputDirectory(path: path, reason: "\(error.localizedDescription)")
        }
    }

    private func move(_ source: String, to destination: String) throws {
        guard rename(source, destination) == 0 else {
            throw BuildError.outputDirectory(path: destination, reason: String(cString: strerror(errno)))
        }
    }

    private func writeAtomically(_ bytes: [UInt8], to path: String, staging: String) throws {
        let temporary = staging + "/" + UUID().uuidString
        guard Self.writeFile(bytes, to: temporary) else {
            throw BuildError.outputDirectory(path: path, reason: "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        try move(temporary, to: path)
    }

    /// A whole file read into one array (no intermediate `Data`); nil when unreadable.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        var bytes = [UInt8](unsafeUninitializedCapacity: Int(info.st_size)) { buffer, count in
            count = 0
            while count < buffer.count {
                let read = readBytes(fd, buffer.baseAddress! + count, buffer.count - count)
                if read < 0 && errno == EINTR { continue }
                if read <= 0 { break }
                count += read
            }
        }
        // A file that grew while read: take the rest too (into scratch memory, not zeroed).
        let complete = withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 16) { chunk -> Bool in
            while true {
                let read = readBytes(fd, chunk.baseAddress!, chunk.count)
                if read < 0 && errno == EINTR { continue }
                if read < 0 { return false }
                if read == 0 { return true }
                bytes += UnsafeRawBufferPointer(rebasing: chunk.prefix(read))
            }
        }
        return complete ? bytes : nil
    }

    /// Writes a new file in the staging directory (no fsync: outputs reach their place by a
    /// rename, and the store writes its own durable copies); false with `errno` set.
    static func writeFile(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { pointer in
                write(fd, pointer.baseAddress! + offset, pointer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: Timing memos

    /// The strategy for a group of `count` misses: `auto` is `batch` (see `BuildStrategy.auto`).
    func chooseStrategy(count: Int) -> BuildStrategy {
        options.strategy == .auto ? .batch : options.strategy
    }

    /// Remembers how long each built target took, by directory (for shard plans).
    private func recordDurations(_ built: [BuildManifest.Target]) {
        guard let cacheDirectory = options.cacheDirectory, !built.isEmpty else { return }
        let path = ShardPlanner.durationMemoPath(cacheDirectory: cacheDirectory)
        var memo = Self.readJSON([String: Double].self, at: path) ?? [:]
        for target in built { memo[target.dir] = target.seconds }
        Self.writeJSON(memo, to: path)
    }

    static func readJSON<T: Decodable>(_ type: T.Type, at path: String?) -> T? {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// Best effort: a memo that cannot be written only costs a better guess next time.
    static func writeJSON<T: Encodable>(_ value: T, to path: String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else { return }
        MemoFiles.writeAtomically(Array(data), to: path)
    }
}

/// The C library's `read`, under a name no method shadows.
private func readBytes(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
