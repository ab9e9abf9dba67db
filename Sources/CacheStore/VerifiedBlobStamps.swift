import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The stat data of stored blobs at the moment their content was last read and found to
/// hash to their name, kept in `<store>/verified-blobs`, so that placing a blob by a hard
/// link (`LocalStore.linkBlob`) need not read and hash it again while nothing about the
/// file changed since.
///
/// What the stat data proves is git's racy-clean rule applied to the store: a write to a
/// file's content, through any of its names, sets its modification time to the kernel's
/// clock, and a stamp is recorded only when that time is at least `racyWindow` seconds
/// older than the read that verified the file, so a later write gives a different stamp.
/// (The change time cannot serve: making or removing a hard link, which every restore into
/// an output directory does, changes it. Like git and make, the rule is defeated by a tool
/// that rewrites a file and sets its modification time back to the same nanosecond.) The
/// device and inode number tie the stamp to one file: a blob removed and stored again, a
/// cache directory restored from an archive or copied to another machine, are new inodes
/// and are read again. A stamp older than `maximumAge` is not trusted either, which bounds
/// how long damage no system call made (a failing disk) can go unseen; `gocache cache
/// verify` reads everything regardless. A hit's refresh of a blob's last use (at most hourly,
/// `LocalStore.useRefreshInterval`) sets its modification time too: it is read once more.
///
/// The file is advisory: unreadable, truncated or altered (its header carries the SHA-256
/// of the lines), it is ignored and every blob is read again. Processes merge their new
/// stamps into what the file holds when they save; one that loses a race only costs the
/// other some reads next time.
final class VerifiedBlobStamps: Sendable {
    /// What identifies one version of one file, as far as stat data can tell.
    struct Stamp: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedNanoseconds: Int64

        init(device: UInt64, inode: UInt64, size: Int64, modifiedNanoseconds: Int64) {
            self.device = device
            self.inode = inode
            self.size = size
            self.modifiedNanoseconds = modifiedNanoseconds
        }

        init(_ info: stat) {
            #if canImport(Darwin)
            let modified = info.st_mtimespec
            #else
            let modified = info.st_mtim
            #endif
            self.init(
                device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
                size: Int64(info.st_size),
                modifiedNanoseconds: Int64(modified.tv_sec) * 1_000_000_000 + Int64(modified.tv_nsec))
        }

