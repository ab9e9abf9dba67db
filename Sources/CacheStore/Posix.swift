// Thin, throwing wrappers over the POSIX calls the stores need: exclusive creation,
// full reads and writes with EINTR handling, fsync of files and directories, and
// rename-into-place.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor; closed by its owner with `close()` (usually in a `defer`).
struct FileDescriptor {
    let raw: Int32
    let path: String

    enum Mode {
        case readOnly
        /// Create a new file, failing if it exists (for temporary files).
        case createExclusive
        /// Open a file for writing, creating it if needed (for lock files).
        case createOrOpen
    }

    static func open(_ path: String, _ mode: Mode) throws(StoreError) -> FileDescriptor {
        let flags: Int32
        switch mode {
        // Non-blocking: a FIFO put where a file belongs must not hang the open (a regular
        // file ignores the flag).
        case .readOnly: flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
        case .createExclusive: flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        case .createOrOpen: flags = O_RDWR | O_CREAT | O_CLOEXEC
        }
        while true {
            let fd = sysOpen(path, flags, 0o644)
            if fd >= 0 { return FileDescriptor(raw: fd, path: path) }
            if errno == EINTR { continue }
            throw StoreError(operation: "open", path: path, code: errno)
        }
    }

    /// Opens a store file (a blob or an entry) for reading: `nil` if it does not exist, and
    /// also — after removing it, as any corrupt store item — if it is not a regular file (a
    /// directory, a symbolic link, a FIFO or device someone put there): the store only ever
    /// writes regular files, and reading anything else would fail or hang a build.
    static func openStoreItem(_ path: String) throws(StoreError) -> FileDescriptor? {
        while true {
            let fd = sysOpen(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0)
            if fd >= 0 {
                let file = FileDescriptor(raw: fd, path: path)
                if let info = try? file.status(), (info.st_mode & S_IFMT) == S_IFREG { return file }
                file.close()
                Posix.removeIrregular(path)
                return nil
            }
            switch errno {
            case EINTR: continue
            case ENOENT, ENOTDIR: return nil
            case ELOOP, ENXIO, EOPNOTSUPP:
                Posix.removeIrregular(path)
                return nil
            default: throw StoreError(operation: "open", path: path, code: errno)
            }
        }
    }

    /// Reads up to `buffer.count` bytes; returns how many were read (0 at end of file).
    /// Opens a file for reading; `nil` if it does not exist.
    static func openIfExists(_ path: String) throws(StoreError) -> FileDescriptor? {
        do {
            return try open(path, .readOnly)
        } catch {
            if error.code == ENOENT || error.code == ENOTDIR { return nil }
            throw error
        }
    }

    /// Fills `buffer` as far as the file goes; returns the bytes read (0 at the end).
    func read(into buffer: UnsafeMutableRawBufferPointer, path: String? = nil) throws(StoreError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var total = 0
        while total < buffer.count {
            let count = sysRead(raw, base + total, buffer.count - total)
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError(operation: "read", path: path ?? self.path, code: errno)
            }
            if count == 0 { break }
            total += count
        }
        return total
    }

    /// Reads the whole remaining file: into an array of the file's size (not zeroed first),
    /// then whatever it grew by meanwhile.
    func readAll() throws(StoreError) -> [UInt8] {
        let size = max(0, Int(try status().st_size))
        var failure: StoreError?
        var result = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            do throws(StoreError) {
                count = try read(into: UnsafeMutableRawBufferPointer(buffer))
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        guard result.count == size else { return result }
        try withScratchBuffer(byteCount: 1 << 16) { (chunk) throws(StoreError) in
            while true {
                let count = try read(into: chunk)
                if count == 0 { break }
                result.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk.prefix(count)))
            }
        }
        return result
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        var offset = 0
        while offset < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let count = sysWrite(raw, base + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError(operation: "write", path: path, code: errno)
            }
            offset += count
        }
    }

    func sync() throws(StoreError) {
        if fsync(raw) != 0 { throw StoreError(operation: "fsync", path: path, code: errno) }
    }

    func status() throws(StoreError) -> stat {
        var info = stat()
        if fstat(raw, &info) != 0 { throw StoreError(operation: "stat", path: path, code: errno) }
        return info
    }

    func close() {
        _ = sysClose(raw)
    }
}

// Free functions under other names, so the methods above, which shadow `read`, `write`,
// `close`, `open` and `rename`, can reach the C library's.
private func sysOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func sysRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
private func sysWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
private func sysClose(_ fd: Int32) -> Int32 { close(fd) }
private func sysRename(_ from: String, _ to: String) -> Int32 { rename(from, to) }

/// Runs `body` with an uninitialised buffer of `byteCount` bytes (copies and hashes chunk by
/// chunk need no zeroed memory; a zero-filled array of a megabyte per file was measurable).
func withScratchBuffer<Result>(
    byteCount: Int, _ body: (UnsafeMutableRawBufferPointer) throws(StoreError) -> Result
) throws(StoreError) -> Result {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: byteCount, alignment: 64)
    defer { buffer.deallocate() }
    return try body(buffer)
}

