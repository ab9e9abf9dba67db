import Foundation
import Synchronization

/// A binary of the repository: a non-test `package main` selected by gocache.yaml.
public struct GoTarget: Hashable, Sendable, Comparable {
    /// The directory relative to the repository root (`.` for the root), as printed by
    /// `gocache targets` and accepted on the command line.
    public var dir: String
    public var importPath: String
    /// The path of the module holding the target.
    public var module: String
    /// The resolved settings of the target (Lambda defaults < gocache.yaml < flags).
    public var settings: BuildSettings
    /// The build unit (go.work or go.mod directory) that builds it.
    public var unitRoot: String

    public static func < (lhs: GoTarget, rhs: GoTarget) -> Bool { lhs.dir < rhs.dir }
}

/// How to load a repository.
public struct LoadOptions: Sendable {
    /// Settings from the command line; they win over gocache.yaml.
    public var overrides: SettingsOverrides
    /// `$GOWORK`: auto, off, or a file.
    public var workMode: GoWorkMode
    /// The toolchain's tool tags (`goexperiment.*`, architecture levels) for a platform, as
    /// `go list -f '{{context.ToolTags}}'` prints them. GoBuild supplies them.
    public var toolTags: @Sendable (BuildSettings) -> [String]
    /// A directory for the parse memo (`<cache dir>/memo`): Go file headers keyed by git
    /// blob id, or by path and stat data for working-tree files, so a later load parses only
    /// what changed. Nil: no memo across loads.
    public var memoDirectory: String?
    /// Scans shared between loads of two snapshots of one repository (base and head of a
    /// comparison): the first load with it offers its scans; a later one with
    /// `changedPaths` reuses those of directories the changes do not touch, and the
    /// standard library's.
    public var sharing: ScanSharing?
    /// The paths that differ between this snapshot and the one loaded first with
    /// `sharing` (a git diff, renames' old paths included); nil: reuse nothing.
    public var changedPaths: [String]?
    /// Receives the bytes of the repository files the load reads whole (the Go files it
    /// parses), so that a caller needing their contents too (file digests for target keys)
    /// does not read them again. Files answered from the parse memo are not read.
    public var contentsObserver: (any FileContentsObserver)?
    /// How much of the standard library the graphs hold (`.full`, as go list does, unless
    /// the caller only needs the non-standard part: keys and affected answers).
    public var standardLibrary: StandardLibraryDepth
    /// Whether the load resolves the tests' imports (`GoPackage.testImports`) and loads the
    /// packages only tests reach (`PackageGraph.testPackages`): what `ImpactAnalysis.tests`
    /// reads. Off, neither is filled (a tenth of a cold load's resolve time on moby).
    public var withTests: Bool
    /// Turns on the graph memo (`GraphMemo`) for a load of the working tree with a
    /// `memoDirectory`: a name (hex digest) for everything the load is a function of besides
    /// the tree's files and the options here — the gocache executable, the toolchain, the
    /// environment, the repository's location. GraphCore adds the options (overrides, work
    /// mode, standard-library depth). Nil: no graph memo.
    public var graphMemoKey: String?
    /// The same for a revision's load (GraphCore adds the tree id), without the repository's
    /// place: a revision's load reads nothing outside its tree (one that does is not
    /// remembered), so a checkout at another path — a CI runner's other build directory —
    /// takes it too. Nil: `graphMemoKey`.
    public var revisionMemoKey: String?
    /// The go command's module cache: non-vendored modules' packages are read there (their
    /// imports), when their version is extracted in it. Nil: such packages are leaves.
    public var moduleCache: ModuleCache?

    public init(
        overrides: SettingsOverrides = SettingsOverrides(), workMode: GoWorkMode = .auto,
        toolTags: @escaping @Sendable (BuildSettings) -> [String] = { _ in [] }, memoDirectory: String? = nil,
        sharing: ScanSharing? = nil, changedPaths: [String]? = nil, contentsObserver: (any FileContentsObserver)? = nil,
        standardLibrary: StandardLibraryDepth = .full, withTests: Bool = false, graphMemoKey: String? = nil,
        revisionMemoKey: String? = nil, moduleCache: ModuleCache? = nil
    ) {
        self.moduleCache = moduleCache
        self.withTests = withTests
        self.graphMemoKey = graphMemoKey
        self.revisionMemoKey = revisionMemoKey
        self.overrides = overrides
        self.workMode = workMode
        self.toolTags = toolTags
        self.memoDirectory = memoDirectory
        self.sharing = sharing
        self.changedPaths = changedPaths
        self.contentsObserver = contentsObserver
        self.standardLibrary = standardLibrary
    }
}

