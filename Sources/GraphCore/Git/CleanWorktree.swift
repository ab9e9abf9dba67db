import Foundation
internal import CGit2
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Proves a working tree equal to its HEAD commit's tree from git's index and a walk of
/// the files, so that a diff against it is a tree-to-tree diff (`GitHistory.changes`).
///
/// libgit2's working-tree diff (the base tree against the index, the index against the
/// files, untracked and ignored files included) read every tree object of the base,
/// opened every directory again, stat'ed every file again and looked for a `.gitignore`
/// in each directory: 50–100 ms of one core for 2,500 directories, in every cold or
/// run-memo-missing `gocache affected`. A CI checkout is usually clean. The proof:
///
/// - the index is version 2 or 3, not split, not sparse, has no conflicts and no entry
///   marked assume-valid, skip-worktree or intent-to-add, and holds regular files and
///   symbolic links only (no submodule);
/// - its cache-tree extension (`TREE`) is valid at the root for every entry and names
///   HEAD's tree: the index holds exactly HEAD's tree;
/// - the walk found exactly the index's paths, files as regular files and links as links
///   (nothing untracked or ignored, nothing missing), each with the size, modification and
///   change times, inode and mode the index recorded (a link's own, as `lstat` gives them:
///   a link rewritten to another target has a new change time and usually a new size);
/// - every entry's modification time is strictly older than the index file's (git's
///   racy-clean rule: content written in the index's own clock tick could have changed
///   unseen).
///
/// Anything else — or anything unreadable — gives nil, and the caller runs libgit2's diff.
///
/// An edited checkout (`WorktreeState`): when everything above holds but some tracked
/// files' stat data differs from the index's (or is racily clean), only those files are
/// read and hashed as git blobs — raw, as the go command reads them; not at all when a
/// `.gitattributes` file sets a converting attribute (`GitAttributes`) or `info/attributes`
/// exists, nor for a link or a
/// file with a carriage return — and the working tree is HEAD's tree with those files'
/// contents. A developer's edit of one file then costs one file's hash, not libgit2's whole
/// second walk.
enum CleanWorktree {
    /// HEAD's tree, when the working tree provably holds exactly it (see above).
    static func headTree(of snapshot: Snapshot) -> ObjectID? {
        guard let state = state(of: snapshot), state.modified.isEmpty else { return nil }
        return state.headTree
    }

    /// What the working tree provably holds: HEAD's tree, but for the content of the
    /// tracked files in `modified` (see above); nil when that cannot be shown.
    static func state(of snapshot: Snapshot) -> WorktreeState? {
        guard snapshot.treeID == nil else { return nil }
        let walk: WorktreeWalk
        if let done = snapshot.completedWalk.withLock({ $0 }) {
            walk = done
        } else {
            // A tree too large to walk cheaply (the run memo gives up at 100,000 entries too) is
            // left to libgit2.
            guard let fresh = try? snapshot.walkWorktree(limit: 100_000) else { return nil }
            walk = fresh
        }
        guard let index = IndexFile.read(snapshot.location.gitDir + "/index"),
            let head = try? snapshot.pool.withRepository({ (repository) throws(GitAccessError) in
                try repository.resolveCommit("HEAD").tree
            }),
            index.rootTree == head.rawBytes,
            let stale = staleEntries(index, walk)
        else { return nil }
        if stale.isEmpty { return WorktreeState(headTree: head, modified: [:]) }
        // The bytes on disk are hashed raw: not where git could filter them on the way in.
        let gitDir = snapshot.location.gitDir
        var info = stat()
        if stat(gitDir + "/info/attributes", &info) == 0 { return nil }
        // An attributes file that only sets what leaves bytes alone (`*.go text eol=lf`,
        // linguist-*; `GitAttributes`) is fine: the hashed files hold no carriage return, so
        // line-end normalization on the way in would not change them either.
        let converting = GitAttributes.convertingRules(
            walk.directories.map { ($0.path, $0.entries) }, workdir: snapshot.location.workdir, textConverts: false)
        var modified: [String: WorktreeState.Content] = [:]
        for entry in stale {
            guard entry.mode != 0o120000, !converting.converts(entry.path), let bytes = try? snapshot.contents(of: entry.path),
                !bytes.contains(UInt8(ascii: "\r")), let id = blobID(of: bytes)
            else { return nil }
            if id.rawBytes != entry.id { modified[entry.path] = .init(id: id, mode: entry.mode) }
        }
        return WorktreeState(headTree: head, modified: modified)
    }

