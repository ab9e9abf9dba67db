import Foundation
@testable import GraphCore
import Testing
import TestSupport

@Suite("Git")
struct GitTests {
    // MARK: - Helpers

    /// A repository with nested directories, an executable, a symlink and two commits.
    /// Commits on a new branch `branch` and then on main, leaving main checked out.
    static func divergeBranches(_ fixture: GitFixture, branch: String) throws {
        try fixture.git("checkout", "-q", "-b", branch)
        try fixture.write(branch + ".txt", branch + "\n")
        try fixture.commit(branch + " work")
        try fixture.git("checkout", "-q", "main")
        try fixture.write("main.txt", "main\n")
        try fixture.commit("main work")
    }

    static func sampleRepository() throws -> GitFixture {
        let fixture = try GitFixture()
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.22\n")
        try fixture.write("main.go", "package main\n\nfunc main() {}\n")
        try fixture.write("pkg/util/util.go", "package util\n")
        try fixture.write("pkg/util/util_test.go", "package util\n\nimport \"testing\"\n")
        try fixture.write("pkg/a-b.txt", "dash sorts before slash\n")
        try fixture.write("pkg/util.go", "package pkg\n")
        try fixture.write("scripts/build.sh", "#!/bin/sh\necho hi\n", executable: true)
        try fixture.write("empty.txt", "")
        try fixture.symlink("link.go", to: "main.go")
        try fixture.commit("first")
        try fixture.write("main.go", "package main\n\nfunc main() { println(1) }\n")
        try fixture.write("cmd/tool/main.go", "package main\n")
        try fixture.commit("second")
        return fixture
    }

