internal import CGit2
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One path that differs between two snapshots.
public struct PathChange: Hashable, Sendable {
    /// How the path changed.
    public enum Kind: Hashable, Sendable {
        /// New in the head snapshot (untracked and ignored working-tree files included).
        case added
        /// Gone from the head snapshot.
        case deleted
        /// Content or mode changed.
        case modified
        /// Moved from `oldPath` (with similar or equal content).
        case renamed
        /// Changed between file, symbolic link and submodule.
        case typeChanged
    }

    /// How the path changed.
    public var kind: Kind
    /// The path in the head snapshot (for `deleted`: the path that was removed).
    public var path: String
    /// For `renamed`: the path in the base snapshot; otherwise `nil`.
    public var oldPath: String?

    /// Creates a change record.
    public init(kind: Kind, path: String, oldPath: String? = nil) {
        self.kind = kind
        self.path = path
        self.oldPath = oldPath
    }
}

/// Questions about how snapshots of one repository relate: changed paths and merge bases.
public enum GitHistory {
    /// The paths that differ between `base` and `head`, sorted by path.
    ///
    /// Two revisions are compared tree to tree with rename detection. When one side is the
    /// working tree, the revision's tree is compared with the files on disk — regardless of
    /// the index, including untracked and ignored files (recursing into their directories),
    /// i.e. every file the go command would see. Both snapshots must belong to the same
    /// repository.
    ///
    /// - Throws: `GitAccessError`; an object missing from a partial clone names the base's
    ///   commit, whose objects a `git diff` against HEAD fetches (a head revision's missing
    ///   objects are named by the head's own reads).
    public static func changes(from base: Snapshot, to head: Snapshot) throws(GitAccessError) -> [PathChange] {
        do {
            return try changes(from: base, to: head, cleanWorktreeShortcut: true)
        } catch {
            throw error.reading(revision: base.commitID)
        }
    }

    /// `changes(from:to:)`; with `cleanWorktreeShortcut`, a working tree that provably holds
    /// its HEAD commit's tree (`CleanWorktree`) is diffed as that tree, tree to tree — and one
    /// that holds it but for some tracked files' contents, as that tree with those files
    /// compared again.
    static func changes(from base: Snapshot, to head: Snapshot, cleanWorktreeShortcut: Bool) throws(GitAccessError)
        -> [PathChange]
    {
        guard base.location == head.location else {
            throw GitAccessError.git(
                code: GIT_EINVALID.rawValue, function: "GitHistory.changes",
                message: "snapshots of different repositories: \(base.location.workdir) and \(head.location.workdir)")
        }
        let changes: [PathChange]
        // The working tree's submodules without a checkout (`diffTreeToWorkdir`).
        var unpopulated: [String] = []
        switch (base.treeID, head.treeID) {
        case (nil, nil):
            return []
        case (let baseTree?, let headTree?):
            changes = try base.pool.withRepository { (repository) throws(GitAccessError) in
                try repository.diffTrees(baseTree, headTree)
            }
        case (let baseTree?, nil):
            if cleanWorktreeShortcut, let state = CleanWorktree.state(of: head),
                let found = try base.pool.withRepository({ (repository) throws(GitAccessError) in
                    try repository.changes(from: baseTree, toWorktree: state)
                })
            {
                changes = found
            } else {
                changes = try base.pool.withRepository { (repository) throws(GitAccessError) in
                    try repository.diffTreeToWorkdir(baseTree, unpopulated: &unpopulated)
                }
            }
        case (nil, let headTree?):
            let state = cleanWorktreeShortcut ? CleanWorktree.state(of: base) : nil
            if let state, state.modified.isEmpty {
                changes = try head.pool.withRepository { (repository) throws(GitAccessError) in
                    try repository.diffTrees(state.headTree, headTree)
                }
            } else if let state,
                let forward = try head.pool.withRepository({ (repository) throws(GitAccessError) in
                    try repository.changes(from: headTree, toWorktree: state)
                })
            {
                changes = sorted(forward.map(\.reversed))
            } else {
                let forward = try head.pool.withRepository { (repository) throws(GitAccessError) in
                    try repository.diffTreeToWorkdir(headTree, unpopulated: &unpopulated)
                }
                changes = sorted(forward.map(\.reversed))
            }
        }
        return try expandingRepositories(changes, base: base, head: head, alsoExpanding: unpopulated)
    }

