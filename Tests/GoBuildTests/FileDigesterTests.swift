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

    /// A repository holding one file `name` with `text` modified at `seconds`, its cache
    /// directory, and a digester factory (each call reads the memo anew, like a later run).
    struct Scratch {
        let fixture: GitFixture
        let cache: String
        let path: String
        let location: RepositoryLocation

        init(file name: String, text: String, modified seconds: Int) throws {
            fixture = try GitFixture()
            cache = fixture.root + "/.cache-dir"
            path = fixture.root + "/" + name
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            FileDigesterTests.setModified(path, seconds: seconds)
            location = try RepositoryLocation.discover(from: fixture.root)
        }

        func digester() -> FileDigester { FileDigester(tree: Snapshot.worktree(location), cacheDirectory: cache) }
        func remove() { try? FileManager.default.removeItem(atPath: fixture.root) }
    }

    /// Replaces every occurrence of `old`'s bytes in the memo file with `new`'s (a planted
    /// record, still well-formed).
    static func plant(_ memo: String, replacing old: SHA256Digest, with new: SHA256Digest) throws {
        var bytes = try #require(FileManager.default.contents(atPath: memo)).map { $0 }
        var planted = 0
        var index = 0
        while index + 32 <= bytes.count {
            if Array(bytes[index..<index + 32]) == old.bytes {
                bytes.replaceSubrange(index..<index + 32, with: new.bytes)
                planted += 1
                index += 32
            } else {
                index += 1
            }
        }
        #expect(planted == 1)
        try Data(bytes).write(to: URL(fileURLWithPath: memo))
    }

    @Test func memoIsReusedByStatDataAndInvalidatedByIt() async throws {
        // An mtime well in the past, and a change time more than two seconds before the
        // recording: not racily clean, so the memo may trust it.
        let scratch = try Scratch(file: "a.go", text: "package a // one\n", modified: 1_600_000_000)
        defer { scratch.remove() }
        let cache = scratch.cache
        let path = scratch.path
        try await Task.sleep(for: .milliseconds(2_100))
        let first = scratch.digester()
        let original = try #require(try await first.digests(of: ["a.go"])["a.go"])
        #expect(original == (try SHA256Hasher.hash(Array("package a // one\n".utf8))))
        first.save()
        let memo = cache + "/memo/file-digests-v3.bin"
        #expect(FileManager.default.fileExists(atPath: memo))

        // A later run trusts a record whose stat data matches: a planted digest comes back,
        // which shows the memo is read.
        let planted = try SHA256Hasher.hash(Array("planted".utf8))
        try Self.plant(memo, replacing: original, with: planted)
        #expect(try await scratch.digester().digests(of: ["a.go"])["a.go"] == planted)

        // Same size, same inode, same mtime, other bytes: the change time differs (git's
        // core.trustctime), so the file is hashed again.
        try Self.overwrite(path, "package a // two\n")
        Self.setModified(path, seconds: 1_600_000_000)
        let second = scratch.digester()
        #expect(try await second.digests(of: ["a.go"])["a.go"] == (try SHA256Hasher.hash(Array("package a // two\n".utf8))))

        // A new mtime: hashed again.
        Self.setModified(path, seconds: 1_600_000_100)
        let third = scratch.digester()
        let changed = try await third.digests(of: ["a.go"])["a.go"]
        #expect(changed == (try SHA256Hasher.hash(Array("package a // two\n".utf8))))
        third.save()

        // A damaged memo is ignored, not trusted.
        var bytes = try #require(FileManager.default.contents(atPath: memo))
        bytes.removeLast(5)
        try bytes.write(to: URL(fileURLWithPath: memo))
        try Self.overwrite(path, "package a // 333\n")
        Self.setModified(path, seconds: 1_600_000_100)
        let fourth = scratch.digester()
        #expect(try await fourth.digests(of: ["a.go"])["a.go"] == (try SHA256Hasher.hash(Array("package a // 333\n".utf8))))
    }

    @Test func aFileModifiedAfterItsDigestWasRecordedIsHashedAgain() async throws {
        // An mtime in the future of the recording: racily clean, never trusted.
        let future = Int(Date().timeIntervalSince1970) + 3_600
        let scratch = try Scratch(file: "b.go", text: "package b // one\n", modified: future)
        defer { scratch.remove() }
        let path = scratch.path
        let first = scratch.digester()
        _ = try await first.digests(of: ["b.go"])
        first.save()
        try Self.overwrite(path, "package b // two\n")
        Self.setModified(path, seconds: future)
        let second = scratch.digester()
        #expect(try await second.digests(of: ["b.go"])["b.go"] == (try SHA256Hasher.hash(Array("package b // two\n".utf8))))
    }

    @Test func aSymbolicLinkIsNeverAnsweredFromTheMemo() async throws {
        // A link's stat data (and, in a revision, its blob id) are the link's own; its digest
        // is that of the file it points to, which can change under an unchanged link. Before
        // this was fixed, the memo answered the link's old digest for the new target bytes.
        let scratch = try Scratch(file: "real.go", text: "package a // one\n", modified: 1_600_000_000)
        defer { scratch.remove() }
        try scratch.fixture.symlink("link.go", to: "real.go")
        try await Task.sleep(for: .milliseconds(2_100))
        let first = scratch.digester()
        #expect(try await first.digests(of: ["link.go"])["link.go"] == (try SHA256Hasher.hash(Array("package a // one\n".utf8))))
        first.save()
        try Self.overwrite(scratch.path, "package a // two\n")
        let second = scratch.digester()
        #expect(try await second.digests(of: ["link.go"])["link.go"] == (try SHA256Hasher.hash(Array("package a // two\n".utf8))))
    }

    @Test(.enabled(if: TestGo.binary != nil)) func filesTheLoadReadAreDigestedFromTheBytesItParsed() async throws {
        // A session loaded for keys digests each Go file the load reads as it parses it: the
        // key then covers exactly the bytes the graph came from, and the file is not read
        // again. Changing a file after the load does not change the digest the session's
        // digester answers for it (a digester without the load's bytes reads the new ones).
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.22\n")
        try fixture.write("cmd/app/main.go", "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n")
        try fixture.write("lib/lib.go", "package lib\n\nfunc F() {}\n")
        let cache = fixture.root + "/.cache-dir"
        let session = try await RepositorySession.open(
            path: fixture.root, revision: nil, overrides: SettingsOverrides(), goBinary: TestGo.binary,
            environment: TestGo.environment, memoDirectory: cache + "/memo", digestCacheDirectory: cache)
        let digester = try #require(session.digester)
        try fixture.write("lib/lib.go", "package lib\n\nfunc F() { println() }\n")
        let digests = try await digester.digests(of: ["lib/lib.go", "cmd/app/main.go"])
        #expect(digests["lib/lib.go"] == (try SHA256Hasher.hash(Array("package lib\n\nfunc F() {}\n".utf8))))
        #expect(
            digests["cmd/app/main.go"]
                == (try SHA256Hasher.hash(Array("package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n".utf8))))
        let fresh = FileDigester(tree: session.snapshot, cacheDirectory: nil)
        #expect(
            try await fresh.digests(of: ["lib/lib.go"])["lib/lib.go"]
                == (try SHA256Hasher.hash(Array("package lib\n\nfunc F() { println() }\n".utf8))))
    }
}
