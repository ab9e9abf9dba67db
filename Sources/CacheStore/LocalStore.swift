import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The content-addressed store on the local disk, in `<cacheDir>/store/`.
///
/// Layout: blobs at `cas/<aa>/<hex>` (named by the SHA-256 of their content), action
/// entries at `ac/<aa>/<hex>` (named by the key; the file is a header line with the SHA-256
/// of the manifest JSON that follows). `<aa>` is the first two hex digits.
///
/// Writes are atomic: a temporary file in the same directory, `fsync`, `rename` into
/// place, `fsync` of the directory. A process killed mid-write leaves at most a
/// `.tmp-*` file, which no read looks at and `verify`/`gc` remove once stale. Many
/// processes may read and write at once without a lock: a rename replaces a name
/// atomically and two writers of one blob write the same bytes. Only `gc` takes a lock
/// file, so two collections do not race.
///
/// Every read verifies: a blob must hash to its name, an entry must match its header's
/// digest and carry the key it is stored under. A corrupt or truncated file is a miss and
/// is removed. A blob placed by a hard link (`linkBlob`) is read and hashed unless its stat
/// data is exactly what it was when it was last read and verified (`VerifiedBlobStamps`:
/// git's racy-clean rule, applied to the store; call `saveVerifiedStamps()` to keep the
/// stamps a process recorded). A hit refreshes the file's modification time, which `gc`
/// uses as "last use", when it is older than `useRefreshInterval` (as the go command's
/// cache does: not rewriting an inode on every hit keeps its stamp).
///
/// The methods do blocking file I/O on the calling thread.
public final class LocalStore: ArtifactStore, CustomStringConvertible {
    /// The store directory, `<cacheDir>/store`.
    public let root: String

    /// Temporary files older than this are treated as left by a crashed writer.
    static let staleTemporaryAge: Double = 3600
    /// How old a temporary file of a process that is gone must be to be removed (10 minutes).
    static let abandonedTemporaryAge: Double = 600

    /// Seconds a recorded use stays fresh: a hit on a file used more recently does not
    /// rewrite its times (`gc` orders by last use to this resolution).
    public static let useRefreshInterval: Double = 3600

    /// Stat data of blobs as last verified.
    let stamps: VerifiedBlobStamps

    private let hashedBlobs = Atomic<Int>(0)
    private let trustedBlobs = Atomic<Int>(0)

    /// Opens (lazily creating) the store inside a cache directory.
    ///
    /// - Parameter racyWindow: seconds a blob's modification time must lie before the read that
    ///   verified it for its stat data to stand for its content later (see
    ///   `VerifiedBlobStamps`, whose default is 2); tests pass a negative window to exercise
    ///   stamps at once.
    public init(cacheDirectory: String, racyWindow: Int64 = 2) {
        self.root = cacheDirectory + "/store"
        self.stamps = VerifiedBlobStamps(path: root + "/" + VerifiedBlobStamps.fileName, racyWindow: racyWindow)
    }

    /// How many blobs `linkBlob` read and hashed, and how many it placed on the strength of
    /// their stamps, in this process.
    public var placedBlobCounts: (hashed: Int, trustedByStamp: Int) {
        (hashedBlobs.load(ordering: .relaxed), trustedBlobs.load(ordering: .relaxed))
    }

    /// Writes the verification stamps this process recorded (merged into the file, which
    /// other processes may have written meanwhile). Returns whether anything was written.
    @discardableResult
    /// Throws the `StoreError` a write to the store would meet (a read-only file system, no
    /// permission, a file where a directory belongs), by creating the store's directories and
    /// one temporary file: a build asks before compiling, not after.
    public func checkWritable() throws(StoreError) {
        let directory = root + "/cas"
        try Posix.makeDirectories(directory)
        let probe = directory + "/" + Posix.temporaryName()
        let file = try FileDescriptor.open(probe, .createExclusive)
        file.close()
        try Posix.remove(probe)
    }