    /// `changes` with the files inside each changed submodule (or nested repository) that
    /// differ: git names a submodule by its path alone (a new commit in the gitlink, or a
    /// dirty checkout), while the go command reads the files in it. Each side is read as its
    /// snapshot shows it — a revision's submodule at the recorded commit (empty when that is
    /// not on this machine), the working tree's as checked out — and compared file by file
    /// (by blob id where both sides have one, else byte for byte).
    ///
    /// `alsoExpanding` names submodules git calls unchanged that are compared file by file all
    /// the same (a working tree's submodule without a checkout is an empty directory to the go
    /// command, not the recorded commit's tree); only the files that differ are added.
    static func expandingRepositories(
        _ changes: [PathChange], base: Snapshot, head: Snapshot, alsoExpanding: [String] = []
    ) throws(GitAccessError) -> [PathChange] {
        var named = Set<String>()
        for change in changes {
            named.insert(change.path)
            if let old = change.oldPath { named.insert(old) }
        }
        var extra: [PathChange] = []
        for path in named.union(alsoExpanding).sorted() where holdsRepository(path, in: base) || holdsRepository(path, in: head) {
            var before: [String: FileTreeEntry] = [:]
            var after: [String: FileTreeEntry] = [:]
            try files(under: path, in: base, into: &before, depth: 0)
            try files(under: path, in: head, into: &after, depth: 0)
            for (file, old) in before.sorted(by: { $0.key < $1.key }) {
                guard let new = after[file] else {
                    extra.append(PathChange(kind: .deleted, path: file))
                    continue
                }
                if differ(file, old, new, base: base, head: head) { extra.append(PathChange(kind: .modified, path: file)) }
            }
            for file in after.keys.sorted() where before[file] == nil {
                extra.append(PathChange(kind: .added, path: file))
            }
        }
        guard !extra.isEmpty else { return changes }
        return sorted(changes + extra.filter { !named.contains($0.path) })
    }

    /// Whether `path` is a gitlink in `snapshot`, or a directory (what a working tree shows
    /// for a submodule or nested repository git names as one changed path).
    private static func holdsRepository(_ path: String, in snapshot: Snapshot) -> Bool {
        guard let components = PathComponents(path), !components.isRoot,
            let parent = try? snapshot.listing(components.parent), let entry = parent.entry(named: components.name)
        else { return false }
        return entry.kind == .submodule || entry.kind == .directory
    }

    /// Every file (and link) under `dir` in `snapshot`, submodules entered, `.git` skipped.
    private static func files(under dir: String, in snapshot: Snapshot, into found: inout [String: FileTreeEntry], depth: Int)
        throws(GitAccessError)
    {
        guard depth < 64 else { return }
        let listing: DirectoryListing?
        do {
            listing = try snapshot.listing(dir)
        } catch let error as GitAccessError {
            throw error
        } catch {
            return
        }
        guard let listing else { return }
        for entry in listing.entries where entry.name != ".git" {
            let path = dir + "/" + entry.name
            switch entry.kind {
            case .directory, .submodule: try files(under: path, in: snapshot, into: &found, depth: depth + 1)
            case .file, .symlink: found[path] = entry
            }
        }
    }

    private static func differ(_ path: String, _ old: FileTreeEntry, _ new: FileTreeEntry, base: Snapshot, head: Snapshot)
        -> Bool
    {
        if old.kind == .file, new.kind == .file, let oldID = old.blobID, let newID = new.blobID { return oldID != newID }
        guard let oldBytes = try? base.contents(of: path), let newBytes = try? head.contents(of: path) else { return true }
        return oldBytes != newBytes
    }

