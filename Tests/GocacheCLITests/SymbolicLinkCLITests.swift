// Symbolic links end to end: a Go file that is a link to a file elsewhere, and a package
// reached through a linked directory. The go command on a checkout follows both; so must
// `affected` (between revisions and against the working tree) and `hash`. The oracle is
// `go list` on checkouts of both commits (InputOracle).
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Symbolic links", .enabled(if: GoToolchain.isConfigured))
struct SymbolicLinkCLITests {
    static let files: [String: String] = [
        "go.mod": "module example.com/m\n\ngo 1.24\n",
        "README.md": "# links\n",
        "functions/linked/main.go":
            "package main\n\nimport (\n\t\"example.com/m/internal/gen\"\n\t\"example.com/m/internal/viadir\"\n)\n\nfunc main() { println(gen.G, viadir.V) }\n",
        "functions/shared/main.go": "package main\n\nimport \"example.com/m/third_party/lib\"\n\nfunc main() { println(lib.V) }\n",
        "functions/plain/main.go": "package main\n\nimport \"example.com/m/internal/plain\"\n\nfunc main() { println(plain.P) }\n",
        "internal/gen/doc.go": "// Package gen holds a generated constant.\npackage gen\n",
        "internal/plain/plain.go": "package plain\n\nconst P = 1\n",
        "templates/gen.go.in": "package gen\n\nconst G = 1\n",
        "templates/other.go.in": "package gen\n\nconst G = 2\n",
        "third_party/lib/lib.go": "package lib\n\nconst V = 1\n",
    ]

    static func fixture() throws -> (GitFixture, String) {
        let fixture = try GitFixture()
        for (path, text) in files { try fixture.write(path, text) }
        try fixture.symlink("internal/gen/gen.go", to: "../../templates/gen.go.in")
        try fixture.symlink("internal/viadir", to: "../third_party/lib")
        return (fixture, try fixture.commit("base"))
    }

    /// The oracle's affected targets between two commits (go list on checkouts of each).
    static func oracle(_ fixture: GitFixture, base: String, head: String) async throws -> [String] {
        let oracle = InputOracle(toolchain: try #require(GoToolchain.current()))
        let root = URL(fileURLWithPath: fixture.root)
        try fixture.git("checkout", "-q", base)
        let before = try await oracle.digests(of: root)
        try fixture.git("checkout", "-q", head)
        let after = try await oracle.digests(of: root)
        try fixture.git("checkout", "-q", "main")
        let answer = InputOracle.compare(base: before, head: after)
        return (answer.affected + answer.added).sorted()
    }

    static func affected(_ fixture: GitFixture, _ arguments: [String]) throws -> [String] {
        let result = try AffectedCLITests.run(["affected", "--repo", fixture.root] + arguments, in: fixture)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// One edit committed after the base: `affected` between the commits, and between the
    /// base and the working tree (checked out at the edit), equal the oracle and `expected`.
    static func check(_ name: String, expected: [String], edit: (GitFixture) throws -> Void) async throws {
        let (fixture, base) = try fixture()
        defer {
            fixture.cleanup()
            try? FileManager.default.removeItem(atPath: fixture.root + "-cache")
            try? FileManager.default.removeItem(atPath: fixture.root + "-list.txt")
        }
        try edit(fixture)
        let head = try fixture.commit(name)
        let oracle = try await oracle(fixture, base: base, head: head)
        #expect(oracle == expected, "\(name): the oracle says \(oracle)")
        let revisions = try affected(fixture, ["--base", base, "--head", head])
        #expect(revisions == oracle, "\(name), revisions: gocache \(revisions), oracle \(oracle)")
        let worktree = try affected(fixture, ["--base", base])
        #expect(worktree == oracle, "\(name), working tree: gocache \(worktree), oracle \(oracle)")
        // The same answer for a listed change: the target path, not the link's.
        let changed = try fixture.git("diff", "--name-only", base, head).split(separator: "\n").map(String.init)
        let listed = try AffectedCLITests.run(
            ["affected", "--repo", fixture.root, "--base", base, "--files", "@LIST"], in: fixture, stdin: changed.joined(separator: "\n"))
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").map(String.init) == oracle, "\(name), --files \(changed)")
    }

    @Test("a file read through a link to a file that is no Go file itself")
    func linkedFileEdited() async throws {
        try await Self.check("edit the template", expected: ["functions/linked"]) {
            try $0.write("templates/gen.go.in", "package gen\n\nconst G = 10\n")
        }
    }

    @Test("an import added through a linked file (the graph changes, not just bytes)")
    func linkedFileGainsImport() async throws {
        try await Self.check("import through the link", expected: ["functions/linked"]) {
            try $0.write(
                "templates/gen.go.in",
                "package gen\n\nimport \"example.com/m/internal/plain\"\n\nconst G = plain.P\n")
        }
    }

    @Test("a package reached through a linked directory")
    func linkedDirectoryEdited() async throws {
        try await Self.check("edit the linked library", expected: ["functions/linked", "functions/shared"]) {
            try $0.write("third_party/lib/lib.go", "package lib\n\nconst V = 2\n")
        }
    }

    @Test("a file added in a linked directory")
    func fileAddedBehindLinkedDirectory() async throws {
        try await Self.check("add to the linked library", expected: ["functions/linked", "functions/shared"]) {
            try $0.write("third_party/lib/more.go", "package lib\n\nconst W = 3\n")
        }
    }

    @Test("a link pointed elsewhere")
    func linkRetargeted() async throws {
        try await Self.check("retarget the link", expected: ["functions/linked"]) {
            try $0.remove("internal/gen/gen.go")
            try $0.symlink("internal/gen/gen.go", to: "../../templates/other.go.in")
        }
    }

    @Test("a file no link leads to")
    func unrelatedEdit() async throws {
        try await Self.check("edit the other template and the readme", expected: []) {
            try $0.write("README.md", "# links, edited\n")
            try $0.write("templates/other.go.in", "package gen\n\nconst G = 3\n")
        }
    }

    @Test("hash of a revision reads through its links as the checkout does")
    func hashFollowsLinksInRevisions() throws {
        let (fixture, base) = try Self.fixture()
        defer {
            fixture.cleanup()
            try? FileManager.default.removeItem(atPath: fixture.root + "-cache")
        }
        try fixture.write("templates/gen.go.in", "package gen\n\nconst G = 10\n")
        let head = try fixture.commit("edit the template")
        let atHead = try AffectedCLITests.keys(fixture, ["--rev", head])
        let atBase = try AffectedCLITests.keys(fixture, ["--rev", base])
        let worktree = try AffectedCLITests.keys(fixture, [])
        #expect(atHead.count == 3)
        #expect(atHead == worktree, "a revision's keys equal its checkout's")
        #expect(atHead["functions/linked"] != atBase["functions/linked"])
        #expect(atHead["functions/shared"] == atBase["functions/shared"])
        #expect(atHead["functions/plain"] == atBase["functions/plain"])
    }
}
