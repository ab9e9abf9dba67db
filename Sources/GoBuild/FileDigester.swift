public import CacheStore
import Foundation
public import GraphCore
import Synchronization

/// SHA-256 of repository files, computed once per content: memoised by git blob id for a
/// revision, and by path + stat data (size, mtime, ctime, inode, device) for working-tree files,
/// obeying git's racy-clean rule (a file modified at or after the moment its digest was
/// recorded is hashed again). The memo persists in the cache directory.
public final class FileDigester: Sendable {
    private struct Record {
        var digest: SHA256Digest
        /// When the digest was recorded (seconds since 1970), for the racy-clean rule.
        var recorded: Int64
    }

    /// Entries kept across runs: every one used by the last run, then the most recently
    /// recorded others up to this count (stale stat keys of edited files age out).
    static let capacity = 50_000
    static let fileName = "file-digests-v3.bin"
    /// Earlier versions' files, removed when the memo is saved.
    static let olderFileNames = ["file-digests-v2.bin"]
    private static let magic = Array("gocache-file-digests 2\n".utf8)

    private let tree: any FileTree
    private let memoPath: String?
    /// Records, the keys this process used, whether anything was added: one lock, taken once
    /// per file (digests are computed on every core at once).
    private struct State {
        var records: [String: Record]
        var used: Set<String> = []
        var dirty = false
        /// Digests of the bytes this process read (`observe`), by path: this snapshot's
        /// contents, needing no memo lookup.
        var fresh: [String: SHA256Digest] = [:]
    }
    private let state: Mutex<State>

    /// A digester over `tree`; `cacheDirectory` (when given) keeps the memo across runs.
    public init(tree: any FileTree, cacheDirectory: String?) {
        self.tree = tree
        self.memoPath = cacheDirectory.map { $0 + "/memo/" + FileDigester.fileName }
        var loaded: [String: Record] = [:]
        if let memoPath, let data = FileManager.default.contents(atPath: memoPath) {
            loaded = FileDigester.decode([UInt8](data)) ?? [:]
        }
        self.state = Mutex(State(records: loaded))
    }

    /// Digests of `paths` (repository-relative), hashed in parallel on all cores.
    public func digests(of paths: [String]) async throws -> [String: SHA256Digest] {
        var known: [String: SHA256Digest] = [:]
        let unique: [String] = state.withLock { state in
            var rest: [String] = []
            for path in Set(paths) {
                if let digest = state.fresh[path] { known[path] = digest } else { rest.append(path) }
            }
            return rest.sorted()
        }
        if unique.isEmpty { return known }
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        // Chunks of files per task: one task per file costs more than a memo hit.
        let chunk = max(1, min(64, unique.count / (width * 4)))
        return try await withThrowingTaskGroup(of: [(String, SHA256Digest)].self) { group in
            var result = known
            result.reserveCapacity(known.count + unique.count)
            var start = 0
            func add() {
                let slice = unique[start..<min(start + chunk, unique.count)]
                start += chunk
                group.addTask { try slice.map { ($0, try self.digest(of: $0)) } }
            }
            for _ in 0..<width where start < unique.count { add() }
            while let done = try await group.next() {
                for (path, digest) in done { result[path] = digest }
                if start < unique.count { add() }
            }
            return result
        }
    }

    /// The digest of one file.
    public func digest(of path: String) throws -> SHA256Digest {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let entry = try tree.entries(in: dir)?.first { $0.name == name }
        let memoKey = entry.flatMap { FileDigester.memoKey(path: path, entry: $0) }
        if let memoKey {
            let known: SHA256Digest? = state.withLock { state in
                guard let record = state.records[memoKey.key],
                    memoKey.mtime.map({ FileStamp.trusts(stampSecond: $0, recorded: record.recorded) }) ?? true
                else { return nil }
                state.used.insert(memoKey.key)
                return record.digest
            }
            if let known { return known }
        }
        let digest = try SHA256Hasher.hash(try tree.contents(of: path))
        if let memoKey {
            let now = Int64(Date().timeIntervalSince1970)
            state.withLock { state in
                state.records[memoKey.key] = Record(digest: digest, recorded: now)
                state.used.insert(memoKey.key)
                state.dirty = true
            }
        }
        return digest
    }