    public func saveVerifiedStamps() -> Bool {
        stamps.save()
    }

    /// `local store <root>`.
    public var description: String { "local store \(root)" }

    /// The path of a blob (which may not exist).
    public func blobPath(_ digest: SHA256Digest) -> String {
        Self.shardedPath(root + "/cas", digest)
    }

    /// The path of an action entry (which may not exist).
    public func entryPath(_ key: SHA256Digest) -> String {
        Self.shardedPath(root + "/ac", key)
    }

    // MARK: Blobs

    public func blob(_ digest: SHA256Digest) async throws -> [UInt8]? {
        try readBlob(digest)
    }

    public func copyBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool {
        try place(digest, at: path, linking: false)
    }

    public func linkBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool {
        try place(digest, at: path, linking: true)
    }

    /// Puts a verified blob at `path` by a rename: a hard link to the stored file when
    /// `linking` and the file system allows it (the linked file is read and hashed all the
    /// same), else a copy hashed while it is written.
    private func place(_ digest: SHA256Digest, at path: String, linking: Bool) throws -> Bool {
        let source = blobPath(digest)
        // Only a regular file is a blob (a link would be linked as a link, a FIFO would block).
        guard let sourceInfo = try Posix.status(source) else { return false }
        guard Posix.isRegular(sourceInfo) else {
            Posix.removeIrregular(source)
            return false
        }
        let directory = Posix.directoryName(path)
        try Posix.makeDirectories(directory)
        let temporary = directory + "/" + Posix.temporaryName()
        var keep = false
        defer { if !keep { try? Posix.remove(temporary) } }
        // The file to read and hash: the link itself, or the stored blob to copy from.
        let input: FileDescriptor
        var output: FileDescriptor?
        var linked: stat?
        switch linking ? Posix.hardLink(source, temporary) : EXDEV {
        case 0:
            // What is verified is the linked file itself, whatever the name meanwhile
            // points to: by its stamp when it is the version last verified, else by reading.
            if let info = try Posix.status(temporary), stamps.trusts(digest, info) {
                try Posix.rename(temporary, path)
                keep = true
                try? Posix.remove(temporary)
                trustedBlobs.add(1, ordering: .relaxed)
                Self.refreshUse(source, info)
                return true
            }
            input = try FileDescriptor.open(temporary, .readOnly)
            linked = try input.status()
        case ENOENT:
            return false
        default:
            // A copy: asked for, or another file system, no hard links there, or the link
            // count at its limit.
            guard let opened = try FileDescriptor.openStoreItem(source) else { return false }
            input = opened
            do {
                output = try FileDescriptor.open(temporary, .createExclusive)
            } catch {
                input.close()
                throw error
            }
        }
        defer {
            input.close()
            output?.close()
        }
        let startedAt = VerifiedBlobStamps.now()
        let hashed = try Self.copyHashing(from: input, to: output)
        if linked != nil { hashedBlobs.add(1, ordering: .relaxed) }
        guard hashed == digest else {
            stamps.forget(digest)
            try removeIfUnchanged(source, opened: input)
            return false
        }
        if let linked {
            stamps.record(digest, before: linked, after: try input.status(), startedAt: startedAt)
        }
        // Atomic (a rename) but not fsync'd: the destination is an output such as dist/,
        // which a crash may leave absent or old, never partial; the store itself is durable.
        try Posix.rename(temporary, path)
        keep = true
        // When `path` already was a link to the same file (an output linked by an earlier
        // build), rename(2) does nothing and leaves the temporary name: remove it.
        try? Posix.remove(temporary)
        Self.refreshUse(source, linked)
        return true
    }

    /// Records a use of a store file: sets its times to now unless its modification time
    /// (`info`, or the file's when nil) is within `useRefreshInterval`.
    static func refreshUse(_ path: String, _ info: stat? = nil) {
        guard let info = info ?? (try? Posix.status(path)) else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        if Double(now.tv_sec) - Posix.lastUse(info) >= useRefreshInterval {
            Posix.touch(path)
        }
    }

