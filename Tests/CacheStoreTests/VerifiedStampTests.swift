@testable import CacheStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Blobs placed by hard links are read and hashed unless their stat data is what it was
/// when they were last verified (`VerifiedBlobStamps`), and hits refresh a blob's last use
/// at most hourly (which keeps that stat data).
@Suite("Verified blob stamps")
struct VerifiedStampTests {
    /// A store whose stamps count at once (no racy window), as a store's do two seconds after
    /// a blob was last written.
    private func eagerStore(_ scratch: ScratchDirectory) -> LocalStore {
        LocalStore(cacheDirectory: scratch.path + "/cache", racyWindow: -3600)
    }

    /// Sets a file's modification time `seconds` into the past.
    private func age(_ path: String, by seconds: Int) throws {
        var times = [timespec(tv_sec: time(nil) - seconds, tv_nsec: 0), timespec(tv_sec: time(nil) - seconds, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
    }

    private func modified(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return -1 }
        return Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    @Test func aVerifiedUnchangedBlobIsNotReadAgain() async throws {
        let scratch = try ScratchDirectory()
        let store = eagerStore(scratch)
        let bytes = pseudoRandomBytes(100_000, seed: 41)
        let digest = try await store.putBlob(bytes)
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/a"))
        #expect(store.placedBlobCounts == (hashed: 1, trustedByStamp: 0))
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/b"))
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/a"))
        #expect(store.placedBlobCounts == (hashed: 1, trustedByStamp: 2))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: scratch.path + "/out/b"))) == bytes)

        // Saved, the stamps serve another process's store too.
        #expect(store.saveVerifiedStamps())
        #expect(!store.saveVerifiedStamps())  // nothing new
        let again = eagerStore(scratch)
        #expect(try await again.linkBlob(digest, to: scratch.path + "/out/c"))
        #expect(again.placedBlobCounts == (hashed: 0, trustedByStamp: 1))
    }

    @Test func aBlobRewrittenAfterItsStampIsReadAndFoundCorrupt() async throws {
        let scratch = try ScratchDirectory()
        let store = eagerStore(scratch)
        let bytes = pseudoRandomBytes(50_000, seed: 42)
        let digest = try await store.putBlob(bytes)
        let out = scratch.path + "/out/linked"
        #expect(try await store.linkBlob(digest, to: out))
        #expect(store.saveVerifiedStamps())
        // Past the kernel clock's tick (a write in the same tick is what the racy window
        // guards against), the linked output is rewritten in place: same size, other bytes.
        usleep(30_000)
        let handle = try #require(FileHandle(forWritingAtPath: out))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data([0x01, 0x02, 0x03]))
        try handle.close()
        let fresh = eagerStore(scratch)
        #expect(try await fresh.linkBlob(digest, to: scratch.path + "/out/again") == false)
        #expect(fresh.placedBlobCounts == (hashed: 1, trustedByStamp: 0))
        #expect(!FileManager.default.fileExists(atPath: store.blobPath(digest)))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/again"))
        // Stored again (a new inode), it is read again, not trusted by the old stamp.
        try await fresh.putBlob(bytes)
        #expect(try await fresh.linkBlob(digest, to: scratch.path + "/out/third"))
        #expect(fresh.placedBlobCounts == (hashed: 2, trustedByStamp: 0))
    }

    @Test func aFreshlyWrittenBlobIsReadEveryTime() async throws {
        // The default racy window: a blob written in the last two seconds has no stamp.
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path + "/cache")
        let digest = try await store.putBlob(pseudoRandomBytes(10_000, seed: 43))
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/a"))
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/b"))
        #expect(store.placedBlobCounts == (hashed: 2, trustedByStamp: 0))
        #expect(!store.saveVerifiedStamps())

        // Written a minute ago, it gets a stamp at its next read, and is trusted after.
        try age(store.blobPath(digest), by: 60)
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/c"))
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/d"))
        #expect(store.placedBlobCounts == (hashed: 3, trustedByStamp: 1))
        // Copies are read whatever the stamps say.
        #expect(try await store.copyBlob(digest, to: scratch.path + "/out/copy"))
        #expect(store.placedBlobCounts == (hashed: 3, trustedByStamp: 1))
    }

    @Test func aDamagedOrStaleStampFileIsIgnored() async throws {
        let scratch = try ScratchDirectory()
        let store = eagerStore(scratch)
        let digest = try await store.putBlob(pseudoRandomBytes(20_000, seed: 44))
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/a"))
        #expect(store.saveVerifiedStamps())
        let file = scratch.path + "/cache/store/" + VerifiedBlobStamps.fileName
        let saved = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(VerifiedBlobStamps.read(file).count == 1)

        // One digit changed: the header's checksum no longer matches; nothing is trusted.
        var altered = Array(saved)
        let last = altered.count - 2
        altered[last] = altered[last] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        try Data(altered).write(to: URL(fileURLWithPath: file))
        #expect(VerifiedBlobStamps.read(file).isEmpty)
        let reader = eagerStore(scratch)
        #expect(try await reader.linkBlob(digest, to: scratch.path + "/out/b"))
        #expect(reader.placedBlobCounts == (hashed: 1, trustedByStamp: 0))

        // A stamp verified longer ago than the maximum age is not trusted either, and is
        // dropped when the file is next saved.
        let stamps = VerifiedBlobStamps(path: file, racyWindow: -3600)
        try age(store.blobPath(digest), by: 2 * Int(VerifiedBlobStamps.maximumAge))
        var info = stat()
        #expect(stat(store.blobPath(digest), &info) == 0)
        let old = VerifiedBlobStamps.now() - VerifiedBlobStamps.maximumAge - 10
        stamps.record(digest, before: info, after: info, startedAt: old)
        #expect(!stamps.trusts(digest, info))
        #expect(stamps.save())
        #expect(VerifiedBlobStamps.read(file).isEmpty)
        stamps.record(digest, before: info, after: info, startedAt: VerifiedBlobStamps.now())
        #expect(stamps.trusts(digest, info))
        // A file that changed while it was read gets no stamp.
        var changed = info
        changed.st_size += 1
        let other = try sha("other")
        stamps.record(other, before: info, after: changed, startedAt: VerifiedBlobStamps.now())
        #expect(!stamps.trusts(other, info))
    }

    @Test func hitsRefreshLastUseAtMostHourly() async throws {
        let scratch = try ScratchDirectory()
        let store = eagerStore(scratch)
        let digest = try await store.putBlob(pseudoRandomBytes(5_000, seed: 45))
        let key = try sha("refresh")
        try await store.putManifest(ArtifactManifest(key: key, artifacts: [.init(name: "a", digest: digest, size: 5_000)]))
        let blob = store.blobPath(digest)
        let entry = store.entryPath(key)

        // Used ten minutes ago: a hit leaves the times (and so the blob's stamp) alone.
        try age(blob, by: 600)
        try age(entry, by: 600)
        let (blobBefore, entryBefore) = (modified(blob), modified(entry))
        #expect(try await store.manifest(for: key) != nil)
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/a"))
        #expect(try await store.blob(digest) != nil)
        #expect(modified(blob) == blobBefore && modified(entry) == entryBefore)

        // Used two hours ago: a hit makes it the newest use.
        try age(blob, by: 7200)
        try age(entry, by: 7200)
        #expect(try await store.manifest(for: key) != nil)
        let now = Int64(time(nil)) * 1_000_000_000
        #expect(modified(blob) >= now - 5_000_000_000 && modified(entry) >= now - 5_000_000_000)
    }

    @Test func verifyRecordsStampsAndForgetsCorruptBlobs() async throws {
        let scratch = try ScratchDirectory()
        let store = eagerStore(scratch)
        let good = try await store.putBlob(pseudoRandomBytes(8_000, seed: 46))
        let bad = try await store.putBlob(pseudoRandomBytes(8_000, seed: 47))
        try Data(pseudoRandomBytes(8_000, seed: 48)).write(to: URL(fileURLWithPath: store.blobPath(bad)))
        let report = try store.verify()
        #expect(report.checkedBlobs == 2 && report.removed.count == 1)
        let file = scratch.path + "/cache/store/" + VerifiedBlobStamps.fileName
        #expect(Set(VerifiedBlobStamps.read(file).keys) == [good])
        let fresh = eagerStore(scratch)
        #expect(try await fresh.linkBlob(good, to: scratch.path + "/out/good"))
        #expect(fresh.placedBlobCounts == (hashed: 0, trustedByStamp: 1))
    }
}