/// How much of the standard library a load puts into its graphs.
///
/// A target key and an `affected` answer read only the non-standard packages of a closure
/// (the toolchain's version stands for the standard library, DESIGN.md "The target key"),
/// and a standard package imports only standard packages. So those commands need, of the
/// standard library, just the packages that repository, vendored or module packages import
/// (their names and errors decide errors of their importers) and not what those import.
public enum StandardLibraryDepth: Hashable, Sendable {
    /// Every package of every closure, the standard library's included: `go list -deps`.
    case full
    /// Standard packages imported by non-standard ones are loaded (files, name, errors) but
    /// as leaves: what they import is not loaded. Used when every standard import resolves
    /// inside GOROOT (see `UnitLoader`); otherwise a load is `.full`.
    case importedOnly
}

/// One repository file a load read whole: its repository-relative path, its directory
/// entry (blob id or stat data, as listed before the read) and its bytes.
public struct ObservedFile: Sendable {
    public var path: String
    public var entry: FileTreeEntry
    public var bytes: [UInt8]
}

/// Sees the files a load reads (`LoadOptions.contentsObserver`), one directory's at a
/// time, from any thread.
public protocol FileContentsObserver: Sendable {
    func observe(_ files: [ObservedFile])
}

/// Directory scans one load offers to a later load of another snapshot of the same
/// repository with the same toolchain (see `LoadOptions.sharing`).
public final class ScanSharing: Sendable {
    fileprivate let first = Mutex<ScanCache?>(nil)
    /// What `offer` registered, made into the first scan cache when a load asks for it (a
    /// load answered by the graph memo scans nothing: the parse memo is not read for it).
    private let offered = Mutex<(tree: any FileTree, goRoot: GoRoot, memoDirectory: String?)?>(nil)

    public init() {}

    deinit {
        // The scans of a whole repository take milliseconds to free: on another thread, not
        // in the caller's way (the comparison that made this goes on to compare targets).
        guard let scans = first.withLock({ first -> ScanCache? in
            defer { first = nil }
            return first
        }) else { return }
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(scans) {} }
    }

    /// Makes the scans of `tree` the ones to share before any load starts, so that loads
    /// running at once agree on them: a load of the same `tree` instance without
    /// `changedPaths` fills them; a load with `changedPaths` reuses them.
    public func offer(tree: any FileTree, goRoot: GoRoot, memoDirectory: String?) {
        offered.withLock { $0 = (tree, goRoot, memoDirectory) }
    }

    /// The first scan cache, made from the offer on first use; called with `first` locked.
    fileprivate func firstCache(_ first: inout ScanCache?) -> ScanCache? {
        if let first { return first }
        guard let offer = offered.withLock({ $0 }) else { return nil }
        let memo = offer.memoDirectory.map { HeaderMemo.load(directory: $0) }
        first = ScanCache(tree: offer.tree, goRoot: offer.goRoot, memo: memo)
        return first
    }
}

/// The package graph of one snapshot: its modules, its targets with their resolved
/// settings, and the packages of every build (one per build unit and platform).
public struct GoRepository: Sendable {
    public let layout: ModuleLayout
    public let config: GocacheConfig
    /// The settings of a package that is not a target (no per-target override applies).
    public let defaultSettings: BuildSettings
    /// Targets sorted by directory.
    public let targets: [GoTarget]
    /// Every build: for each unit, the default platform's graph (all packages of
    /// `./...`), plus graphs of other platforms holding the closures of their targets.
    public let graphs: [PackageGraph]
    /// How much of the standard library `graphs` hold: with `.importedOnly`, standard
    /// packages have no dependency edges and closures list only the standard packages that
    /// non-standard packages import.
    public let standardLibrary: StandardLibraryDepth
    /// Whether the graphs came from the graph memo (`LoadOptions.graphMemoKey`) rather than
    /// from scanning the tree.
    public let isFromGraphMemo: Bool
    /// gocache's own directories inside the repository (a cache directory kept in the
    /// working tree, as actions/cache wants), repository-relative: never extra inputs — each
    /// run rewrites files there, which would change the next run's keys.
    public internal(set) var ownDirectories: Set<String> = []

    /// The graph that builds `target`.
    public func graph(of target: GoTarget) -> PackageGraph? {
        graphIndex(of: target).map { graphs[$0] }
    }

