public import CacheStore
import Foundation
public import GraphCore
import Synchronization

/// SHA-256 of repository files, computed once per content: memoised by git blob id for a
/// revision, and by path + stat data (size, mtime, inode, device) for working-tree files,
/// obeying git's racy-clean rule (a file modified at or after the moment its digest was
/// recorded is hashed again). The memo persists in the cache directory.
public final class FileDigester: Sendable {
    private struct Record: Codable {
        var digest: String
        /// When the digest was recorded (seconds since 1970), for the racy-clean rule.
        var recorded: Int64
    }

    private let tree: any FileTree
    private let memoPath: String?
    private let memo: Mutex<[String: Record]>
    private let dirty = Mutex(false)

    /// A digester over `tree`; `cacheDirectory` (when given) keeps the memo across runs.
    public init(tree: any FileTree, cacheDirectory: String?) {
        self.tree = tree
        self.memoPath = cacheDirectory.map { $0 + "/memo/file-digests-v1.json" }
        var loaded: [String: Record] = [:]
        if let memoPath, let data = FileManager.default.contents(atPath: memoPath),
            let decoded = try? JSONDecoder().decode([String: Record].self, from: data)
        {
            loaded = decoded
        }
        self.memo = Mutex(loaded)
    }

    /// Digests of `paths` (repository-relative), hashed in parallel on all cores.
    public func digests(of paths: [String]) async throws -> [String: SHA256Digest] {
        let unique = Array(Set(paths)).sorted()
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return try await withThrowingTaskGroup(of: (String, SHA256Digest).self) { group in
            var result: [String: SHA256Digest] = [:]
            var iterator = unique.makeIterator()
            for _ in 0..<width {
                guard let path = iterator.next() else { break }
                group.addTask { (path, try self.digest(of: path)) }
            }
            while let (path, digest) = try await group.next() {
                result[path] = digest
                if let next = iterator.next() {
                    group.addTask { (next, try self.digest(of: next)) }
                }
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
        let memoKey: String?
        var stampSeconds: Int64?
        if let blob = entry?.blobID {
            memoKey = "blob:" + blob
        } else if let stamp = entry?.stamp {
            memoKey = "stat:\(path):\(stamp.size):\(stamp.mtimeSeconds).\(stamp.mtimeNanoseconds):\(stamp.inode):\(stamp.device)"
            stampSeconds = stamp.mtimeSeconds
        } else {
            memoKey = nil
        }
        if let memoKey, let record = memo.withLock({ $0[memoKey] }),
            stampSeconds.map({ $0 < record.recorded }) ?? true,
            let digest = SHA256Digest(hex: record.digest)
        {
            return digest
        }
        let digest = try SHA256Hasher.hash(try tree.contents(of: path))
        if let memoKey {
            let now = Int64(Date().timeIntervalSince1970)
            memo.withLock { $0[memoKey] = Record(digest: digest.hex, recorded: now) }
            dirty.withLock { $0 = true }
        }
        return digest
    }

    /// Writes the memo back (atomically) when it changed. Failures only cost speed.
    public func save() {
        guard let memoPath, dirty.withLock({ $0 }) else { return }
        let snapshot = memo.withLock { $0 }
        guard let data = try? JSONEncoder().encode(snapshot) else { return }
        let dir = (memoPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let temporary = memoPath + ".tmp.\(ProcessInfo.processInfo.processIdentifier)"
        if FileManager.default.createFile(atPath: temporary, contents: data) {
            _ = rename(temporary, memoPath)
        }
    }
}
