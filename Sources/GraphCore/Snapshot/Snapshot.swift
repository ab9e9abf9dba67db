import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One snapshot of a repository: the working tree (every file on disk, untracked and ignored
/// ones included, the root `.git` excluded) or a commit read straight from the object
/// database (nothing is checked out).
///
/// Thread-safe: any number of tasks may read one snapshot at once. Directory listings are
/// cached for the snapshot's lifetime; libgit2 handles come from a small pool, each used by
/// one thread at a time, so reading a blob never reopens the repository.
public final class Snapshot: FileTree, Sendable {
    /// What a snapshot shows.
    public enum Source: Hashable, Sendable {
        /// The files on disk under the working tree root.
        case worktree
        /// The commit `commit` (hex) that `revision` (as the user wrote it) resolved to.
        case revision(String, commit: String)
    }

    /// The repository the snapshot belongs to.
    public let location: RepositoryLocation
    /// What the snapshot shows.
    public let source: Source
    /// The root tree of a revision; `nil` for the working tree.
    let treeID: ObjectID?
    let pool: RepositoryPool
    let listings = Mutex<[String: DirectoryListing?]>([:])
    /// Directories whose path passes through a symbolic link (their listing is the link
    /// target's), as far as listed.
    let linkedDirectories = Mutex<Set<String>>([])
    /// The repositories of the submodules read so far, by path (nil: not on this machine).
    let submodules = Mutex<[String: SubmoduleObjects?]>([:])
    /// The last complete walk of the working tree (`walkWorktree`), for the diff's proof
    /// that the tree is clean (`CleanWorktree`).
    let completedWalk = Mutex<WorktreeWalk?>(nil)
    /// The repository paths `contents(of:)` was asked for while reads are recorded
    /// (`recordReads`): what a load's result may depend on beyond listings and parsed
    /// headers (the graph memo's proof, `GraphMemo`).
    private let readLog = Mutex<[String: ReadRecord]?>(nil)
    private struct ReadRecord {
        var attempts = 0
        var successes = 0
        var bytes: [UInt8]?
        var sameEachTime = true
    }
    /// The first blob or tree found missing from the object database (a partial or damaged clone)
    /// while reading this revision: a reader that treats unreadable files as go/build does
    /// (a Go file invalid, any other ignored) would describe a tree that is not the commit's,
    /// so loads and keys ask `checkObjectsPresent()` before answering.
    private let missingObject = Mutex<GitAccessError?>(nil)
    /// Set when a read followed a link out of the repository or listed a submodule
    /// (`readOutsideTree()`).
    private let leftTree = Atomic<Bool>(false)
    /// Files up to this size (not Go files, whose scan results are kept instead) have their
    /// bytes kept with the read (`recordedReads`).
    static let keptReadLimit = 64 << 10
    private let recordingReads = Atomic<Bool>(false)

    private init(location: RepositoryLocation, source: Source, treeID: ObjectID?, pool: RepositoryPool) {
        self.location = location
        self.source = source
        self.treeID = treeID
        self.pool = pool
    }

    /// The working tree of `location` as it is on disk.
    public static func worktree(_ location: RepositoryLocation) -> Snapshot {
        Snapshot(location: location, source: .worktree, treeID: nil, pool: RepositoryPool(location: location))
    }

    /// The commit `revision` names (branch, tag, `HEAD~2`, abbreviated or full id — any
    /// revision syntax libgit2 accepts), peeled to a commit.
    ///
    /// - Throws: `unknownRevision` (with a close branch or tag name when one exists),
    ///   `notACommit`, or `missingObject` when a shallow or partial clone lacks the commit.
    public static func revision(_ revision: String, in location: RepositoryLocation) throws(GitAccessError)
        -> Snapshot
    {
        let pool = RepositoryPool(location: location)
        let resolved = try pool.withRepository { (repository) throws(GitAccessError) in
            try repository.resolveCommit(revision)
        }
        return Snapshot(
            location: location, source: .revision(revision, commit: resolved.commit.hex),
            treeID: resolved.tree, pool: pool)
    }

    /// The commit id (hex) of a revision snapshot; `nil` for the working tree.
    public var commitID: String? {
        switch source {
        case .worktree: return nil
        case .revision(_, let commit): return commit
        }
    }

    /// The entries of directory `dir` (`""` is the root), sorted by name; `nil` when `dir`
    /// does not exist or is not a directory.
    ///
    /// Revision entries carry blob id, git mode and size; working-tree entries carry size,
    /// `FileStamp` and mode. Symbolic links are `.symlink` entries in both. A revision's
    /// gitlink is a `.directory` entry (mode 0o160000) holding the recorded commit's tree, as
    /// in a checkout after `git submodule update`: module discovery, `./...` and every other
    /// walk enter it as they enter the checkout's.
    public func entries(in dir: String) throws -> [FileTreeEntry]? {
        guard let listing = try listing(dir) else { return nil }
        guard listing.holdsSubmodule else { return listing.entries }
        return listing.entries.map { entry in
            guard entry.kind == .submodule else { return entry }
            var directory = entry
            directory.kind = .directory
            return directory
        }
    }

    /// The bytes of the file at `path`, following symbolic links as a checkout does: in the
    /// working tree through the file system; in a revision through the links the tree holds
    /// (a link whose target leaves the repository is read from disk, as in a checkout).
    ///
    /// - Throws: `FileTreeError.notFound` for a path that is not a file, or a
    ///   `GitAccessError` (e.g. `missingObject` for a blob a partial clone lacks).
    public func contents(of path: String) throws -> [UInt8] {
        guard let components = PathComponents(path), !components.isRoot else {
            throw FileTreeError.notFound(path: path)
        }
        guard treeID != nil else {
            let recording = recordingReads.load(ordering: .relaxed)
            // The attempt first: a read that fails depends on the file too.
            if recording { readLog.withLock { $0?[path, default: ReadRecord()].attempts += 1 } }
            if components.first == ".git" { throw FileTreeError.notFound(path: path) }
            let bytes = try WorktreeReader.contents(of: location.workdir + "/" + path, relativePath: path)
            if recording {
                let keep = bytes.count <= Self.keptReadLimit && !path.hasSuffix(".go")
                readLog.withLock { log in
                    guard var record = log?[path] else { return }
                    if record.successes == 0 {
                        record.bytes = keep ? bytes : nil
                    } else if record.bytes != (keep ? bytes : nil) {
                        record.sameEachTime = false
                    }
                    record.successes += 1
                    log?[path] = record
                }
            }
            return bytes
        }
        // The common case: a regular file in a directory listed from the tree.
        if let parent = try listing(components.parent), parent.isFromTree, let index = parent.index[components.name],
            parent.entries[index].kind == .file, let blobID = parent.objectIDs[index]
        {
            return try readBlob(blobID, path: path, listedIn: parent)
        }
        switch try resolveLinks(path) {
        case .tree(let real)?:
            guard let real = PathComponents(real), !real.isRoot, let parent = try listing(real.parent),
                parent.isFromTree, let index = parent.index[real.name], parent.entries[index].kind == .file,
                let blobID = parent.objectIDs[index]
            else { throw FileTreeError.notFound(path: path) }
            return try readBlob(blobID, path: path, listedIn: parent)
        case .disk(let absolute)?:
            return try WorktreeReader.contents(of: absolute, relativePath: path)
        case nil:
            throw FileTreeError.notFound(path: path)
        }
    }

    /// Starts recording the working-tree paths read with `contents(of:)` (attempts that fail
    /// included), from now on, for `recordedReads()`.
    func recordReads() {
        readLog.withLock { $0 = $0 ?? [:] }
        recordingReads.store(true, ordering: .relaxed)
    }

    /// The paths read since `recordReads()`, each with the bytes read when they were kept
    /// (a file other than a Go file, of at most `keptReadLimit` bytes, read successfully
    /// and, if more than once, with the same bytes each time).
    func recordedReads() -> [String: [UInt8]?] {
        readLog.withLock { log in
            (log ?? [:]).mapValues { record in
                record.sameEachTime && record.successes == record.attempts ? record.bytes : nil
            }
        }
    }

    /// Reads blob `id` from the repository `listing`'s ids belong to (a submodule's inside one).
    private func readBlob(_ id: ObjectID, path: String, listedIn listing: DirectoryListing) throws(GitAccessError)
        -> [UInt8]
    {
        do {
            return try (listing.submodule?.pool ?? pool).withRepository { (repository) throws(GitAccessError) in
                try repository.blobContents(id, path: path)
            }
        } catch {
            guard case .missingObject = error else { throw error }
            let named = error.reading(revision: commitID)
            missingObject.withLock { $0 = $0 ?? named }
            throw named
        }
    }

    /// Throws the first `missingObject` error any read of this revision met (reads that
    /// swallowed it included: a scan treats an unreadable file as go/build does). Every
    /// answer computed from a revision's files checks this before it is given or stored.
    public func checkObjectsPresent() throws(GitAccessError) {
        if let error = missingObject.withLock({ $0 }) { throw error }
    }

    /// Where a path of a revision leads once its symbolic links are followed.
    enum LinkResolution: Hashable {
        /// A repository-relative path none of whose elements is a link.
        case tree(String)
        /// An absolute path on disk: a link's target left the repository.
        case disk(String)
    }

    /// Follows the symbolic links of `path` in this revision, every element's (the last one's
    /// too), as the kernel does in a checkout: a relative target is read from the link's
    /// directory, an absolute one or one that climbs above the root leaves the repository.
    /// nil when an element does not exist, is not a directory where one is needed, or after
    /// 40 links (a loop).
    func resolveLinks(_ path: String) throws -> LinkResolution? {
        let resolution = try followLinks(path)
        // What lies on disk is no function of the tree: `readOutsideTree()`.
        if case .disk? = resolution { leftTree.store(true, ordering: .relaxed) }
        return resolution
    }

    private func followLinks(_ path: String) throws -> LinkResolution? {
        guard let start = PathComponents(path) else { return nil }
        var pending = start.parts.map(String.init)
        var resolved: [String] = []
        var index = 0
        var hops = 0
        while index < pending.count {
            let name = pending[index]
            guard let listing = try listing(resolved.joined(separator: "/")), listing.isFromTree,
                let position = listing.index[name]
            else { return nil }
            let entry = listing.entries[position]
            let isLast = index == pending.count - 1
            switch entry.kind {
            case .directory, .submodule:
                resolved.append(name)
                index += 1
            case .file:
                guard isLast else { return nil }
                resolved.append(name)
                index += 1
            case .symlink:
                hops += 1
                guard hops <= 40, let blobID = listing.objectIDs[position] else { return nil }
                let target = String(decoding: try readBlob(blobID, path: path, listedIn: listing), as: UTF8.self)
                let rest = pending[(index + 1)...]
                if target.hasPrefix("/") {
                    return .disk(([target] + rest).joined(separator: "/"))
                }
                var next = resolved
                for part in target.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
                    if part == ".." {
                        guard !next.isEmpty else {
                            let here = resolved.isEmpty ? location.workdir : location.workdir + "/" + resolved.joined(separator: "/")
                            return .disk(([here, target] + rest).joined(separator: "/"))
                        }
                        next.removeLast()
                    } else {
                        next.append(String(part))
                    }
                }
                // From the root again: the target may pass through other links.
                pending = next + rest
                resolved = []
                index = 0
            }
        }
        return .tree(resolved.joined(separator: "/"))
    }

    /// Whether a read of this revision so far depended on more than its tree: a symbolic
    /// link was followed out of the repository (read from disk), or a submodule was listed
    /// (from its own repository when on this machine, else empty). Links that stay inside
    /// the tree are part of it (their targets are blobs of the tree).
    func readOutsideTree() -> Bool {
        leftTree.load(ordering: .relaxed)
    }

    /// The symbolic links in the directories this snapshot has listed so far, each with the
    /// repository-relative path it leads to (nil when it leaves the repository or leads
    /// nowhere). A load lists every directory it reads, so after it these are the links
    /// its inputs may have been read through.
    public func listedLinks() -> [(path: String, target: String?)] {
        let found: [String] = listings.withLock { cached in
            var paths: [String] = []
            for (dir, listing) in cached {
                guard let listing else { continue }
                for entry in listing.entries where entry.kind == .symlink {
                    paths.append(dir.isEmpty ? entry.name : dir + "/" + entry.name)
                }
            }
            return paths
        }
        guard !found.isEmpty else { return [] }
        let isWorktree = treeID == nil
        let root = isWorktree ? Self.realPath(location.workdir) : nil
        return found.sorted().map { path in
            if isWorktree {
                guard let root, let real = Self.realPath(location.workdir + "/" + path), real.hasPrefix(root + "/") else {
                    return (path, nil)
                }
                return (path, String(real.dropFirst(root.count + 1)))
            }
            guard case .tree(let real)? = try? resolveLinks(path) else { return (path, nil) }
            return (path, real)
        }
    }

    /// Whether the directory `dir` was listed through a symbolic link (its path passes
    /// through one): what another snapshot's scan of the same path says about it cannot be
    /// reused, as the link's target may differ.
    public func isReachedThroughLink(_ dir: String) -> Bool {
        linkedDirectories.withLock { $0.contains(dir) }
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Whether `path` is, after following every symbolic link, a regular file (on disk, or
    /// in a revision's tree).
    public func isRegularFileFollowingLinks(_ path: String) -> Bool {
        guard let components = PathComponents(path), !components.isRoot, components.first != ".git" else {
            return false
        }
        guard treeID == nil else {
            switch try? resolveLinks(path) {
            case .tree(let real)?:
                guard let real = PathComponents(real), let parent = try? listing(real.parent),
                    let entry = parent.entry(named: real.name)
                else { return false }
                return entry.kind == .file
            case .disk(let absolute)?:
                var info = stat()
                return stat(absolute, &info) == 0 && UInt32(info.st_mode) & 0o170000 == 0o100000
            case nil:
                return false
            }
        }
        var info = stat()
        return stat(location.workdir + "/" + path, &info) == 0 && UInt32(info.st_mode) & 0o170000 == 0o100000
    }

    /// The paths among `paths` (repository-relative files) that may have changed on disk
    /// since this working-tree snapshot listed them: stat data different from the listing's,
    /// gone, not a file any more, or never listed. A symbolic link is not checked (its
    /// listing holds the link's own stat data, not its target's). A revision never changes:
    /// none.
    ///
    /// A build reads its inputs when it compiles, after the key was computed from the
    /// listing; an input edited in between would otherwise be stored under the old key.
    public func pathsChangedSinceListing(_ paths: [String]) -> [String] {
        guard treeID == nil else { return [] }
        var changed: [String] = []
        for path in paths {
            guard let components = PathComponents(path), !components.isRoot else {
                changed.append(path)
                continue
            }
            let listed = listings.withLock { $0[components.parent] }
            guard let listing = listed ?? nil, let entry = listing.entry(named: components.name) else {
                changed.append(path)
                continue
            }
            if entry.kind == .symlink { continue }
            var info = stat()
            guard entry.kind == .file, let stamp = entry.stamp, lstat(location.workdir + "/" + path, &info) == 0,
                WorktreeReader.stamp(of: info) == stamp
            else {
                changed.append(path)
                continue
            }
        }
        return changed
    }

    /// The cached listing of `dir`, computing (and caching) it and its ancestors on a miss.
    func listing(_ dir: String) throws -> DirectoryListing? {
        if let cached = listings.withLock({ $0[dir] }) { return cached }
        let computed: DirectoryListing?
        do {
            computed = try computeListing(dir)
        } catch let error as GitAccessError {
            // A tree a partial clone lacks (`--filter=tree:0`), or a source file whose name
            // is not UTF-8: callers that take an unlistable directory as absent are caught by
            // `checkObjectsPresent()`.
            if case .nonUTF8Name = error {
                missingObject.withLock { $0 = $0 ?? error }
                throw error
            }
            guard case .missingObject = error else { throw error }
            let named = error.reading(revision: commitID)
            missingObject.withLock { $0 = $0 ?? named }
            throw named
        }
        listings.withLock { $0[dir] = .some(computed) }
        return computed
    }

    private func computeListing(_ dir: String) throws -> DirectoryListing? {
        guard let components = PathComponents(dir) else { return nil }
        guard let rootTree = treeID else {
            if components.first == ".git" { return nil }
            // An ancestor listed already may say the directory cannot exist: it lacks the next
            // name on the way down, or that name is a file. Import resolution probes many such
            // directories (the vendor and module candidates of every import, mostly under
            // directories that do not exist either); each would cost an opendir.
            if isKnownAbsent(components) { return nil }
            let absolute = components.isRoot ? location.workdir : location.workdir + "/" + dir
            let listing = try WorktreeReader.listing(of: absolute, relativePath: dir, skipGitEntry: components.isRoot)
            if listing != nil, !components.isRoot, worktreePassesThroughLink(components) {
                linkedDirectories.withLock { _ = $0.insert(dir) }
            }
            return listing
        }
        if components.isRoot {
            return try pool.withRepository { (repository) throws(GitAccessError) in
                try repository.listTree(rootTree, dir: dir)
            }
        }
        guard let parent = try listing(components.parent) else { return nil }
        let parentLinked = isReachedThroughLink(components.parent)
        if parent.isFromTree, let index = parent.index[components.name], parent.entries[index].kind == .directory,
            let id = parent.objectIDs[index]
        {
            var listing = try (parent.submodule?.pool ?? pool).withRepository { (repository) throws(GitAccessError) in
                try repository.listTree(id, dir: dir)
            }
            listing.submodule = parent.submodule
            if parentLinked { linkedDirectories.withLock { _ = $0.insert(dir) } }
            return listing
        }
        if parent.isFromTree, let index = parent.index[components.name], parent.entries[index].kind == .submodule,
            let commit = parent.objectIDs[index]
        {
            let listing = try submoduleListing(dir, commit: commit, owner: parent.submodule)
            if parentLinked { linkedDirectories.withLock { _ = $0.insert(dir) } }
            return listing
        }
        // Through a symbolic link (this element's, or an ancestor's that left the repository).
        guard parent.entry(named: components.name)?.kind == .symlink || !parent.isFromTree else { return nil }
        let listing: DirectoryListing?
        switch try resolveLinks(dir) {
        case .tree(let real)?: listing = real == dir ? nil : try self.listing(real)
        case .disk(let absolute)?: listing = try WorktreeReader.listing(of: absolute, relativePath: dir, skipGitEntry: false)
        case nil: listing = nil
        }
        if listing != nil { linkedDirectories.withLock { _ = $0.insert(dir) } }
        return listing
    }

    /// The tree of commit `commit` that the gitlink `dir` records, read from the submodule's
    /// repository (`submodule(at:commit:owner:)`). When that repository or the commit is not
    /// on this machine, an empty directory: what a checkout of the revision holds before `git
    /// submodule update`.
    private func submoduleListing(_ dir: String, commit: ObjectID, owner: SubmoduleObjects?) throws -> DirectoryListing {
        leftTree.store(true, ordering: .relaxed)
        guard let submodule = try submodule(at: dir, commit: commit, owner: owner) else { return DirectoryListing(entries: []) }
        do {
            var listing = try submodule.pool.withRepository { (repository) throws(GitAccessError) in
                try repository.listTree(try repository.resolveCommit(commit.hex).tree, dir: dir)
            }
            listing.submodule = submodule
            return listing
        } catch {
            switch error {
            case .unknownRevision, .missingObject, .notACommit: return DirectoryListing(entries: [])
            default: throw error
            }
        }
    }

    /// The repository of the submodule at `dir` that holds `commit` (nil when none on this
    /// machine does), opened once per snapshot. Git keeps it at `modules/<name>` under the git
    /// dir of the repository holding the gitlink (a nested submodule's under its parent's),
    /// where the name is the one this revision's `.gitmodules` gives the path (by default the
    /// path itself): the revision's own, not the checkout's — a submodule since removed or
    /// moved is still there under its name. For a top-level one, first `modules/<name>` under a
    /// linked worktree's own git dir (where `git submodule` in that worktree clones), then
    /// the checkout at `dir`, then the checkouts where the working tree's `.gitmodules` now
    /// puts a submodule of that name (one whose repository is not absorbed keeps it in its
    /// checkout, which `git mv` moves).
    private func submodule(at dir: String, commit: ObjectID, owner: SubmoduleObjects?) throws -> SubmoduleObjects? {
        if let known = submodules.withLock({ $0[dir] }) { return known }
        let relative = owner.map { String(dir.dropFirst($0.path.count + 1)) } ?? dir
        var gitDirs = [owner?.pool.location.gitDir ?? location.commonDirectory]
        if owner == nil, location.gitDir != location.commonDirectory { gitDirs.insert(location.gitDir, at: 0) }
        var names: [String] = []
        let declarations = owner.map { $0.path + "/.gitmodules" } ?? ".gitmodules"
        if isRegularFileFollowingLinks(declarations), let text = try? contents(of: declarations) {
            names = GitModulesFile.names(forPath: relative, in: text)
        }
        if !names.contains(relative) { names.append(relative) }
        let safeNames = names.filter(GitModulesFile.isSafeName)
        var candidates = gitDirs.flatMap { gitDir in safeNames.map { (gitDir + "/modules/" + $0, true) } }
        if owner == nil {
            candidates.append((location.workdir + "/" + dir, false))
            if let current = FileManager.default.contents(atPath: location.workdir + "/.gitmodules") {
                for name in safeNames {
                    for path in GitModulesFile.paths(forName: name, in: Array(current))
                    where path != dir && GitModulesFile.isSafeName(path) {
                        candidates.append((location.workdir + "/" + path, false))
                    }
                }
            }
        }
        var found: SubmoduleObjects?
        for (candidate, isGitDir) in candidates {
            guard let opened = RepositoryLocation.openExactly(candidate, gitDir: isGitDir) else { continue }
            let pool = RepositoryPool(location: opened)
            let holds = try pool.withRepository { (repository) throws(GitAccessError) in repository.contains(commit) }
            if holds {
                found = SubmoduleObjects(pool: pool, path: dir)
                break
            }
        }
        submodules.withLock { $0[dir] = .some(found) }
        return found
    }

    /// Whether the working-tree directory `components` is reached through a symbolic link:
    /// its parent is, or the parent's entry by its name is a link. (Lists the parent when it
    /// is not listed yet, so the link is among `listedLinks()`.)
    private func worktreePassesThroughLink(_ components: PathComponents) -> Bool {
        guard let parent = try? listing(components.parent) else { return false }
        if isReachedThroughLink(components.parent) { return true }
        return parent.entry(named: components.name)?.kind == .symlink
    }

    /// Whether a cached ancestor listing rules `components` out: walking down from the
    /// root, an ancestor does not exist, lacks the next name, or has a file by that name. A
    /// symbolic link, or an ancestor not listed yet, decides nothing. (The working tree's
    /// walk lists every directory, so after it every existing ancestor is cached; from the
    /// root down, a probe under a missing directory stops one level below the deepest
    /// existing one, under one lock, building one path string.)
    private func isKnownAbsent(_ components: PathComponents) -> Bool {
        let parts = components.parts
        guard !parts.isEmpty else { return false }
        return listings.withLock { listings in
            var ancestor = ""
            for (depth, part) in parts.enumerated() {
                guard let known = listings[ancestor] else { return false }
                guard let listing = known, let entry = listing.entry(named: String(part)) else { return true }
                if entry.kind == .symlink { return false }
                if entry.kind != .directory { return true }
                if depth > 0 { ancestor.append("/") }
                ancestor.append(contentsOf: part)
            }
            return false
        }
    }
}

/// A directory's entries sorted by name (byte order); for a revision also each entry's
/// object id and an index by name (the working tree's listings need neither: its files are
/// read by path).
struct DirectoryListing: Sendable {
    let entries: [FileTreeEntry]
    let objectIDs: [ObjectID?]
    let index: [String: Int]
    /// For a directory inside a submodule: the repository its object ids belong to.
    var submodule: SubmoduleObjects?
    /// Whether an entry is a gitlink (`.submodule`).
    let holdsSubmodule: Bool

    /// Listed from a revision's tree (with object ids and an index), not from disk.
    var isFromTree: Bool { objectIDs.count == entries.count && index.count == entries.count }

    /// A revision's listing.
    init(entries unsorted: [(entry: FileTreeEntry, id: ObjectID?)]) {
        let sorted = unsorted.sorted { $0.entry.name.utf8Precedes($1.entry.name) }
        entries = sorted.map(\.entry)
        objectIDs = sorted.map(\.id)
        var index: [String: Int] = [:]
        index.reserveCapacity(sorted.count)
        for (position, element) in sorted.enumerated() { index[element.entry.name] = position }
        self.index = index
        holdsSubmodule = entries.contains { $0.kind == .submodule }
    }

    /// The entry called `name`, by binary search (entries are in byte order).
    func entry(named name: String) -> FileTreeEntry? {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = entries[middle].name
            if candidate == name { return entries[middle] }
            if candidate.utf8Precedes(name) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// A working-tree listing of entries already sorted by name (byte order).
    init(sortedWorktreeEntries entries: [FileTreeEntry]) {
        self.entries = entries
        objectIDs = []
        index = [:]
        holdsSubmodule = false
    }

    /// A working-tree listing.
    init(worktreeEntries unsorted: [FileTreeEntry]) {
        // Sorting positions, not the entries themselves: an entry is ~100 bytes to move.
        let order = unsorted.indices.sorted { unsorted[$0].name.utf8Precedes(unsorted[$1].name) }
        entries = order.map { unsorted[$0] }
        objectIDs = []
        index = [:]
        holdsSubmodule = false
    }
}

/// A submodule's repository and where its root is in the snapshot.
final class SubmoduleObjects: Sendable {
    let pool: RepositoryPool
    let path: String

    init(pool: RepositoryPool, path: String) {
        self.pool = pool
        self.path = path
    }
}

/// A repository-relative, `/`-separated path split for lookups; `nil` for paths that cannot
/// name anything in a snapshot (absolute, empty or `.`/`..` elements).
struct PathComponents {
    let path: String
    let parts: [Substring]

    init?(_ path: String) {
        self.path = path
        if path.isEmpty {
            parts = []
            return
        }
        // Split by bytes (every file read and listing splits its path; splitting by
        // Characters was a tenth of a cold scan's CPU).
        var parts: [Substring] = []
        let bytes = path.utf8
        var start = bytes.startIndex
        var index = start
        while true {
            let atEnd = index == bytes.endIndex
            if atEnd || bytes[index] == UInt8(ascii: "/") {
                let length = bytes.distance(from: start, to: index)
                if length == 0 { return nil }
                let part = path[start..<index]
                if length <= 2, part == "." || part == ".." { return nil }
                parts.append(part)
                if atEnd { break }
                index = bytes.index(after: index)
                start = index
            } else {
                index = bytes.index(after: index)
            }
        }
        self.parts = parts
    }

    var isRoot: Bool { parts.isEmpty }
    var first: String? { parts.first.map(String.init) }
    var name: String { parts.last.map(String.init) ?? "" }
    var parent: String { parts.count < 2 ? "" : String(path[..<parts[parts.count - 2].endIndex]) }
}
