// Submodules end to end: git names a submodule by its path alone (a gitlink bump, a dirty
// checkout); the go command reads the files in it. `affected` between revisions and against
// the working tree must see those files, with `go list` on checkouts (submodules updated)
// as the oracle.
import Foundation
import Testing
import TestSupport

@Suite("Submodules", .enabled(if: GoToolchain.isConfigured))
struct SubmoduleCLITests {
    static let files: [String: String] = [
        "go.mod": "module example.com/m\n\ngo 1.24\n",
        "functions/uses/main.go": "package main\n\nimport \"example.com/m/third_party/sub/lib\"\n\nfunc main() { println(lib.V) }\n",
        "functions/other/main.go":
            "package main\n\nimport \"example.com/m/third_party/sub/other\"\n\nfunc main() { println(other.O) }\n",
        "functions/plain/main.go": "package main\n\nfunc main() {}\n",
    ]

    /// The submodule's own repository and the main one holding it at `third_party/sub`.
    static func fixtures() throws -> (sub: GitFixture, main: GitFixture, base: String) {
        let sub = try GitFixture()
        try sub.write("lib/lib.go", "package lib\n\nconst V = 1\n")
        try sub.write("other/other.go", "package other\n\nconst O = 1\n")
        try sub.commit("sub base")
        let main = try GitFixture()
        for (path, text) in files { try main.write(path, text) }
        try main.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root, "third_party/sub")
        return (sub, main, try main.commit("base"))
    }

    static func cleanup(_ fixtures: (sub: GitFixture, main: GitFixture, base: String)) {
        fixtures.sub.cleanup()
        fixtures.main.cleanup()
        try? FileManager.default.removeItem(atPath: fixtures.main.root + "-cache")
    }

    /// Checks out `commit` with its submodule at the recorded commit.
    static func checkout(_ fixture: GitFixture, _ commit: String) throws {
        try fixture.git("checkout", "-q", commit)
        try fixture.git("-c", "protocol.file.allow=always", "submodule", "update", "-q")
    }

    static func digests(_ fixture: GitFixture) async throws -> [String: TargetInputDigest] {
        try await InputOracle(toolchain: try #require(GoToolchain.current())).digests(of: URL(fileURLWithPath: fixture.root))
    }

    /// The output lines of `gocache COMMAND --repo FIXTURE ARGUMENTS` (which must succeed).
    static func lines(_ command: String, _ fixture: GitFixture, _ arguments: [String]) throws -> [String] {
        let result = try AffectedCLITests.run([command, "--repo", fixture.root] + arguments, in: fixture)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    static func affected(_ fixture: GitFixture, _ arguments: [String]) throws -> [String] {
        try lines("affected", fixture, arguments)
    }

    @Test("a submodule bump affects the targets that read the files it changed")
    func bump() async throws {
        let fixtures = try Self.fixtures()
        defer { Self.cleanup(fixtures) }
        let (sub, main, base) = fixtures
        try sub.write("lib/lib.go", "package lib\n\nconst V = 2\n")
        try sub.commit("sub edit")
        try main.git("-C", "third_party/sub", "fetch", "-q", "origin")
        try main.git("-C", "third_party/sub", "checkout", "-q", "origin/main")
        let head = try main.commit("bump the submodule")

        try Self.checkout(main, base)
        let before = try await Self.digests(main)
        try Self.checkout(main, head)
        let after = try await Self.digests(main)
        let oracle = InputOracle.compare(base: before, head: after)
        #expect(oracle.affected == ["functions/uses"], "the oracle")
        try main.git("checkout", "-q", "main")

        #expect(try Self.affected(main, ["--base", base, "--head", head]) == oracle.affected, "revisions")
        #expect(try Self.affected(main, ["--base", base]) == oracle.affected, "working tree")
    }

    /// `git diff --name-only` names the bump by the submodule's path alone; listed, that path
    /// stands for every file of the submodule (so does any listed directory).
    @Test("--files: a listed submodule path (git's name for a bump) counts as every file in it")
    func listedSubmodulePath() async throws {
        let fixtures = try Self.fixtures()
        defer { Self.cleanup(fixtures) }
        let (sub, main, base) = fixtures
        try sub.write("lib/lib.go", "package lib\n\nconst V = 2\n")
        try sub.commit("sub edit")
        try main.git("-C", "third_party/sub", "fetch", "-q", "origin")
        try main.git("-C", "third_party/sub", "checkout", "-q", "origin/main")
        let head = try main.commit("bump the submodule")
        let list = main.root + "-list"
        defer { try? FileManager.default.removeItem(atPath: list) }
        let names = try main.git("diff", "--name-only", base, head)
        #expect(names.trimmingCharacters(in: .whitespacesAndNewlines) == "third_party/sub")
        try names.write(toFile: list, atomically: true, encoding: .utf8)
        let every = ["functions/other", "functions/uses"]
        #expect(try Self.affected(main, ["--files", list]) == every, "head only")
        #expect(
            try Self.affected(main, ["--files", list, "--packages"])
                == ["./functions/other", "./functions/uses", "./third_party/sub/lib", "./third_party/sub/other"])
        #expect(try Self.affected(main, ["--files", list, "--base", base]) == every, "with the base")
        try "functions/\n".write(toFile: list, atomically: true, encoding: .utf8)
        #expect(
            try Self.affected(main, ["--files", list]) == ["functions/other", "functions/plain", "functions/uses"],
            "any listed directory")
    }

    @Test("edits and new files in a submodule's checkout, not committed anywhere")
    func dirtyCheckout() async throws {
        let fixtures = try Self.fixtures()
        defer { Self.cleanup(fixtures) }
        let main = fixtures.main
        let before = try await Self.digests(main)
        try main.write("third_party/sub/other/other.go", "package other\n\nconst O = 2\n")
        let edited = try await Self.digests(main)
        let oracle = InputOracle.compare(base: before, head: edited)
        #expect(oracle.affected == ["functions/other"], "the oracle")
        #expect(try Self.affected(main, ["--base", "HEAD"]) == oracle.affected, "an edit")

        try main.write("third_party/sub/other/other.go", "package other\n\nconst O = 1\n")
        try main.write("third_party/sub/lib/extra.go", "package lib\n\nconst W = 3\n")
        let added = try await Self.digests(main)
        let addedOracle = InputOracle.compare(base: before, head: added)
        #expect(addedOracle.affected == ["functions/uses"], "the oracle")
        #expect(try Self.affected(main, ["--base", "HEAD"]) == addedOracle.affected, "an untracked file")
    }

    @Test("hash of a revision reads the submodule at its recorded commit, as its checkout")
    func hashReadsSubmodules() throws {
        let fixtures = try Self.fixtures()
        defer { Self.cleanup(fixtures) }
        let main = fixtures.main
        let revision = try AffectedCLITests.keys(main, ["--rev", fixtures.base])
        #expect(revision.count == 3)
        #expect(revision == (try AffectedCLITests.keys(main, [])), "a revision's keys equal its checkout's")
    }

    static func targets(_ fixture: GitFixture, _ arguments: [String]) throws -> [String] {
        try lines("targets", fixture, arguments)
    }

    @Test("a target inside a submodule, of the parent's module or a nested one, is a target of a revision too")
    func targetsInsideSubmodule() async throws {
        let fixtures = try Self.fixtures()
        defer { Self.cleanup(fixtures) }
        let (sub, main, _) = fixtures
        try sub.write("tool/main.go", "package main\n\nfunc main() { println(1) }\n")
        try sub.write("nm/go.mod", "module example.com/nm\n\ngo 1.24\n")
        try sub.write("nm/cmd/main.go", "package main\n\nfunc main() { println(1) }\n")
        try sub.commit("tools")
        try main.git("-C", "third_party/sub", "pull", "-q", "origin", "main")
        let base = try main.commit("tools in the submodule")
        try sub.write("tool/main.go", "package main\n\nfunc main() { println(2) }\n")
        try sub.commit("tool edit")
        try main.git("-C", "third_party/sub", "pull", "-q", "origin", "main")
        let head = try main.commit("bump")

        let checkout = try Self.targets(main, [])
        #expect(checkout.contains("third_party/sub/tool") && checkout.contains("third_party/sub/nm/cmd"))
        #expect(try Self.targets(main, ["--rev", head]) == checkout, "a revision's targets equal its checkout's")
        #expect(try AffectedCLITests.keys(main, ["--rev", head]) == (try AffectedCLITests.keys(main, [])))

        try Self.checkout(main, base)
        let before = try await Self.digests(main)
        try Self.checkout(main, head)
        let after = try await Self.digests(main)
        let oracle = InputOracle.compare(base: before, head: after)
        #expect(oracle.affected == ["third_party/sub/tool"], "the oracle")
        #expect(try Self.affected(main, ["--base", base, "--head", head]) == oracle.affected, "revisions")
        try Self.checkout(main, base)
        #expect(try Self.affected(main, ["--head", head, "--base", base]) == oracle.affected, "from another checkout")
    }

    @Test("a revision's submodule is read from .git/modules under the name its .gitmodules gives, once removed or moved")
    func removedAndMovedSubmodules() throws {
        let sub = try GitFixture()
        try sub.write("lib/lib.go", "package lib\n\nconst V = 1\n")
        try sub.write("other/other.go", "package other\n\nconst O = 1\n")
        try sub.commit("sub base")
        let main = try GitFixture()
        let fixtures = (sub, main, "")
        defer { Self.cleanup(fixtures) }
        for (path, text) in Self.files { try main.write(path, text) }
        try main.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", "--name", "fancy", sub.root, "third_party/sub")
        let base = try main.commit("base")
        let checkoutKeys = try AffectedCLITests.keys(main, [])
        #expect(checkoutKeys.count == 3)

        // Moved: the repository stays at .git/modules/fancy, the old path is in no configuration.
        try main.makeDirectory("vendored")
        try main.git("mv", "third_party/sub", "vendored/sub")
        let moved = try main.commit("move the submodule")
        #expect(try AffectedCLITests.keys(main, ["--rev", base]) == checkoutKeys, "the revision before the move")
        #expect(try Self.affected(main, ["--base", base, "--head", moved]) == ["functions/other", "functions/uses"])

        // Removed: the repository's configured checkout is gone too.
        try main.git("rm", "-q", "vendored/sub")
        let removed = try main.commit("remove the submodule")
        #expect(try AffectedCLITests.keys(main, ["--rev", base]) == checkoutKeys, "the revision before the removal")
        #expect(try Self.affected(main, ["--base", base, "--head", removed]) == ["functions/other", "functions/uses"])
        #expect(try Self.affected(main, ["--base", base]) == ["functions/other", "functions/uses"], "working tree")
        // Nothing imports the moved path: its removal changes no target.
        #expect(try Self.affected(main, ["--base", moved, "--head", removed]) == [])
    }

    /// A submodule added from an existing clone keeps its repository in its checkout (not
    /// absorbed), and `git mv` moves it; in a linked worktree `git submodule` clones into
    /// the worktree's own git dir (`.git/worktrees/<wt>/modules/<name>`). Both are found
    /// for revisions from before a move.
    @Test("a moved submodule whose repository is in its checkout, and one cloned in a linked worktree, are read at older revisions")
    func movedCheckoutAndLinkedWorktreeSubmodules() throws {
        let sub = try GitFixture()
        try sub.write("lib/lib.go", "package lib\n\nconst V = 1\n")
        try sub.write("other/other.go", "package other\n\nconst O = 1\n")
        try sub.commit("sub base")
        let main = try GitFixture()
        let fixtures = (sub, main, "")
        defer { Self.cleanup(fixtures) }
        for (path, text) in Self.files { try main.write(path, text) }
        try main.git("-c", "protocol.file.allow=always", "clone", "-q", sub.root, "third_party/sub")
        try main.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.root, "third_party/sub")
        let base = try main.commit("base")
        let checkoutKeys = try AffectedCLITests.keys(main, [])
        try main.makeDirectory("vendored")
        try main.git("mv", "third_party/sub", "vendored/sub")
        _ = try main.commit("move the submodule")
        #expect(FileManager.default.fileExists(atPath: main.root + "/vendored/sub/.git/HEAD"), "not absorbed")
        #expect(try AffectedCLITests.keys(main, ["--rev", base]) == checkoutKeys, "moved with its checkout")

        // A linked worktree at the base, its submodule cloned there, then moved.
        let linked = main.root + "-wt"
        defer { try? FileManager.default.removeItem(atPath: linked) }
        try main.git("worktree", "add", "-q", "-b", "wt", linked, base)
        _ = try main.git("-C", linked, "-c", "protocol.file.allow=always", "submodule", "update", "--init", "-q")
        let wtModules = main.root + "/.git/worktrees/" + (linked as NSString).lastPathComponent + "/modules/third_party/sub"
        #expect(FileManager.default.fileExists(atPath: wtModules), "cloned in the worktree's git dir")
        try main.git("-C", linked, "mv", "third_party/sub", "moved")
        try main.git("-C", linked, "commit", "-qm", "move in the worktree")
        // No checkout holds it now: only the worktree's own modules/<name> does.
        try main.git("-C", linked, "submodule", "deinit", "-q", "-f", "moved")
        let result = try AffectedCLITests.run(["hash", "--repo", linked, "--rev", base], in: main)
        #expect(result.status == 0, "\(result.stderr)")
        var keys: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2 { keys[String(parts[1])] = String(parts[0]) }
        }
        #expect(keys == checkoutKeys, "linked worktree")
    }

    @Test("a de-initialised submodule is an empty directory to the go command: affected agrees with hash")
    func deinitialisedSubmodule() throws {
        let fixtures = try Self.fixtures()
        defer { Self.cleanup(fixtures) }
        let main = fixtures.main
        let committed = try AffectedCLITests.keys(main, ["--rev", "HEAD"])
        try main.git("submodule", "deinit", "-q", "third_party/sub")
        let emptied = try AffectedCLITests.keys(main, [])
        let changed = committed.keys.filter { committed[$0] != emptied[$0] }.sorted()
        #expect(changed == ["functions/other", "functions/uses"])
        #expect(try Self.affected(main, ["--base", "HEAD"]) == changed)
    }
}