enum Posix {
    /// `stat` of a path without following a final symlink; `nil` if it does not exist.
    static func status(_ path: String) throws(StoreError) -> stat? {
        var info = stat()
        if lstat(path, &info) == 0 { return info }
        if errno == ENOENT || errno == ENOTDIR { return nil }
        throw StoreError(operation: "stat", path: path, code: errno)
    }

    /// Creates a directory and its parents; an existing directory is fine.
    static func makeDirectories(_ path: String) throws(StoreError) {
        if path.isEmpty || path == "/" { return }
        var info = stat()
        if stat(path, &info) == 0 { return }
        let parent = directoryName(path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw StoreError(operation: "create directory", path: path, code: errno)
        }
    }

    static func rename(_ from: String, _ to: String) throws(StoreError) {
        if sysRename(from, to) != 0 { throw StoreError(operation: "rename \(from) to", path: to, code: errno) }
    }

    /// Makes `to` a second name of the file `from` (a hard link); 0, or the `errno` of the
    /// failure (`EXDEV` across file systems, `EPERM` where links are not supported,
    /// `EMLINK` at the link limit, `ENOENT` when `from` is gone).
    static func hardLink(_ from: String, _ to: String) -> Int32 {
        link(from, to) == 0 ? 0 : errno
    }

    /// Removes a file; a missing file is fine.
    static func remove(_ path: String) throws(StoreError) {
        if unlink(path) != 0 && errno != ENOENT { throw StoreError(operation: "remove", path: path, code: errno) }
    }

    /// Whether `info` is a regular file's.
    static func isRegular(_ info: stat) -> Bool { (info.st_mode & S_IFMT) == S_IFREG }

    /// Removes what stands at a store file's name and is no regular file: a link, FIFO or
    /// device (unlinked, not followed), or a directory with everything in it. Failures are
    /// left for `cache verify` to report.
    static func removeIrregular(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, !isRegular(info) else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            removeTree(path)
        } else {
            unlink(path)
        }
    }

    /// Removes a directory and everything below it (links are removed, not followed).
    static func removeTree(_ path: String) {
        if let names = try? listDirectory(path) {
            for name in names {
                let child = path + "/" + name
                var info = stat()
                guard lstat(child, &info) == 0 else { continue }
                if (info.st_mode & S_IFMT) == S_IFDIR { removeTree(child) } else { unlink(child) }
            }
        }
        rmdir(path)
    }

    /// Makes a rename or creation inside a directory durable.
    static func syncDirectory(_ path: String) throws(StoreError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw StoreError(operation: "open directory", path: path, code: errno) }
        defer { _ = sysClose(fd) }
        if fsync(fd) != 0 && errno != EINVAL { throw StoreError(operation: "fsync directory", path: path, code: errno) }
    }

    /// Writes bytes to `path` atomically: a temporary file in the same directory, `fsync`,
    /// `rename` into place, `fsync` of the directory.
    static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(StoreError) {
        let directory = directoryName(path)
        try makeDirectories(directory)
        let temporary = directory + "/" + temporaryName()
        let file = try FileDescriptor.open(temporary, .createExclusive)
        do {
            defer { file.close() }
            try file.write(bytes)
            try file.sync()
        } catch {
            try? remove(temporary)
            throw error
        }
        do {
            try rename(temporary, path)
        } catch {
            try? remove(temporary)
            throw error
        }
        try syncDirectory(directory)
    }

    /// Sets the access and modification times of a path to now (records a use).
    static func touch(_ path: String) {
        _ = utimensat(AT_FDCWD, path, nil, 0)
    }

    /// Sets both times of a path to the given seconds since the epoch.
    static func setTimes(_ path: String, seconds: Int) throws(StoreError) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        if utimensat(AT_FDCWD, path, &times, 0) != 0 { throw StoreError(operation: "set times of", path: path, code: errno) }
    }

    /// The names in a directory, without `.` and `..`; empty if it does not exist.
    static func listDirectory(_ path: String) throws(StoreError) -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return [] }
            throw StoreError(operation: "list", path: path, code: errno)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.append(name)
        }
        return names.sorted()
    }

    static func directoryName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    /// Whether no process `pid` runs on this machine (a temporary file named after it was
    /// left by a killed writer). A pid reused by another process counts as alive.
    static func processIsGone(_ pid: Int32) -> Bool {
        pid > 0 && kill(pid, 0) != 0 && errno == ESRCH
    }

    /// A name for a temporary file that no other process or thread will choose.
    static func temporaryName() -> String {
        var random = SystemRandomNumberGenerator()
        let suffix = String(random.next() as UInt64, radix: 36)
        return ".tmp-\(getpid())-\(suffix)"
    }

    /// Seconds since the epoch of a `stat`'s modification time (the store's "last use").
    static func lastUse(_ info: stat) -> Double {
        #if canImport(Darwin)
        Double(info.st_mtimespec.tv_sec) + Double(info.st_mtimespec.tv_nsec) / 1e9
        #else
        Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        #endif
    }
}