    /// The best common ancestor of two revisions (`git merge-base A B`), as a hex commit id.
    public static func mergeBase(_ a: String, _ b: String, in location: RepositoryLocation) throws(GitAccessError)
        -> String
    {
        let repository = try Repository.open(location)
        let first = try repository.resolveCommit(a).commit
        let second = try repository.resolveCommit(b).commit
        if let boundary = location.shallowCommits, !boundary.isEmpty {
            guard let found = try repository.mergeBase(first, second, shallow: boundary) else {
                throw GitAccessError.git(
                    code: GIT_ENOTFOUND.rawValue, function: "GitHistory.mergeBase", message: "no merge base between '\(a)' and '\(b)'")
            }
            return found.hex
        }
        var base = git_oid()
        do {
            try first.withPointer { (one) throws(LibGit2Error) in
                try second.withPointer { (two) throws(LibGit2Error) in
                    try check("git_merge_base") { git_merge_base(&base, repository.pointer, one, two) }
                }
            }
        } catch {
            // Past a shallow boundary the walk fails on a missing parent (libgit2 1.5.1 returns
            // a generic -1 there, naming the id); the database really lacking it decides.
            if let missing = repository.missingObjectNamed(in: error) { throw missing }
            guard error.isNotFound else { throw error.accessError }
            throw GitAccessError.git(
                code: error.code, function: error.function, message: "no merge base between '\(a)' and '\(b)'")
        }
        return ObjectID(base).hex
    }

    static func sorted(_ changes: [PathChange]) -> [PathChange] {
        changes.sorted { left, right in
            left.path == right.path
                ? (left.oldPath ?? "").utf8Precedes(right.oldPath ?? "")
                : left.path.utf8Precedes(right.path)
        }
    }
}

extension RepositoryLocation {
    /// The commits `.git/shallow` lists (a shallow clone's boundary), or nil when there is
    /// no such file.
    var shallowCommits: Set<ObjectID>? {
        guard let data = FileManager.default.contents(atPath: commonDir + "/shallow") else { return nil }
        return Set(String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).compactMap { ObjectID(hex: String($0)) })
    }
}

extension Repository {
    /// The best common ancestor of two commits in a shallow clone, as git finds it: a commit
    /// `shallow` lists (the boundary) has no parents. libgit2 1.5 ignores `.git/shallow` and
    /// fails on the boundary's missing parents even when the merge base is the boundary commit
    /// itself. Of several best common ancestors (criss-cross merges), the newest by committer
    /// time (then the smallest id). Nil when the histories share no commit; when either walk
    /// reached the boundary, the merge base may lie beyond it: `missingObject` naming a parent
    /// of a boundary commit.
    ///
    /// - Complexity: O(commits reachable from either side within the clone).
    func mergeBase(_ first: ObjectID, _ second: ObjectID, shallow: Set<ObjectID>) throws(GitAccessError) -> ObjectID? {
        var parents: [ObjectID: [ObjectID]] = [:]
        var times: [ObjectID: Int64] = [:]
        var beyondBoundary: ObjectID?
        func load(_ id: ObjectID) throws(GitAccessError) -> [ObjectID] {
            if let known = parents[id] { return known }
            var commit: OpaquePointer?
            let code = id.withPointer { git_commit_lookup(&commit, pointer, $0) }
            guard code == 0, let commit else {
                throw code == GIT_ENOTFOUND.rawValue
                    ? missingObject(id.hex, path: nil)
                    : GitAccessError.git(code: code, function: "git_commit_lookup", message: "cannot read commit \(id.hex)")
            }
            defer { git_commit_free(commit) }
            times[id] = Int64(git_commit_time(commit))
            var found: [ObjectID] = []
            for index in 0..<git_commit_parentcount(commit) {
                guard let parent = git_commit_parent_id(commit, index) else { continue }
                if shallow.contains(id) {
                    if beyondBoundary == nil { beyondBoundary = ObjectID(parent) }
                } else {
                    found.append(ObjectID(parent))
                }
            }
            parents[id] = found
            return found
        }
        func ancestors(of starts: [ObjectID]) throws(GitAccessError) -> Set<ObjectID> {
            var seen = Set<ObjectID>()
            var stack = starts
            while let id = stack.popLast() {
                guard seen.insert(id).inserted else { continue }
                stack.append(contentsOf: try load(id))
            }
            return seen
        }
        let common = try ancestors(of: [first]).intersection(try ancestors(of: [second]))
        guard !common.isEmpty else {
            if let beyondBoundary { throw missingObject(beyondBoundary.hex, path: nil) }
            return nil
        }
        // The best are those no other common commit reaches (ancestors of a common commit are
        // common).
        var starts: [ObjectID] = []
        for id in common { starts.append(contentsOf: try load(id)) }
        let reached = try ancestors(of: starts)
        let best = common.subtracting(reached)
        // Several (criss-cross merges): git takes the first its date-ordered walk meets, which
        // libgit2 finds the same way — asked when its walk stays within the clone, and kept
        // when it is one of these.
        if best.count > 1, let chosen = libgit2MergeBase(first, second), best.contains(chosen) { return chosen }
        return best.min { left, right in
            let (l, r) = (times[left] ?? 0, times[right] ?? 0)
            return l != r ? l > r : left.hex < right.hex
        }
    }

