import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Every directory of a working tree listed at once, with the stat data of every file and
/// symbolic link (and of what each link points to): what the working tree's contents are
/// a function of, as far as stat data can tell (git's assumption for `git status`).
///
/// `Snapshot.walkWorktree()` makes one; the listings stay cached in the snapshot, so a load
/// of it afterwards lists nothing again.
public struct WorktreeWalk: Sendable {
    /// One directory (`""` is the root) and its entries, sorted by name.
    public struct Directory: Sendable {
        public let path: String
        public let entries: [FileTreeEntry]
    }

    /// What a symbolic link points to, by the link's repository-relative path: the target's
    /// stat data, or nil for a dangling link.
    public struct LinkTarget: Sendable {
        public let path: String
        public let stamp: FileStamp?
        public let isDirectory: Bool
    }

    /// Every directory under the root (the root's `.git` excluded), level by level: the
    /// root, then each level's subdirectories in their parents' order and by name.
    public let directories: [Directory]
    /// Every symbolic link's target, in the order of `directories`.
    public let linkTargets: [LinkTarget]
    /// When the walk began, in seconds by the clock files are stamped with.
    public let startedAt: Int64
    /// The latest modification or change time (seconds) of any file, link or link target
    /// not proven by git's index.
    public let newestStamp: Int64
    /// Whether the snapshot's listings are this walk's: false when a directory had been
    /// listed before the walk and differently (the snapshot keeps its first listing, so a
    /// load of it would not see the tree this walk saw).
    public var listingsAreWalked: Bool = true

    /// What git's index proved (`IndexedBlobs`), for `provenTree`.
    var indexed: IndexedBlobs?

    /// The tree (hex id) this walk's working tree is byte for byte, by git's index
    /// (`IndexedBlobs.provenTree`): every file and link proven, nothing untracked, nothing
    /// missing, no empty directory. nil when that cannot be shown.
    public func provenTree() -> String? {
        indexed?.provenTree(of: directories)
    }

    /// Number of files carrying the blob id of git's index (`IndexedBlobs`).
    public var indexedFileCount: Int {
        directories.reduce(0) { $0 + $1.entries.count(where: { $0.blobID != nil }) }
    }

    /// Number of files and links seen.
    public var fileCount: Int {
        directories.reduce(0) { $0 + $1.entries.count(where: { $0.kind != .directory }) }
    }

    /// Whether content written in the second of a stamp could still change unseen: a stamp
    /// proves unchanged content only when it is older than the walk (git's racy-clean rule),
    /// here with one second of margin for file systems stamping in whole seconds. Files
    /// carrying the index's blob id (`IndexedBlobs`) are left out: the index's own clock
    /// proved them, so a fresh checkout is not racy for a second.
    public var isRacy: Bool { newestStamp >= startedAt - 1 }
}