    /// Whether `other` is this very load (a copy of it), not merely an equal one: the
    /// comparison of a snapshot with itself (`SameGraph`) passes one load as both sides.
    public func isSameLoad(as other: GoRepository) -> Bool {
        graphs.count == other.graphs.count && targets.count == other.targets.count
            && zip(graphs, other.graphs).allSatisfy { $0.index === $1.index }
    }

    /// The index in `graphs` of the graph that builds `target`.
    public func graphIndex(of target: GoTarget) -> Int? {
        // Own targets are looked up (a comparison asks once or twice per target; hashing the
        // settings and building the context each time was ~1/8 of comparing 1,000 targets).
        if let known = targetGraphs[target.dir], known.target == target { return known.index }
        return Self.findGraph(of: target, in: graphs, goRootMinor: goRootMinor, toolTagsCache: toolTagsCache)
    }

    private static func findGraph(
        of target: GoTarget, in graphs: [PackageGraph], goRootMinor: Int, toolTagsCache: [BuildSettings: [String]]
    ) -> Int? {
        let context = GoRepository.context(for: target.settings, goRoot: goRootMinor, toolTags: toolTagsCache[target.settings] ?? [])
        return graphIndex(of: target, context: context, in: graphs)
    }

    private static func graphIndex(of target: GoTarget, context: BuildContext, in graphs: [PackageGraph]) -> Int? {
        graphs.firstIndex { $0.unitRoot == target.unitRoot && $0.context == context && $0.packages[target.importPath] != nil }
    }

    /// The target at a directory as written on the command line (`functions/a`, `./functions/a/`, `.`).
    public func target(atDir dir: String) -> GoTarget? {
        let normalized = GoRepository.normalizeDir(dir)
        return targets.first { $0.dir == normalized }
    }

    private let goRootMinor: Int
    private let toolTagsCache: [BuildSettings: [String]]
    /// Each target's graph index, by directory.
    private let targetGraphs: [String: (target: GoTarget, index: Int)]

    init(
        layout: ModuleLayout, config: GocacheConfig, defaultSettings: BuildSettings, targets: [GoTarget],
        graphs: [PackageGraph], goRootMinor: Int, toolTagsCache: [BuildSettings: [String]],
        standardLibrary: StandardLibraryDepth = .full, isFromGraphMemo: Bool = false
    ) {
        self.standardLibrary = standardLibrary
        self.isFromGraphMemo = isFromGraphMemo
        self.layout = layout
        self.config = config
        self.defaultSettings = defaultSettings
        self.targets = targets
        self.graphs = graphs
        self.goRootMinor = goRootMinor
        self.toolTagsCache = toolTagsCache
        var known: [String: (target: GoTarget, index: Int)] = [:]
        // Targets mostly share their settings: one context per run of equal settings.
        var last: (settings: BuildSettings, context: BuildContext)?
        for target in targets {
            let context: BuildContext
            if let last, last.settings == target.settings {
                context = last.context
            } else {
                context = GoRepository.context(
                    for: target.settings, goRoot: goRootMinor, toolTags: toolTagsCache[target.settings] ?? [])
                last = (target.settings, context)
            }
            if let index = Self.graphIndex(of: target, context: context, in: graphs) {
                known[target.dir] = (target, index)
            }
        }
        targetGraphs = known
    }

    /// Loads the repository: discovers modules, reads gocache.yaml, loads every build unit
    /// for the default platform, and each target's closure for its own platform.
    ///
    /// - Throws: `WorkspaceError`, `GocacheConfigError`, and for a revision whose trees or
    ///   blobs the object database lacks (a partial clone) `GitAccessError.missingObject`:
    ///   unreadable files would otherwise stand as invalid (Go) or excluded (others) ones.
    public static func load(tree: any FileTree, goRoot: GoRoot, options: LoadOptions = LoadOptions()) async throws
        -> GoRepository
    {
        var repository = try await loadGraphs(tree: tree, goRoot: goRoot, options: options)
        // The cache directory holding the memo directory, when it is inside the working tree.
        if let memo = options.memoDirectory, let workdir = (tree as? Snapshot)?.location.workdir,
            memo.hasPrefix(workdir + "/")
        {
            let cache = String(memo.dropFirst(workdir.count + 1))
            let parentOfMemo = cache.lastIndex(of: "/").map { String(cache[..<$0]) } ?? ""
            // The cache directory, or its two parts when it is the repository root itself
            // (`--cache-dir .`).
            repository.ownDirectories = parentOfMemo.isEmpty ? ["memo", "store"] : [parentOfMemo]
        }
        return repository
    }

