import CacheStore
import Foundation
public import GraphCore

/// One opened repository snapshot with its toolchain and loaded package graph: what every
/// command of gocache starts from.
public struct RepositorySession: Sendable {
    public let location: RepositoryLocation
    public let snapshot: Snapshot
    public let toolchain: GoToolchain
    public let repository: GoRepository
    /// File digests for target keys, already holding those of the files the load read
    /// (`load(…, digestCacheDirectory:)`); nil when the load was not asked for them.
    public var digester: FileDigester? = nil

    /// The digester keys should use: the load's, or a new one over the snapshot.
    public func fileDigester(cacheDirectory: String?) -> FileDigester {
        digester ?? FileDigester(tree: snapshot, cacheDirectory: cacheDirectory)
    }

    /// Opens the repository containing `path`, reads `revision` (or the working tree when
    /// nil), finds the toolchain and loads the graph with the resolved settings. Parsed
    /// headers are memoised in `memoDirectory` when given.
    public static func open(
        path: String, revision: String?, overrides: SettingsOverrides, goBinary: String?,
        environment: [String: String]? = nil, memoDirectory: String? = nil, digestCacheDirectory: String? = nil,
        standardLibrary: StandardLibraryDepth = .full
    ) async throws -> RepositorySession {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let setup = try Setup.prepare(
            path: path, revision: revision, goBinary: goBinary, environment: environment, memoDirectory: memoDirectory)
        return try await load(
            location: setup.location, snapshot: setup.snapshot, toolchain: setup.toolchain, overrides: overrides,
            environment: environment, memoDirectory: memoDirectory, digestCacheDirectory: digestCacheDirectory,
            standardLibrary: standardLibrary)
    }

    /// What a session reads, found before anything is loaded: the repository, the snapshot
    /// and the toolchain. Callers that remember results (the run memo) key on it.
    public struct Setup: Sendable {
        public let location: RepositoryLocation
        public let snapshot: Snapshot
        public let toolchain: GoToolchain

        /// Opens the repository containing `path` and `revision` (or the working tree when
        /// nil) and finds the toolchain.
        public static func prepare(
            path: String, revision: String?, goBinary: String?, environment: [String: String], memoDirectory: String?
        ) throws -> Setup {
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + (path == "." ? "" : "/" + path)
            let location = try RepositoryLocation.discover(from: absolute, environment: environment)
            let snapshot = try revision.map { rev throws(GitAccessError) in try Snapshot.revision(rev, in: location) }
                ?? Snapshot.worktree(location)
            let toolchain = try GoToolchain(goBinary: goBinary, environment: environment, memoDirectory: memoDirectory)
            return Setup(location: location, snapshot: snapshot, toolchain: toolchain)
        }
    }

    /// Loads `snapshot` with an already found toolchain (so two snapshots share one); with
    /// `sharing`, the first load offers its directory scans and a later one given
    /// `changedPaths` (the diff between the two snapshots) reuses them. With
    /// `digestCacheDirectory` (for commands that compute keys), the session's `digester`
    /// digests the files the load reads as it reads them, its memo kept in that cache
    /// directory. `standardLibrary` says how much of the standard library the graphs hold
    /// (`.importedOnly` is enough for keys, builds and affected targets).
    public static func load(
        location: RepositoryLocation, snapshot: Snapshot, toolchain: GoToolchain, overrides: SettingsOverrides,
        environment: [String: String], memoDirectory: String?, sharing: ScanSharing? = nil, changedPaths: [String]? = nil,
        digestCacheDirectory: String? = nil, standardLibrary: StandardLibraryDepth = .full, withTests: Bool = false
    ) async throws -> RepositorySession {
        let digester = digestCacheDirectory.map { FileDigester(tree: snapshot, cacheDirectory: $0) }
        let repository = try await GoRepository.load(
            tree: snapshot, goRoot: toolchain.goRoot,
            options: LoadOptions(
                overrides: overrides, workMode: workMode(environment["GOWORK"], location: location),
                toolTags: { toolchain.toolTags(for: $0) }, memoDirectory: memoDirectory, sharing: sharing,
                changedPaths: changedPaths, contentsObserver: digester, standardLibrary: standardLibrary, withTests: withTests,
                graphMemoKey: graphMemoKey(
                    location: location, toolchain: toolchain, environment: environment, memoDirectory: memoDirectory),
                revisionMemoKey: graphMemoKey(
                    location: nil, toolchain: toolchain, environment: environment, memoDirectory: memoDirectory),
                moduleCache: ModuleCache.location(environment: environment).flatMap { ModuleCache.shared(root: $0) }))
        if let (file, required) = repository.layout.goRequirement(exceeding: toolchain.version) {
            throw ToolchainError.olderThanRequired(binary: toolchain.goBinary, version: toolchain.version, file: file, required: required)
        }
        try checkPlatforms(repository, toolchain: toolchain)
        return RepositorySession(
            location: location, snapshot: snapshot, toolchain: toolchain, repository: repository, digester: digester)
    }

