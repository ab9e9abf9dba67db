// The parse memo: a second load reads remembered headers, and never a stale one.
import Foundation
import GraphCore
import Testing
import TestSupport

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

    @Test("memoised loads equal fresh loads, for revisions and the working tree")
    func equalLoads() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let memo = fixture.root + "-memo"
        defer { try? FileManager.default.removeItem(atPath: memo) }
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.24\n")
        try fixture.write("cmd/a/main.go", "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n")
        try fixture.write("lib/lib.go", "package lib\n\nfunc F() {}\n")
        let commit = try fixture.commit("one")
        let location = try RepositoryLocation.discover(from: fixture.root)

        let fresh = try await Self.load(try Snapshot.revision(commit, in: location), memo: nil)
        let first = try await Self.load(try Snapshot.revision(commit, in: location), memo: memo)
        #expect(FileManager.default.fileExists(atPath: memo + "/" + "go-headers-v2.bin"))
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
}