    private static func loadGraphs(tree: any FileTree, goRoot: GoRoot, options: LoadOptions) async throws -> GoRepository {
        var trace = PhaseTrace()
        // The graph memo: a working tree's load, when not taking scans from another load.
        var graphMemo: (memo: GraphMemo, snapshot: Snapshot, walk: WorktreeWalk)?
        if options.changedPaths == nil, let snapshot = tree as? Snapshot, snapshot.treeID == nil,
            case let (name?, identity) = graphMemoName(options),
            let memo = GraphMemo(memoDirectory: options.memoDirectory, key: name, identity: identity)
        {
            let walked = snapshot.completedWalk.withLock { $0 } ?? ((try? snapshot.walkWorktree(limit: GraphMemo.walkLimit)) ?? nil)
            if let walk = walked, walk.listingsAreWalked {
                graphMemo = (memo, snapshot, walk)
                snapshot.recordReads()
                trace.mark("walk for the graph memo")
            }
        }
        // A revision: remembered by its tree id (whatever scans it takes from another load).
        var revisionMemo: (memo: GraphMemo, snapshot: Snapshot)?
        if let snapshot = tree as? Snapshot, let treeID = snapshot.treeID,
            case let (name?, identity) = graphMemoName(options, revision: true),
            let memo = GraphMemo(
                memoDirectory: options.memoDirectory, key: name + "-tree-" + treeID.hex, identity: identity + "|tree " + treeID.hex)
        {
            revisionMemo = (memo, snapshot)
        }
        let layout = try ModuleLayout.discover(in: tree, workMode: options.workMode)
        let config = try GocacheConfig.load(from: tree)
        trace.mark("discover modules")
        let defaults = config.defaultSettings(overrides: options.overrides)
        let found = revisionMemo.map { $0.memo.lookupRevision() }
            ?? graphMemo.map { $0.memo.lookup(walk: $0.walk, tree: $0.snapshot, root: $0.snapshot.location.workdir) }
        switch found {
        case .hit(let hit)? where !ModuleCache.holds(hit.moduleFacts, in: options.moduleCache):
            trace.mark("graph memo: miss (module versions came into or left the module cache)")
        case .hit(let hit)?:
            if let repository = fromMemo(hit, layout: layout, config: config, defaults: defaults, goRoot: goRoot, options: options) {
                if let rewritten = hit.rewritten, let memo = graphMemo?.memo { GraphMemo.beside { memo.write(rewritten) } }
                trace.mark(
                    revisionMemo != nil
                        ? "graph memo: \(hit.graphs.count) graphs of the revision's tree"
                        : "graph memo: \(hit.graphs.count) graphs, \(hit.changedFiles) edited files checked")
                trace.report()
                return repository
            }
            trace.mark("graph memo: miss (targets' settings select other graphs)")
        case .miss(let reason)?:
            trace.mark("graph memo: miss (\(reason))")
        case nil:
            break
        }
        let memo = options.memoDirectory.map { HeaderMemo.load(directory: $0) }
        trace.mark("read parse memo")
        let scans = makeScanCache(tree: tree, goRoot: goRoot, memo: memo, options: options)
        // A scan cache that read repository files before (one shared with another load that
        // started first) cannot say what this load used: nothing is stored then.
        if graphMemo != nil, !scans.recordHeaders() { graphMemo = nil }
        defer { memo?.save() }

        var toolTagsCache: [BuildSettings: [String]] = [:]
        var lastContext: (settings: BuildSettings, context: BuildContext)?
        func context(_ settings: BuildSettings) -> BuildContext {
            // Targets mostly share their settings: the last context again, without hashing.
            if let lastContext, lastContext.settings == settings { return lastContext.context }
            let made = makeContext(settings)
            lastContext = (settings, made)
            return made
        }
        func makeContext(_ settings: BuildSettings) -> BuildContext {
            let tags: [String]
            if let cached = toolTagsCache[settings] {
                tags = cached
            } else {
                tags = options.toolTags(settings)
                toolTagsCache[settings] = tags
            }
            return GoRepository.context(for: settings, goRoot: goRoot.minorVersion, toolTags: tags)
        }
        let defaultContext = context(defaults)

        // Ignore patterns belong to the module that declares them (cmd/go
        // parseIgnorePatterns keys them by module root): a nested module is not hidden by
        // its parent's `ignore cmd`.
        var ignored: [String: Set<String>] = [:]
        for module in layout.modules {
            ignored[module.dir] = ignoredDirectories(of: module, scans: scans)
        }

        // Every unit's directories are scanned first, so that the parse memo is saved (on
        // another thread) while the graphs are walked.
        var prepared: [(unit: BuildUnit, loader: UnitLoader, roots: [UnitLoader.Root], candidates: [UnitLoader.Root])] = []
        for unit in layout.units {
            let loader = UnitLoader(
                unit: unit, context: defaultContext, ldflags: LinkerRules.splitFlags(defaults.ldflags), scans: scans,
                ignoredDirs: ignored, standardLibrary: options.standardLibrary, withTests: options.withTests,
                moduleCache: options.moduleCache)
            let candidates = loader.candidateRoots()
            await prescan(
                unit: candidates.map(\.dir), scans: scans, context: defaultContext,
                localDirectory: { loader.localDirectory(ofImport: $0) }, standardImports: !loader.standardLeaves)
            let parsed = scans.headerMemo == nil ? "" : ", \(scans.parsedGoFiles.load(ordering: .relaxed)) Go files parsed so far"
            trace.mark(
                "scan \(candidates.count) directories of \(unit.rootDir.isEmpty ? "." : unit.rootDir) and the standard library\(parsed)")
            let roots = candidates.filter {
                loader.isMatched(scans.scan(dir: $0.dir, standard: false, context: defaultContext).package)
            }
            prepared.append((unit, loader, roots, candidates))
        }
        // Every scan of the default platform is done (units of one platform share them: no
        // unit needs another's stores published to its memo lookups). The save at the end
        // then finds nothing new, unless another platform's closure scanned more.
        let saving = memo.map { memo in BesideWork { memo.save() } }
        defer { saving?.wait() }

        var graphs: [PackageGraph] = []
        var targets: [GoTarget] = []
        for (unit, loader, roots, candidates) in prepared {
            var packages = loader.load(roots: roots)
            Self.applyProblems(layout.problems, of: unit, to: &packages)
            let testPackages = options.withTests ? loader.testDependencies(of: packages, roots: roots) : [:]
            trace.mark("resolve \(packages.count) packages (and \(testPackages.count) only tests import)")
            graphs.append(
                PackageGraph(
                    unitRoot: unit.rootDir, context: defaultContext, packages: packages, roots: roots.map(\.importPath),
                    testPackages: testPackages))

            // Targets, each with its own settings; other platforms load their closures.
            var elsewhere: [BuildContext: (settings: BuildSettings, roots: [UnitLoader.Root])] = [:]
            for root in candidates {
                let dir = root.dir.isEmpty ? "." : root.dir
                guard config.isTarget(dir) else { continue }
                // Each directory is judged with its own settings: a directory that is package
                // main only with the cgo, platform or tags its override gives is a target too.
                let settings = config.settings(forTarget: dir, overrides: options.overrides)
                let targetContext = context(settings)
                // A binary: package main with non-test files (a directory of main tests only is not).
                if targetContext == defaultContext {
                    guard let package = packages[root.importPath], package.name == "main",
                        !(package.goFiles.isEmpty && package.cgoFiles.isEmpty)
                    else { continue }
                } else {
                    let scan = scans.scan(dir: root.dir, standard: false, context: targetContext).package
                    guard scan.name == "main", !(scan.goFiles.isEmpty && scan.cgoFiles.isEmpty) else { continue }
                    elsewhere[targetContext, default: (settings, [])].roots.append(root)
                }
                targets.append(
                    GoTarget(dir: dir, importPath: root.importPath, module: root.module.path, settings: settings, unitRoot: unit.rootDir))
            }
            for (otherContext, entry) in elsewhere.sorted(by: { "\($0.key)" < "\($1.key)" }) {
                let other = UnitLoader(
                    unit: unit, context: otherContext, ldflags: LinkerRules.splitFlags(entry.settings.ldflags), scans: scans,
                    ignoredDirs: ignored, standardLibrary: options.standardLibrary, moduleCache: options.moduleCache)
                var packages = other.load(roots: entry.roots)
                Self.applyProblems(layout.problems, of: unit, to: &packages)
                graphs.append(
                    PackageGraph(unitRoot: unit.rootDir, context: otherContext, packages: packages, roots: entry.roots.map(\.importPath)))
            }
            trace.mark("graph index and target settings")
        }
        trace.mark("targets")
        // A revision whose files could not all be read (a partial clone) has no graph: its
        // unreadable files would stand as invalid or ignored ones. Nothing is remembered.
        if let snapshot = tree as? Snapshot { try snapshot.checkObjectsPresent() }
        // A revision whose load read outside its tree (through a link leaving the
        // repository, from a submodule's repository) is not remembered.
        if let (memo, snapshot) = revisionMemo, !snapshot.readOutsideTree() {
            let stored = graphs
            let storedTargets = targets
            let facts = options.moduleCache?.facts() ?? []
            GraphMemo.beside { memo.storeRevision(graphs: stored, targets: storedTargets, moduleFacts: facts) }
        }
        if let (graphMemo, snapshot, walk) = graphMemo, let headers = scans.recordedHeaders() {
            let reads = snapshot.recordedReads()
            let stored = graphs
            let storedTargets = targets
            let (name, identity) = graphMemoName(options, revision: true)
            let facts = options.moduleCache?.facts() ?? []
            GraphMemo.beside {
                let graphBytes = GraphMemo.encodeGraphs(stored, storedTargets, moduleFacts: facts)
                graphMemo.store(
                    walk: walk, root: snapshot.location.workdir, reads: reads, headers: headers, graphBytes: graphBytes)
                // A checkout git's index proves to be HEAD's tree byte for byte: its graphs are
                // that tree's, remembered as a revision too — the next commit's job, whose base
                // this commit is, then takes the base from the memo.
                if let name, let tree = walk.provenTree(), GraphMemo.linksStayInside(walk, root: snapshot.location.workdir),
                    (try? Snapshot.revision("HEAD", in: snapshot.location))?.treeID?.hex == tree,
                    let revision = GraphMemo(
                        memoDirectory: options.memoDirectory, key: name + "-tree-" + tree, identity: identity + "|tree " + tree)
                {
                    revision.storeRevision(graphBytes: graphBytes)
                }
            }
        }
        trace.report()
        return GoRepository(
            layout: layout, config: config, defaultSettings: defaults, targets: targets.sorted(), graphs: graphs,
            goRootMinor: goRoot.minorVersion, toolTagsCache: toolTagsCache, standardLibrary: options.standardLibrary)
    }

