#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the working tree with POSIX calls: one `readdir` pass plus one `fstatat` per entry
/// for a listing, `open`/`read` for contents.
enum WorktreeReader {
    /// The entries of the directory at `absolute` (`relativePath` names it in errors);
    /// `nil` when it does not exist or is not a directory. The root's `.git` is skipped
    /// when `skipGitEntry`; sockets, FIFOs and devices are skipped.
    static func listing(of absolute: String, relativePath: String, skipGitEntry: Bool) throws -> DirectoryListing? {
        guard let directory = opendir(absolute) else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return nil }
            throw FileTreeError.unreadable(path: relativePath, reason: errorText(code))
        }
        defer { closedir(directory) }
        let descriptor = dirfd(directory)
        var entries: [FileTreeEntry] = []
        while let item = readdir(directory) {
            let checked = withUnsafePointer(to: &item.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) { pointer in
                    Result { () throws(FileTreeError) -> String? in try entryName(pointer, in: relativePath) }
                }
            }
            guard let name = try checked.get() else { continue }
            if name == "." || name == ".." || (skipGitEntry && name == ".git") { continue }
            // A directory needs no stat (no size or stamp is kept for it): trust d_type.
            if item.pointee.d_type == UInt8(DT_DIR) {
                entries.append(FileTreeEntry(name: name, kind: .directory, size: nil, stamp: nil, mode: 0o040000))
                continue
            }
            var info = stat()
            // A file removed between readdir and fstatat is simply not listed.
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let type = UInt32(info.st_mode) & 0o170000
            let kind: FileTreeEntry.Kind
            let mode: UInt32
            switch type {
            case 0o040000:
                kind = .directory
                mode = 0o040000
            case 0o120000:
                kind = .symlink
                mode = 0o120000
            case 0o100000:
                kind = .file
                mode = UInt32(info.st_mode) & 0o100 != 0 ? 0o100755 : 0o100644
            default:
                continue
            }
            let stamp = stamp(of: info)
            entries.append(
                FileTreeEntry(
                    name: name, kind: kind, size: kind == .directory ? nil : Int(info.st_size),
                    stamp: kind == .directory ? nil : stamp, mode: mode))
        }
        return DirectoryListing(worktreeEntries: entries)
    }

    /// The bytes of the file at `absolute`, following symbolic links.
    static func contents(of absolute: String, relativePath: String) throws -> [UInt8] {
        let descriptor = open(absolute, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { throw FileTreeError.notFound(path: relativePath) }
            throw FileTreeError.unreadable(path: relativePath, reason: errorText(code))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw FileTreeError.unreadable(path: relativePath, reason: errorText(errno))
        }
        guard UInt32(info.st_mode) & 0o170000 == 0o100000 else {
            throw FileTreeError.notFound(path: relativePath)
        }
        // Straight into an array of the file's size (not zeroed first). Each read asks for one
        // byte more than the size: a file that has not grown since `fstat` is then read whole
        // without a last read that returns 0 (one system call per file fewer); one that grew
        // is read on to its end.
        let size = max(0, Int(info.st_size))
        var failure: Int32 = 0
        var bytes = [UInt8](unsafeUninitializedCapacity: size + 1) { buffer, count in
            count = 0
            guard let base = buffer.baseAddress else { return }
            while true {
                let n = read(descriptor, base + count, size + 1 - count)
                if n == 0 { break }
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    break
                }
                count += n
                if count >= size { break }
            }
        }
        if failure != 0 { throw FileTreeError.unreadable(path: relativePath, reason: errorText(failure)) }
        if bytes.count > size {
            try withUnsafeTemporaryAllocation(byteCount: 1 << 14, alignment: 16) { chunk in
                while true {
                    let n = read(descriptor, chunk.baseAddress, chunk.count)
                    if n == 0 { break }
                    if n < 0 {
                        let code = errno
                        if code == EINTR { continue }
                        throw FileTreeError.unreadable(path: relativePath, reason: errorText(code))
                    }
                    bytes += UnsafeRawBufferPointer(rebasing: chunk.prefix(n))
                }
            }
        }
        return bytes
    }

    static func stamp(of info: stat) -> FileStamp { FileStamp(status: info) }

    /// The stat data of what the symbolic link at `absolute` points to (following every
    /// link), or nil when it points nowhere.
    static func targetStamp(of absolute: String) -> (stamp: FileStamp, isDirectory: Bool)? {
        var info = stat()
        guard stat(absolute, &info) == 0 else { return nil }
        return (stamp(of: info), UInt32(info.st_mode) & 0o170000 == 0o040000)
    }

    /// Seconds since 1970 by the clock the kernel stamps files with (the coarse real-time
    /// clock: a file written after this call has a modification time at or after it).
    static func fileClockSeconds() -> Int64 {
        var now = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        #else
        clock_gettime(CLOCK_REALTIME, &now)
        #endif
        return Int64(now.tv_sec)
    }

    private static func errorText(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}