    /// Every file of `tree` below `dir`, recursively: path → entry.
    static func allFiles(_ tree: some FileTree, under dir: String = "") throws -> [String: FileTreeEntry] {
        var result: [String: FileTreeEntry] = [:]
        var stack = [dir]
        while let current = stack.popLast() {
            for entry in try #require(try tree.entries(in: current)) {
                let path = current.isEmpty ? entry.name : current + "/" + entry.name
                if entry.kind == .directory {
                    stack.append(path)
                } else {
                    result[path] = entry
                }
            }
        }
        return result
    }

    /// `git ls-tree -r -l <rev>` as path → (mode, id, size).
    static func lsTree(_ fixture: GitFixture, _ revision: String) throws -> [String: (
        mode: UInt32, id: String, size: Int?
    )] {
        var result: [String: (mode: UInt32, id: String, size: Int?)] = [:]
        for line in try fixture.git("ls-tree", "-r", "-l", "--full-tree", revision).split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            let fields = parts[0].split(separator: " ", omittingEmptySubsequences: true)
            result[String(parts[1])] = (UInt32(fields[0], radix: 8) ?? 0, String(fields[2]), Int(fields[3]))
        }
        return result
    }

    static func missingObject(_ error: any Error) -> (id: String, path: String?, partial: Bool, shallow: Bool)? {
        guard case .missingObject(let id, let path, let partial, let shallow, _) = error as? GitAccessError else {
            return nil
        }
        return (id, path, partial, shallow)
    }

    // MARK: - Discovery

    @Test func discoverFromSubdirectory() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let location = try RepositoryLocation.discover(from: fixture.url("pkg/util"))
        #expect(location.workdir == fixture.root)
        #expect(location.gitDir == fixture.root + "/.git")
        #expect(location.workdir == (try fixture.git("rev-parse", "--show-toplevel")))
        #expect(!location.isShallow)
    }

    @Test func notARepository() throws {
        let directory = try GitFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: GitAccessError.notARepository(path: directory)) {
            try RepositoryLocation.discover(from: directory)
        }
        let error = GitAccessError.notARepository(path: directory)
        #expect(error.description.contains(directory))
        #expect(error.help.contains("git init"))
    }

    @Test func bareRepository() throws {
        let directory = try GitFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fixture = GitFixture(existing: directory)
        try fixture.git("init", "-q", "--bare")
        #expect(throws: GitAccessError.bareRepository(path: directory)) {
            try RepositoryLocation.discover(from: directory)
        }
    }

    /// Root can hand a repository to another user; a global `safe.directory` would hide
    /// the refusal, so the test runs only without one.
    static let canTestOwnership: Bool = {
        guard geteuid() == 0 else { return false }
        // `git config --get-all` exits 1 when no config file (system, global, XDG) sets the key.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["git", "config", "--get-all", "safe.directory"]
        probe.currentDirectoryURL = URL(fileURLWithPath: "/")
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 1
    }()

    @Test(.enabled(if: canTestOwnership)) func unsafeOwnership() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let chown = Process()
        chown.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        chown.arguments = ["chown", "-R", "65534", fixture.root]
        try chown.run()
        chown.waitUntilExit()
        try #require(chown.terminationStatus == 0)
        #expect(throws: GitAccessError.unsafeOwnership(path: fixture.root)) {
            try RepositoryLocation.discover(from: fixture.url("pkg"))
        }
    }

    // MARK: - Revisions

    @Test func revisionListingMatchesLsTree() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let location = try RepositoryLocation.discover(from: fixture.root)
        for revision in ["HEAD", "HEAD~1"] {
            let snapshot = try Snapshot.revision(revision, in: location)
            let files = try Self.allFiles(snapshot)
            let expected = try Self.lsTree(fixture, revision)
            #expect(Set(files.keys) == Set(expected.keys))
            for (path, entry) in files {
                let want = try #require(expected[path])
                #expect(entry.blobID == want.id, "\(path)")
                #expect(entry.mode == want.mode, "\(path)")
                #expect(entry.size == want.size, "\(path)")
                #expect(entry.kind == (want.mode == 0o120000 ? .symlink : .file), "\(path)")
                // A link reads as its target's bytes (git show follows it too; cat-file does not).
                let blob = try fixture.gitBytes(["cat-file", "blob", want.id])
                let shown = try want.mode == 0o120000
                    ? try fixture.gitBytes(["show", "\(revision):\(String(decoding: blob, as: UTF8.self))"]) : blob
                #expect(try snapshot.contents(of: path) == shown, "\(path)")
            }
        }
    }

    @Test func revisionEntriesSortedAndDirectoriesDistinct() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let snapshot = try Snapshot.revision("HEAD", in: try RepositoryLocation.discover(from: fixture.root))
        let pkg = try #require(try snapshot.entries(in: "pkg"))
        // Byte order of names; git's tree order would put "util.go" before the tree "util".
        #expect(pkg.map(\.name) == ["a-b.txt", "util", "util.go"])
        #expect(pkg.map(\.kind) == [.file, .directory, .file])
        let root = try #require(try snapshot.entries(in: ""))
        #expect(root.map(\.name) == root.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(try snapshot.entries(in: "missing") == nil)
        #expect(try snapshot.entries(in: "main.go") == nil)
        #expect(try snapshot.entries(in: "pkg/util/util.go/x") == nil)
        #expect(throws: FileTreeError.notFound(path: "pkg/nope.go")) { try snapshot.contents(of: "pkg/nope.go") }
        #expect(throws: FileTreeError.notFound(path: "pkg")) { try snapshot.contents(of: "pkg") }
        #expect(try snapshot.contents(of: "link.go") == snapshot.contents(of: "main.go"))
    }

    @Test(arguments: ["HEAD", "HEAD~1", "HEAD^", "main", "v1", "v1-annotated", "v1-annotated^{}", "abbrev"])
    func revisionSyntax(_ revision: String) throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.tag("v1", at: "HEAD~1")
        try fixture.tag("v1-annotated", at: "HEAD~1", message: "release")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let spelled = revision == "abbrev" ? String(try fixture.git("rev-parse", "HEAD~1").prefix(7)) : revision
        let snapshot = try Snapshot.revision(spelled, in: location)
        let expected = try fixture.git("rev-parse", "\(spelled)^{commit}")
        #expect(snapshot.commitID == expected)
        #expect(snapshot.source == .revision(spelled, commit: expected))
        #expect(snapshot.location == location)
    }

    /// `HEAD@{n}` is HEAD's own reflog (checkouts included), `@{n}` the current branch's
    /// (HEAD's when detached), `NAME@{n}` NAME's: each as `git rev-parse` answers.
    @Test func reflogRevisions() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try Self.divergeBranches(fixture, branch: "feat")
        try fixture.git("checkout", "-q", "feat")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let attached = ["HEAD@{0}", "HEAD@{1}", "HEAD@{2}", "HEAD@{1}~1", "HEAD@{1}^", "@{0}", "@{1}", "main@{1}", "feat@{1}"]
        for revision in attached {
            let expected = try fixture.git("rev-parse", "\(revision)^{commit}")
            #expect(try Snapshot.revision(revision, in: location).commitID == expected, "\(revision)")
        }
        // HEAD@{1} is main's tip, where HEAD was before the last checkout (not feat@{1}).
        #expect(try Snapshot.revision("HEAD@{1}", in: location).commitID == (try fixture.git("rev-parse", "main")))
        try fixture.git("checkout", "-q", "--detach", "main~1")
        for revision in ["@{1}", "HEAD@{1}", "@{2}"] {
            let expected = try fixture.git("rev-parse", "\(revision)^{commit}")
            #expect(try Snapshot.revision(revision, in: location).commitID == expected, "\(revision)")
        }
        // The oldest entry's old value is one further back; past it there is nothing.
        let count = try fixture.git("reflog", "show", "main").split(separator: "\n").count
        #expect(throws: GitAccessError.reflogTooShort(revision: "main@{\(count)}", reference: "refs/heads/main", entries: count)) {
            try Snapshot.revision("main@{\(count)}", in: location)
        }
        #expect(throws: (any Error).self) { try fixture.git("rev-parse", "--verify", "-q", "main@{\(count)}") }
        // git reads `@{+1}` and `@{ 1}` as dates: refused rather than read as entry 1.
        for revision in ["HEAD@{+1}", "HEAD@{ 1}"] {
            #expect(throws: GitAccessError.unknownRevision(revision: revision, suggestion: nil)) {
                try Snapshot.revision(revision, in: location)
            }
        }
    }

    /// Per-worktree references resolve as `git rev-parse` resolves them, in a linked worktree
    /// and in the main one.
    @Test func perWorktreeReferences() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let linked = fixture.root + "-linked"
        defer { try? FileManager.default.removeItem(atPath: linked) }
        try fixture.git("worktree", "add", "-q", "-b", "feat", linked, "HEAD~1")
        try fixture.git("-C", linked, "update-ref", "refs/worktree/mark", "HEAD")
        try fixture.git("-C", linked, "symbolic-ref", "refs/worktree/alias", "refs/worktree/mark")
        try fixture.git("-C", linked, "commit", "-q", "--allow-empty", "-m", "linked")
        try fixture.git("update-ref", "refs/worktree/mine", "HEAD~1")
        let location = try RepositoryLocation.discover(from: linked)
        let revisions = [
            "refs/worktree/mark", "refs/worktree/mark~0", "refs/worktree/alias", "main-worktree/HEAD", "main-worktree/HEAD~1",
            "main-worktree/refs/worktree/mine", "worktrees/\((linked as NSString).lastPathComponent)/refs/worktree/mark", "HEAD",
        ]
        for revision in revisions {
            let expected = try fixture.git("-C", linked, "rev-parse", "--verify", "\(revision)^{commit}")
            #expect(try Snapshot.revision(revision, in: location).commitID == expected, "\(revision)")
        }
        #expect(Set(revisions.map { try? fixture.git("-C", linked, "rev-parse", "\($0)^{commit}") }).count == 3)
        let main = try RepositoryLocation.discover(from: fixture.root)
        #expect(try Snapshot.revision("refs/worktree/mine", in: main).commitID == (try fixture.git("rev-parse", "HEAD~1")))
        #expect(throws: GitAccessError.unknownRevision(revision: "refs/worktree/none", suggestion: nil)) {
            try Snapshot.revision("refs/worktree/none", in: location)
        }
    }

    @Test func unknownRevisionSuggestsCloseName() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.git("branch", "feature/login")
        try fixture.tag("v1.2.0")
        let location = try RepositoryLocation.discover(from: fixture.root)
        #expect(throws: GitAccessError.unknownRevision(revision: "feature/logn", suggestion: "feature/login")) {
            try Snapshot.revision("feature/logn", in: location)
        }
        #expect(throws: GitAccessError.unknownRevision(revision: "mian~1", suggestion: "main~1")) {
            try Snapshot.revision("mian~1", in: location)
        }
        #expect(throws: GitAccessError.unknownRevision(revision: "completely-different", suggestion: nil)) {
            try Snapshot.revision("completely-different", in: location)
        }
        let missingID = String(repeating: "ab", count: 20)
        #expect(throws: GitAccessError.unknownRevision(revision: missingID, suggestion: nil)) {
            try Snapshot.revision(missingID, in: location)
        }
        let error = GitAccessError.unknownRevision(revision: "feature/logn", suggestion: "feature/login")
        #expect(error.description == "unknown revision 'feature/logn'")
        #expect(error.help.contains("did you mean 'feature/login'"))
    }

    /// git reads an abbreviated id where a commit is expected as the commit, though a blob
    /// shares the prefix (`git rev-parse 4562^{commit}`); HEAD of a repository without commits
    /// says so.
    @Test func abbreviatedIdSharedWithABlobAndUnbornHead() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let commit = try fixture.git("rev-parse", "HEAD")
        let prefix = String(commit.prefix(4))
        var number = 0
        var filler = ""
        repeat {
            filler = "filler \(number)\n"
            number += 1
        } while try #require(CleanWorktree.blobID(of: Array(filler.utf8))).hex.hasPrefix(prefix) == false
        try fixture.write("filler.txt", filler)
        try fixture.git("hash-object", "-w", "filler.txt")
        try fixture.remove("filler.txt")
        #expect(throws: (any Error).self) { try fixture.git("rev-parse", "--verify", "-q", prefix) }
        #expect(try fixture.git("rev-parse", "\(prefix)^{commit}") == commit)
        let location = try RepositoryLocation.discover(from: fixture.root)
        #expect(try Snapshot.revision(prefix, in: location).commitID == commit)
        // With a suffix too, and `@` standing for HEAD before one.
        let parent = try fixture.git("rev-parse", "HEAD~1")
        for revision in ["\(prefix)~1", "\(prefix)^", "@~1", "@^", "@^{commit}~1"] {
            #expect(try Snapshot.revision(revision, in: location).commitID == parent, "\(revision)")
        }
        #expect(try Snapshot.revision("@", in: location).commitID == commit)

        let empty = try GitFixture()
        defer { empty.cleanup() }
        let unborn = try RepositoryLocation.discover(from: empty.root)
        for revision in ["HEAD", "HEAD~1"] {
            #expect(throws: GitAccessError.unbornHead(revision: revision)) { try Snapshot.revision(revision, in: unborn) }
        }
        #expect(GitAccessError.unbornHead(revision: "HEAD").description.contains("no commits yet"))
        #expect(!GitAccessError.ambiguousRevision(revision: "abcd").description.contains("libgit2"))
    }

    @Test("git's C quoting of names, both ways", arguments: [
        ("plain/ü.go", "plain/ü.go"), ("a\nb.go", "\"a\\nb.go\""), ("t\tab\"q\\.go", "\"t\\tab\\\"q\\\\.go\""),
        ("bell\u{7}.go", "\"bell\\a.go\""), ("esc\u{1b}.go", "\"esc\\033.go\""),
    ])
    func quotedNames(name: String, quoted: String) {
        #expect(ListedPaths.quoted(name) == quoted)
        #expect((ListedPaths.unquoted(quoted) ?? quoted) == name)
    }

    @Test("a NUL-separated list (git diff -z --name-only) is split on NUL, names taken as they are")
    func nulSeparatedList() {
        let listed = ListedPaths("lib/a.go\u{0}name with spaces .go\u{0}\"q\".go\u{0}./x/../y.go\u{0}", workdir: "/repo")
        #expect(listed.paths == ["lib/a.go", "name with spaces .go", "\"q\".go", "y.go"])
        #expect(ListedPaths("lib/a.go\n  \"lib/\\303\\274.go\"\n", workdir: "/repo").paths == ["lib/a.go", "lib/ü.go"])
    }

    @Test func notACommit() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let location = try RepositoryLocation.discover(from: fixture.root)
        for revision in ["HEAD:main.go", "HEAD^{tree}"] {
            #expect(throws: GitAccessError.notACommit(revision: revision)) {
                try Snapshot.revision(revision, in: location)
            }
        }
    }

    // MARK: - Working tree

    @Test func worktreeIncludesUntrackedAndIgnoredFiles() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.write(".gitignore", "*.log\nbuild/\n")
        try fixture.commit("ignore")
        try fixture.write("debug.log", "ignored\n")
        try fixture.write("build/out/bin.txt", "ignored dir\n")
        try fixture.write("new/untracked.go", "package new\n")
        try fixture.write("nested/.git", "not the root .git\n")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshot = Snapshot.worktree(location)
        #expect(snapshot.source == .worktree)
        #expect(snapshot.commitID == nil)
        let files = try Self.allFiles(snapshot)
        for path in ["debug.log", "build/out/bin.txt", "new/untracked.go", "main.go", ".gitignore", "nested/.git"] {
            #expect(files[path] != nil, "\(path)")
        }
        #expect(files.keys.allSatisfy { !$0.hasPrefix(".git/") })
        #expect(try snapshot.entries(in: ".git") == nil)
        #expect(throws: FileTreeError.notFound(path: ".git/HEAD")) { try snapshot.contents(of: ".git/HEAD") }
        let tracked = try fixture.git("ls-files").split(separator: "\n").map(String.init)
        #expect(Set(tracked).isSubset(of: Set(files.keys)))
        let untracked = try fixture.git("ls-files", "--others").split(separator: "\n").map(String.init)
        #expect(Set(untracked).isSubset(of: Set(files.keys)))
        let main = try #require(files["main.go"])
        #expect(main.kind == .file)
        #expect(main.mode == 0o100644)
        #expect(main.size == (try snapshot.contents(of: "main.go")).count)
        let stamp = try #require(main.stamp)
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.url("main.go"))
        #expect(stamp.size == (attributes[.size] as? NSNumber)?.int64Value)
        #expect(stamp.inode == (attributes[.systemFileNumber] as? NSNumber)?.uint64Value)
        #expect(files["scripts/build.sh"]?.mode == 0o100755)
        #expect(try snapshot.contents(of: "new/untracked.go") == Array("package new\n".utf8))
        let root = try #require(try snapshot.entries(in: ""))
        #expect(root.map(\.name) == root.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(try snapshot.entries(in: "no/such/dir") == nil)
    }

    /// A listed ancestor answers for directories below it that cannot exist (import
    /// resolution probes thousands): absent names, names of files, and everything under
    /// them — while a symbolic link to a directory is still followed. The snapshot's view
    /// stays the one its listings recorded.
    @Test func worktreeAncestorListingsRuleOutMissingDirectories() throws {
        let (fixture, location, worktree, root) = try Self.linkedWorktree()
        defer { fixture.cleanup() }
        #expect(root.contains { $0.name == "main.go" && $0.kind == .file })
        #expect(try worktree.entries(in: "main.go") == nil)
        #expect(try worktree.entries(in: "main.go/x") == nil)
        #expect(try worktree.entries(in: "vendor/example.com/a/b") == nil)
        #expect(try worktree.entries(in: "linkdir")?.isEmpty == false)
        #expect(try worktree.entries(in: "pkg/util") == (try worktree.entries(in: "linkdir")))
        // Created after the root was listed: not in this snapshot's view; a new one sees it.
        try fixture.write("later/new.go", "package later\n")
        #expect(try worktree.entries(in: "later") == nil)
        #expect(try Snapshot.worktree(location).entries(in: "later")?.map(\.name) == ["new.go"])
    }

    /// The sample repository with `linkdir` → `pkg/util`, its working tree and root listing.
    static func linkedWorktree() throws -> (GitFixture, RepositoryLocation, Snapshot, [FileTreeEntry]) {
        let fixture = try Self.sampleRepository()
        do {
            try fixture.symlink("linkdir", to: "pkg/util")
            let location = try RepositoryLocation.discover(from: fixture.root)
            let worktree = Snapshot.worktree(location)
            return (fixture, location, worktree, try #require(try worktree.entries(in: "")))
        } catch {
            fixture.cleanup()
            throw error
        }
    }

    @Test func symlinks() throws {
        let (fixture, location, worktree, root) = try Self.linkedWorktree()
        defer { fixture.cleanup() }
        let link = try #require(root.first { $0.name == "link.go" })
        #expect(link.kind == .symlink)
        #expect(link.mode == 0o120000)
        #expect(root.first { $0.name == "linkdir" }?.kind == .symlink)
        #expect(try worktree.contents(of: "link.go") == Array("package main\n\nfunc main() { println(1) }\n".utf8))
        let revision = try Snapshot.revision("HEAD", in: location)
        let revisionLink = try #require(try revision.entries(in: "")?.first { $0.name == "link.go" })
        #expect(revisionLink.kind == .symlink)
        // A revision follows its links as a checkout of it does.
        #expect(try revision.contents(of: "link.go") == Array("package main\n\nfunc main() { println(1) }\n".utf8))
    }

    @Test("a revision follows file and directory links, loops and links out of the repository")
    func revisionLinks() throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let outside = try GitFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try "outside\n".write(toFile: outside + "/out.txt", atomically: true, encoding: .utf8)
        try fixture.write("lib/real/a.go", "package real\n")
        try fixture.write("lib/real/sub/b.go", "package sub\n")
        try fixture.symlink("pkg/linked", to: "../lib/real")
        try fixture.symlink("pkg/chain", to: "linked/sub")
        try fixture.symlink("pkg/file.go", to: "../lib/real/a.go")
        try fixture.symlink("pkg/loop1", to: "loop2")
        try fixture.symlink("pkg/loop2", to: "loop1")
        try fixture.symlink("pkg/out.txt", to: outside + "/out.txt")
        try fixture.symlink("pkg/dangling.go", to: "missing.go")
        try fixture.commit("links")
        let location = try RepositoryLocation.discover(from: fixture.root)
        for snapshot in [try Snapshot.revision("HEAD", in: location), Snapshot.worktree(location)] {
            let name = snapshot.commitID == nil ? "working tree" : "revision"
            #expect(try snapshot.contents(of: "pkg/file.go") == Array("package real\n".utf8), "\(name)")
            #expect(try snapshot.entries(in: "pkg/linked")?.map(\.name) == ["a.go", "sub"], "\(name)")
            #expect(try snapshot.contents(of: "pkg/linked/sub/b.go") == Array("package sub\n".utf8), "\(name)")
            #expect(try snapshot.entries(in: "pkg/chain")?.map(\.name) == ["b.go"], "\(name)")
            #expect(try snapshot.contents(of: "pkg/out.txt") == Array("outside\n".utf8), "\(name)")
            #expect(throws: (any Error).self, "\(name)") { try snapshot.contents(of: "pkg/loop1") }
            #expect(throws: (any Error).self, "\(name)") { try snapshot.contents(of: "pkg/dangling.go") }
            #expect(snapshot.isRegularFileFollowingLinks("pkg/file.go"), "\(name)")
            #expect(!snapshot.isRegularFileFollowingLinks("pkg/linked"), "\(name)")
            #expect(snapshot.isReachedThroughLink("pkg/linked"), "\(name)")
            #expect(try snapshot.entries(in: "pkg/linked/sub")?.map(\.name) == ["b.go"], "\(name)")
            #expect(snapshot.isReachedThroughLink("pkg/linked/sub"), "\(name)")
            #expect(!snapshot.isReachedThroughLink("lib/real"), "\(name)")
            let links = Dictionary(uniqueKeysWithValues: snapshot.listedLinks().map { ($0.path, $0.target) })
            #expect(links["pkg/linked"] == .some("lib/real"), "\(name)")
            #expect(links["pkg/chain"] == .some("lib/real/sub"), "\(name)")
            #expect(links["pkg/file.go"] == .some("lib/real/a.go"), "\(name)")
            #expect(links["pkg/out.txt"] == .some(nil), "\(name): a link out of the repository leads to no path of it")
            #expect(links["pkg/loop1"] == .some(nil), "\(name)")
        }
        let changes = LinkedChanges.extend(
            [PathChange(kind: .modified, path: "lib/real/sub/b.go")],
            links: [("pkg/linked", "lib/real"), ("pkg/chain", "lib/real/sub"), ("pkg/out.txt", nil)])
        #expect(
            changes.map(\.path) == ["lib/real/sub/b.go", "pkg/linked/sub/b.go", "pkg/chain/b.go"])
    }

    // MARK: - Changes

    @Test func changesTreeToTree() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let longText = (0..<40).map { "line \($0) of a file long enough for rename detection\n" }.joined()
        try fixture.write("docs/guide.md", longText)
        try fixture.write("doomed.txt", "bye\n")
        try fixture.write("kind.txt", "file then link\n")
        let base = try fixture.commit("base")
        try fixture.rename("docs/guide.md", to: "docs/manual.md")
        try fixture.remove("doomed.txt")
        try fixture.write("main.go", "package main\n\nfunc main() { println(2) }\n")
        try fixture.write("added/new.go", "package added\n")
        try fixture.remove("kind.txt")
        try fixture.symlink("kind.txt", to: "main.go")
        let head = try fixture.commit("head")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let changes = try GitHistory.changes(
            from: Snapshot.revision(base, in: location), to: Snapshot.revision(head, in: location))
        #expect(
            changes == [
                PathChange(kind: .added, path: "added/new.go"),
                PathChange(kind: .renamed, path: "docs/manual.md", oldPath: "docs/guide.md"),
                PathChange(kind: .deleted, path: "doomed.txt"),
                PathChange(kind: .typeChanged, path: "kind.txt"),
                PathChange(kind: .modified, path: "main.go"),
            ])
        // Same paths as git itself reports.
        let gitPaths = try fixture.git("diff", "--name-only", "-M", base, head).split(separator: "\n").map(String.init)
        #expect(Set(changes.map(\.path)) == Set(gitPaths))
        // Swapped sides give the inverse.
        let backwards = try GitHistory.changes(
            from: Snapshot.revision(head, in: location), to: Snapshot.revision(base, in: location))
        #expect(backwards.contains(PathChange(kind: .renamed, path: "docs/guide.md", oldPath: "docs/manual.md")))
        #expect(backwards.contains(PathChange(kind: .deleted, path: "added/new.go")))
        #expect(
            try GitHistory.changes(from: Snapshot.revision(head, in: location), to: Snapshot.revision("HEAD", in: location))
                .isEmpty)
    }

    @Test func changesTreeToWorktree() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.write(".gitignore", "*.log\n")
        try fixture.commit("ignore logs")
        try fixture.write("main.go", "package main // edited\n")
        try fixture.remove("pkg/a-b.txt")
        try fixture.write("fresh/deep/new.go", "package deep\n")
        try fixture.write("trace.log", "ignored but seen by go\n")
        try fixture.write("staged.go", "package main\n")
        try fixture.git("add", "staged.go")  // the index does not matter
        let location = try RepositoryLocation.discover(from: fixture.root)
        let head = try Snapshot.revision("HEAD", in: location)
        let worktree = Snapshot.worktree(location)
        let changes = try GitHistory.changes(from: head, to: worktree)
        #expect(
            changes == [
                PathChange(kind: .added, path: "fresh/deep/new.go"),
                PathChange(kind: .modified, path: "main.go"),
                PathChange(kind: .deleted, path: "pkg/a-b.txt"),
                PathChange(kind: .added, path: "staged.go"),
                PathChange(kind: .added, path: "trace.log"),
            ])
        let reversed = try GitHistory.changes(from: worktree, to: head)
        #expect(reversed.contains(PathChange(kind: .deleted, path: "fresh/deep/new.go")))
        #expect(reversed.contains(PathChange(kind: .added, path: "pkg/a-b.txt")))
        #expect(try GitHistory.changes(from: worktree, to: worktree).isEmpty)
    }

    /// Forty lines: long enough for libgit2's rename detection to pair a moved copy.
    static let renameableText = (0..<40).map { "row \($0) with enough text to be similar\n" }.joined()

    /// Sets every working-tree file's modification time `minutes` back, then lets git
    /// refresh the index's stat data: no entry is then racily clean (written in the index's
    /// tick). git compares stat data by whole seconds: each call must go back another
    /// number of minutes, or a refresh within the same second sees nothing to record.
    static func ageAndRefresh(_ fixture: GitFixture, minutes: Int) throws {
        // Each path's own times (a link's, not its target's: git records the link's), so that
        // no entry is racily clean against the index the refresh writes.
        let old = time(nil) - 60 * minutes
        for path in try fixture.git("ls-files").split(separator: "\n") {
            var times = [timespec(tv_sec: old, tv_nsec: 0), timespec(tv_sec: old, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, fixture.url(String(path)), &times, AT_SYMLINK_NOFOLLOW) == 0, "\(path)")
        }
        _ = try? fixture.git("update-index", "-q", "--refresh")
    }

    @Test("a clean checkout is diffed tree to tree, anything else by libgit2's working-tree diff, with equal answers")
    func cleanWorktreeShortcut() throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.22\n")
        try fixture.write("main.go", "package main\n\nfunc main() {}\n")
        try fixture.write("pkg/util/util.go", "package util\n")
        try fixture.write("scripts/build.sh", "#!/bin/sh\necho hi\n", executable: true)
        try fixture.write("old/name.txt", Self.renameableText)
        try fixture.write(".gitignore", "*.log\n")
        try fixture.commit("first")
        try fixture.write("main.go", "package main\n\nfunc main() { println(1) }\n")
        try fixture.rename("old/name.txt", to: "new/name.txt")
        try fixture.remove("pkg/util/util.go")
        try fixture.write("cmd/tool/main.go", "package main\n")
        try fixture.commit("second")
        try Self.ageAndRefresh(fixture, minutes: 61)
        let location = try RepositoryLocation.discover(from: fixture.root)
        let base = try Snapshot.revision("HEAD~1", in: location)

        /// `shortcut`: the tree is proved clean; `edited`: proved HEAD's tree but for that many
        /// files' contents (hashed); neither: left to libgit2.
        /// `unchangedForLibgit2`: paths libgit2's working-tree diff reports as modified although
        /// their bytes are the base's again (it merges base → index with index → files, and
        /// an edit the index has not seen is a change on the second step) — git's own
        /// `git diff` and the hashed comparison report nothing there.
        func check(
            shortcut: Bool, edited: Int? = nil, unchangedForLibgit2: Set<String> = [], _ label: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let worktree = Snapshot.worktree(location)
            #expect((CleanWorktree.headTree(of: worktree) != nil) == shortcut, "\(label)", sourceLocation: sourceLocation)
            if !shortcut {
                let state = CleanWorktree.state(of: Snapshot.worktree(location))
                #expect(state?.modified.count == edited, "\(label)", sourceLocation: sourceLocation)
            }
            let answer = try GitHistory.changes(from: base, to: worktree)
            let libgit2 = try GitHistory.changes(from: base, to: Snapshot.worktree(location), cleanWorktreeShortcut: false)
            let expected = libgit2.filter { !unchangedForLibgit2.contains($0.path) }
            #expect(answer == expected, "\(label)", sourceLocation: sourceLocation)
            #expect(libgit2.count - expected.count == unchangedForLibgit2.count, "\(label)", sourceLocation: sourceLocation)
            let backwards = try GitHistory.changes(from: Snapshot.worktree(location), to: base)
            let libgit2Backwards = try GitHistory.changes(
                from: Snapshot.worktree(location), to: base, cleanWorktreeShortcut: false
            ).filter { !unchangedForLibgit2.contains($0.path) }
            #expect(backwards == libgit2Backwards, "\(label), backwards", sourceLocation: sourceLocation)
        }

        try check(shortcut: true, "clean")
        #expect(
            try GitHistory.changes(from: base, to: Snapshot.worktree(location)) == [
                PathChange(kind: .added, path: "cmd/tool/main.go"),
                PathChange(kind: .modified, path: "main.go"),
                PathChange(kind: .renamed, path: "new/name.txt", oldPath: "old/name.txt"),
                PathChange(kind: .deleted, path: "pkg/util/util.go"),
            ])
        // The same bytes and times with another change time (as `touch -r` leaves): stat data
        // shows only the ctime.
        try fixture.overwriteKeepingTimes("main.go", "package main\n\nfunc main() { println(2) }\n")
        try check(shortcut: false, edited: 1, "same-size edit keeping its times")
        try fixture.write("main.go", "package main\n\nfunc main() { println(1) }\n")
        try Self.ageAndRefresh(fixture, minutes: 62)
        try check(shortcut: true, "restored")

        // Edits of tracked files: HEAD's tree with those files hashed again.
        try fixture.write("main.go", "package main\n\nfunc main() { println(\"longer\") }\n")
        try fixture.write("cmd/tool/main.go", "package main\n\nfunc main() {}\n")
        try check(shortcut: false, edited: 2, "two edited files")
        // Back to the base's bytes: no change against the base there (against HEAD there is).
        try fixture.write("main.go", "package main\n\nfunc main() {}\n")
        try check(shortcut: false, edited: 2, unchangedForLibgit2: ["main.go"], "an edit back to the base's content")
        #expect(try !GitHistory.changes(from: base, to: Snapshot.worktree(location)).contains { $0.path == "main.go" })
        #expect(try fixture.git("diff", "--name-only", "HEAD~1").split(separator: "\n").contains("main.go") == false)
        // Touched, same bytes: proved by hashing.
        try fixture.write("main.go", "package main\n\nfunc main() { println(1) }\n")
        try fixture.write("cmd/tool/main.go", "package main\n")
        try check(shortcut: true, "touched files with HEAD's bytes")
        // A file in a rename: renames are paired by content, libgit2 decides.
        try fixture.write("new/name.txt", Self.renameableText + "one more row\n")
        try check(shortcut: false, edited: 1, "the renamed file edited")
        try fixture.write("new/name.txt", Self.renameableText)
        // A carriage return: left to libgit2 (git may convert line endings).
        try fixture.write("main.go", "package main\r\n\r\nfunc main() {}\r\n")
        try check(shortcut: false, "an edit with carriage returns")
        try fixture.write("main.go", "package main\n\nfunc main() { println(1) }\n")
        try Self.ageAndRefresh(fixture, minutes: 70)
        try check(shortcut: true, "restored again")

        try fixture.write("trace.log", "ignored, but the go command sees it\n")
        try check(shortcut: false, "an ignored file")
        try fixture.remove("trace.log")
        try fixture.write("extra/new.go", "package extra\n")
        try check(shortcut: false, "an untracked file")
        try fixture.git("add", "extra/new.go")
        try check(shortcut: false, "a staged file")
        try fixture.git("rm", "-q", "--cached", "extra/new.go")
        try fixture.remove("extra/new.go")
        try Self.ageAndRefresh(fixture, minutes: 63)
        // git invalidated the cache tree when the index changed; nothing rebuilds it until a
        // commit or a checkout: no proof, though the tree is clean again.
        try check(shortcut: false, "staged, unstaged and removed")
        try fixture.git("read-tree", "HEAD")
        try Self.ageAndRefresh(fixture, minutes: 68)
        try check(shortcut: true, "the index read from HEAD again")

        try fixture.remove("go.mod")
        try check(shortcut: false, "a deleted file")
        try fixture.git("checkout", "-q", "--", "go.mod")
        try Self.ageAndRefresh(fixture, minutes: 64)
        try check(shortcut: true, "checked out again")

        try fixture.write("scripts/build.sh", "#!/bin/sh\necho hi\n", executable: false)
        try check(shortcut: false, "an executable bit dropped")
        try fixture.write("scripts/build.sh", "#!/bin/sh\necho hi\n", executable: true)
        try Self.ageAndRefresh(fixture, minutes: 65)
        try check(shortcut: true, "executable again")

        // Racily clean: an entry written no earlier than the index itself.
        let future = Date().addingTimeInterval(3600)
        try FileManager.default.setAttributes([.modificationDate: future], ofItemAtPath: fixture.url("main.go"))
        _ = try? fixture.git("update-index", "-q", "--refresh")
        // Its bytes are hashed: the index's.
        try check(shortcut: true, "a racily clean entry")
        try fixture.write("main.go", "package main\n\nfunc main() { println(3) }\n")
        try FileManager.default.setAttributes([.modificationDate: future], ofItemAtPath: fixture.url("main.go"))
        try check(shortcut: false, edited: 1, "a racily clean entry edited")
        try fixture.write("main.go", "package main\n\nfunc main() { println(1) }\n")
        try Self.ageAndRefresh(fixture, minutes: 66)
        try check(shortcut: true, "aged again")

        // Tracked links (git records a link's own stat data, as lstat gives it).
        try fixture.symlink("link.go", to: "main.go")
        try fixture.symlink("linkdir", to: "cmd")
        try fixture.commit("links")
        try Self.ageAndRefresh(fixture, minutes: 67)
        try check(shortcut: true, "tracked symbolic links, one to a directory")
        // Retargeted to a name of the same length: only the link's change time and inode show it.
        try fixture.remove("link.go")
        try fixture.symlink("link.go", to: "tool.go")
        try check(shortcut: false, "a link retargeted")
        try fixture.remove("link.go")
        try fixture.symlink("link.go", to: "main.go")
        try Self.ageAndRefresh(fixture, minutes: 69)
        try check(shortcut: true, "the link restored")
        try fixture.remove("linkdir")
        try fixture.makeDirectory("linkdir")
        try fixture.write("linkdir/main.go", "package main\n")
        try check(shortcut: false, "a link replaced by a directory")
        try fixture.remove("linkdir/main.go")
        try fixture.remove("linkdir")
        try fixture.symlink("linkdir", to: "cmd")
        try fixture.remove("link.go")
        try fixture.symlink("link.go", to: "tool.go")
        try check(shortcut: false, "a link retargeted, again")

        // Attributes that convert nothing on the way in for a file without carriage returns
        // (`text`, `eol=lf`, linguist-*): edits are hashed as before. One that could make git
        // filter what it hashes (`ident`, `filter`): edits are left to libgit2.
        try fixture.remove("link.go")
        try fixture.symlink("link.go", to: "main.go")
        try fixture.write(".gitattributes", "*.txt text\n*.go text eol=lf linguist-generated\n")
        try fixture.commit("attributes")
        try Self.ageAndRefresh(fixture, minutes: 71)
        try check(shortcut: true, "attributes, clean")
        try fixture.write("main.go", "package main\n\nfunc main() { println(4) }\n")
        try check(shortcut: false, edited: 1, "attributes that convert nothing, an edit")
        try fixture.write(".gitattributes", "*.txt text\n*.go ident\n")
        try check(shortcut: false, "a converting attribute, an edit")
    }

    /// The tree comparison that skips equal subtrees answers exactly as libgit2's
    /// tree-to-tree diff, on every pair of commits of a history with each kind of change,
    /// and leaves to libgit2 what needs rename detection or typechange rules.
    @Test func treeComparisonAgreesWithLibgit2() throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        try fixture.write("go.mod", "module example.com/m\n")
        try fixture.write("a/b/c/deep.go", "package c\n")
        try fixture.write("a/b/other.go", "package b\n")
        try fixture.write("tool.sh", "#!/bin/sh\n", executable: false)
        try fixture.write("old/name.txt", Self.renameableText)
        try fixture.commit("c0")
        try fixture.write("a/b/c/deep.go", "package c\n\nvar X = 1\n")
        try fixture.commit("c1 modify deep")
        try fixture.write("tool.sh", "#!/bin/sh\n", executable: true)
        try fixture.commit("c2 exec bit")
        try fixture.write("new/dir/x.go", "package dir\n")
        try fixture.write("new/dir/y.go", "package dir\n")
        try fixture.commit("c3 add a directory")
        try fixture.remove("a/b")
        try fixture.commit("c4 delete a directory")
        try fixture.symlink("link.go", to: "go.mod")
        try fixture.commit("c5 add a link")
        try fixture.remove("link.go")
        try fixture.symlink("link.go", to: "tool.sh")
        try fixture.commit("c6 retarget the link")
        try fixture.rename("old/name.txt", to: "moved/name.txt")
        try fixture.commit("c7 rename")
        try fixture.remove("link.go")
        try fixture.write("link.go", "package m\n")
        try fixture.commit("c8 link becomes a file")
        try fixture.remove("new/dir")
        try fixture.write("new/dir", "now a file\n")
        try fixture.commit("c9 directory becomes a file")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let commits = try fixture.git("rev-list", "--reverse", "HEAD").split(separator: "\n").map(String.init)
        #expect(commits.count == 10)
        var answered = 0
        for base in commits {
            for head in commits {
                let a = try Snapshot.revision(base, in: location)
                let b = try Snapshot.revision(head, in: location)
                guard let baseTree = a.treeID, let headTree = b.treeID else {
                    Issue.record("no tree")
                    continue
                }
                let libgit2 = try a.pool.withRepository { (repository) throws(GitAccessError) in
                    try repository.diffTrees(baseTree, headTree, libgit2Only: true)
                }
                let own = try a.pool.withRepository { (repository) throws(GitAccessError) in
                    try TreeComparison.changes(baseTree, headTree, in: repository)
                }
                if let own {
                    answered += 1
                    #expect(own == libgit2, "\(base) → \(head)")
                } else {
                    // Left to libgit2 only where rename detection or kind rules can apply.
                    #expect(
                        libgit2.contains { $0.kind == .renamed || $0.kind == .typeChanged }
                            || (libgit2.contains { $0.kind == .added } && libgit2.contains { $0.kind == .deleted }),
                        "\(base) → \(head): \(libgit2)")
                }
                #expect(try GitHistory.changes(from: a, to: b) == libgit2, "\(base) → \(head)")
            }
        }
        #expect(answered >= 20, "the comparison answered \(answered) of 100 pairs")
    }

    @Test func worktreeRenameOfTrackedFileToUntracked() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.write("old/name.txt", Self.renameableText)
        try fixture.commit("add")
        try fixture.rename("old/name.txt", to: "new/name.txt")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let changes = try GitHistory.changes(from: Snapshot.revision("HEAD", in: location), to: .worktree(location))
        #expect(changes == [PathChange(kind: .renamed, path: "new/name.txt", oldPath: "old/name.txt")])
    }

    /// `git update-index --assume-unchanged` / `--skip-worktree` tell git to take a file as
    /// unchanged; the go command compiles its bytes all the same, so a diff against the
    /// working tree compares them (clean index, and a tree with an untracked file).
    @Test(arguments: ["--assume-unchanged", "--skip-worktree"], [false, true])
    func flaggedIndexEntriesAreComparedByContent(flag: String, untracked: Bool) throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.git("update-index", flag, "main.go", "pkg/util/util.go", "scripts/build.sh", "link.go")
        try fixture.write("main.go", "package main // edited behind the flag\n")
        try fixture.write("scripts/build.sh", "#!/bin/sh\necho edited\n", executable: true)
        try fixture.remove("link.go")
        try fixture.write("link.go", "package main // now a file\n")
        if untracked { try fixture.write("notes.txt", "untracked\n") }
        #expect(try fixture.git("diff", "--name-only", "HEAD").isEmpty, "git itself takes the flagged files as unchanged")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let head = try Snapshot.revision("HEAD", in: location)
        let worktree = Snapshot.worktree(location)
        var expected = [
            PathChange(kind: .typeChanged, path: "link.go"),
            PathChange(kind: .modified, path: "main.go"),
            PathChange(kind: .modified, path: "scripts/build.sh"),
        ]
        if untracked { expected.append(PathChange(kind: .added, path: "notes.txt")) }
        #expect(try GitHistory.changes(from: head, to: worktree) == GitHistory.sorted(expected))
        #expect(try GitHistory.changes(from: worktree, to: head) == GitHistory.sorted(expected.map(\.reversed)))
        // Against the first commit, main.go differs already; written back, it is unchanged.
        let first = try Snapshot.revision("HEAD~1", in: location)
        try fixture.write("main.go", "package main\n\nfunc main() {}\n")
        #expect(try !GitHistory.changes(from: first, to: worktree).contains { $0.path == "main.go" })
        #expect(try GitHistory.changes(from: head, to: worktree).contains(PathChange(kind: .modified, path: "main.go")))
    }

    /// With `core.symlinks=false` git checks a link out as a file holding the link's text and
    /// calls it unchanged; the go command compiles that text, so it is a change against a
    /// revision holding the link (and none against one holding a file with that text).
    @Test func linksCheckedOutAsFiles() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.git("config", "core.symlinks", "false")
        try fixture.remove("link.go")
        try fixture.write("link.go", "main.go")
        #expect(try fixture.git("status", "--porcelain").isEmpty, "git calls the checkout clean")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let head = try Snapshot.revision("HEAD", in: location)
        let worktree = Snapshot.worktree(location)
        #expect(try GitHistory.changes(from: head, to: worktree) == [PathChange(kind: .typeChanged, path: "link.go")])
        #expect(try GitHistory.changes(from: worktree, to: head) == [PathChange(kind: .typeChanged, path: "link.go")])
    }

    @Test(".gitmodules: the names of the sections whose path is the gitlink's, in git's config syntax")
    func gitModulesNames() throws {
        let text = """
            # submodules
            [submodule "fancy"]
            \tpath = third/sub ; moved later
            \turl = ../sub
            [Submodule "with \\"quote\\""] PATH = "third/sub"
            [submodule "other"]
            \tpath = third/sub2
            [core]
            \tpath = third/sub
            [submodule.old]
            \tpath = third/\\
            sub
            """
        #expect(GitModulesFile.names(forPath: "third/sub", in: Array(text.utf8)) == ["fancy", "with \"quote\"", "old"])
        #expect(GitModulesFile.names(forPath: "third/sub2", in: Array(text.utf8)) == ["other"])
        #expect(GitModulesFile.names(forPath: "nowhere", in: Array(text.utf8)).isEmpty)
        #expect(GitModulesFile.isSafeName("a/b") && !GitModulesFile.isSafeName("../x") && !GitModulesFile.isSafeName("a/../b"))
    }

    /// A merge that stops with a conflict leaves unmerged index entries, which libgit2 reports
    /// as conflicted, not changed; the go command compiles the file on disk (markers, or a
    /// resolution not added yet), so it is compared by content like any other.
    @Test(arguments: ["merge", "cherry-pick"])
    func conflictedPathsAreComparedByContent(command: String) throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        for branch in ["side", "main"] {
            try fixture.git(branch == "side" ? ["checkout", "-q", "-b", branch] : ["checkout", "-q", branch])
            try fixture.write("pkg/util/util.go", "package util // \(branch)\n")
            try fixture.write("both.go", "package main // \(branch)\n")
            try fixture.commit(branch)
        }
        #expect(throws: (any Error).self) { try fixture.git(command, "side") }
        #expect(try fixture.git("diff", "--name-only", "--diff-filter=U").contains("pkg/util/util.go"))
        let location = try RepositoryLocation.discover(from: fixture.root)
        let head = try Snapshot.revision("HEAD", in: location)
        let worktree = Snapshot.worktree(location)
        let conflicted = [PathChange(kind: .modified, path: "both.go"), PathChange(kind: .modified, path: "pkg/util/util.go")]
        #expect(try GitHistory.changes(from: head, to: worktree) == conflicted)
        #expect(try GitHistory.changes(from: worktree, to: head) == conflicted)
        // Resolved to HEAD's side but not added: the bytes are HEAD's, nothing changed there.
        try fixture.git("checkout", "--ours", "pkg/util/util.go")
        #expect(try GitHistory.changes(from: head, to: worktree) == [PathChange(kind: .modified, path: "both.go")])
        // Against a base without both.go, the conflicted file is added.
        let first = try Snapshot.revision("HEAD~1", in: location)
        #expect(try GitHistory.changes(from: first, to: worktree).contains(PathChange(kind: .added, path: "both.go")))
    }

    @Test("between revisions, a line naming a converting attribute in any state converts; others do not", arguments: [
        ("*.go -text", true), ("*.go !eol", true), ("*.go eol=lf", true), ("*.go text=auto", true), ("*.go -crlf", true),
        ("*.go binary", true), ("*.go -ident", true), ("*.go -filter", true), ("*.go !working-tree-encoding", true),
        ("*.go linguist-generated -diff", false), ("*.go merge=union", false), ("*.go textual", false),
    ])
    func conversionAttributeInAnyState(line: String, converts: Bool) {
        let patterns = GitAttributes.convertingPatterns(Array((line + "\n").utf8), textConverts: false, anyState: true)
        #expect(patterns.isEmpty == !converts)
    }

    @Test func mergeBase() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        let fork = try fixture.git("rev-parse", "HEAD")
        try Self.divergeBranches(fixture, branch: "topic")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let base = try GitHistory.mergeBase("main", "topic", in: location)
        #expect(base == fork)
        #expect(base == (try fixture.git("merge-base", "main", "topic")))
        #expect(throws: GitAccessError.unknownRevision(revision: "topik", suggestion: "topic")) {
            try GitHistory.mergeBase("main", "topik", in: location)
        }
    }

    // MARK: - Shallow and partial clones

    @Test func shallowClone() throws {
        let source = try Self.sampleRepository()
        defer { source.cleanup() }
        try source.write("third.txt", "3\n")
        try source.commit("third")
        let firstCommit = try source.git("rev-parse", "HEAD~2")
        let parent = try source.git("rev-parse", "HEAD~1")
        let clone = try GitFixture(cloning: source, options: ["--depth", "1"])
        defer { clone.cleanup() }
        let location = try RepositoryLocation.discover(from: clone.root)
        #expect(location.isShallow)
        let head = try Snapshot.revision("HEAD", in: location)
        #expect(try head.contents(of: "third.txt") == Array("3\n".utf8))

        do {
            _ = try Snapshot.revision("HEAD~1", in: location)
            Issue.record("HEAD~1 resolved in a depth-1 clone")
        } catch {
            let missing = try #require(Self.missingObject(error), "\(error)")
            #expect(missing.id == parent)
            #expect(missing.shallow)
            #expect(!missing.partial)
            #expect(error.help.contains("git fetch --deepen"))
            #expect(error.help.contains("git fetch --unshallow"))
        }
        #expect(
            throws: GitAccessError.missingObject(id: firstCommit, path: nil, partialClone: false, shallow: true)
        ) {
            try Snapshot.revision(firstCommit, in: location)
        }
        // After deepening, the same revision resolves.
        try clone.git("fetch", "-q", "--deepen=1")
        #expect(try Snapshot.revision("HEAD~1", in: location).commitID == parent)
    }

    @Test func mergeBaseBeyondShallowBoundary() throws {
        let source = try Self.sampleRepository()
        defer { source.cleanup() }
        try Self.divergeBranches(source, branch: "topic")
        let clone = try GitFixture(cloning: source, options: ["--depth", "1", "--no-single-branch"])
        defer { clone.cleanup() }
        let location = try RepositoryLocation.discover(from: clone.root)
        do {
            let base = try GitHistory.mergeBase("origin/main", "origin/topic", in: location)
            Issue.record("merge base \(base) found beyond the shallow boundary")
        } catch {
            let missing = try #require(Self.missingObject(error), "\(error)")
            #expect(missing.shallow)
            #expect(error.help.contains("git fetch --deepen"))
        }
    }

    /// git takes the commits `.git/shallow` lists as parentless, so a merge base that is
    /// the boundary commit itself is found; so does gocache (libgit2 alone failed on the
    /// boundary's missing parent).
    /// Two best common ancestors (criss-cross merges): with a `.git/shallow` file (here only
    /// the root, which changes nothing for git) the merge base is still the one git takes.
    @Test func crissCrossMergeBaseWithShallowFile() throws {
        // Committed at given times (the fixture's commits share one): git takes the newer of
        // the two merge bases, and which of them has the lower id varies with the salt.
        func commit(_ fixture: GitFixture, _ message: String, at date: String) throws {
            try fixture.git("add", "-A")
            try fixture.git("-c", "alias.at=!GIT_COMMITTER_DATE=\(date) git commit -q -m \(message)", "at")
        }
        for salt in 1...12 {
            let fixture = try Self.sampleRepository()
            defer { fixture.cleanup() }
            let (xDate, yDate) = salt % 2 == 0 ? ("2024-02-01T00:00:00Z", "2024-02-02T00:00:00Z") : ("2024-02-02T00:00:00Z", "2024-02-01T00:00:00Z")
            try fixture.git("checkout", "-q", "-b", "x")
            try fixture.write("x.txt", "x1 \(salt)\n")
            try commit(fixture, "x1", at: xDate)
            try fixture.git("checkout", "-q", "-b", "y", "main")
            try fixture.write("y.txt", "y1 \(salt)\n")
            try commit(fixture, "y1", at: yDate)
            try fixture.git("checkout", "-q", "x")
            try fixture.git("merge", "-q", "--no-edit", "y", "-m", "x2")
            try fixture.git("checkout", "-q", "y")
            try fixture.git("merge", "-q", "--no-edit", "x~1", "-m", "y2")
            let first = try fixture.git("merge-base", "x", "y")
            let all = try fixture.git("merge-base", "--all", "x", "y").split(separator: "\n").map(String.init)
            #expect(all.count == 2)
            // Only a history where git's choice is not the lowest id tells the rules apart.
            guard first != all.sorted().first else { continue }
            let location = try RepositoryLocation.discover(from: fixture.root)
            #expect(try GitHistory.mergeBase("x", "y", in: location) == first)
            try (try fixture.git("rev-list", "--max-parents=0", "HEAD") + "\n").write(
                toFile: fixture.root + "/.git/shallow", atomically: true, encoding: .utf8)
            #expect(try GitHistory.mergeBase("x", "y", in: location) == first)
            return
        }
        Issue.record("no salt gave a history whose first merge base is not the lowest id")
    }

    @Test func mergeBaseAtShallowBoundary() throws {
        let source = try Self.sampleRepository()
        defer { source.cleanup() }
        try source.write("m1.txt", "m1\n")
        let fork = try source.commit("m1")
        try Self.divergeBranches(source, branch: "topic")
        let clone = try GitFixture(cloning: source, options: ["--depth", "2", "--no-single-branch"])
        defer { clone.cleanup() }
        #expect(try clone.git("merge-base", "origin/main", "origin/topic") == fork)
        #expect(try clone.git("cat-file", "-p", "\(fork)").contains("parent"), "the boundary commit records its parent")
        let location = try RepositoryLocation.discover(from: clone.root)
        #expect(location.isShallow)
        #expect(try GitHistory.mergeBase("origin/main", "origin/topic", in: location) == fork)
        #expect(try GitHistory.mergeBase("origin/topic", "origin/main", in: location) == fork)
        #expect(try GitHistory.mergeBase("origin/main", "origin/main~1", in: location) == fork)
    }

    @Test func partialCloneMissingBlob() throws {
        let source = try Self.sampleRepository()
        defer { source.cleanup() }
        try source.git("config", "uploadpack.allowFilter", "true")
        let oldBlob = try source.git("rev-parse", "HEAD~1:main.go")
        let clone = try GitFixture(cloning: source, options: ["--filter=blob:none"])
        defer { clone.cleanup() }
        let location = try RepositoryLocation.discover(from: clone.root)
        #expect(!location.isShallow)
        let head = try Snapshot.revision("HEAD", in: location)
        #expect(try head.contents(of: "main.go") == Array("package main\n\nfunc main() { println(1) }\n".utf8))
        let old = try Snapshot.revision("HEAD~1", in: location)
        let entry = try #require(try old.entries(in: "")?.first { $0.name == "main.go" })
        #expect(entry.blobID == oldBlob)
        #expect(entry.size == nil)  // header unavailable without the blob
        let oldCommit = try source.git("rev-parse", "HEAD~1")
        // The snapshot names the revision it was reading.
        #expect(
            throws: GitAccessError.missingObject(
                id: oldBlob, path: "main.go", partialClone: true, shallow: false, revision: oldCommit)
        ) {
            try old.contents(of: "main.go")
        }
        #expect(throws: GitAccessError.self) { try old.checkObjectsPresent() }
        let help = GitAccessError.missingObject(id: oldBlob, path: "main.go", partialClone: true, shallow: false).help
        #expect(help.contains("git fetch --refetch --no-filter origin"))
        #expect(help.contains("git cat-file -p \(oldBlob)"))
        let revisionHelp = GitAccessError.missingObject(
            id: oldBlob, path: "main.go", partialClone: true, shallow: false, revision: oldCommit
        ).help
        #expect(revisionHelp.contains("`git diff --stat HEAD \(oldCommit) >/dev/null`"), "\(revisionHelp)")
        // Tree-to-tree changes need no blobs for unchanged paths.
        let changes = try GitHistory.changes(from: old, to: head)
        #expect(changes.contains(PathChange(kind: .modified, path: "main.go")))
        // The suggested lazy fetch makes the blob readable.
        try clone.git("cat-file", "-p", oldBlob)
        let refreshed = try Snapshot.revision("HEAD~1", in: location)
        #expect(try refreshed.contents(of: "main.go") == Array("package main\n\nfunc main() {}\n".utf8))
    }

    // MARK: - Concurrency

    @Test func concurrentReads() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        var expected: [String: [UInt8]] = [:]
        for directory in 0..<12 {
            for file in 0..<25 {
                let path = "d\(directory)/sub\(file % 3)/f\(file).go"
                let text = "package sub\(file % 3) // \(directory)-\(file)\n" + String(repeating: "x", count: file * 13)
                try fixture.write(path, text)
                expected[path] = Array(text.utf8)
            }
        }
        try fixture.commit("many files")
        let expectedFiles = expected
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshots = [try Snapshot.revision("HEAD", in: location), Snapshot.worktree(location)]
        let paths = expected.keys.sorted()
        for snapshot in snapshots {
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in 0..<16 {
                    group.addTask {
                        var bad = 0
                        // Each worker walks the files in its own order, listing and reading.
                        for (offset, _) in paths.enumerated() {
                            let path = paths[(offset * 7 + worker * 31) % paths.count]
                            let dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
                            let names = try snapshot.entries(in: dir)?.map(\.name) ?? []
                            if !names.contains(String(path.split(separator: "/").last ?? "")) { bad += 1 }
                            if try snapshot.contents(of: path) != expectedFiles[path] { bad += 1 }
                        }
                        return bad
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0, "\(snapshot.source)")
        }
    }

    // MARK: - Messages

    @Test func messagesNameTheFixCommand() {
        let owner = GitAccessError.unsafeOwnership(path: "/srv/repo")
        #expect(owner.help.contains("git config --global --add safe.directory /srv/repo"))
        let ambiguous = GitAccessError.git(code: -5, function: "git_revparse_single", message: "ambiguous")
        #expect(ambiguous.help.contains("more hex digits"))
        #expect(ambiguous.description.contains("git_revparse_single"))
        #expect(GitAccessError.notACommit(revision: "x").help.contains("git cat-file -t"))
    }

    /// libgit2 1.5 reads no split index: a working-tree diff fails, and the help names the fix.
    @Test func splitIndexNamesTheFix() throws {
        let fixture = try Self.sampleRepository()
        defer { fixture.cleanup() }
        try fixture.git("update-index", "--split-index")
        let location = try RepositoryLocation.discover(from: fixture.root)
        #expect {
            try GitHistory.changes(from: Snapshot.revision("HEAD~1", in: location), to: .worktree(location))
        } throws: { error in
            (error as? GitAccessError)?.help.contains("git update-index --no-split-index") == true
        }
        try fixture.git("update-index", "--no-split-index")
        #expect(try !GitHistory.changes(from: Snapshot.revision("HEAD~1", in: location), to: .worktree(location)).isEmpty)
    }
}
