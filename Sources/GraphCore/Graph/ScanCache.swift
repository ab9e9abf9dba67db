import Synchronization

/// The parse results one directory's scan made, stored in the memo together afterwards
/// (one directory's scan runs on one thread).
private final class StoredHeaders {
    var results: [(key: HeaderMemo.Key, result: Result<GoFileHeader, GoScanError>)] = []
    /// Every header result the assembly used (looked up or parsed), by file name, when the
    /// load records them (`ScanCache.recordHeaders`).
    var used: [(name: String, result: Result<GoFileHeader, GoScanError>)] = []
}

/// One directory's scan, shared by reference: a `DirectoryPackage` is some thirty arrays and
/// strings, and copying it out of the memo for each of the three or four lookups a directory
/// gets in a load cost thirty reference counts each (a sixth of the scan's CPU was
/// `swift_retain`/`swift_release`).
final class ScannedDirectory: Sendable {
    let package: DirectoryPackage

    init(_ package: DirectoryPackage) { self.package = package }
}

/// Memo of `DirectoryPackage` scans, per directory and platform, shared by every build
/// unit of one load (a shared library directory is scanned once, not once per function).
final class ScanCache: Sendable {
    /// Where a scanned directory is: the repository's tree, GOROOT/src, or the module cache.
    enum Origin: UInt8, Hashable, Sendable {
        case repository, standard, moduleCache
    }

    private struct Key: Hashable {
        var origin: Origin
        var dir: String
        /// Index of the platform in `contexts` (hashing a whole BuildContext per lookup is costly).
        var context: Int
    }

    let tree: any FileTree
    let goRoot: GoRoot
    private let memo = Mutex<[Key: ScannedDirectory]>([:])
    private let contexts = Mutex<[BuildContext]>([])
    private let listings = Mutex<[String: [FileTreeEntry]?]>([:])
    private let goModFiles = Mutex<[String: GoModFile?]>([:])
    /// Standard-library packages as built for a platform, shared by the units of a load
    /// in which no standard-library import can resolve outside GOROOT.
    private let standardPackages = Mutex<[Key: GoPackage]>([:])

    /// The persistent parse memo, when the load has one.
    let headerMemo: HeaderMemo?
    /// The header results repository scans used, by repository path, while recorded
    /// (`recordHeaders`): with the paths the snapshot read, what a graph memo checks an
    /// edited file against (`GraphMemo`).
    private let headerLog = Mutex<[String: Result<GoFileHeader, GoScanError>]?>(nil)
    /// Whether a repository directory was scanned or a go.mod read (so a recording started
    /// later would miss what those read).
    private let repositoryRead = Atomic<Bool>(false)
    /// Go files scanned so far that the parse memo did not answer (for `GOCACHE_TRACE`).
    let parsedGoFiles = Atomic<Int>(0)

    /// The scans of a load of another snapshot of the same repository, and the directories
    /// holding a path that differs between the two snapshots.
    struct Donor: Sendable {
        let cache: ScanCache
        let changedDirs: Set<String>
    }
    let donor: Donor?
    /// Sees the repository files a scan reads (`LoadOptions.contentsObserver`).
    let contentsObserver: (any FileContentsObserver)?

    init(
        tree: any FileTree, goRoot: GoRoot, memo: HeaderMemo? = nil, donor: Donor? = nil,
        contentsObserver: (any FileContentsObserver)? = nil
    ) {
        self.tree = tree
        self.goRoot = goRoot
        self.headerMemo = memo
        self.contentsObserver = contentsObserver
        self.donor = donor?.cache.goRoot.path == goRoot.path ? donor : nil
    }

