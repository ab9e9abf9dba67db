// A CI job clones anew on every run: with the cache directory restored, unchanged files are
// known by the blob ids of git's index, not by stat data that every clone changes; and a
// checkout that converts content is keyed by its bytes on disk.
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("gocache in fresh clones", .enabled(if: GoToolchain.isConfigured))
struct FreshCloneCLITests {
    /// The number in the last "N Go files parsed so far" of a trace.
    static func parsed(_ stderr: String) -> Int? {
        let marker = " Go files parsed so far"
        var last: Int?
        for line in stderr.split(separator: "\n") {
            guard let range = line.range(of: marker) else { continue }
            let digits = line[..<range.lowerBound].reversed().prefix { $0.isNumber }
            last = Int(String(digits.reversed()))
        }
        return last
    }

    /// Git writes a checkout's files, then its index, often within one tick of the kernel's
    /// file clock: those files are racily clean until git writes the index again. Stamping the
    /// index later stands for that (CI's next git command, or a few milliseconds more).
    static func indexWrittenLater(_ fixture: GitFixture) {
        let later = timespec(tv_sec: time(nil) + 5, tv_nsec: 0)
        var times = [later, later]
        _ = utimensat(AT_FDCWD, fixture.url(".git/index"), &times, 0)
    }

    @Test("a fresh clone with the cache directory of another parses no file again, with the same answers")
    func freshClone() throws {
        let (origin, base, _) = try AffectedCLITests.repository()
        let first = try GitFixture(cloning: origin)
        let second = try GitFixture(cloning: origin)
        let cache = origin.root + "-cache"
        let fresh = origin.root + "-fresh-cache"
        defer {
            for fixture in [origin, first, second] { fixture.cleanup() }
            for dir in [cache, fresh] { try? FileManager.default.removeItem(atPath: dir) }
        }
        Self.indexWrittenLater(first)
        Self.indexWrittenLater(second)
        let hash = ["hash", "--repo"]
        let firstRun = try RunMemoCLITests.run(hash + [first.root], cache: cache)
        #expect(firstRun.status == 0, "\(firstRun.stderr)")
        #expect((Self.parsed(firstRun.stderr) ?? 0) > 0, "\(firstRun.stderr)")

        let secondRun = try RunMemoCLITests.run(hash + [second.root], cache: cache)
        #expect(secondRun.status == 0, "\(secondRun.stderr)")
        #expect(Self.parsed(secondRun.stderr) == 0, "every header from the parse memo: \(secondRun.stderr)")
        let reference = try RunMemoCLITests.run(hash + [second.root], cache: fresh, memo: false)
        #expect(secondRun.stdout == reference.stdout)
        #expect(secondRun.stdout == firstRun.stdout, "the same tree in two directories: the same keys")

        let affected = ["affected", "--repo", second.root, "--base", base, "--format", "json"]
        let answered = try RunMemoCLITests.run(affected, cache: cache)
        let expected = try RunMemoCLITests.run(affected, cache: fresh, memo: false)
        #expect(answered.status == 0 && answered.stdout == expected.stdout, "\(answered.stderr)")
    }