    /// The memo key of a file, and the newest second of its stamp (the racy-clean rule; nil
    /// for a blob); nil when its content has no stable identity. A symbolic link is never
    /// memoised: its blob id and its stat data are the link's, while its digest is that of
    /// the file it points to, which can change under the same link.
    static func memoKey(path: String, entry: FileTreeEntry) -> (key: String, mtime: Int64?)? {
        guard entry.kind == .file else { return nil }
        if let blob = entry.blobID { return ("blob:" + blob, nil) }
        guard let stamp = entry.stamp else { return nil }
        let key =
            "stat:\(path):\(stamp.size):\(stamp.mtimeSeconds).\(stamp.mtimeNanoseconds):"
            + "\(stamp.ctimeSeconds).\(stamp.ctimeNanoseconds):\(stamp.inode):\(stamp.device)"
        return (key, stamp.newestSecond)
    }

    /// Writes the memo back (atomically) when it changed. Failures only cost speed.
    public func save() {
        guard let memoPath else { return }
        let taken: (records: [String: Record], used: Set<String>)? = state.withLock { state in
            guard state.dirty else { return nil }
            state.dirty = false
            return (state.records, state.used)
        }
        guard var snapshot = taken?.records, let keep = taken?.used else { return }
        if snapshot.count > FileDigester.capacity {
            let others = snapshot.filter { !keep.contains($0.key) }.sorted { $0.value.recorded > $1.value.recorded }
            let room = max(0, FileDigester.capacity - keep.count)
            snapshot = snapshot.filter { keep.contains($0.key) }
            for (key, record) in others.prefix(room) { snapshot[key] = record }
        }
        MemoFiles.writeAtomically(FileDigester.encode(snapshot), to: memoPath)
        let dir = (memoPath as NSString).deletingLastPathComponent
        for older in FileDigester.olderFileNames { unlink(dir + "/" + older) }
    }

    /// magic, then per record: key length (u32 LE), key bytes, 32 digest bytes, recorded (i64 LE).
    private static func encode(_ records: [String: Record]) -> [UInt8] {
        var out = magic
        for (key, record) in records {
            let bytes = Array(key.utf8)
            var length = UInt32(bytes.count).littleEndian
            withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
            out.append(contentsOf: bytes)
            out.append(contentsOf: record.digest.bytes)
            var recorded = record.recorded.littleEndian
            withUnsafeBytes(of: &recorded) { out.append(contentsOf: $0) }
        }
        return out
    }

    /// The records of an encoded memo; nil when it is not one (a damaged memo is dropped).
    private static func decode(_ bytes: [UInt8]) -> [String: Record]? {
        guard bytes.count >= magic.count, bytes[0..<magic.count].elementsEqual(magic) else { return nil }
        var records: [String: Record] = [:]
        var offset = magic.count
        return bytes.withUnsafeBytes { raw -> [String: Record]? in
            while offset < raw.count {
                guard offset + 4 <= raw.count else { return nil }
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                offset += 4
                guard offset + length + 32 + 8 <= raw.count else { return nil }
                let key = String(decoding: raw[offset..<offset + length], as: UTF8.self)
                offset += length
                guard let digest = SHA256Digest(bytes: Array(raw[offset..<offset + 32])) else { return nil }
                offset += 32
                let recorded = Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self))
                offset += 8
                records[key] = Record(digest: digest, recorded: recorded)
            }
            return records
        }
    }
}

/// The load's parse reads every Go file it does not find in the parse memo whole; digesting
/// those bytes then and there spares the key's digest pass a second open and read of each
/// (a cold `hash` read 5,000 files twice at 1,000 targets). Stored like any other digest,
/// under the stat data or blob id listed before the read, so the racy-clean rule holds as
/// for `digest(of:)`.
extension FileDigester: FileContentsObserver {
    public func observe(_ files: [ObservedFile]) {
        var computed: [(path: String, key: String?, digest: SHA256Digest)] = []
        computed.reserveCapacity(files.count)
        for file in files {
            // A symbolic link's bytes are its target's: the digest serves this run, the memo
            // keeps none (see `memoKey`).
            guard file.entry.kind == .file || file.entry.kind == .symlink, let digest = try? SHA256Hasher.hash(file.bytes)
            else { continue }
            computed.append((file.path, FileDigester.memoKey(path: file.path, entry: file.entry)?.key, digest))
        }
        if computed.isEmpty { return }
        let now = Int64(Date().timeIntervalSince1970)
        state.withLock { state in
            for item in computed {
                state.fresh[item.path] = item.digest
                if let key = item.key {
                    state.records[key] = Record(digest: item.digest, recorded: now)
                    state.used.insert(key)
                    state.dirty = true
                }
            }
        }
    }
}