    /// libgit2's merge base of two commits, or nil when its walk fails (it does past a
    /// shallow boundary) or finds none.
    private func libgit2MergeBase(_ first: ObjectID, _ second: ObjectID) -> ObjectID? {
        var base = git_oid()
        let code = first.withPointer { one in second.withPointer { two in git_merge_base(&base, pointer, one, two) } }
        return code == 0 ? ObjectID(base) : nil
    }
}

extension PathChange {
    /// The same change seen from the other side (added ↔ deleted, renames swapped).
    var reversed: PathChange {
        switch kind {
        case .added: return PathChange(kind: .deleted, path: path)
        case .deleted: return PathChange(kind: .added, path: path)
        case .renamed: return PathChange(kind: .renamed, path: oldPath ?? path, oldPath: path)
        case .modified, .typeChanged: return self
        }
    }
}

extension Repository {
    /// Tree-to-tree changes with rename detection.
    func diffTrees(_ base: ObjectID, _ head: ObjectID, libgit2Only: Bool = false) throws(GitAccessError) -> [PathChange] {
        if !libgit2Only, let simple = try TreeComparison.changes(base, head, in: self) { return simple }
        let baseTree = try lookupTree(base)
        defer { git_tree_free(baseTree) }
        let headTree = try lookupTree(head)
        defer { git_tree_free(headTree) }
        var options = try diffOptions(workdir: false)
        return try collectChanges(forUntracked: false) { (diff) throws(LibGit2Error) in
            try check("git_diff_tree_to_tree") {
                git_diff_tree_to_tree(&diff, pointer, baseTree, headTree, &options)
            }
        }
    }

    /// The tree `base` against a working tree that holds HEAD's tree but for some files'
    /// contents (`CleanWorktree.state`): the tree diff of `base` and HEAD's tree, with each
    /// of those files compared again by its blob id and mode on disk. Nil when one of them
    /// is part of a rename (renames are paired by content: libgit2's diff decides).
    func changes(from base: ObjectID, toWorktree state: WorktreeState) throws(GitAccessError) -> [PathChange]? {
        var changes = try diffTrees(base, state.headTree)
        if state.modified.isEmpty { return changes }
        for change in changes where change.kind == .renamed {
            if state.modified[change.path] != nil || change.oldPath.map({ state.modified[$0] != nil }) == true {
                return nil
            }
        }
        let baseTree = try lookupTree(base)
        defer { git_tree_free(baseTree) }
        for (path, content) in state.modified {
            let existing = changes.firstIndex { $0.path == path }
            var entry: OpaquePointer?
            let found = git_tree_entry_bypath(&entry, baseTree, path)
            defer { if let entry { git_tree_entry_free(entry) } }
            if found == 0, let entry, let id = git_tree_entry_id(entry) {
                let mode = UInt32(git_tree_entry_filemode_raw(entry).rawValue)
                if ObjectID(id.pointee) == content.id && mode == content.mode {
                    // The edit gave the file back the base's bytes: no change there.
                    if let existing { changes.remove(at: existing) }
                } else if existing == nil {
                    changes.append(PathChange(kind: .modified, path: path))
                }
            } else if found == GIT_ENOTFOUND.rawValue {
                if existing == nil { changes.append(PathChange(kind: .added, path: path)) }
            } else {
                return nil
            }
        }
        return GitHistory.sorted(changes)
    }

