// The run memo's parts: entries that survive a round trip and are refused when damaged,
// keys that frame their fields and change with every input, the working-tree walk that
// the key is computed from, and the racy-clean rule.
import CacheStore
import Foundation
import GoBuild
import GraphCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Run memo")
struct RunMemoTests {
    static func scratchDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/gocache-run-memo-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return String(cString: try #require(made))
    }

    /// Sets a path's access and modification times to `seconds` (its change time becomes now).
    static func setModified(_ path: String, seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    @Test("an entry round-trips; a flipped bit or a cut makes it a miss and removes it")
    func entries() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memo = try #require(RunMemo(memoDirectory: directory, environment: [:]))
        var key = RunMemoKey(command: "test")
        key.add("field", "value")
        #expect(memo.lookup(key) == nil)
        let output = RunMemo.Output(stdout: Array("functions/a\nfunctions/b\n".utf8), stderr: Array("warning: x\n".utf8))
        memo.store(output, under: key)
        #expect(memo.lookup(key) == output)

        let path = memo.directory + "/" + (try key.digest()).hex
        var bytes = try #require(FileManager.default.contents(atPath: path)).map { $0 }
        for index in [0, 20, bytes.count / 2, bytes.count - 1] {
            var damaged = bytes
            damaged[index] ^= 0x10
            try Data(damaged).write(to: URL(fileURLWithPath: path))
            #expect(memo.lookup(key) == nil, "a bit flipped at \(index) must be a miss")
            #expect(!FileManager.default.fileExists(atPath: path), "a damaged entry is removed")
        }
        memo.store(output, under: key)
        bytes = try #require(FileManager.default.contents(atPath: path)).map { $0 }
        try Data(bytes.dropLast(7)).write(to: URL(fileURLWithPath: path))
        #expect(memo.lookup(key) == nil)
        // Empty outputs are remembered too (no affected target is an answer).
        memo.store(RunMemo.Output(stdout: [], stderr: []), under: key)
        #expect(memo.lookup(key) == RunMemo.Output(stdout: [], stderr: []))
    }

    @Test("GOCACHE_RUN_MEMO=off turns it off; at most `capacity` entries are kept, least recently used out")
    func switchAndCapacity() throws {
        #expect(RunMemo(memoDirectory: "/tmp", environment: ["GOCACHE_RUN_MEMO": "off"]) == nil)
        #expect(RunMemo(memoDirectory: "/tmp", environment: ["GOCACHE_RUN_MEMO": "0"]) == nil)
        #expect(RunMemo(memoDirectory: "/tmp", environment: ["GOCACHE_RUN_MEMO": "on"]) != nil)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let memo = try #require(RunMemo(memoDirectory: directory, environment: [:], capacity: 3))
        let keys = (0..<5).map { index in
            var key = RunMemoKey(command: "test")
            key.add("index", String(index))
            return key
        }
        for (index, key) in keys.prefix(3).enumerated() {
            memo.store(RunMemo.Output(stdout: [UInt8(index)], stderr: []), under: key)
            Self.setModified(memo.directory + "/" + (try key.digest()).hex, seconds: 1_000_000 + index)
        }
        // Using the oldest entry makes it the most recent.
        #expect(memo.lookup(keys[0]) != nil)
        memo.store(RunMemo.Output(stdout: [3], stderr: []), under: keys[3])
        #expect(memo.lookup(keys[1]) == nil, "the least recently used entry goes first")
        #expect(memo.lookup(keys[0]) != nil)
        #expect(memo.lookup(keys[2]) != nil)
        #expect(memo.lookup(keys[3]) != nil)
        let names = try FileManager.default.contentsOfDirectory(atPath: memo.directory)
        #expect(names.count == 3)
    }

    @Test("keys frame their fields and change with each one")
    func keys() throws {
        func key(_ fields: [(String, String)], command: String = "affected") throws -> SHA256Digest {
            var key = RunMemoKey(command: command)
            for (label, value) in fields { key.add(label, value) }
            return try key.digest()
        }
        #expect(try key([("a", "bc")]) != key([("ab", "c")]))
        #expect(try key([("x", "ab"), ("y", "c")]) != key([("x", "a"), ("y", "bc")]))
        #expect(try key([("x", "1")]) == key([("x", "1")]))
        #expect(try key([("x", "1")]) != key([("x", "1")], command: "hash"))
        var first = RunMemoKey(command: "affected")
        first.add("arguments", list: ["ab", "c"])
        var second = RunMemoKey(command: "affected")
        second.add("arguments", list: ["a", "bc"])
        #expect(try first.digest() != second.digest())

        var environment = ["GOOS": "linux", "PATH": "/bin", "GOCACHE_TRACE": "1", "UNRELATED": "1"]
        func environmentKey(_ environment: [String: String]) throws -> SHA256Digest {
            var key = RunMemoKey(command: "hash")
            key.addEnvironment(environment)
            return try key.digest()
        }
        let base = try environmentKey(environment)
        environment["GOCACHE_TRACE"] = "0"
        environment["GOCACHE_RUN_MEMO"] = "on"
        environment["UNRELATED"] = "2"
        environment["PATH"] = "/usr/lib/perf-core:/bin"
        #expect(try environmentKey(environment) == base, "trace and memo switches, PATH and unrelated variables do not matter")
        for (name, value) in [("GOOS", "darwin"), ("GOFLAGS", "-tags=x"), ("GOWORK", "off"), ("HOME", "/home/x"), ("CGO_ENABLED", "1"), ("GIT_DIR", "/x")] {
            var changed = environment
            changed[name] = value
            #expect(try environmentKey(changed) != base, "\(name) must change the key")
        }
    }