    /// Copies `input` to `output` (when given) in chunks, returning the SHA-256 of what was
    /// read: each chunk is hashed and written while it is in the cache.
    private static func copyHashing(from input: FileDescriptor, to output: FileDescriptor?) throws -> SHA256Digest {
        var hasher = SHA256Hasher()
        try withScratchBuffer(byteCount: copyChunkSize) { (buffer) throws(StoreError) in
            while true {
                let count = try input.read(into: buffer)
                if count == 0 { break }
                let chunk = UnsafeRawBufferPointer(rebasing: buffer.prefix(count))
                hasher.update(chunk)
                try output?.write(chunk)
            }
        }
        return try hasher.finalize()
    }

    /// The chunk size of copies: small enough to stay in a core's cache between the hash and
    /// the write.
    static let copyChunkSize = 256 << 10

    public func containsBlob(_ digest: SHA256Digest) async throws -> Bool {
        try Posix.status(blobPath(digest)).map(Posix.isRegular) ?? false
    }

    @discardableResult
    public func putBlob(_ bytes: [UInt8]) async throws -> SHA256Digest {
        let digest = try SHA256Hasher.hash(bytes)
        try write(bytes, digest: digest)
        return digest
    }

    public func putBlob(_ bytes: [UInt8], digest: SHA256Digest) async throws {
        try write(bytes, digest: digest)
    }

    /// `putBlob(_:digest:)`, synchronously.
    public func writeBlob(_ bytes: [UInt8], digest: SHA256Digest) throws {
        try write(bytes, digest: digest)
    }

    private func write(_ bytes: [UInt8], digest: SHA256Digest) throws {
        let path = blobPath(digest)
        if let existing = try Posix.status(path) {
            if Posix.isRegular(existing), Int(existing.st_size) == bytes.count {
                Self.refreshUse(path, existing)
                return
            }
            Posix.removeIrregular(path)
        }
        try bytes.withUnsafeBytes { pointer in try Posix.writeAtomically(pointer, to: path) }
    }

    /// Stores the file at `path`, whose SHA-256 the caller has just computed (`digest`), by
    /// making the stored blob a hard link to it — fsync'd, linked under a temporary name,
    /// renamed into place, the directory fsync'd, as any write — instead of writing a copy.
    /// The file and the blob are one from then on (see `linkBlob`). False, and the store
    /// unchanged, where no link can be made (another file system, no hard links there, the
    /// link limit); the caller then stores the bytes (`putBlob`). A wrong digest cannot give
    /// a wrong artifact: every read verifies.
    public func adoptBlob(fileAt path: String, digest: SHA256Digest) throws -> Bool {
        let destination = blobPath(digest)
        let file = try FileDescriptor.open(path, .readOnly)
        defer { file.close() }
        if let existing = try Posix.status(destination) {
            if Posix.isRegular(existing), existing.st_size == (try file.status()).st_size {
                Self.refreshUse(destination, existing)
                return true
            }
            Posix.removeIrregular(destination)
        }
        try file.sync()
        let directory = Posix.directoryName(destination)
        try Posix.makeDirectories(directory)
        let temporary = directory + "/" + Posix.temporaryName()
        guard Posix.hardLink(path, temporary) == 0 else { return false }
        defer { try? Posix.remove(temporary) }  // also when rename(2) left it (see `place`)
        try Posix.rename(temporary, destination)
        try Posix.syncDirectory(directory)
        return true
    }

