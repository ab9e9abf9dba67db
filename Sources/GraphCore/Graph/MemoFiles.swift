import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The file handling the memos of whole results share (the run memo, the graph memo): an
/// entry is one file, written atomically, and the directory keeps the most recently
/// written or used entries.
public enum MemoFiles {
    /// What becomes of memo writes: put in place at once (a library's default), held until
    /// the caller says how its command ended (`holdWrites`), or dropped (after a failure).
    private enum Mode {
        case direct
        /// Temporary files written, renamed into place by `settleWrites(keep: true)`.
        case holding([(temporary: String, path: String)])
        case dropping
    }
    private static let mode = Mutex<Mode>(.direct)
    private static let sequence = Atomic<Int>(0)
    /// Directories held writes created (removed again, when empty, if the writes are dropped).
    private static let createdDirectories = Mutex<[String]>([])

    /// Holds every memo write of this process until `settleWrites`: a command that fails on
    /// bad input then leaves the cache directory as it found it (gocache's contract), though
    /// its loads ran and remembered as usual. The command line calls this first.
    public static func holdWrites() {
        mode.withLock { if case .direct = $0 { $0 = .holding([]) } }
    }

    /// Ends holding: waits for the writes loads started beside their callers, then puts the
    /// held writes in place in the order they were made (`keep`) or removes them. Later
    /// writes are made at once after keeping, dropped after discarding.
    public static func settleWrites(keep: Bool) {
        GraphMemo.finishWrites()
        let held = mode.withLock { mode -> [(temporary: String, path: String)] in
            guard case .holding(let held) = mode else { return [] }
            mode = keep ? .direct : .dropping
            return held
        }
        for (temporary, path) in held {
            if !keep || rename(temporary, path) != 0 { unlink(temporary) }
        }
        let created = createdDirectories.withLock { created -> [String] in
            defer { created = [] }
            return created
        }
        if !keep {
            // Deepest first; a directory something else put a file in stays.
            for directory in created.sorted(by: { $0.count > $1.count }) { rmdir(directory) }
        }
        // Held writes of a process killed before it settled stay behind as temporary files.
        if keep {
            for directory in Set(held.map { ($0.path as NSString).deletingLastPathComponent }) {
                removeStaleTemporaries(in: directory)
            }
        }
    }

    /// Removes the temporary files (`<name>.tmp.<pid>.<n>`) that killed writers left anywhere
    /// under `directory` (the memo directory): those whose process is gone and that are ten
    /// minutes old, and any older than an hour. Returns how many. `cache gc` and `cache
    /// verify` run it.
    @discardableResult
    public static func removeAbandonedTemporaries(under directory: String) -> Int {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return 0 }
        let now = Int64(Date().timeIntervalSince1970)
        var removed = 0
        while let relative = enumerator.nextObject() as? String {
            let name = (relative as NSString).lastPathComponent
            guard let marker = name.range(of: ".tmp.", options: .backwards) else { continue }
            let path = directory + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let writer = name[marker.upperBound...].split(separator: ".").first.flatMap { Int32($0) }
            let gone = writer.map { $0 > 0 && kill($0, 0) != 0 && errno == ESRCH } ?? false
            // A pid alone proves nothing across PID namespaces or hosts sharing the cache: the
            // file must also be ten minutes old.
            let age = now - Int64(info.st_mtim.tv_sec)
            if (gone && age > 600) || age > 3600, unlink(path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Removes temporary files of interrupted writes older than an hour from `directory`.
    static func removeStaleTemporaries(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let now = Int64(Date().timeIntervalSince1970)
        for name in names where name.contains(".tmp.") {
            var info = stat()
            if stat(directory + "/" + name, &info) == 0, now - Int64(info.st_mtim.tv_sec) > 3600 {
                unlink(directory + "/" + name)
            }
        }
    }

    /// Writes `bytes` to `path` through a temporary file renamed over it (a reader sees the
    /// old entry or the new one, never part of one); creates the directory. False on failure
    /// (which only costs speed next time). While writes are held (`holdWrites`), the rename
    /// waits for `settleWrites`.
    @discardableResult
    public static func writeAtomically(_ bytes: [UInt8], to path: String) -> Bool {
        let current = mode.withLock { $0 }
        if case .dropping = current { return false }
        let directory = (path as NSString).deletingLastPathComponent
        if case .holding = current {
            // The directories this write creates, for a drop to remove.
            var missing: [String] = []
            var cursor = directory
            while !cursor.isEmpty, cursor != "/", cursor != ".", access(cursor, F_OK) != 0 {
                missing.append(cursor)
                // Not NSString's deletingLastPathComponent: it traps on a one-character
                // relative path ("c") in swift-corelibs-foundation.
                cursor = cursor.lastIndex(of: "/").map { String(cursor[..<$0]) } ?? ""
            }
            if !missing.isEmpty { createdDirectories.withLock { $0 += missing } }
        }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp.\(getpid()).\(sequence.add(1, ordering: .relaxed).newValue)"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else { return false }
        let placeNow = mode.withLock { mode -> Bool in
            guard case .holding(var held) = mode else { return true }
            held.append((temporary, path))
            mode = .holding(held)
            return false
        }
        guard placeNow else { return true }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// Removes the entries of `directory` beyond the `capacity` most recently modified (ties
    /// by name; never `keeping`), and temporary files of interrupted writes older than a minute.
    public static func prune(_ directory: String, capacity: Int, keeping: String? = nil) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        var entries: [(name: String, modified: Int64)] = []
        let now = Int64(Date().timeIntervalSince1970)
        for name in names {
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0 else { continue }
            let modified = Int64(info.st_mtim.tv_sec)
            if name.contains(".tmp.") {
                if now - modified > 60 { unlink(directory + "/" + name) }
                continue
            }
            entries.append((name, modified))
        }
        guard entries.count > capacity else { return }
        entries.sort { ($0.modified, $0.name) < ($1.modified, $1.name) }
        for entry in entries.prefix(entries.count - capacity) where entry.name != keeping {
            unlink(directory + "/" + entry.name)
        }
    }
}