    /// A working tree with a few files, all stamped an hour ago; `walk()` walks it anew.
    struct Tree {
        let fixture: GitFixture
        var location: RepositoryLocation { get throws { try RepositoryLocation.discover(from: fixture.root) } }

        init() throws {
            fixture = try GitFixture()
            try fixture.write("go.mod", "module example.com/m\n")
            try fixture.write("a/a.go", "package a\n")
            try fixture.write("a/b/b.go", "package b\n")
            try fixture.write("data.txt", "data\n")
            try fixture.symlink("link.txt", to: "data.txt")
            try "outside\n".write(toFile: outside, atomically: false, encoding: .utf8)
            try fixture.symlink("outside.txt", to: outside)
            _ = try fixture.commit("init")
        }

        /// A file outside the tree that `outside.txt` links to.
        var outside: String { fixture.root + "-outside.txt" }

        func cleanup() {
            fixture.cleanup()
            try? FileManager.default.removeItem(atPath: outside)
        }

        func walk() throws -> WorktreeWalk {
            try #require(try Snapshot.worktree(try location).walkWorktree())
        }

        func key(_ walk: WorktreeWalk) -> SHA256Digest? {
            var key = RunMemoKey(command: "test")
            return key.addWorktree(walk) ? try? key.digest() : nil
        }
    }

    @Test("the walk lists every directory once (the root's .git excluded), like the snapshot's own listings")
    func walkListings() throws {
        let tree = try Tree()
        defer { tree.cleanup() }
        let snapshot = Snapshot.worktree(try tree.location)
        let walk = try #require(try snapshot.walkWorktree())
        #expect(walk.directories.map(\.path) == ["", "a", "a/b"])
        #expect(walk.directories[0].entries.map(\.name) == ["a", "data.txt", "go.mod", "link.txt", "outside.txt"])
        #expect(walk.linkTargets.map(\.path) == ["link.txt", "outside.txt"])
        #expect(walk.fileCount == 6)
        // A listing without a walk carries no blob ids of the index (the walk's files do).
        func withoutBlobIDs(_ entries: [FileTreeEntry]?) -> [FileTreeEntry]? {
            entries?.map { entry in
                var entry = entry
                entry.blobID = nil
                return entry
            }
        }
        let fresh = Snapshot.worktree(try tree.location)
        for directory in walk.directories {
            #expect(try withoutBlobIDs(fresh.entries(in: directory.path)) == withoutBlobIDs(directory.entries))
            #expect(try snapshot.entries(in: directory.path) == directory.entries)
        }
        #expect(walk.isRacy, "files written just now are racy")
        // Past the limit, no walk (what was listed stays cached).
        let limited = Snapshot.worktree(try tree.location)
        #expect(try limited.walkWorktree(limit: 3) == nil)
        #expect(try withoutBlobIDs(limited.entries(in: "")) == withoutBlobIDs(walk.directories[0].entries))
        #expect(try Snapshot.worktree(try tree.location).walkWorktree(limit: 8) != nil)
        // Crossing the limit in the last level (a/b) is no walk either: directories of that
        // level may be unlisted.
        #expect(try Snapshot.worktree(try tree.location).walkWorktree(limit: 7) == nil)
    }

    @Test("an old tree's key is stable; any edit, touch, add, remove or link retarget changes it")
    func walkKeys() async throws {
        let tree = try Tree()
        defer { tree.cleanup() }
        // ctime cannot be set back: wait until the tree is more than a second older than a walk.
        try await Task.sleep(for: .milliseconds(2_100))
        let first = try #require(tree.key(try tree.walk()), "a tree unchanged for two seconds is not racy")
        #expect(tree.key(try tree.walk()) == first)

        // Same size and modification time, other content: only the change time tells.
        try tree.fixture.overwriteKeepingTimes("a/a.go", "package z\n")
        #expect(tree.key(try tree.walk()) == nil, "just changed: racy")
        try await Task.sleep(for: .milliseconds(2_100))
        let edited = try #require(tree.key(try tree.walk()))
        #expect(edited != first, "an edit keeping size and mtime changes the key through ctime")

        var keys: Set<SHA256Digest> = [first, edited]
        let edits: [(String, () throws -> Void)] = [
            ("add", { try tree.fixture.write("a/new.go", "package a\n") }),
            ("remove", { try tree.fixture.remove("data.txt") }),
            ("retarget", {
                try tree.fixture.remove("link.txt")
                try tree.fixture.symlink("link.txt", to: "go.mod")
            }),
            ("directory", { try tree.fixture.makeDirectory("empty") }),
            // The link's own stat data stays; what it points to changed.
            ("link target", { try "OUTSIDE\n".write(toFile: tree.outside, atomically: false, encoding: .utf8) }),
        ]
        for (name, edit) in edits {
            try edit()
            try await Task.sleep(for: .milliseconds(2_100))
            let key = try #require(tree.key(try tree.walk()), "\(name)")
            #expect(keys.insert(key).inserted, "\(name) must change the key")
        }
    }
}