    @discardableResult
    public func putBlob(fileAt path: String) async throws -> SHA256Digest {
        let input = try FileDescriptor.open(path, .readOnly)
        defer { input.close() }
        let staging = root + "/cas"
        try Posix.makeDirectories(staging)
        let temporary = staging + "/" + Posix.temporaryName()
        let output = try FileDescriptor.open(temporary, .createExclusive)
        var placed = false
        defer {
            output.close()
            if !placed { try? Posix.remove(temporary) }
        }
        let digest = try Self.copyHashing(from: input, to: output)
        try output.sync()
        let destination = blobPath(digest)
        let directory = Posix.directoryName(destination)
        try Posix.makeDirectories(directory)
        Posix.removeIrregular(destination)
        try Posix.rename(temporary, destination)
        placed = true
        try Posix.syncDirectory(directory)
        return digest
    }

    // MARK: Action entries

    public func manifest(for key: SHA256Digest) async throws -> ArtifactManifest? {
        let path = entryPath(key)
        guard let file = try FileDescriptor.openStoreItem(path) else { return nil }
        defer { file.close() }
        let bytes = try file.readAll()
        guard let manifest = try Self.decodeEntry(bytes), manifest.key == key else {
            try removeIfUnchanged(path, opened: file)
            return nil
        }
        var blobs: [(path: String, info: stat)] = []
        for artifact in manifest.artifacts {
            let blob = blobPath(artifact.digest)
            guard let info = try Posix.status(blob) else { return nil }
            guard Posix.isRegular(info) else {
                // A directory or the like where the blob belongs: gone, so the rebuilt blob can
                // take its place.
                Posix.removeIrregular(blob)
                return nil
            }
            blobs.append((blob, info))
        }
        Self.refreshUse(path, try file.status())
        for (blob, info) in blobs { Self.refreshUse(blob, info) }
        return manifest
    }

    public func putManifest(_ manifest: ArtifactManifest) async throws {
        try writeManifest(manifest)
    }

    /// `putManifest`, synchronously.
    public func writeManifest(_ manifest: ArtifactManifest) throws {
        let bytes = try Self.encodeEntry(manifest)
        Posix.removeIrregular(entryPath(manifest.key))
        try bytes.withUnsafeBytes { pointer in
            try Posix.writeAtomically(pointer, to: entryPath(manifest.key))
        }
    }

    // MARK: Maintenance

    /// Counts and sizes of what the store holds.
    public func stats() throws -> StoreStatistics {
        var statistics = StoreStatistics()
        for file in try listFiles() {
            switch file.kind {
            case .blob:
                statistics.blobCount += 1
                statistics.blobBytes += file.size
            case .entry:
                statistics.entryCount += 1
                statistics.entryBytes += file.size
            }
            statistics.oldestUse = min(statistics.oldestUse ?? file.lastUse, file.lastUse)
            statistics.newestUse = max(statistics.newestUse ?? file.lastUse, file.lastUse)
        }
        return statistics
    }

    /// Reads and checks every blob and entry, removing the corrupt ones and stale
    /// temporary files.
    public func verify() throws -> VerifyReport {
        var report = VerifyReport()
        report.removedTemporaryFiles = try removeStaleTemporaryFiles()
        for file in try listFiles(includingIrregular: true) {
            guard file.isRegular, let fd = try FileDescriptor.openStoreItem(file.path) else {
                // A directory, link, FIFO or device where a blob or entry belongs.
                if (try? Posix.status(file.path)) != nil {
                    Posix.removeIrregular(file.path)
                    let kind: VerifyReport.Removal.Kind = file.kind == .blob ? .blob : .entry
                    report.removed.append(.init(kind: kind, digest: file.digest, reason: "not a regular file"))
                }
                continue
            }
            defer { fd.close() }
            switch file.kind {
            case .blob:
                report.checkedBlobs += 1
                let before = try fd.status()
                let startedAt = VerifiedBlobStamps.now()
                var hasher = SHA256Hasher()
                try withScratchBuffer(byteCount: Self.copyChunkSize) { (buffer) throws(StoreError) in
                    while true {
                        let count = try fd.read(into: buffer)
                        if count == 0 { break }
                        hasher.update(UnsafeRawBufferPointer(rebasing: buffer.prefix(count)))
                    }
                }
                if try hasher.finalize() != file.digest {
                    stamps.forget(file.digest)
                    try removeIfUnchanged(file.path, opened: fd)
                    report.removed.append(.init(kind: .blob, digest: file.digest, reason: "content does not match its digest"))
                } else {
                    stamps.record(file.digest, before: before, after: try fd.status(), startedAt: startedAt)
                }
            case .entry:
                report.checkedEntries += 1
                let bytes = try fd.readAll()
                let reason: String?
                if let manifest = try Self.decodeEntry(bytes) {
                    if manifest.key != file.digest {
                        reason = "manifest is for key \(manifest.key.hex)"
                    } else if let missing = manifest.artifacts.first(where: {
                        !((try? Posix.status(blobPath($0.digest))).flatMap { $0 }.map(Posix.isRegular) ?? false)
                    }) {
                        // Blobs are written before their entry: an entry without one was damaged.
                        reason = "its artifact \(missing.name) (blob \(missing.digest.hex)) is missing"
                    } else {
                        reason = nil
                    }
                } else {
                    reason = "header digest does not match the manifest (truncated or altered)"
                }
                if let reason {
                    try removeIfUnchanged(file.path, opened: fd)
                    report.removed.append(.init(kind: .entry, digest: file.digest, reason: reason))
                }
            }
        }
        stamps.save()
        return report
    }