    /// The tree `base` against the files on disk, untracked and ignored files included. The
    /// index only accelerates the comparison (its stat data spares hashing unchanged files);
    /// what is compared is the content on disk.
    ///
    /// Entries flagged assume-unchanged (`git update-index --assume-unchanged`, assume-valid)
    /// or skip-worktree are compared by the bytes on disk (`comparingIndexedPaths`): libgit2's
    /// diff takes them as unchanged, as `git diff` does, but the go command compiles the files.
    /// So are the paths of unmerged (conflicted) entries, which libgit2 reports as conflicted
    /// rather than changed while a merge, cherry-pick or rebase stops: the file on disk (with
    /// conflict markers, or a resolution not added yet) is what the go command compiles.
    ///
    /// `unpopulated` receives the index's submodules whose directory holds no checkout (`git
    /// submodule deinit`, never updated): libgit2 calls them unchanged, but the go command
    /// sees an empty directory (`GitHistory.expandingRepositories` compares their files).
    func diffTreeToWorkdir(_ base: ObjectID, unpopulated: inout [String]) throws(GitAccessError) -> [PathChange] {
        let baseTree = try lookupTree(base)
        defer { git_tree_free(baseTree) }
        var options = try diffOptions(workdir: true)
        let changes = try collectChanges(forUntracked: true) { (diff) throws(LibGit2Error) in
            try check("git_diff_tree_to_workdir_with_index") {
                git_diff_tree_to_workdir_with_index(&diff, pointer, baseTree, &options)
            }
        }
        let review = try reviewIndex()
        unpopulated = review.gitlinks.filter { path in
            var info = stat()
            return lstat(location.workdir + "/" + path + "/.git", &info) != 0
        }
        return try comparingIndexedPaths(changes, flagged: review.flagged, conflicted: review.conflicted, baseTree: baseTree)
    }

    /// The index entries libgit2's working-tree diff does not compare by content.
    struct IndexReview {
        /// Stage-0 entries flagged assume-valid or skip-worktree, and links when
        /// `core.symlinks` is false.
        var flagged: [String] = []
        /// Paths with unmerged entries (stages 1–3), once each.
        var conflicted: [String] = []
        /// Stage-0 gitlinks (submodules).
        var gitlinks: [String] = []
    }