    /// Throws `ToolchainError.unsupportedPlatform` when the go command refused a platform the
    /// targets' settings name (its tool-tag query, made by the load, failed): such targets
    /// could neither be listed nor built, and their keys would name nothing buildable.
    static func checkPlatforms(_ repository: GoRepository, toolchain: GoToolchain) throws(ToolchainError) {
        var targetsBySettings: [BuildSettings: [String]] = [repository.defaultSettings: []]
        for target in repository.targets { targetsBySettings[target.settings, default: []].append(target.dir) }
        // The pairs Lambda and most CI use need no question; any other is checked against
        // `go tool dist list` (go list accepts any pair; go build refuses unknown ones).
        let common: Set<String> = ["linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"]
        var supported: Set<String>?? = nil
        for (settings, targets) in targetsBySettings.sorted(by: { $0.value.first ?? "" < $1.value.first ?? "" }) {
            let pair = "\(settings.goos)/\(settings.goarch)"
            var problem = toolchain.platformProblem(for: settings)
            if problem == nil, !common.contains(pair) {
                if supported == nil { supported = .some(toolchain.supportedPlatforms()) }
                if let known = supported ?? nil, !known.contains(pair) { problem = "unsupported GOOS/GOARCH pair \(pair)" }
            }
            guard let reason = problem else { continue }
            // The default settings only matter through targets, or when there are none.
            if targets.isEmpty, !repository.targets.isEmpty,
                !repository.targets.contains(where: { $0.settings == settings })
            {
                continue
            }
            var platform = "\(settings.goos)/\(settings.goarch)"
            if let level = settings.goarchLevel { platform += " (\(level))" }
            throw .unsupportedPlatform(platform: platform, targets: targets.sorted(), reason: reason)
        }
    }

    /// The graph memo's key for a load (`LoadOptions.graphMemoKey`; GraphCore adds a
    /// revision's tree id): the gocache executable, the environment, the toolchain and the
    /// repository's place, as the run memo keys them (without `location`: the key for
    /// revisions, `LoadOptions.revisionMemoKey`). Nil without a memo directory, when the
    /// executable cannot be identified, or with `GOCACHE_RUN_MEMO=off` (which turns off both
    /// memos of results).
    static func graphMemoKey(
        location: RepositoryLocation?, toolchain: GoToolchain, environment: [String: String], memoDirectory: String?
    ) -> String? {
        guard let memoDirectory,
            RunMemo(memoDirectory: memoDirectory, environment: environment) != nil
        else { return nil }
        var key = RunMemoKey(command: "graph memo")
        guard key.addExecutable() else { return nil }
        key.addEnvironment(environment)
        key.addToolchain(toolchain)
        key.add("workdir", location?.workdir ?? "(any: a revision)")
        return try? key.digest().hex
    }

    /// `$GOWORK` as GraphCore takes it: auto, off, or a go.work path relative to the root.
    static func workMode(_ value: String?, location: RepositoryLocation) -> GoWorkMode {
        switch value {
        case nil, "", "auto": return .auto
        case "off": return .off
        case let file?:
            let root = location.workdir + "/"
            return .file(file.hasPrefix(root) ? String(file.dropFirst(root.count)) : file)
        }
    }
}