    /// Gives every package of `unit` with a directory (local and vendored) and no error of its
    /// own the first problem of the unit's go.mod, go.work, go.sum or modules.txt
    /// (`ModuleLayout.problems`: inconsistent vendoring, a go.work older than a module, …):
    /// the go command stops at it for the whole unit, so no target of the unit builds, and
    /// its key must say so.
    static func applyProblems(_ problems: [WorkspaceProblem], of unit: BuildUnit, to packages: inout [String: GoPackage]) {
        let dirs = Set([unit.rootDir] + unit.mainModules.map(\.dir))
        guard let problem = problems.first(where: { dirs.contains($0.dir) }) else { return }
        let error = PackageError(kind: .module, message: problem.description)
        for (path, package) in packages where package.dir != nil && package.error == nil {
            packages[path]?.error = error
        }
    }

    /// Waits for the graph memo's writes that loads started beside their callers (the
    /// process also waits for them when it exits).
    public static func waitForMemoWrites() {
        GraphMemo.finishWrites()
    }

    /// The graph memo's entry name for a load with `options`: the caller's key and the
    /// options it does not cover.
    /// The identity is that and the options in full (stored in the entry and compared).
    static func graphMemoName(_ options: LoadOptions, revision: Bool = false) -> (name: String?, identity: String) {
        guard let key = revision ? options.revisionMemoKey ?? options.graphMemoKey : options.graphMemoKey else {
            return (nil, "")
        }
        let described = "\(options.overrides)|\(options.workMode)|\(options.standardLibrary)" + (options.withTests ? "|tests" : "")
        // FNV-1a of the options beside the caller's digest, for the file name.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in described.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (key + "-" + String(hash, radix: 16), key + "|" + described)
    }

