import CacheStore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Local store")
struct LocalStoreTests {
    private func manifest(key: SHA256Digest, blobs: [[UInt8]]) throws -> ArtifactManifest {
        try ArtifactManifest(
            key: key,
            artifacts: blobs.enumerated().map { index, bytes in
                .init(name: "artifact\(index)", digest: try SHA256Hasher.hash(bytes), size: Int64(bytes.count))
            },
            metadata: ["target": "functions/a"], durationSeconds: 1.5,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test func blobRoundTrip() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let bytes = pseudoRandomBytes(300_000, seed: 1)
        let digest = try await store.putBlob(bytes)
        #expect(digest == (try SHA256Hasher.hash(bytes)))
        #expect(store.blobPath(digest) == scratch.path + "/store/cas/\(digest.hex.prefix(2))/\(digest.hex)")
        #expect(try await store.blob(digest) == bytes)
        #expect(try await store.containsBlob(digest))
        let out = scratch.path + "/out/copy"
        #expect(try await store.copyBlob(digest, to: out))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: out))) == bytes)
        let missing = try sha("not stored")
        #expect(try await store.blob(missing) == nil)
        #expect(try await store.copyBlob(missing, to: scratch.path + "/out/none") == false)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/none"))
        // Putting the same bytes again is idempotent.
        #expect(try await store.putBlob(bytes) == digest)
        #expect(try store.stats().blobCount == 1)
    }

    @Test func linkedBlobIsTheVerifiedStoredFile() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path + "/cache")
        let bytes = pseudoRandomBytes(200_000, seed: 6)
        let digest = try await store.putBlob(bytes)
        let out = scratch.path + "/out/linked"
        #expect(try await store.linkBlob(digest, to: out))
        var blob = stat()
        var linked = stat()
        #expect(stat(store.blobPath(digest), &blob) == 0 && stat(out, &linked) == 0)
        #expect(blob.st_ino == linked.st_ino && blob.st_dev == linked.st_dev && linked.st_nlink == 2)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: out))) == bytes)
        // Placing it again where it already is linked (rename(2) between two names of one
        // file does nothing) leaves no temporary name behind.
        #expect(try await store.linkBlob(digest, to: out))
        #expect(stat(out, &linked) == 0 && linked.st_nlink == 2)
        #expect(try await store.linkBlob(try sha("not stored"), to: scratch.path + "/out/none") == false)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/none"))

        // Rewriting the linked output in place changes the stored blob: the store's next
        // read finds it corrupt, a miss, and removes it (the output keeps what was written).
        let handle = try #require(FileHandle(forWritingAtPath: out))
        try handle.seek(toOffset: 1000)
        try handle.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
        try handle.close()
        #expect(try await store.blob(digest) == nil)
        #expect(!FileManager.default.fileExists(atPath: store.blobPath(digest)))
        #expect(FileManager.default.fileExists(atPath: out))

        // A corrupt stored blob is never linked out: a miss, nothing at the path, removed.
        try await store.putBlob(bytes)
        var corrupted = bytes
        corrupted[7] ^= 0x80
        try Data(corrupted).write(to: URL(fileURLWithPath: store.blobPath(digest)))
        #expect(try await store.linkBlob(digest, to: scratch.path + "/out/corrupt") == false)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/corrupt"))
        #expect(!FileManager.default.fileExists(atPath: store.blobPath(digest)))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/out").filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    /// /dev/shm (a tmpfs) beside a scratch directory on another file system: no hard link
    /// can cross, so the blob is copied.
    static let otherFileSystem: String? = {
        var shm = stat()
        var temporary = stat()
        guard stat("/dev/shm", &shm) == 0, access("/dev/shm", W_OK) == 0,
            stat(NSTemporaryDirectory(), &temporary) == 0, shm.st_dev != temporary.st_dev
        else { return nil }
        return "/dev/shm"
    }()