    /// The git blob id of `bytes` (`git hash-object`).
    static func blobID(of bytes: [UInt8]) -> ObjectID? {
        var oid = git_oid()
        let code = bytes.withUnsafeBytes { git_odb_hash(&oid, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }
        return code == 0 ? ObjectID(oid) : nil
    }

    /// Whether the walk holds exactly the index's files, unchanged since the index recorded
    /// them.
    static func matches(_ index: IndexFile, _ walk: WorktreeWalk) -> Bool {
        staleEntries(index, walk)?.isEmpty ?? false
    }

    /// The index entries whose stat data the walk does not match (or that are racily clean),
    /// when the walk holds exactly the index's paths with the index's kinds and modes; nil
    /// otherwise.
    static func staleEntries(_ index: IndexFile, _ walk: WorktreeWalk) -> [IndexFile.Entry]? {
        var files: [String: FileTreeEntry] = [:]
        files.reserveCapacity(index.entries.count)
        for directory in walk.directories {
            let prefix = directory.path.isEmpty ? "" : directory.path + "/"
            for entry in directory.entries {
                switch entry.kind {
                case .directory: continue
                // A link's stat data is its own (lstat), as git records it.
                case .file, .symlink: files[prefix + entry.name] = entry
                case .submodule: return nil
                }
            }
        }
        guard files.count == index.entries.count else { return nil }
        var stale: [IndexFile.Entry] = []
        for recorded in index.entries {
            // A submodule: its content is another repository's.
            if recorded.mode == 0o160000 { return nil }
            guard let entry = files[recorded.path], let stamp = entry.stamp, let mode = entry.mode,
                mode == recorded.mode
            else { return nil }
            guard UInt32(truncatingIfNeeded: stamp.size) == recorded.size,
                UInt32(truncatingIfNeeded: stamp.inode) == recorded.inode,
                stamp.mtimeSeconds == Int64(recorded.mtimeSeconds), stamp.mtimeNanoseconds == Int64(recorded.mtimeNanoseconds),
                stamp.ctimeSeconds == Int64(recorded.ctimeSeconds), stamp.ctimeNanoseconds == Int64(recorded.ctimeNanoseconds),
                (Int64(recorded.mtimeSeconds), Int64(recorded.mtimeNanoseconds)) < (index.mtimeSeconds, index.mtimeNanoseconds)
            else {
                stale.append(recorded)
                continue
            }
        }
        return stale
    }
}

/// A working tree that holds HEAD's tree but for the content of some tracked files
/// (`CleanWorktree.state(of:)`).
struct WorktreeState {
    struct Content {
        /// The git blob id of the file's bytes on disk.
        var id: ObjectID
        /// Its mode, the index's (the proof requires the file's to match it).
        var mode: UInt32
    }

    /// HEAD's tree, which the index holds.
    var headTree: ObjectID
    /// Tracked files whose bytes on disk differ from the index's blob, by path.
    var modified: [String: Content]
}

/// The parts of git's index file (`Documentation/gitformat-index.txt`, versions 2 to 4) the
/// clean-worktree proof and the index's blob ids read. `read` returns nil for anything it
/// does not handle.
struct IndexFile {
    struct Entry: Sendable {
        var path: String
        var ctimeSeconds: UInt32
        var ctimeNanoseconds: UInt32
        var mtimeSeconds: UInt32
        var mtimeNanoseconds: UInt32
        var inode: UInt32
        var mode: UInt32
        var size: UInt32
        /// The blob id the entry records (20 bytes).
        var id: [UInt8]
    }

    var entries: [Entry]
    /// The cache tree's root id (20 bytes), when valid for every entry (nil otherwise: the
    /// clean-tree proof needs it, the index's blob ids do not).
    var rootTree: [UInt8]?
    /// The index file's own modification time.
    var mtimeSeconds: Int64
    var mtimeNanoseconds: Int64

    static func read(_ path: String) -> IndexFile? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_size > 12, info.st_size < 1 << 30 else { return nil }
        guard let bytes = readWhole(descriptor, size: Int(info.st_size)), var parsed = parse(bytes) else { return nil }
        parsed.mtimeSeconds = Int64(info.st_mtim.tv_sec)
        parsed.mtimeNanoseconds = Int64(info.st_mtim.tv_nsec)
        return parsed
    }