    /// Reads the index (again when the file changed since the handle read it) for
    /// `IndexReview`.
    func reviewIndex() throws(GitAccessError) -> IndexReview {
        var index: OpaquePointer?
        do {
            try check("git_repository_index") { git_repository_index(&index, pointer) }
            // The handle may be older than the index file: read it again when it changed.
            try check("git_index_read") { git_index_read(index, 0) }
        } catch {
            throw error.accessError
        }
        var review = IndexReview()
        guard let index else { return review }
        defer { git_index_free(index) }
        // With `core.symlinks=false` git checks a link out as a file holding the link's text
        // and keeps the index's link entry: `git status` is clean, the go command compiles the
        // text. Such an entry is compared by what is on disk, as a flagged one.
        let linksAreFiles = Repository.configBool(pointer, "core.symlinks") == false
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), let path = entry.pointee.path else { continue }
            if git_index_entry_stage(entry) != 0 {
                let name = String(cString: path)
                // Stages of one path are adjacent (the index is sorted by path, then stage).
                if review.conflicted.last != name { review.conflicted.append(name) }
                continue
            }
            if entry.pointee.mode == 0o160000 { review.gitlinks.append(String(cString: path)) }
            if entry.pointee.flags & UInt16(GIT_INDEX_ENTRY_VALID.rawValue) != 0
                || entry.pointee.flags_extended & UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue) != 0
                || (linksAreFiles && entry.pointee.mode == 0o120000)
            {
                review.flagged.append(String(cString: path))
            }
        }
        return review
    }

    /// `changes` (the tree `baseTree` against the working tree, by libgit2) with every flagged
    /// or conflicted index path (`reviewIndex`) compared again: the raw bytes on disk (a link's
    /// target) against the base's blob, the kind (file or link) against the base's mode. A
    /// path that takes part in a rename is left as libgit2 paired it; a conflicted
    /// path that the base holds as a directory or submodule, or that is neither file nor link
    /// on disk, counts as modified (its files are compared by `expandingRepositories` or show
    /// up as untracked).
    private func comparingIndexedPaths(
        _ changes: [PathChange], flagged: [String], conflicted: [String], baseTree: OpaquePointer
    ) throws(GitAccessError) -> [PathChange] {
        guard !flagged.isEmpty || !conflicted.isEmpty else { return changes }
        var changes = changes
        let unmerged = Set(conflicted)
        for path in flagged + conflicted.filter({ !flagged.contains($0) }) {
            let isConflicted = unmerged.contains(path)
            if changes.contains(where: { $0.kind == .renamed && ($0.path == path || $0.oldPath == path) }) { continue }
            let onDisk = WorktreeFile.read(location.workdir + "/" + path)
            var entry: OpaquePointer?
            let found = git_tree_entry_bypath(&entry, baseTree, path)
            defer { if let entry { git_tree_entry_free(entry) } }
            var inBase: (id: ObjectID, isLink: Bool)?
            var conservative = false
            if found == 0, let entry, let id = git_tree_entry_id(entry) {
                let mode = UInt32(git_tree_entry_filemode_raw(entry).rawValue)
                // A directory or submodule at the path in the base: libgit2's answer stands
                // for a flagged entry; a conflicted one is changed.
                if mode & 0o170000 == 0o100000 || mode == 0o120000 {
                    inBase = (ObjectID(id.pointee), mode == 0o120000)
                } else if isConflicted {
                    conservative = true
                } else {
                    continue
                }
            } else if found != GIT_ENOTFOUND.rawValue {
                guard isConflicted else { continue }
                conservative = true
            }
            let kind: PathChange.Kind?
            switch (inBase, onDisk) {
            case _ where conservative: kind = .modified
            case (nil, .absent): kind = nil
            case (_?, .absent): kind = .deleted
            case (nil, .file), (nil, .link): kind = .added
            case (let base?, .file(let id)): kind = base.isLink ? .typeChanged : (base.id == id ? nil : .modified)
            case (let base?, .link(let id)): kind = base.isLink ? (base.id == id ? nil : .modified) : .typeChanged
            case (_, .other):
                guard isConflicted else { continue }
                kind = .modified
            }
            changes.removeAll { $0.path == path }
            if let kind { changes.append(PathChange(kind: kind, path: path)) }
        }
        return GitHistory.sorted(changes)
    }

    func lookupTree(_ id: ObjectID) throws(GitAccessError) -> OpaquePointer {
        var tree: OpaquePointer?
        do {
            try id.withPointer { (oid) throws(LibGit2Error) in
                try check("git_tree_lookup") { git_tree_lookup(&tree, pointer, oid) }
            }
        } catch {
            throw error.isNotFound ? missingObject(id.hex, path: nil) : error.accessError
        }
        guard let tree else {
            throw GitAccessError.git(code: -1, function: "git_tree_lookup", message: "no tree returned")
        }
        return tree
    }

    private func diffOptions(workdir: Bool) throws(GitAccessError) -> git_diff_options {
        var options = git_diff_options()
        do {
            try check("git_diff_options_init") {
                git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION))
            }
        } catch {
            throw error.accessError
        }
        var flags = GIT_DIFF_INCLUDE_TYPECHANGE.rawValue
        if workdir {
            flags |= GIT_DIFF_INCLUDE_UNTRACKED.rawValue | GIT_DIFF_RECURSE_UNTRACKED_DIRS.rawValue
            flags |= GIT_DIFF_INCLUDE_IGNORED.rawValue | GIT_DIFF_RECURSE_IGNORED_DIRS.rawValue
            // A submodule checkout with edits, untracked files or another commit is a changed
            // path whatever `.gitmodules` says to ignore (its files are expanded afterwards).
            options.ignore_submodules = GIT_SUBMODULE_IGNORE_NONE
        }
        options.flags = flags
        return options
    }

    /// Runs `makeDiff`, detects renames and copies the deltas out as `PathChange`s.
    private func collectChanges(
        forUntracked: Bool, _ makeDiff: (inout OpaquePointer?) throws(LibGit2Error) -> Void
    ) throws(GitAccessError) -> [PathChange] {
        var diff: OpaquePointer?
        do {
            try makeDiff(&diff)
        } catch {
            throw missingObjectNamed(in: error) ?? error.accessError
        }
        guard let diff else {
            throw GitAccessError.git(code: -1, function: "git_diff", message: "no diff returned")
        }
        defer { git_diff_free(diff) }
        try findRenames(in: diff, forUntracked: forUntracked)
        var changes: [PathChange] = []
        let count = git_diff_num_deltas(diff)
        changes.reserveCapacity(count)
        for index in 0..<count {
            guard let delta = git_diff_get_delta(diff, index) else { continue }
            let newPath = delta.pointee.new_file.path.map { String(cString: $0) }
            let oldPath = delta.pointee.old_file.path.map { String(cString: $0) }
            guard let path = Repository.normalizedDiffPath(newPath ?? oldPath) else { continue }
            switch delta.pointee.status {
            case GIT_DELTA_ADDED, GIT_DELTA_UNTRACKED, GIT_DELTA_IGNORED, GIT_DELTA_COPIED:
                changes.append(PathChange(kind: .added, path: path))
            case GIT_DELTA_DELETED:
                changes.append(PathChange(kind: .deleted, path: Repository.normalizedDiffPath(oldPath) ?? path))
            case GIT_DELTA_MODIFIED:
                changes.append(PathChange(kind: .modified, path: path))
            case GIT_DELTA_RENAMED:
                changes.append(PathChange(kind: .renamed, path: path, oldPath: Repository.normalizedDiffPath(oldPath)))
            case GIT_DELTA_TYPECHANGE:
                changes.append(PathChange(kind: .typeChanged, path: path))
            default:
                continue
            }
        }
        return GitHistory.sorted(changes)
    }

    /// Pairs deleted paths with added (or untracked) ones of similar content. A partial clone
    /// may lack the blobs similarity needs; then only exact renames (equal ids) are detected.
    private func findRenames(in diff: OpaquePointer, forUntracked: Bool) throws(GitAccessError) {
        var options = git_diff_find_options()
        do {
            try check("git_diff_find_options_init") {
                git_diff_find_options_init(&options, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION))
            }
            var flags = GIT_DIFF_FIND_RENAMES.rawValue
            if forUntracked { flags |= GIT_DIFF_FIND_FOR_UNTRACKED.rawValue }
            options.flags = flags
            do {
                try check("git_diff_find_similar") { git_diff_find_similar(diff, &options) }
            } catch where error.isNotFound && isPartialClone {
                options.flags = flags | GIT_DIFF_FIND_EXACT_MATCH_ONLY.rawValue
                try check("git_diff_find_similar") { git_diff_find_similar(diff, &options) }
            }
        } catch {
            throw missingObjectNamed(in: error) ?? error.accessError
        }
    }

    /// libgit2 names an untracked directory it does not recurse into (a nested repository)
    /// with a trailing `/`; report it as the directory path.
    static func normalizedDiffPath(_ path: String?) -> String? {
        guard var path, !path.isEmpty else { return nil }
        while path.hasSuffix("/") { path.removeLast() }
        return path.isEmpty ? nil : path
    }
}

