// The parse memo: a second load reads remembered headers, and never a stale one.
import Foundation
import GraphCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Parse memo", .enabled(if: GoToolchain.isConfigured))
struct ParseMemoTests {
    static func load(_ snapshot: Snapshot, memo: String?) async throws -> GoRepository {
        let harness = try #require(try await GraphHarness.make())
        let tags = try await harness.toolTags(BuildSettings.lambdaDefaults)
        return try await GoRepository.load(
            tree: snapshot, goRoot: harness.goRoot, options: LoadOptions(toolTags: { _ in tags }, memoDirectory: memo))
    }

    static func edges(_ repository: GoRepository) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for graph in repository.graphs {
            for (path, package) in graph.packages where !package.isStandard { result[path] = package.imports }
        }
        return result
    }

    /// A repository holding a go.mod, a memo directory beside it, and what removes both.
    static func scratch() throws -> (fixture: GitFixture, memo: String, cleanup: () -> Void) {
        let fixture = try GitFixture()
        let memo = fixture.root + "-memo"
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.24\n")
        return (fixture, memo, {
            fixture.cleanup()
            try? FileManager.default.removeItem(atPath: memo)
        })
    }

    @Test("memoised loads equal fresh loads, for revisions and the working tree")
    func equalLoads() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        try fixture.write("cmd/a/main.go", "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n")
        try fixture.write("lib/lib.go", "package lib\n\nfunc F() {}\n")
        let commit = try fixture.commit("one")
        let location = try RepositoryLocation.discover(from: fixture.root)

        let fresh = try await Self.load(try Snapshot.revision(commit, in: location), memo: nil)
        let first = try await Self.load(try Snapshot.revision(commit, in: location), memo: memo)
        #expect(FileManager.default.fileExists(atPath: memo + "/" + "go-headers-v4.bin"))
        let second = try await Self.load(try Snapshot.revision(commit, in: location), memo: memo)
        #expect(Self.edges(first) == Self.edges(fresh))
        #expect(Self.edges(second) == Self.edges(fresh))

        // The working tree, then an edit within the same second (racy-clean: not trusted).
        let worktree = try await Self.load(Snapshot.worktree(location), memo: memo)
        #expect(Self.edges(worktree) == Self.edges(fresh))
        try fixture.write("cmd/a/main.go", "package main\n\nimport \"strings\"\n\nfunc main() { _ = strings.ToUpper(\"x\") }\n")
        let edited = try await Self.load(Snapshot.worktree(location), memo: memo)
        #expect(edited.graphs.first?.packages["example.com/m/cmd/a"]?.imports == ["strings"])
    }

    @Test("an edit keeping size and modification time is seen (the change time is in the key)")
    func sameSizeSameMtime() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        let file = "cmd/a/main.go"
        try fixture.write(file, "package main\n\nimport \"strings\"\n\nfunc main() { _ = strings.ToUpper }\n")
        _ = try fixture.commit("one")
        let location = try RepositoryLocation.discover(from: fixture.root)
        var times = [timespec(tv_sec: 1_600_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_000, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, fixture.url(file), &times, 0)
        // Past the racy window, so the record of this load is trusted later.
        try await Task.sleep(for: .milliseconds(2_100))
        let first = try await Self.load(Snapshot.worktree(location), memo: memo)
        #expect(first.graphs.first?.packages["example.com/m/cmd/a"]?.imports == ["strings"])

        try fixture.overwriteKeepingTimes(file, "package main\n\nimport \"unicode\"\n\nfunc main() { _ = unicode.ToUpper }\n")
        let edited = try await Self.load(Snapshot.worktree(location), memo: memo)
        #expect(edited.graphs.first?.packages["example.com/m/cmd/a"]?.imports == ["unicode"])
    }
}