    /// Parses the bytes of an index file (the trailing checksum is not verified: git and
    /// libgit2 wrote it; a torn file fails the bounds checks or the cache-tree match).
    static func parse(_ bytes: [UInt8]) -> IndexFile? {
        func u32(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
        }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) }
        let hashSize = 20
        guard bytes.count >= 12 + hashSize, bytes[0...3].elementsEqual("DIRC".utf8) else { return nil }
        let version = u32(4)
        guard version >= 2 && version <= 4 else { return nil }
        let count = Int(u32(8))
        let end = bytes.count - hashSize
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var offset = 12
        var previousPath: [UInt8] = []
        for _ in 0..<count {
            guard offset + 62 <= end else { return nil }
            let flags = u16(offset + 60)
            // Assume-valid, a conflict stage, or (version 3 and later) extended flags:
            // skip-worktree and intent-to-add.
            if flags & 0x8000 != 0 || (flags >> 12) & 0x3 != 0 { return nil }
            var nameStart = offset + 62
            if flags & 0x4000 != 0 {
                guard version >= 3, nameStart + 2 <= end else { return nil }
                if u16(nameStart) & 0x6000 != 0 { return nil }
                nameStart += 2
            }
            // Version 4 compresses each path against the previous one: a varint (git's
            // `decode_varint`) of bytes to drop from its end, then the rest, NUL-ended.
            var strip = 0
            if version == 4 {
                guard nameStart < end else { return nil }
                var byte = bytes[nameStart]
                nameStart += 1
                strip = Int(byte & 127)
                while byte & 128 != 0 {
                    guard nameStart < end, strip < 1 << 24 else { return nil }
                    byte = bytes[nameStart]
                    nameStart += 1
                    strip = ((strip + 1) << 7) + Int(byte & 127)
                }
                guard strip <= previousPath.count else { return nil }
            }
            guard let nul = bytes[nameStart..<end].firstIndex(of: 0) else { return nil }
            let mode = u32(offset + 24)
            // Regular files, links and gitlinks (submodules: the clean-tree proof fails on
            // them, the blob ids skip them).
            guard mode == 0o100644 || mode == 0o100755 || mode == 0o120000 || mode == 0o160000 else { return nil }
            let pathBytes = version == 4 ? Array(previousPath.dropLast(strip)) + bytes[nameStart..<nul] : Array(bytes[nameStart..<nul])
            guard let path = String(validating: pathBytes, as: UTF8.self) else { return nil }
            if version == 4 { previousPath = pathBytes }
            entries.append(
                Entry(
                    path: path, ctimeSeconds: u32(offset), ctimeNanoseconds: u32(offset + 4), mtimeSeconds: u32(offset + 8),
                    mtimeNanoseconds: u32(offset + 12), inode: u32(offset + 20), mode: mode, size: u32(offset + 36),
                    id: Array(bytes[offset + 40..<offset + 60])))
            if version == 4 {
                // No padding after the NUL.
                offset = nul + 1
            } else {
                // Entries are padded with 1–8 NULs to a multiple of 8 bytes.
                let length = nul - offset
                offset += (length + 8) / 8 * 8
            }
        }
        var rootTree: [UInt8]?
        while offset + 8 <= end {
            let signature = bytes[offset..<offset + 4]
            let size = Int(u32(offset + 4))
            let body = offset + 8
            guard body + size <= end else { return nil }
            if signature.elementsEqual("TREE".utf8) {
                rootTree = rootOfCacheTree(bytes[body..<body + size], entryCount: count)
            } else if let first = signature.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") {
                // An optional extension (untracked cache, resolve-undo, ...).
            } else {
                // A required one this reader does not know (split index `link`, sparse `sdir`).
                return nil
            }
            offset = body + size
        }
        guard offset == end else { return nil }
        return IndexFile(entries: entries, rootTree: rootTree, mtimeSeconds: 0, mtimeNanoseconds: 0)
    }

    /// The root entry of a cache-tree extension: `"" NUL <entries> SP <subtrees> LF <id>`,
    /// valid when its entry count covers the whole index.
    private static func rootOfCacheTree(_ body: ArraySlice<UInt8>, entryCount: Int) -> [UInt8]? {
        guard let first = body.first, first == 0 else { return nil }
        guard let newline = body.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let counts = String(decoding: body[body.startIndex + 1..<newline], as: UTF8.self).split(separator: " ")
        guard counts.count == 2, let entries = Int(counts[0]), entries == entryCount,
            newline + 1 + 20 <= body.endIndex
        else { return nil }
        return Array(body[newline + 1..<newline + 21])
    }
}

/// `size` bytes from `descriptor`; nil when the file is shorter or unreadable.
private func readWhole(_ descriptor: Int32, size: Int) -> [UInt8]? {
    var bytes = [UInt8](repeating: 0, count: size)
    var filled = 0
    while filled < size {
        let count = bytes.withUnsafeMutableBytes { raw in read(descriptor, raw.baseAddress! + filled, size - filled) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return nil }
        filled += count
    }
    return bytes
}