    /// Removes least recently used blobs and entries until the store holds at most
    /// `maxBytes`, then entries whose artifacts are gone. Holds `gc.lock` while it runs.
    public func gc(maxBytes: Int64) throws -> GCReport {
        try Posix.makeDirectories(root)
        let lockPath = root + "/gc.lock"
        let lock = try FileDescriptor.open(lockPath, .createOrOpen)
        defer { lock.close() }
        while flock(lock.raw, LOCK_EX) != 0 {
            if errno != EINTR { throw StoreError(operation: "lock", path: lockPath, code: errno) }
        }
        defer { _ = flock(lock.raw, LOCK_UN) }

        var report = GCReport()
        report.removedTemporaryFiles = try removeStaleTemporaryFiles()
        // Evicted by use, least recent first, an entry together with its blobs: removing
        // files one by one would leave entries without blobs (that never hit again) and
        // blobs no entry names, the size budget spent on what cannot be used.
        let files = try listFiles()
        var total = files.reduce(Int64(0)) { $0 + $1.size }
        var blobs: [SHA256Digest: StoreFile] = [:]
        for file in files where file.kind == .blob { blobs[file.digest] = file }
        func remove(_ file: StoreFile) throws {
            try Posix.remove(file.path)
            total -= file.size
            report.freedBytes += file.size
            switch file.kind {
            case .blob: report.removedBlobs += 1
            case .entry: report.removedEntries += 1
            }
        }
        struct Unit {
            var lastUse: Double
            var path: String
            var entry: StoreFile?
            var blobs: [SHA256Digest]
        }
        var units: [Unit] = []
        var references: [SHA256Digest: Int] = [:]
        for file in files where file.kind == .entry {
            guard let fd = try FileDescriptor.openStoreItem(file.path) else { continue }
            let bytes: [UInt8]
            do {
                defer { fd.close() }
                bytes = try fd.readAll()
            }
            // An entry that does not decode, or whose artifacts are gone, can never hit.
            guard let manifest = try Self.decodeEntry(bytes),
                manifest.artifacts.allSatisfy({ blobs[$0.digest] != nil })
            else {
                try remove(file)
                continue
            }
            let digests = Array(Set(manifest.artifacts.map(\.digest)))
            for digest in digests { references[digest, default: 0] += 1 }
            // The entry's own use (a hit refreshes it): a blob another entry shares may be
            // newer without this entry having been used.
            units.append(Unit(lastUse: file.lastUse, path: file.path, entry: file, blobs: digests))
        }
        // Blobs no entry names (stored alone, `cache put-blob`) are units of their own.
        for (digest, blob) in blobs where references[digest] == nil {
            units.append(Unit(lastUse: blob.lastUse, path: blob.path, entry: nil, blobs: [digest]))
        }
        units.sort { ($0.lastUse, $0.path) < ($1.lastUse, $1.path) }
        for unit in units {
            guard total > maxBytes else { break }
            if let entry = unit.entry { try remove(entry) }
            for digest in unit.blobs {
                let left = (references[digest] ?? 0) - (unit.entry == nil ? 0 : 1)
                references[digest] = left
                // A blob another surviving entry names stays.
                if left <= 0, let blob = blobs.removeValue(forKey: digest) { try remove(blob) }
            }
        }
        report.remainingBytes = total
        return report
    }