/// Two trees compared by walking them together and skipping every subtree whose id is the
/// same on both sides: a commit that changes one file reads the trees on that file's path,
/// not every tree of both commits (libgit2's tree-to-tree diff loaded all ~2,600 trees of
/// the benchmark repository, 15–20 ms of one core on a cold object cache).
///
/// It answers only what libgit2's diff would answer without pairing anything: changes that
/// are all modifications of entries of the same kind, or all additions, or all deletions.
/// Anything else — additions together with deletions (which rename detection pairs), an
/// entry that changed kind (file, link, submodule or directory: typechanges and libgit2's
/// rules for them), a submodule — gives nil, and the caller runs libgit2's diff.
enum TreeComparison {
    private struct Unsupported: Error {}

    static func changes(_ base: ObjectID, _ head: ObjectID, in repository: Repository) throws(GitAccessError)
        -> [PathChange]?
    {
        if base == head { return [] }
        var changes: [PathChange] = []
        do {
            try compare(base, head, prefix: "", in: repository, into: &changes)
        } catch is Unsupported {
            return nil
        } catch let error as GitAccessError {
            throw error
        } catch {
            return nil
        }
        let adds = changes.contains { $0.kind == .added }
        let deletes = changes.contains { $0.kind == .deleted }
        if adds && deletes { return nil }
        return GitHistory.sorted(changes)
    }