extension Snapshot {
    /// Lists every directory of the working tree (directories in parallel, level by level),
    /// keeping each listing for later reads of this snapshot.
    ///
    /// - Parameter limit: the most entries (files, links and directories) to list; a larger
    ///   tree returns nil after listing about that many (what was listed stays cached).
    /// - Throws: `FileTreeError.unreadable` for a directory that cannot be read;
    ///   `FileTreeError.notFound` when the snapshot is a revision, not the working tree.
    public func walkWorktree(limit: Int = .max) throws -> WorktreeWalk? {
        guard treeID == nil else { throw FileTreeError.notFound(path: "(working tree of a revision snapshot)") }
        let startedAt = WorktreeReader.fileClockSeconds()
        let indexRead = IndexedBlobs.prepare(self)
        let root = location.workdir
        // Level by level, each level's directories listed in parallel; the order of the
        // result (each level in its parents' order, a directory's subdirectories in name
        // order) is the same on every run, so no sort is needed for the key.
        var found: [(path: String, listing: DirectoryListing)] = []
        var frontier = [""]
        let listedEntries = Atomic<Int>(0)
        let failure = Mutex<FileTreeError?>(nil)
        while !frontier.isEmpty {
            let level = frontier
            var listed = [DirectoryListing?](repeating: nil, count: level.count)
            let width = min(level.count, 4 * max(1, ProcessInfo.processInfo.activeProcessorCount))
            listed.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let slots = slots
                DispatchQueue.concurrentPerform(iterations: width) { worker in
                    var index = worker
                    // Past the limit, the rest of the level is not listed.
                    while index < level.count, listedEntries.load(ordering: .relaxed) <= limit {
                        let dir = level[index]
                        do {
                            let absolute = dir.isEmpty ? root : root + "/" + dir
                            // Each worker writes only its own slots.
                            let listing = try WorktreeReader.listing(of: absolute, relativePath: dir, skipGitEntry: dir.isEmpty)
                            slots[index] = listing
                            listedEntries.add(listing?.entries.count ?? 0, ordering: .relaxed)
                        } catch let error as FileTreeError {
                            failure.withLock { $0 = $0 ?? error }
                        } catch {
                            failure.withLock { $0 = $0 ?? .unreadable(path: dir, reason: "\(error)") }
                        }
                        index += width
                    }
                }
            }
            if let error = failure.withLock({ $0 }) { throw error }
            // Past the limit some directories of this level were not listed: no walk (a
            // walk missing directories would key a tree it did not see).
            if listedEntries.load(ordering: .relaxed) > limit {
                for (dir, listing) in zip(level, listed) {
                    if let listing { found.append((dir, listing)) }
                }
                keep(found)
                return nil
            }
            frontier = []
            for (dir, listing) in zip(level, listed) {
                guard let listing else { continue }
                found.append((dir, listing))
                let prefix = dir.isEmpty ? "" : dir + "/"
                for entry in listing.entries where entry.kind == .directory {
                    frontier.append(prefix + entry.name)
                }
            }
        }
        // Files whose content git's index proves get its blob ids (`IndexedBlobs`): the
        // memos key them by content, which survives a fresh clone.
        let indexed = indexRead.load(directories: found)
        if let blobs = indexed {
            found.withUnsafeMutableBufferPointer { slots in
                nonisolated(unsafe) let slots = slots
                let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
                DispatchQueue.concurrentPerform(iterations: width) { worker in
                    // Each worker writes only its own slots.
                    for index in stride(from: worker, to: slots.count, by: width) {
                        slots[index].listing = blobs.annotate(slots[index].listing, dir: slots[index].path)
                    }
                }
            }
        }
        let listingsAreWalked = keep(found)

        var newest: Int64 = 0
        var directories: [WorktreeWalk.Directory] = []
        directories.reserveCapacity(found.count)
        var links: [WorktreeWalk.LinkTarget] = []
        for (dir, listing) in found {
            let entries = listing.entries
            let prefix = dir.isEmpty ? "" : dir + "/"
            for entry in entries {
                // A file the index proves needs no margin: git's racy-clean rule held for it.
                if let stamp = entry.stamp, entry.blobID == nil { newest = max(newest, stamp.newestSecond) }
                if entry.kind == .symlink {
                    let target = WorktreeReader.targetStamp(of: root + "/" + prefix + entry.name)
                    if let stamp = target?.stamp { newest = max(newest, stamp.newestSecond) }
                    links.append(.init(path: prefix + entry.name, stamp: target?.stamp, isDirectory: target?.isDirectory ?? false))
                }
            }
            directories.append(.init(path: dir, entries: entries))
        }
        var walk = WorktreeWalk(directories: directories, linkTargets: links, startedAt: startedAt, newestStamp: newest)
        walk.listingsAreWalked = listingsAreWalked
        walk.indexed = indexed
        completedWalk.withLock { $0 = walk }
        return walk
    }

    /// Caches listings made by a walk for later reads of this snapshot; false when some
    /// directory was already listed, differently.
    @discardableResult
    private func keep(_ found: [(path: String, listing: DirectoryListing)]) -> Bool {
        listings.withLock { cached in
            var same = true
            for (dir, listing) in found {
                if let earlier = cached[dir] {
                    if let earlier, Self.sameEntries(earlier.entries, listing.entries) {
                        // Listed before the walk, the same but for the index's blob ids.
                        cached[dir] = .some(listing)
                    } else {
                        same = false
                    }
                } else {
                    cached[dir] = .some(listing)
                }
            }
            return same
        }
    }

    /// Whether two listings of a directory hold the same entries, blob ids aside.
    private static func sameEntries(_ a: [FileTreeEntry], _ b: [FileTreeEntry]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            var x = x
            var y = y
            x.blobID = nil
            y.blobID = nil
            if x != y { return false }
        }
        return true
    }
}