    /// The repository a graph memo's hit stands for, with targets' settings from the
    /// configuration just read; nil when a stored target's graph is not the one its settings
    /// now select (then the load runs).
    static func fromMemo(
        _ hit: GraphMemo.Hit, layout: ModuleLayout, config: GocacheConfig, defaults: BuildSettings, goRoot: GoRoot,
        options: LoadOptions
    ) -> GoRepository? {
        var toolTagsCache: [BuildSettings: [String]] = [:]
        var contexts: [BuildSettings: BuildContext] = [:]
        func context(_ settings: BuildSettings) -> BuildContext {
            if let known = contexts[settings] { return known }
            let tags = options.toolTags(settings)
            toolTagsCache[settings] = tags
            let made = GoRepository.context(for: settings, goRoot: goRoot.minorVersion, toolTags: tags)
            contexts[settings] = made
            return made
        }
        var used = Set([context(defaults)])
        var targets: [GoTarget] = []
        targets.reserveCapacity(hit.targets.count)
        var last: (settings: BuildSettings, context: BuildContext)?
        for stored in hit.targets {
            guard config.isTarget(stored.dir) else { return nil }
            let settings = config.settings(forTarget: stored.dir, overrides: options.overrides)
            let targetContext: BuildContext
            if let last, last.settings == settings {
                targetContext = last.context
            } else {
                targetContext = context(settings)
                last = (settings, targetContext)
                used.insert(targetContext)
            }
            guard hit.graphs.contains(where: {
                $0.unitRoot == stored.unitRoot && $0.context == targetContext && $0.packages[stored.importPath] != nil
            }) else { return nil }
            targets.append(
                GoTarget(dir: stored.dir, importPath: stored.importPath, module: stored.module, settings: settings, unitRoot: stored.unitRoot))
        }
        guard hit.graphs.allSatisfy({ used.contains($0.context) }) else { return nil }
        return GoRepository(
            layout: layout, config: config, defaultSettings: defaults, targets: targets.sorted(), graphs: hit.graphs,
            goRootMinor: goRoot.minorVersion, toolTagsCache: toolTagsCache, standardLibrary: options.standardLibrary,
            isFromGraphMemo: true)
    }