    /// One tree's entries: name, id, raw mode.
    private static func entries(_ id: ObjectID, in repository: Repository) throws -> [(name: String, id: ObjectID, mode: UInt32)] {
        let tree = try repository.lookupTree(id)
        defer { git_tree_free(tree) }
        let count = git_tree_entrycount(tree)
        var result: [(name: String, id: ObjectID, mode: UInt32)] = []
        result.reserveCapacity(count)
        for index in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, index), let name = git_tree_entry_name(entry),
                let oid = git_tree_entry_id(entry)
            else { throw Unsupported() }
            result.append((String(cString: name), ObjectID(oid.pointee), UInt32(git_tree_entry_filemode_raw(entry).rawValue)))
        }
        return result
    }

    private enum Kind { case tree, file, link, other }

    private static func kind(_ mode: UInt32) -> Kind {
        switch mode & 0o170000 {
        case 0o040000: return .tree
        case 0o100000: return .file
        case 0o120000: return .link
        default: return .other  // gitlinks
        }
    }

    private static func compare(
        _ base: ObjectID, _ head: ObjectID, prefix: String, in repository: Repository, into changes: inout [PathChange]
    ) throws {
        let old = Dictionary(try entries(base, in: repository).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let new = try entries(head, in: repository)
        var seen = Set<String>()
        for entry in new {
            seen.insert(entry.name)
            let path = prefix + entry.name
            guard let before = old[entry.name] else {
                try everything(entry, path: path, kind: .added, in: repository, into: &changes)
                continue
            }
            if before.id == entry.id && before.mode == entry.mode { continue }
            let (was, now) = (kind(before.mode), kind(entry.mode))
            guard was == now, now != .other else { throw Unsupported() }
            if now == .tree {
                try compare(before.id, entry.id, prefix: path + "/", in: repository, into: &changes)
            } else {
                changes.append(PathChange(kind: .modified, path: path))
            }
        }
        for (name, entry) in old where !seen.contains(name) {
            try everything(entry, path: prefix + name, kind: .deleted, in: repository, into: &changes)
        }
    }

    /// Every file and link at or under `entry`, as added or deleted.
    private static func everything(
        _ entry: (name: String, id: ObjectID, mode: UInt32), path: String, kind change: PathChange.Kind,
        in repository: Repository, into changes: inout [PathChange]
    ) throws {
        switch kind(entry.mode) {
        case .tree:
            for child in try entries(entry.id, in: repository) {
                try everything(child, path: path + "/" + child.name, kind: change, in: repository, into: &changes)
            }
        case .file, .link:
            changes.append(PathChange(kind: change, path: path))
        case .other:
            throw Unsupported()
        }
    }
}

/// What the working tree holds at a path, as the go command reads it: a file's raw bytes, a
/// link's target (each as a git blob id), nothing, or something else (a directory).
enum WorktreeFile: Equatable {
    case absent
    case file(ObjectID)
    case link(ObjectID)
    case other

    static func read(_ path: String) -> WorktreeFile {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT || errno == ENOTDIR ? .absent : .other }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            guard let data = FileManager.default.contents(atPath: path), let id = CleanWorktree.blobID(of: Array(data))
            else { return .other }
            return .file(id)
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(path, &buffer, buffer.count - 1)
            guard count >= 0, let id = CleanWorktree.blobID(of: buffer[0..<count].map { UInt8(bitPattern: $0) })
            else { return .other }
            return .link(id)
        default:
            return .other
        }
    }
}