    /// The donor's scan of `dir` when it is provably the same as this snapshot's: the
    /// standard library always (one GOROOT); a repository directory when no changed path is
    /// in it, both snapshots list the same files in it (a scan reads nothing else), and no
    /// symbolic link is involved (none among its files, none on its path).
    private func donated(dir: String, origin: Origin, moduleCache: ModuleCache?, context: BuildContext) -> ScannedDirectory? {
        guard let donor else { return nil }
        if origin == .standard { return donor.cache.scan(dir: dir, standard: true, context: context) }
        // A module version's files never change.
        if origin == .moduleCache, let moduleCache {
            return donor.cache.scan(moduleCacheDir: dir, in: moduleCache, context: context)
        }
        guard !donor.changedDirs.contains(dir), let mine = entries(in: dir), let theirs = donor.cache.entries(in: dir),
            Self.sameFiles(mine, theirs),
            // Behind a link the bytes may differ where no changed path says so.
            !mine.contains(where: { $0.kind == .symlink }), !tree.isReachedThroughLink(dir),
            !donor.cache.tree.isReachedThroughLink(dir)
        else { return nil }
        return donor.cache.scan(dir: dir, standard: false, context: context)
    }

    /// Whether two listings hold the same names with the same kinds (in any order).
    static func sameFiles(_ a: [FileTreeEntry], _ b: [FileTreeEntry]) -> Bool {
        guard a.count == b.count else { return false }
        if zip(a, b).allSatisfy({ $0.name == $1.name && $0.kind == $1.kind }) { return true }
        let kinds = Dictionary(a.map { ($0.name, $0.kind) }, uniquingKeysWith: { first, _ in first })
        return b.allSatisfy { kinds[$0.name] == $0.kind }
    }

    /// The entries of a repository directory (memoised), or nil when absent.
    func entries(in dir: String) -> [FileTreeEntry]? {
        if let cached = listings.withLock({ $0[dir] }) { return cached }
        let result = (try? tree.entries(in: dir)) ?? nil
        listings.withLock { $0[dir] = .some(result) }
        return result
    }

    /// Starts recording the header results the repository's scans use, for `recordedHeaders()`.
    /// Takes effect for scans made afterwards; it needs a parse memo (the hooks that see
    /// the results are the memo's).
    ///
    /// - Returns: false when the cache had already read repository files (its scans and
    ///   go.mod files would be missing from the record).
    @discardableResult
    func recordHeaders() -> Bool {
        headerLog.withLock { $0 = $0 ?? [:] }
        return !repositoryRead.load(ordering: .relaxed)
    }

    /// The header results recorded since `recordHeaders()`, by repository path; nil when not
    /// recording or without a parse memo (the results were not seen).
    func recordedHeaders() -> [String: Result<GoFileHeader, GoScanError>]? {
        guard headerMemo != nil else { return nil }
        return headerLog.withLock { $0 }
    }

    /// Whether a repository directory holds a file whose name ends in `.go` (`fsys.IsGoDir`).
    func hasGoFiles(_ dir: String) -> Bool {
        entries(in: dir)?.contains { $0.kind != .directory && $0.name.hasSuffix(".go") } ?? false
    }

    /// Whether a repository directory holds a `go.mod` file.
    func hasGoMod(_ dir: String) -> Bool {
        entries(in: dir)?.contains { $0.name == "go.mod" && $0.kind != .directory } ?? false
    }

    /// The go.mod in a repository directory, parsed (once per load), or nil when absent or
    /// malformed.
    func goModFile(in dir: String) -> GoModFile? {
        if let known = goModFiles.withLock({ $0[dir] }) { return known }
        repositoryRead.store(true, ordering: .relaxed)
        var parsed: GoModFile?
        if hasGoMod(dir), let bytes = try? tree.contents(of: join(dir, "go.mod")) {
            parsed = try? GoModFile.parse(bytes, file: join(dir, "go.mod"))
        }
        goModFiles.withLock { $0[dir] = .some(parsed) }
        return parsed
    }

    private func contextIndex(_ context: BuildContext) -> Int {
        contexts.withLock { known in
            if let index = known.firstIndex(of: context) { return index }
            known.append(context)
            return known.count - 1
        }
    }

    /// A standard-library package built earlier for `context`, if any.
    func standardPackage(_ importPath: String, context: BuildContext) -> GoPackage? {
        let key = Key(origin: .standard, dir: importPath, context: contextIndex(context))
        return standardPackages.withLock { $0[key] }
    }

    /// Remembers a standard-library package built for `context`.
    func storeStandardPackage(_ package: GoPackage, context: BuildContext) {
        let key = Key(origin: .standard, dir: package.importPath, context: contextIndex(context))
        standardPackages.withLock { $0[key] = package }
    }

