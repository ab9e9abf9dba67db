import Foundation

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
    /// Writes `bytes` to `path` through a temporary file renamed over it (a reader sees the
    /// old entry or the new one, never part of one); creates the directory. False on failure
    /// (which only costs speed next time).
    @discardableResult
    public static func writeAtomically(_ bytes: [UInt8], to path: String) -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp.\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else { return false }
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