    // MARK: Internals

    enum Kind { case blob, entry }

    struct StoreFile {
        var kind: Kind
        var digest: SHA256Digest
        var path: String
        var size: Int64
        var lastUse: Double
        /// False for a directory, link, FIFO or device under a digest's name (listed only
        /// when asked for: `verify` removes them).
        var isRegular = true
    }

    /// Every blob and entry file whose name is a digest (temporary files excluded); with
    /// `includingIrregular`, also what stands under such a name and is no regular file.
    func listFiles(includingIrregular: Bool = false) throws(StoreError) -> [StoreFile] {
        var files: [StoreFile] = []
        for (kind, directory) in [(Kind.blob, root + "/cas"), (Kind.entry, root + "/ac")] {
            for shard in try Posix.listDirectory(directory) where shard.utf8.count == 2 && !shard.hasPrefix(".") {
                let shardPath = directory + "/" + shard
                for name in try Posix.listDirectory(shardPath) {
                    guard let digest = SHA256Digest(hex: name), name.hasPrefix(shard) else { continue }
                    let path = shardPath + "/" + name
                    guard let info = try Posix.status(path) else { continue }
                    let regular = Posix.isRegular(info)
                    guard regular || includingIrregular else { continue }
                    files.append(
                        StoreFile(
                            kind: kind, digest: digest, path: path, size: regular ? Int64(info.st_size) : 0,
                            lastUse: Posix.lastUse(info), isRegular: regular))
                }
            }
        }
        return files
    }

    /// Removes `.tmp-<pid>-*` files older than `staleTemporaryAge`, or older than
    /// `abandonedTemporaryAge` whose process is gone (killed mid-write); returns how many.
    func removeStaleTemporaryFiles() throws(StoreError) -> Int {
        var removed = 0
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var directories = [root + "/cas", root + "/ac"]
        for top in [root + "/cas", root + "/ac"] {
            for shard in try Posix.listDirectory(top) where !shard.hasPrefix(".") { directories.append(top + "/" + shard) }
        }
        for directory in directories {
            for name in try Posix.listDirectory(directory) where name.hasPrefix(".tmp-") {
                let path = directory + "/" + name
                guard let info = try Posix.status(path) else { continue }
                let writer = name.dropFirst(".tmp-".count).split(separator: "-").first.flatMap { Int32($0) }
                let age = Double(now.tv_sec) - Posix.lastUse(info)
                // A pid alone proves nothing across PID namespaces (containers sharing the
                // cache) or hosts (NFS): a writer that looks gone must also have left the file
                // alone for a while.
                if age > Self.staleTemporaryAge || (age > Self.abandonedTemporaryAge && writer.map(Posix.processIsGone) == true) {
                    try Posix.remove(path)
                    removed += 1
                }
            }
        }
        return removed
    }

    private func readBlob(_ digest: SHA256Digest) throws -> [UInt8]? {
        let path = blobPath(digest)
        guard let file = try FileDescriptor.openStoreItem(path) else { return nil }
        defer { file.close() }
        let bytes = try file.readAll()
        guard try SHA256Hasher.hash(bytes) == digest else {
            stamps.forget(digest)
            try removeIfUnchanged(path, opened: file)
            return nil
        }
        Self.refreshUse(path, try file.status())
        return bytes
    }