    @Test(.enabled(if: otherFileSystem != nil, "needs /dev/shm on another file system than the temporary directory"))
    func linkAcrossFileSystemsCopies() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let bytes = pseudoRandomBytes(70_000, seed: 7)
        let digest = try await store.putBlob(bytes)
        let out = try #require(Self.otherFileSystem) + "/gocache-link-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(try await store.linkBlob(digest, to: out + "/blob"))
        var info = stat()
        #expect(stat(out + "/blob", &info) == 0 && info.st_nlink == 1)
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: out + "/blob"))) == bytes)
    }

    @Test func blobFromFile() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path + "/cache")
        let bytes = pseudoRandomBytes(3 * (1 << 20) + 17, seed: 2)
        let path = try scratch.write("input", bytes)
        let digest = try await store.putBlob(fileAt: path)
        #expect(digest == (try SHA256Hasher.hash(fileAt: path)))
        #expect(try await store.blob(digest) == bytes)
        // No temporary file is left behind.
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: store.root).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test func manifestRoundTripAndMissingBlob() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let blobs = [pseudoRandomBytes(1000, seed: 3), Array("zip".utf8)]
        for blob in blobs { try await store.putBlob(blob) }
        let key = try sha("key 1")
        let stored = try manifest(key: key, blobs: blobs)
        try await store.putManifest(stored)
        #expect(try await store.manifest(for: key) == stored)
        #expect(try await store.manifest(for: try sha("other key")) == nil)

        // An entry whose artifact is gone is a miss.
        try FileManager.default.removeItem(atPath: store.blobPath(stored.artifacts[1].digest))
        #expect(try await store.manifest(for: key) == nil)
    }

    @Test func flippedBitIsAMissAndRemoved() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let bytes = pseudoRandomBytes(5000, seed: 4)
        let digest = try await store.putBlob(bytes)
        let path = store.blobPath(digest)
        var corrupted = bytes
        corrupted[2500] ^= 0x01
        try Data(corrupted).write(to: URL(fileURLWithPath: path))
        #expect(try await store.blob(digest) == nil)
        #expect(!FileManager.default.fileExists(atPath: path))

        // The same for a copy out of the store, and for a truncated file.
        try await store.putBlob(bytes)
        try Data(bytes.prefix(100)).write(to: URL(fileURLWithPath: path))
        #expect(try await store.copyBlob(digest, to: scratch.path + "/copy") == false)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/copy"))
    }

    @Test func corruptEntryIsAMissAndRemoved() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let blob = Array("artifact".utf8)
        try await store.putBlob(blob)
        let key = try sha("key")
        try await store.putManifest(try manifest(key: key, blobs: [blob]))
        let path = store.entryPath(key)
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        // Truncated (as a non-atomic writer killed mid-write would leave it).
        try full.prefix(full.count - 10).write(to: URL(fileURLWithPath: path))
        #expect(try await store.manifest(for: key) == nil)
        #expect(!FileManager.default.fileExists(atPath: path))

        // An intact entry copied under another key is not a hit for that key.
        try await store.putManifest(try manifest(key: key, blobs: [blob]))
        let otherKey = try sha("other")
        try FileManager.default.createDirectory(
            atPath: (store.entryPath(otherKey) as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: store.entryPath(otherKey))
        #expect(try await store.manifest(for: otherKey) == nil)
        #expect(try await store.manifest(for: key) != nil)
    }

    @Test func verifyReportsAndRemovesCorruption() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let good = try await store.putBlob(Array("good".utf8))
        let bad = try await store.putBlob(Array("bad".utf8))
        let key = try sha("k")
        try await store.putManifest(ArtifactManifest(key: key, artifacts: [.init(name: "a", digest: good, size: 4)]))
        var clean = try store.verify()
        #expect(clean.checkedBlobs == 2 && clean.checkedEntries == 1 && clean.removed.isEmpty)
        try Data("BAD".utf8).write(to: URL(fileURLWithPath: store.blobPath(bad)))
        clean = try store.verify()
        #expect(clean.removed.map(\.digest) == [bad])
        #expect(clean.removed.first?.kind == .blob)
        #expect(try store.verify().removed.isEmpty)
        #expect(try await store.blob(good) == Array("good".utf8))
        // An entry whose blob is gone (blobs are written first: it was damaged) goes too.
        try FileManager.default.removeItem(atPath: store.blobPath(good))
        let dangling = try store.verify()
        #expect(dangling.removed.map(\.kind) == [.entry])
        #expect(dangling.removed.first?.reason.contains("is missing") == true)
        #expect(!FileManager.default.fileExists(atPath: store.entryPath(key)))
    }

    @Test("a directory, a link or a FIFO where a blob or entry belongs is a miss and removed (never an error or a hang); verify removes and reports them")
    func irregularStoreItems() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let bytes = Array("artifact".utf8)
        let key = try sha("key")
        func fill() async throws -> SHA256Digest {
            let digest = try await store.putBlob(bytes)
            try await store.putManifest(try manifest(key: key, blobs: [bytes]))
            return digest
        }
        let fileManager = FileManager.default
        let plants: [(String, (String) throws -> Void)] = [
            ("directory", { try fileManager.createDirectory(atPath: $0 + "/inside", withIntermediateDirectories: true) }),
            ("dangling link", { try fileManager.createSymbolicLink(atPath: $0, withDestinationPath: "/nonexistent/blob") }),
            ("FIFO", { path in #expect(mkfifo(path, 0o644) == 0) }),
        ]
        for (what, plant) in plants {
            // In place of the blob.
            var digest = try await fill()
            try fileManager.removeItem(atPath: store.blobPath(digest))
            try plant(store.blobPath(digest))
            #expect(try await store.manifest(for: key) == nil, "\(what): an entry whose blob is no file is a miss")
            #expect(try await store.blob(digest) == nil, "\(what)")
            #expect((try? fileManager.attributesOfItem(atPath: store.blobPath(digest))) == nil, "\(what) removed")
            digest = try await fill()
            try fileManager.removeItem(atPath: store.blobPath(digest))
            try plant(store.blobPath(digest))
            #expect(try await store.linkBlob(digest, to: scratch.path + "/out/" + what) == false, "\(what)")
            #expect(try await store.copyBlob(digest, to: scratch.path + "/out/" + what) == false, "\(what)")
            // A rebuilt blob takes its place.
            digest = try await fill()
            try fileManager.removeItem(atPath: store.blobPath(digest))
            try plant(store.blobPath(digest))
            #expect(try await store.putBlob(bytes) == digest, "\(what)")
            #expect(try await store.blob(digest) == bytes, "\(what)")
            // In place of the entry.
            digest = try await fill()
            try fileManager.removeItem(atPath: store.entryPath(key))
            try plant(store.entryPath(key))
            #expect(try await store.manifest(for: key) == nil, "\(what) as an entry")
            #expect((try? fileManager.attributesOfItem(atPath: store.entryPath(key))) == nil, "\(what) removed")
            // Verify finds, removes and reports them.
            digest = try await fill()
            try fileManager.removeItem(atPath: store.blobPath(digest))
            try plant(store.blobPath(digest))
            let report = try store.verify()
            // The item, and the entry that named it (now without its blob).
            #expect(report.removed.map(\.kind) == [.blob, .entry], "\(what)")
            #expect(report.removed.first?.reason == "not a regular file", "\(what)")
            #expect((try? fileManager.attributesOfItem(atPath: store.blobPath(digest))) == nil)
            #expect(try store.verify().removed.isEmpty)
        }
    }

    @Test func crashBetweenWriteAndRenameLeavesNothingReadable() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let bytes = pseudoRandomBytes(10_000, seed: 5)
        let digest = try SHA256Hasher.hash(bytes)
        // What a writer killed before its rename leaves: a partial temporary file.
        let directory = (store.blobPath(digest) as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Named after a live process (this one): it could still be writing.
        let temporary = directory + "/.tmp-\(getpid())-crashed"
        try Data(bytes.prefix(4000)).write(to: URL(fileURLWithPath: temporary))
        #expect(try await store.blob(digest) == nil)
        #expect(try store.stats().blobCount == 0)
        // A fresh temporary file may belong to a live writer: verify keeps it; a stale one goes.
        #expect(try store.verify().removedTemporaryFiles == 0)
        let old = Date(timeIntervalSinceNow: -7200)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: temporary)
        #expect(try store.verify().removedTemporaryFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: temporary))
        // One whose writer is gone goes once it is ten minutes old.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let orphan = directory + "/.tmp-\(finished.processIdentifier)-killed"
        try Data(bytes.prefix(10)).write(to: URL(fileURLWithPath: orphan))
        // Not at once: the pid may be another PID namespace's live writer.
        #expect(try store.verify().removedTemporaryFiles == 0)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -900)], ofItemAtPath: orphan)
        #expect(try store.verify().removedTemporaryFiles == 1)
        #expect(!FileManager.default.fileExists(atPath: orphan))
        // The store still works for that digest.
        try await store.putBlob(bytes)
        #expect(try await store.blob(digest) == bytes)
    }

    @Test func processKilledMidPutLeavesNothingCorrupt() async throws {
        let binary = try #require(gocacheBinary(), "the gocache binary is not built")
        let scratch = try ScratchDirectory()
        let cacheDir = scratch.path + "/cache"
        let bytes = pseudoRandomBytes(48 << 20, seed: 6)
        let input = try scratch.write("big", bytes)
        for delay in [5_000, 30_000, 120_000] as [UInt32] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["cache", "put-blob", "--cache-dir", cacheDir, input]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let store = LocalStore(cacheDirectory: cacheDir)
            let digest = try SHA256Hasher.hash(bytes)
            // Whatever the kill interrupted, a read gives the right bytes or a miss.
            if let read = try await store.blob(digest) { #expect(read == bytes) }
            #expect(try store.verify().removed.isEmpty)
            try? FileManager.default.removeItem(atPath: store.blobPath(digest))
        }
    }

    @Test func manyProcessesAtOnce() async throws {
        let binary = try #require(gocacheBinary(), "the gocache binary is not built")
        let scratch = try ScratchDirectory()
        let cacheDir = scratch.path + "/cache"
        let inputs = try (0..<4).map { index in
            try scratch.write("input\(index)", pseudoRandomBytes(2 << 20, seed: UInt64(100 + index)))
        }
        let digests = try inputs.map { try SHA256Hasher.hash(fileAt: $0) }
        var processes: [(Process, Bool)] = []
        for round in 0..<3 {
            for (index, input) in inputs.enumerated() {
                let put = Process()
                put.executableURL = URL(fileURLWithPath: binary)
                put.arguments = ["cache", "put-blob", "--cache-dir", cacheDir, input]
                put.standardOutput = FileHandle.nullDevice
                put.standardError = FileHandle.nullDevice
                let get = Process()
                get.executableURL = URL(fileURLWithPath: binary)
                get.arguments = ["cache", "get-blob", "--cache-dir", cacheDir, digests[index].hex, scratch.path + "/out-\(round)-\(index)"]
                get.standardOutput = FileHandle.nullDevice
                get.standardError = FileHandle.nullDevice
                processes.append((put, true))
                processes.append((get, false))
            }
        }
        for (process, _) in processes { try process.run() }
        for (process, _) in processes { process.waitUntilExit() }
        for (process, isPut) in processes {
            // Puts always succeed; a get is a hit (0) or, racing ahead of every put, a miss (1).
            #expect(process.terminationStatus == 0 || (!isPut && process.terminationStatus == 1))
        }
        for round in 0..<3 {
            for index in inputs.indices {
                let out = scratch.path + "/out-\(round)-\(index)"
                if FileManager.default.fileExists(atPath: out) {
                    #expect(try SHA256Hasher.hash(fileAt: out) == digests[index])
                }
            }
        }
        let store = LocalStore(cacheDirectory: cacheDir)
        let report = try store.verify()
        #expect(report.removed.isEmpty)
        #expect(report.checkedBlobs == inputs.count)
        for (index, digest) in digests.enumerated() {
            #expect(try await store.blob(digest) == Array(try Data(contentsOf: URL(fileURLWithPath: inputs[index]))))
        }
    }

    @Test func gcRemovesLeastRecentlyUsedFirst() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let blobs = (0..<3).map { pseudoRandomBytes(1000, seed: UInt64(200 + $0)) }
        var digests: [SHA256Digest] = []
        for blob in blobs { digests.append(try await store.putBlob(blob)) }
        // Uses: a at t-4h, b at t-3h, c at t-2h; then a hit on a makes it the newest (a use
        // is refreshed when older than `LocalStore.useRefreshInterval`, an hour).
        for (index, digest) in digests.enumerated() {
            let when = Date(timeIntervalSinceNow: Double(-14_400 + 3600 * index))
            try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: store.blobPath(digest))
        }
        #expect(try await store.blob(digests[0]) != nil)
        let report = try store.gc(maxBytes: 2000)
        #expect(report.removedBlobs == 1)
        #expect(report.freedBytes == 1000)
        #expect(report.remainingBytes == 2000)
        #expect(try await store.containsBlob(digests[0]))
        #expect(try await !store.containsBlob(digests[1]))
        #expect(try await store.containsBlob(digests[2]))
        // Shrinking further takes c, then a.
        #expect(try store.gc(maxBytes: 1000).removedBlobs == 1)
        #expect(try await store.containsBlob(digests[0]))
        #expect(try await !store.containsBlob(digests[2]))
        #expect(try store.gc(maxBytes: 0).removedBlobs == 1)
        #expect(try store.stats().totalBytes == 0)
    }

    @Test func gcDropsEntriesWhoseArtifactsWentAway() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        let old = pseudoRandomBytes(5000, seed: 300)
        let oldDigest = try await store.putBlob(old)
        let key = try sha("entry")
        try await store.putManifest(ArtifactManifest(key: key, artifacts: [.init(name: "a", digest: oldDigest, size: 5000)]))
        let entrySize = try store.stats().entryBytes
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -1000)], ofItemAtPath: store.blobPath(oldDigest))
        let report = try store.gc(maxBytes: entrySize + 10)
        #expect(report.removedBlobs == 1)
        #expect(report.removedEntries == 1)
        #expect(try store.stats().entryCount == 0)
    }

    @Test func gcEvictsAnEntryWithItsBlobsAndKeepsSharedOnes() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        func age(_ path: String, hours: Double) throws {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600 * hours)], ofItemAtPath: path)
        }
        // Three entries of two 1000-byte blobs each, used 3, 2 and 1 hours ago; the second and
        // third share a blob. One blob no entry names, used 2.5 hours ago.
        let shared = try await store.putBlob(pseudoRandomBytes(1000, seed: 400))
        var keys: [SHA256Digest] = []
        var own: [SHA256Digest] = []
        for index in 0..<3 {
            let first = try await store.putBlob(pseudoRandomBytes(1000, seed: UInt64(410 + index)))
            let second = index == 0 ? try await store.putBlob(pseudoRandomBytes(1000, seed: 420)) : shared
            let key = try sha("entry \(index)")
            try await store.putManifest(
                ArtifactManifest(key: key, artifacts: [.init(name: "a", digest: first, size: 1000), .init(name: "b", digest: second, size: 1000)]))
            let hours = Double(3 - index)
            for path in [store.entryPath(key), store.blobPath(first), store.blobPath(second)] { try age(path, hours: hours) }
            keys.append(key)
            own.append(first)
        }
        try age(store.blobPath(shared), hours: 1)
        let orphan = try await store.putBlob(pseudoRandomBytes(1000, seed: 430))
        try age(store.blobPath(orphan), hours: 2.5)
        let entryBytes = try store.stats().entryBytes / 3
        let all = try store.stats().totalBytes

        // Just under everything: the oldest entry goes with both its blobs, no orphan left.
        let first = try store.gc(maxBytes: all - 1)
        #expect(first.removedEntries == 1 && first.removedBlobs == 2, "\(first)")
        #expect(try await store.manifest(for: keys[0]) == nil)
        #expect(try await !store.containsBlob(own[0]))
        // Room for one entry and its blobs: the orphan blob, then the second entry go; the
        // blob the third entry shares with it stays, and the third entry still hits.
        let second = try store.gc(maxBytes: 2000 + entryBytes)
        #expect(second.removedEntries == 1 && second.removedBlobs == 2, "\(second)")
        #expect(try await !store.containsBlob(orphan))
        #expect(try await !store.containsBlob(own[1]))
        #expect(try await store.containsBlob(shared))
        #expect(try await store.manifest(for: keys[2]) != nil)
        #expect(try store.stats().totalBytes == 2000 + entryBytes)
    }

    @Test func stats() async throws {
        let scratch = try ScratchDirectory()
        let store = LocalStore(cacheDirectory: scratch.path)
        #expect(try store.stats() == StoreStatistics())
        try await store.putBlob(Array("12345".utf8))
        try await store.putBlob(Array("123".utf8))
        let key = try sha("k")
        try await store.putManifest(ArtifactManifest(key: key, artifacts: []))
        let stats = try store.stats()
        #expect(stats.blobCount == 2)
        #expect(stats.blobBytes == 8)
        #expect(stats.entryCount == 1)
        let entrySize = try FileManager.default.attributesOfItem(atPath: store.entryPath(key))[.size] as? Int
        #expect(stats.entryBytes == Int64(entrySize ?? -1))
        #expect(stats.totalBytes == 8 + stats.entryBytes)
    }
}
