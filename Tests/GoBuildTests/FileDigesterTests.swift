// The file-digest memo: kept in the cache directory, keyed by stat data for working-tree
// files (git's racy-clean rule), trusted on a later run, dropped when damaged.
import CacheStore
import Foundation
import GoBuild
import GraphCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("File digest memo")
struct FileDigesterTests {
    /// Sets a file's modification time (seconds since 1970), keeping its inode.
    static func setModified(_ path: String, seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// Overwrites a file in place (same inode).
    static func overwrite(_ path: String, _ text: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    @Test func memoIsReusedByStatDataAndInvalidatedByIt() async throws {
        let fixture = try GitFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let cache = fixture.root + "/.cache-dir"
        let path = fixture.root + "/a.go"
        try "package a // one\n".write(toFile: path, atomically: false, encoding: .utf8)
        // An mtime well in the past: not racily clean, so the memo may trust it.
        Self.setModified(path, seconds: 1_600_000_000)
        let location = try RepositoryLocation.discover(from: fixture.root)
        let first = FileDigester(tree: Snapshot.worktree(location), cacheDirectory: cache)
        let original = try await first.digests(of: ["a.go"])["a.go"]
        #expect(original == (try SHA256Hasher.hash(Array("package a // one\n".utf8))))
        first.save()
        #expect(FileManager.default.fileExists(atPath: cache + "/memo/file-digests-v2.bin"))

        // Same size, same inode, same mtime, other bytes: a later run trusts the memo (as
        // git trusts its index) — which shows the memo is read.
        try Self.overwrite(path, "package a // two\n")
        Self.setModified(path, seconds: 1_600_000_000)
        let second = FileDigester(tree: Snapshot.worktree(location), cacheDirectory: cache)
        #expect(try await second.digests(of: ["a.go"])["a.go"] == original)

        // A new mtime: hashed again.
        Self.setModified(path, seconds: 1_600_000_100)
        let third = FileDigester(tree: Snapshot.worktree(location), cacheDirectory: cache)
        let changed = try await third.digests(of: ["a.go"])["a.go"]
        #expect(changed == (try SHA256Hasher.hash(Array("package a // two\n".utf8))))
        third.save()

        // A damaged memo is ignored, not trusted.
        let memo = cache + "/memo/file-digests-v2.bin"
        var bytes = try #require(FileManager.default.contents(atPath: memo))
        bytes.removeLast(5)
        try bytes.write(to: URL(fileURLWithPath: memo))
        try Self.overwrite(path, "package a // 333\n")
        Self.setModified(path, seconds: 1_600_000_100)
        let fourth = FileDigester(tree: Snapshot.worktree(location), cacheDirectory: cache)
        #expect(try await fourth.digests(of: ["a.go"])["a.go"] == (try SHA256Hasher.hash(Array("package a // 333\n".utf8))))
    }

    @Test func aFileModifiedAfterItsDigestWasRecordedIsHashedAgain() async throws {
        let fixture = try GitFixture()
        defer { try? FileManager.default.removeItem(atPath: fixture.root) }
        let cache = fixture.root + "/.cache-dir"
        let path = fixture.root + "/b.go"
        try "package b // one\n".write(toFile: path, atomically: false, encoding: .utf8)
        // An mtime in the future of the recording: racily clean, never trusted.
        let future = Int(Date().timeIntervalSince1970) + 3_600
        Self.setModified(path, seconds: future)
        let location = try RepositoryLocation.discover(from: fixture.root)
        let first = FileDigester(tree: Snapshot.worktree(location), cacheDirectory: cache)
        _ = try await first.digests(of: ["b.go"])
        first.save()
        try Self.overwrite(path, "package b // two\n")
        Self.setModified(path, seconds: future)
        let second = FileDigester(tree: Snapshot.worktree(location), cacheDirectory: cache)
        #expect(try await second.digests(of: ["b.go"])["b.go"] == (try SHA256Hasher.hash(Array("package b // two\n".utf8))))
    }
}