    /// go/build's view of one directory for one platform.
    func scan(dir: String, standard: Bool, context: BuildContext) -> ScannedDirectory {
        scan(dir: dir, origin: standard ? .standard : .repository, moduleCache: nil, context: context)
    }

    /// go/build's view of a directory of the module cache (relative to its root).
    func scan(moduleCacheDir dir: String, in moduleCache: ModuleCache, context: BuildContext) -> ScannedDirectory {
        scan(dir: dir, origin: .moduleCache, moduleCache: moduleCache, context: context)
    }

    private func scan(dir: String, origin: Origin, moduleCache: ModuleCache?, context: BuildContext) -> ScannedDirectory {
        let key = Key(origin: origin, dir: dir, context: contextIndex(context))
        if let cached = memo.withLock({ $0[key] }) { return cached }
        if let shared = donated(dir: dir, origin: origin, moduleCache: moduleCache, context: context) {
            memo.withLock { $0[key] = shared }
            return shared
        }
        let standard = origin == .standard
        let outside = origin != .repository
        let source: any FileTree
        let listing: [FileTreeEntry]?
        switch origin {
        case .repository:
            source = tree
            listing = entries(in: dir)
        case .standard:
            source = goRoot.sources
            listing = goRoot.entries(in: dir)
        case .moduleCache:
            source = moduleCache?.tree ?? tree
            listing = moduleCache?.entries(in: dir)
        }
        // A standard-library or module-cache package's tests never run here and never reach
        // a binary: its `_test.go` files (a third of GOROOT's Go bytes) are not read at all.
        let fileEntries = (listing ?? []).filter {
            ($0.kind == .file || $0.kind == .symlink) && !(outside && $0.name.hasSuffix("_test.go"))
        }
        let files = fileEntries.map(\.name)
        let prefix = dir.isEmpty ? "" : dir + "/"
        var hooks: HeaderHooks?
        let stored = StoredHeaders()
        var memoKeys: [String: (key: HeaderMemo.Key, mtime: Int64?)] = [:]
        if !outside { repositoryRead.store(true, ordering: .relaxed) }
        let logging = !outside && headerLog.withLock { $0 != nil }
        if let memo = headerMemo {
            // Standard-library and module-cache files are keyed apart from repository files
            // of the same path. One lock for the directory's lookups, one for its stores.
            let space = standard ? "goroot:" : outside ? "modcache:" + (moduleCache?.root ?? "") + "/" : ""
            for entry in fileEntries where entry.name.hasSuffix(".go") {
                if let key = HeaderMemo.key(for: entry, path: space + prefix + entry.name) { memoKeys[entry.name] = key }
            }
            let known = memo.lookup(memoKeys)
            hooks = HeaderHooks(
                lookup: { name in
                    let found = known[name]
                    if logging, let found { stored.used.append((name, found)) }
                    return found
                },
                store: { [memoKeys] name, result in
                    if let key = memoKeys[name]?.key { stored.results.append((key, result)) }
                    if logging { stored.used.append((name, result)) }
                })
        }
        let observer = outside ? nil : contentsObserver
        var observed: [ObservedFile] = []
        let entryByName =
            observer == nil ? [:] : Dictionary(fileEntries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let result = DirectoryPackageAssembler.assemble(
            files: files,
            read: { name in
                let bytes = try source.contents(of: prefix + name)
                if observer != nil, let entry = entryByName[name] {
                    observed.append(ObservedFile(path: prefix + name, entry: entry, bytes: bytes))
                }
                return bytes
            }, context: context, directory: "", headers: hooks)
        headerMemo?.store(stored.results)
        parsedGoFiles.add(stored.results.count, ordering: .relaxed)
        if logging, !stored.used.isEmpty {
            headerLog.withLock { log in
                for (name, result) in stored.used { log?[prefix + name] = result }
            }
        }
        if let observer, !observed.isEmpty { observer.observe(observed) }
        let scanned = ScannedDirectory(result)
        memo.withLock { $0[key] = scanned }
        return scanned
    }
}