        /// The modification time in whole seconds.
        var modifiedSecond: Int64 { modifiedNanoseconds / 1_000_000_000 }
    }

    struct Record: Hashable, Sendable {
        var stamp: Stamp
        /// When the content was read (seconds since 1970).
        var verifiedAt: Int64
    }

    /// The file's name inside the store directory.
    static let fileName = "verified-blobs"
    /// Seconds a change time must lie before the verifying read for its stamp to count
    /// (file systems and the kernel's coarse clock stamp writes of one tick alike).
    static let defaultRacyWindow: Int64 = 2
    /// Seconds after which a stamp is no longer trusted: the blob is read again.
    static let maximumAge: Int64 = 86_400
    static let magic = "gocache-verified 2 "

    let path: String
    let racyWindow: Int64

    private struct State {
        var loaded = false
        var known: [SHA256Digest: Record] = [:]
        var added: [SHA256Digest: Record] = [:]
        var forgotten: Set<SHA256Digest> = []
    }
    private let state = Mutex(State())

    init(path: String, racyWindow: Int64 = defaultRacyWindow) {
        self.path = path
        self.racyWindow = racyWindow
    }

    /// Seconds since 1970 by the coarse real-time clock, the one the kernel stamps file
    /// times with (a write after this call has a change time at or after it).
    static func now() -> Int64 {
        var now = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        #else
        clock_gettime(CLOCK_REALTIME, &now)
        #endif
        return Int64(now.tv_sec)
    }

    /// Whether the file whose stat data is `info` is the very version of the blob `digest`
    /// that was read and verified (recently enough).
    func trusts(_ digest: SHA256Digest, _ info: stat) -> Bool {
        let stamp = Stamp(info)
        let record = state.withLock { state -> Record? in
            if !state.loaded {
                state.known = Self.read(path)
                state.loaded = true
            }
            return state.added[digest] ?? state.known[digest]
        }
        guard let record, record.stamp == stamp else { return false }
        return Self.now() - record.verifiedAt < Self.maximumAge
    }

    /// Records that the blob `digest` was read whole and hashed to its name, the read having
    /// begun at `startedAt` (`now()`) with stat data `before` and ended with `after`. Nothing
    /// is recorded when the two differ (the file changed while it was read) or the file was
    /// modified within `racyWindow` seconds before the read (or after it: a time ahead of
    /// the clock).
    func record(_ digest: SHA256Digest, before: stat, after: stat, startedAt: Int64) {
        let stamp = Stamp(before)
        guard stamp == Stamp(after), stamp.modifiedSecond < startedAt - racyWindow else { return }
        state.withLock { state in
            state.added[digest] = Record(stamp: stamp, verifiedAt: startedAt)
            state.forgotten.remove(digest)
        }
    }

    /// Drops the stamp of a blob found corrupt or removed.
    func forget(_ digest: SHA256Digest) {
        state.withLock { state in
            state.added[digest] = nil
            state.known[digest] = nil
            state.forgotten.insert(digest)
        }
    }

    /// Number of stamps recorded since the last save.
    var unsavedCount: Int { state.withLock { $0.added.count } }

    /// Writes the stamps recorded since the last save, merged into what the file holds now
    /// (another process may have saved meanwhile), without those older than `maximumAge`.
    /// Atomic (a temporary file renamed into place) but not fsync'd: a crash may lose the
    /// file, which then only costs reads. Returns whether the file was written.
    @discardableResult
    func save() -> Bool {
        let (added, forgotten) = state.withLock { state in
            let taken = (state.added, state.forgotten)
            for (digest, record) in state.added { state.known[digest] = record }
            state.added = [:]
            state.forgotten = []
            return taken
        }
        guard !added.isEmpty || !forgotten.isEmpty else { return false }
        var merged = Self.read(path)
        for digest in forgotten { merged[digest] = nil }
        merged.merge(added) { _, new in new }
        let oldest = Self.now() - Self.maximumAge
        let lines = merged.filter { $0.value.verifiedAt > oldest }.sorted { $0.key < $1.key }.map { digest, record in
            let s = record.stamp
            return "\(digest.hex) \(s.device) \(s.inode) \(s.size) \(s.modifiedNanoseconds) \(record.verifiedAt)\n"
        }
        let body = Array(lines.joined().utf8)
        guard let digest = try? SHA256Hasher.hash(body) else { return false }
        let bytes = Array((Self.magic + digest.hex + "\n").utf8) + body
        return bytes.withUnsafeBytes { Self.replace(path, with: $0) }
    }

    /// Writes `bytes` to a temporary file beside `path` and renames it into place.
    private static func replace(_ path: String, with bytes: UnsafeRawBufferPointer) -> Bool {
        let directory = Posix.directoryName(path)
        let temporary = directory + "/" + Posix.temporaryName()
        do throws(StoreError) {
            try Posix.makeDirectories(directory)
            let file = try FileDescriptor.open(temporary, .createExclusive)
            defer { file.close() }
            try file.write(bytes)
            try Posix.rename(temporary, path)
            return true
        } catch {
            try? Posix.remove(temporary)
            return false
        }
    }

    /// The records of the file at `path`; empty when it is missing, unreadable or altered.
    static func read(_ path: String) -> [SHA256Digest: Record] {
        guard let file = try? FileDescriptor.openIfExists(path) else { return [:] }
        defer { file.close() }
        guard let bytes = try? file.readAll() else { return [:] }
        let magic = Array(Self.magic.utf8)
        let headerLength = magic.count + 65
        guard bytes.count >= headerLength, bytes[0..<magic.count].elementsEqual(magic),
            bytes[headerLength - 1] == UInt8(ascii: "\n"),
            let expected = SHA256Digest(hex: String(decoding: bytes[magic.count..<(headerLength - 1)], as: UTF8.self)),
            (try? SHA256Hasher.hash(Array(bytes[headerLength...]))) == expected
        else { return [:] }
        var records: [SHA256Digest: Record] = [:]
        for line in bytes[headerLength...].split(separator: UInt8(ascii: "\n")) {
            let fields = line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 6, let digest = SHA256Digest(hex: fields[0]),
                let device = UInt64(fields[1]), let inode = UInt64(fields[2]), let size = Int64(fields[3]),
                let modified = Int64(fields[4]), let verifiedAt = Int64(fields[5])
            else { return [:] }
            records[digest] = Record(
                stamp: Stamp(device: device, inode: inode, size: size, modifiedNanoseconds: modified),
                verifiedAt: verifiedAt)
        }
        return records
    }
}