    /// The scan cache of a load: offered through `options.sharing` when it is the first, or
    /// reusing the first load's scans when `options.changedPaths` says what differs.
    static func makeScanCache(tree: any FileTree, goRoot: GoRoot, memo: HeaderMemo?, options: LoadOptions) -> ScanCache {
        let observer = options.contentsObserver
        guard let sharing = options.sharing else {
            return ScanCache(tree: tree, goRoot: goRoot, memo: memo, contentsObserver: observer)
        }
        return sharing.first.withLock { first in
            let made = sharing.firstCache(&first)
            if let first = made, let changed = options.changedPaths {
                let dirs = Set(changed.map { parent($0) })
                return ScanCache(
                    tree: tree, goRoot: goRoot, memo: memo, donor: ScanCache.Donor(cache: first, changedDirs: dirs),
                    contentsObserver: observer)
            }
            if let first, options.changedPaths == nil, (first.tree as AnyObject) === (tree as AnyObject),
                first.goRoot.path == goRoot.path
            {
                return first
            }
            let cache = ScanCache(tree: tree, goRoot: goRoot, memo: memo, contentsObserver: observer)
            if first == nil { first = cache }
            return cache
        }
    }

    /// A repository without modules, targets or graphs: the base side of a comparison whose
    /// base is unknown, against which everything is new.
    public static var empty: GoRepository {
        GoRepository(
            layout: ModuleLayout(modules: [], units: [], problems: []), config: GocacheConfig(),
            defaultSettings: BuildSettings.lambdaDefaults, targets: [], graphs: [], goRootMinor: 0, toolTagsCache: [:])
    }

    /// The build context of resolved settings.
    static func context(for settings: BuildSettings, goRoot minor: Int, toolTags: [String]) -> BuildContext {
        BuildContext(
            goos: settings.goos, goarch: settings.goarch, cgoEnabled: settings.cgoEnabled,
            buildTags: settings.tags, goMinorVersion: minor, toolTags: toolTags)
    }

    /// Directories of `module` hidden by its `ignore` directive (repository-relative): `./x`
    /// is relative to the module root; `x` names such a directory at any depth. Nested
    /// modules are not entered: their directories are theirs, not `module`'s.
    static func ignoredDirectories(of module: GoModule, scans: ScanCache) -> Set<String> {
        var result = Set<String>()
        var anywhere: [String] = []
        for entry in module.file.ignores {
            var path = entry
            while path.hasSuffix("/") { path.removeLast() }
            if path.hasPrefix("./") {
                result.insert(join(module.dir, String(path.dropFirst(2))))
            } else if !path.isEmpty {
                anywhere.append(path)
            }
        }
        guard !anywhere.isEmpty else { return result }
        var stack = [module.dir]
        while let dir = stack.popLast() {
            for entry in scans.entries(in: dir) ?? [] where entry.kind == .directory {
                let child = join(dir, entry.name)
                let rel = relative(child, to: module.dir)
                if anywhere.contains(where: { rel == $0 || rel.hasSuffix("/" + $0) }) {
                    result.insert(child)
                    continue
                }
                if entry.name.hasPrefix(".") || entry.name.hasPrefix("_") || entry.name == "testdata" { continue }
                if scans.hasGoMod(child) { continue }
                stack.append(child)
            }
        }
        return result
    }