    @Test("the same gocache installed anew (a copy elsewhere) keeps the memos: its build id is its identity")
    func reinstalledBinary() async throws {
        let (fixture, base, _) = try AffectedCLITests.repository()
        let cache = fixture.root + "-cache"
        let installed = fixture.root + "-bin/gocache"
        defer {
            fixture.cleanup()
            for dir in [cache, fixture.root + "-bin"] { try? FileManager.default.removeItem(atPath: dir) }
        }
        try FileManager.default.createDirectory(atPath: fixture.root + "-bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try #require(GocacheCLI.binary()), toPath: installed)
        try await RunMemoCLITests.waitPastRacyWindow()
        let go = try #require(GoToolchain.current()).executable
        var environment = ProcessInfo.processInfo.environment
        environment["GOCACHE_DIR"] = cache
        environment["GOCACHE_TRACE"] = "1"
        environment["PATH"] = (go as NSString).deletingLastPathComponent + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        let arguments = ["affected", "--repo", fixture.root, "--base", base]
        let first = try RunMemoCLITests.run(arguments, cache: cache)
        // In the directory the first run ran in: the working directory is part of the key.
        let again = try await ChildProcess.run(
            installed, arguments: arguments, environment: environment,
            in: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        #expect(again.status == 0)
        #expect(String(decoding: again.stdout, as: UTF8.self) == first.stdout)
        let said = again.stderr.components(separatedBy: "gocache trace (run memo):").dropFirst().joined()
        #expect(said.contains("hit"), "\(again.stderr)")
    }

    @Test("a checkout converted by core.autocrlf is keyed by its bytes on disk, not by the index's blob ids")
    func convertedCheckout() throws {
        let (fixture, _, _) = try AffectedCLITests.repository()
        let cache = fixture.root + "-cache"
        let fresh = fixture.root + "-fresh-cache"
        defer {
            fixture.cleanup()
            for dir in [cache, fresh] { try? FileManager.default.removeItem(atPath: dir) }
        }
        _ = try fixture.git("config", "core.autocrlf", "true")
        let lib = "internal/lib/lib.go"
        try fixture.remove(lib)
        _ = try fixture.git("checkout", "--", lib)
        let bytes = try #require(FileManager.default.contents(atPath: fixture.url(lib)))
        #expect(Array(bytes).contains(UInt8(ascii: "\r")), "git wrote CRLF line ends")
        Self.indexWrittenLater(fixture)

        // The revision's keys first: its digests and headers are remembered by blob id.
        let revision = try RunMemoCLITests.run(["hash", "--repo", fixture.root, "--rev", "HEAD"], cache: cache)
        let worktree = try RunMemoCLITests.run(["hash", "--repo", fixture.root], cache: cache)
        let reference = try RunMemoCLITests.run(["hash", "--repo", fixture.root], cache: fresh, memo: false)
        #expect(revision.status == 0 && worktree.status == 0 && reference.status == 0, "\(worktree.stderr)")
        #expect(worktree.stdout == reference.stdout)
        #expect(worktree.stdout != revision.stdout, "the bytes on disk differ from the blobs: other keys")
    }

    @Test("the next commit's fresh clone at the same path takes its base from the checkout before it, when the change is structural")
    func baseFromThePreviousCheckout() throws {
        let (origin, _, _) = try AffectedCLITests.repository()
        // A structural commit: a new import, so one load cannot stand for both sides.
        try origin.write("internal/lib/lib.go", "package lib\n\nimport \"strings\"\n\nvar V = len(strings.Repeat(\"x\", 3))\n")
        _ = try origin.commit("import strings")
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-ci-\(UUID().uuidString)").path
        let checkout = parent + "/checkout"
        let cache = origin.root + "-cache"
        let fresh = origin.root + "-fresh-cache"
        defer {
            origin.cleanup()
            for dir in [parent, cache, fresh] { try? FileManager.default.removeItem(atPath: dir) }
        }
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let runner = GitFixture(existing: parent)
        func cloneAnew(at revision: String) throws -> GitFixture {
            try? FileManager.default.removeItem(atPath: checkout)
            _ = try runner.git(["clone", "-q", "file://" + origin.root, checkout])
            let clone = GitFixture(existing: checkout)
            _ = try clone.git(["-c", "advice.detachedHead=false", "checkout", "-q", "--detach", revision])
            Self.indexWrittenLater(clone)
            return clone
        }
        // The job of the commit before: its checkout is its HEAD's tree, remembered as such.
        let previous = try cloneAnew(at: "HEAD~1")
        let primed = try RunMemoCLITests.run(["affected", "--repo", previous.root, "--base", "HEAD~1"], cache: cache)
        #expect(primed.status == 0, "\(primed.stderr)")
        // This commit's job: a new clone at the same path, the cache directory kept.
        let current = try cloneAnew(at: "HEAD")
        let arguments = ["affected", "--repo", current.root, "--base", "HEAD~1", "--format", "json"]
        let answered = try RunMemoCLITests.run(arguments, cache: cache)
        #expect(answered.status == 0, "\(answered.stderr)")
        #expect(answered.stderr.contains("graphs of the revision's tree"), "the base from the memo: \(answered.stderr)")
        let expected = try RunMemoCLITests.run(arguments, cache: fresh, memo: false)
        #expect(answered.stdout == expected.stdout)
        #expect(answered.stdout.contains("functions/one") && !answered.stdout.contains("functions/two"))
        // A checkout at another path (another build directory of the runner): the revision's
        // graphs do not depend on where the repository lies.
        let elsewhere = try GitFixture(cloning: origin)
        defer { elsewhere.cleanup() }
        Self.indexWrittenLater(elsewhere)
        let moved = ["affected", "--repo", elsewhere.root, "--base", "HEAD~1", "--format", "json"]
        let there = try RunMemoCLITests.run(moved, cache: cache)
        #expect(there.status == 0, "\(there.stderr)")
        #expect(there.stderr.contains("graphs of the revision's tree"), "the base from the memo: \(there.stderr)")
        #expect(there.stdout == expected.stdout)
    }
}