    /// Removes a corrupt file, unless another process has meanwhile renamed a new file
    /// into its place (then the name holds a different inode, which is left alone).
    private func removeIfUnchanged(_ path: String, opened file: FileDescriptor) throws(StoreError) {
        let opened = try file.status()
        guard let current = try Posix.status(path) else { return }
        if current.st_ino == opened.st_ino && current.st_dev == opened.st_dev {
            try Posix.remove(path)
        }
    }

    private static func shardedPath(_ directory: String, _ digest: SHA256Digest) -> String {
        let hex = digest.hex
        return directory + "/" + hex.prefix(2) + "/" + hex
    }

    static let entryMagic = "gocache-ac 1 "

    /// `gocache-ac 1 <sha256 of payload>\n<manifest JSON>`.
    static func encodeEntry(_ manifest: ArtifactManifest) throws -> [UInt8] {
        let payload = try manifest.encoded()
        let digest = try SHA256Hasher.hash(payload)
        return Array((entryMagic + digest.hex + "\n").utf8) + payload
    }

    /// The manifest of an entry file, or `nil` if the header does not match the payload.
    static func decodeEntry(_ bytes: [UInt8]) throws -> ArtifactManifest? {
        let magic = Array(entryMagic.utf8)
        let headerLength = magic.count + 64 + 1
        guard bytes.count > headerLength, Array(bytes[0..<magic.count]) == magic,
              bytes[headerLength - 1] == UInt8(ascii: "\n"),
              let expected = SHA256Digest(hex: String(decoding: bytes[magic.count..<(headerLength - 1)], as: UTF8.self))
        else { return nil }
        let payload = Array(bytes[headerLength...])
        guard try SHA256Hasher.hash(payload) == expected else { return nil }
        return try? ArtifactManifest.decode(payload)
    }
}

/// Counts and sizes of a local store, from `LocalStore.stats()`.
public struct StoreStatistics: Hashable, Sendable, Codable {
    /// Number of blobs.
    public var blobCount = 0
    /// Bytes in blobs.
    public var blobBytes: Int64 = 0
    /// Number of action entries.
    public var entryCount = 0
    /// Bytes in action entries.
    public var entryBytes: Int64 = 0
    /// Seconds since the epoch of the least recent use, if the store is not empty.
    public var oldestUse: Double?
    /// Seconds since the epoch of the most recent use, if the store is not empty.
    public var newestUse: Double?
    /// Bytes in blobs and entries.
    public var totalBytes: Int64 { blobBytes + entryBytes }

    /// Empty statistics.
    public init() {}
}

/// What `LocalStore.verify()` checked and removed.
public struct VerifyReport: Hashable, Sendable, Codable {
    /// One removed blob or entry and why.
    public struct Removal: Hashable, Sendable, Codable {
        /// Which part of the store the file was in.
        public enum Kind: String, Hashable, Sendable, Codable { case blob, entry }
        /// Blob or entry.
        public var kind: Kind
        /// Its name: the content digest of a blob, the key of an entry.
        public var digest: SHA256Digest
        /// What was wrong with it.
        public var reason: String
    }

    /// Blobs read and hashed.
    public var checkedBlobs = 0
    /// Entries read and checked.
    public var checkedEntries = 0
    /// Corrupt files removed.
    public var removed: [Removal] = []
    /// Stale temporary files of crashed writers removed (not corruption).
    public var removedTemporaryFiles = 0
}

/// What `LocalStore.gc(maxBytes:)` removed.
public struct GCReport: Hashable, Sendable, Codable {
    /// Blobs removed.
    public var removedBlobs = 0
    /// Entries removed (least recently used, or left without their artifacts).
    public var removedEntries = 0
    /// Stale temporary files removed.
    public var removedTemporaryFiles = 0
    /// Bytes freed.
    public var freedBytes: Int64 = 0
    /// Bytes the store holds afterwards.
    public var remainingBytes: Int64 = 0
}