    /// Scans a unit's candidate directories and the standard-library packages they reach, on
    /// all cores, so the sequential graph walk finds them in the memo. With `localDirectory`
    /// (a unit's import resolution), the repository directories that imports outside the
    /// candidates lead to (vendored packages, local replacements) are scanned too: the
    /// parse memo is saved once the scans are done, and a directory first scanned by the
    /// walk made it write the whole memo again.
    ///
    /// One queue without barriers: a finished scan's standard imports join the queue at
    /// once and go ahead of the repository's directories, so the standard library's chains
    /// of imports (runtime → internal/… → …) are scanned while the repository still is,
    /// instead of level by level after it (each level waited for its slowest package).
    ///
    /// Without `standardImports` (a load whose standard packages are leaves), the imports
    /// of standard packages are not followed.
    static func prescan(
        unit dirs: [String], scans: ScanCache, context: BuildContext, localDirectory: ((String) -> String?)? = nil,
        standardImports: Bool = true
    ) async {
        let goRoot = scans.goRoot
        var seen = Set<String>()
        var standard: [String] = []
        var seenDirs = Set(dirs)
        var discovered: [String] = []
        func visit(_ imports: [String], fromStandard: Bool, cgo: Bool) {
            var all = imports
            if cgo { all += ["unsafe", "runtime/cgo", "syscall"] }
            for path in all where path != "C" {
                let resolved: String
                if fromStandard, !GoPathRules.looksStandard(path), goRoot.isStandardPackage("vendor/" + path) {
                    resolved = "vendor/" + path
                } else if GoPathRules.looksStandard(path), goRoot.isStandardPackage(path) {
                    resolved = path
                } else {
                    if !fromStandard, let localDirectory, let dir = localDirectory(path), seenDirs.insert(dir).inserted {
                        discovered.append(dir)
                    }
                    continue
                }
                if seen.insert(resolved).inserted { standard.append(resolved) }
            }
        }
        visit(["runtime"] + (context.cgoEnabled ? ["runtime/cgo"] : []), fromStandard: false, cgo: false)
        // A load that takes scans from a donor running at the same time (the base of a
        // comparison) walks the other way, so the two meet in the middle instead of
        // scanning the same directories at once.
        var repository = scans.donor == nil ? Array(dirs.reversed()) : dirs
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        await withTaskGroup(of: (ScannedDirectory, Bool).self) { group in
            var running = 0
            func startNext() -> Bool {
                if let path = standard.popLast() {
                    group.addTask { (scans.scan(dir: path, standard: true, context: context), true) }
                } else if let dir = discovered.popLast() ?? repository.popLast() {
                    group.addTask { (scans.scan(dir: dir, standard: false, context: context), false) }
                } else {
                    return false
                }
                running += 1
                return true
            }
            while running < width, startNext() {}
            while let (scanned, isStandard) = await group.next() {
                running -= 1
                if standardImports || !isStandard {
                    visit(scanned.package.imports, fromStandard: isStandard, cgo: !scanned.package.cgoFiles.isEmpty)
                }
                while running < width, startNext() {}
            }
        }
    }

    /// `./functions/a/` → `functions/a`; `` and `./` → `.`.
    public static func normalizeDir(_ dir: String) -> String {
        var d = dir
        while d.hasPrefix("./") { d.removeFirst(2) }
        while d.hasSuffix("/") { d.removeLast() }
        return d.isEmpty ? "." : d
    }
}

/// Phase timings, printed to stderr when `GOCACHE_TRACE=1` (for performance work; off by
/// default, so stdout and stderr stay as documented).
public struct PhaseTrace: Sendable {
    private let label: String
    private let enabled = ProcessInfo.processInfo.environment["GOCACHE_TRACE"] == "1"
    private var last = DispatchTime.now().uptimeNanoseconds
    private var lines: [String] = []

    /// Starts timing; `label` names the report (`load`, `build`).
    public init(_ label: String = "load") {
        self.label = label
    }

    /// Ends the current phase, naming it.
    public mutating func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        lines.append(String(format: "%8.1f ms  %@", Double(now - last) / 1e6, phase))
        last = now
    }

    /// Prints the phases.
    public func report() {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("gocache trace (\(label)):\n" + lines.joined(separator: "\n") + "\n").utf8))
    }
}
