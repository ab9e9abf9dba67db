// The graph memo: a working tree's load after an edit that changes no package equals a
// fresh load, and anything else a load reads makes it miss.
import ExampleMonorepo
import Foundation
import GraphCore
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Graph memo", .enabled(if: GoToolchain.isConfigured))
struct GraphMemoTests {
    /// A repository with a module, a binary, a library that embeds a file, a Windows-only
    /// file, a README and gocache.yaml; its memo directory; what removes both.
    static func scratch() throws -> (fixture: GitFixture, memo: String, cleanup: () -> Void) {
        let fixture = try GitFixture()
        let memo = fixture.root + "-memo"
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.24\n")
        try fixture.write("README.md", "# m\n")
        try fixture.write("gocache.yaml", "overrides:\n  - match: \"cmd/a\"\n    tags: [one]\n")
        try fixture.write("cmd/a/main.go", "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n")
        try fixture.write(
            "lib/lib.go", "package lib\n\nimport _ \"embed\"\n\n//go:embed data.txt\nvar data string\n\nfunc F() { _ = data }\n")
        try fixture.write("lib/data.txt", "one\n")
        try fixture.write("lib/lib_windows.go", "package lib\n\nimport \"syscall\"\n\nvar _ = syscall.Getpid\n")
        _ = try fixture.commit("one")
        return (fixture, memo, {
            fixture.cleanup()
            try? FileManager.default.removeItem(atPath: memo)
        })
    }

    static func load(
        _ root: String, memo: String?, key: String? = "test", overrides: SettingsOverrides = SettingsOverrides()
    ) async throws -> GoRepository {
        let harness = try #require(try await GraphHarness.make())
        let tags = try await harness.toolTags(BuildSettings.lambdaDefaults)
        let location = try RepositoryLocation.discover(from: root)
        let repository = try await GoRepository.load(
            tree: Snapshot.worktree(location), goRoot: harness.goRoot,
            options: LoadOptions(
                overrides: overrides, toolTags: { _ in tags }, memoDirectory: memo, standardLibrary: .importedOnly,
                graphMemoKey: key))
        GoRepository.waitForMemoWrites()
        return repository
    }

    /// Loads with the memo and without it, and requires the same graphs and targets; returns
    /// whether the memo answered.
    static func memoised(
        _ root: String, memo: String, overrides: SettingsOverrides = SettingsOverrides(), note: String = ""
    ) async throws -> Bool {
        let remembered = try await load(root, memo: memo, overrides: overrides)
        let fresh = try await load(root, memo: nil, key: nil, overrides: overrides)
        #expect(!fresh.isFromGraphMemo)
        #expect(remembered.graphs == fresh.graphs, "\(note)")
        #expect(remembered.targets == fresh.targets, "\(note)")
        return remembered.isFromGraphMemo
    }

    /// Past git's racy-clean window: what the next load walks may be remembered.
    static func settle() async throws {
        try await Task.sleep(for: .milliseconds(2_100))
    }

    static func setModified(_ path: String, secondsFromNow: Int) {
        let when = timespec(tv_sec: time(nil) + secondsFromNow, tv_nsec: 0)
        var times = [when, when]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// The memo's entries, by name (to put back with `restoreEntries`).
    static func saveEntries(_ memo: String) throws -> [String: Data] {
        var saved: [String: Data] = [:]
        for name in entries(memo) { saved[name] = try Data(contentsOf: URL(fileURLWithPath: memo + "/graphs/" + name)) }
        return saved
    }

    /// Makes the memo hold exactly `saved`.
    static func restoreEntries(_ saved: [String: Data], _ memo: String) throws {
        try? FileManager.default.removeItem(atPath: memo + "/graphs")
        try FileManager.default.createDirectory(atPath: memo + "/graphs", withIntermediateDirectories: true)
        for (name, data) in saved { try data.write(to: URL(fileURLWithPath: memo + "/graphs/" + name)) }
    }

    static func entries(_ memo: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: memo + "/graphs")) ?? []).filter { !$0.contains(".tmp.") }
    }

    @Test("an edit that changes no package is answered by the memo; each other kind of change is not")
    func edits() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        let root = fixture.root

        // A racy tree is remembered, its racy files without their stamps: each later lookup
        // checks them as edited files. (The committed files carry the index's blob ids,
        // which need no racy window; lib.go, written again, does not.)
        try fixture.write(
            "lib/lib.go", "package lib\n\nimport _ \"embed\"\n\n//go:embed data.txt\nvar data string\n\nfunc F() { _ = data }\n")
        #expect(try await !Self.memoised(root, memo: memo))
        #expect(Self.entries(memo).count == 1)
        #expect(try await Self.memoised(root, memo: memo))
        try await Self.settle()
        #expect(try await Self.memoised(root, memo: memo))

        // Each step below is compared with `reference`, the entry of a settled tree, put
        // back before the step (a miss stores the tree it saw).
        try FileManager.default.removeItem(atPath: memo + "/graphs")
        #expect(try await !Self.memoised(root, memo: memo))
        #expect(try await Self.memoised(root, memo: memo))
        var reference = try Self.saveEntries(memo)
        func memoisedAgainstReference(_ note: String = "") async throws -> Bool {
            try Self.restoreEntries(reference, memo)
            return try await Self.memoised(root, memo: memo, note: note)
        }

        let lib = "package lib\n\nimport _ \"embed\"\n\n//go:embed data.txt\nvar data string\n\nfunc F() { _ = data + \"x\" }\n"
        let main = "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n\n// more\n"
        let steps: [(note: String, writes: [(path: String, text: String)], hit: Bool)] = [
            // Bodies, comments, files the load does not read (a README, an embedded file's
            // bytes), a file no scan of this platform reads: the same graphs.
            ("a body", [("lib/lib.go", lib)], true),
            (
                "a comment, unread files, a Windows file",
                [
                    ("cmd/a/main.go", main), ("README.md", "# m, edited\n"), ("lib/data.txt", "two\n"),
                    ("lib/lib_windows.go", "package lib\n\nimport \"os\"\n\nvar _ = os.Getpid\n"),
                ], true
            ),
            // An import, a constraint, an embed pattern's line: scanned again, not the same.
            (
                "an import",
                [("cmd/a/main.go", "package main\n\nimport (\n\t\"strings\"\n\n\t\"example.com/m/lib\"\n)\n\nfunc main() { lib.F(); _ = strings.ToUpper }\n")],
                false
            ),
            ("a constraint", [("cmd/a/main.go", "//go:build linux\n\n" + main)], false),
            ("an embed pattern's line", [("cmd/a/main.go", main), ("lib/lib.go", lib.replacingOccurrences(of: "\n//go:embed", with: "\n\n//go:embed"))], false),
            ("back to the remembered headers", [("lib/lib.go", lib)], true),
            // Files the load reads whole: go.mod, gocache.yaml.
            ("go.mod", [("go.mod", "module example.com/m\n\ngo 1.25\n")], false),
            (
                "gocache.yaml",
                [("go.mod", "module example.com/m\n\ngo 1.24\n"), ("gocache.yaml", "overrides:\n  - match: \"cmd/a\"\n    tags: [two]\n")],
                false
            ),
        ]
        for step in steps {
            for (path, text) in step.writes { try fixture.write(path, text) }
            #expect(try await memoisedAgainstReference(step.note) == step.hit, "\(step.note)")
        }
        try fixture.write("gocache.yaml", "overrides:\n  - match: \"cmd/a\"\n    tags: [one]\n")
        // Their bytes are back, their stat data is not: small read files are compared by
        // their bytes, a hit.
        #expect(try await memoisedAgainstReference())
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.24\n")
        #expect(try await memoisedAgainstReference())
        // A read file too large to keep: any change of its stat data is a miss.
        try fixture.write("lib/big.s", "// " + String(repeating: "x", count: 70_000) + "\n")
        try await Self.settle()
        #expect(try await !memoisedAgainstReference())
        #expect(try await Self.memoised(root, memo: memo))
        reference = try Self.saveEntries(memo)
        try fixture.write("lib/big.s", "// " + String(repeating: "x", count: 70_000) + "\n")
        #expect(try await !memoisedAgainstReference())
        try await Self.settle()
        #expect(try await !memoisedAgainstReference())
        #expect(try await Self.memoised(root, memo: memo))
        reference = try Self.saveEntries(memo)

        // Listings: a new file, a removed one, a new directory, a mode change.
        try fixture.write("lib/more.go", "package lib\n")
        #expect(try await !memoisedAgainstReference())
        try fixture.remove("lib/more.go")
        #expect(try await memoisedAgainstReference())
        try fixture.write("cmd/b/main.go", "package main\n\nfunc main() {}\n")
        #expect(try await !memoisedAgainstReference())
        try fixture.remove("cmd/b/main.go")
        try FileManager.default.removeItem(atPath: root + "/cmd/b")
        #expect(try await memoisedAgainstReference())
        try fixture.write("cmd/a/main.go", "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n\n// more\n", executable: true)
        #expect(try await !memoisedAgainstReference())
    }

    @Test("an entry is rewritten after many edited files, per options, and ignored when damaged")
    func entriesAndOptions() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        let root = fixture.root
        for index in 0..<20 { try fixture.write("lib/f\(index).go", "package lib\n\nfunc F\(index)() {}\n") }
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo))
        let entry = try #require(Self.entries(memo).first)
        let stored = try Data(contentsOf: URL(fileURLWithPath: memo + "/graphs/" + entry))

        // Beyond the threshold of files scanned again, the hit rewrites the entry.
        for index in 0..<20 { try fixture.write("lib/f\(index).go", "package lib\n\nfunc F\(index)() { _ = 1 }\n") }
        try await Self.settle()
        #expect(try await Self.memoised(root, memo: memo))
        let rewritten = try Data(contentsOf: URL(fileURLWithPath: memo + "/graphs/" + entry))
        #expect(rewritten != stored)
        #expect(try await Self.memoised(root, memo: memo))

        // Other settings: an entry of their own.
        let arm = SettingsOverrides(goarch: "arm64")
        #expect(try await !Self.memoised(root, memo: memo, overrides: arm))
        #expect(Self.entries(memo).count == 2)
        #expect(try await Self.memoised(root, memo: memo, overrides: arm))
        #expect(try await Self.memoised(root, memo: memo))

        // A cut or a flipped byte: a miss, the entry replaced.
        let path = memo + "/graphs/" + entry
        try rewritten.prefix(rewritten.count / 2).write(to: URL(fileURLWithPath: path))
        #expect(try await !Self.memoised(root, memo: memo))
        #expect(try await Self.memoised(root, memo: memo))
        let intact = try Data(contentsOf: URL(fileURLWithPath: path))
        for position in [intact.count / 3, intact.count - 40] {
            var flipped = intact
            flipped[position] ^= 0x01
            try flipped.write(to: URL(fileURLWithPath: path))
            #expect(try await !Self.memoised(root, memo: memo))
            #expect(try await Self.memoised(root, memo: memo))
        }
    }

    @Test("symbolic links: compared by where they lead; a file read through one is read again; nothing stored below one or with one leaving the repository")
    func symbolicLinks() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        let root = fixture.root
        let files = FileManager.default
        func link(_ path: String, to target: String) throws {
            try? files.removeItem(atPath: root + "/" + path)
            try files.createSymbolicLink(atPath: root + "/" + path, withDestinationPath: target)
        }
        // A link to a directory inside, which the load never goes through: remembered.
        try link("docs", to: "lib")
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo, note: "first load"))
        #expect(Self.entries(memo).count == 1)
        #expect(try await Self.memoised(root, memo: memo, note: "link to a directory inside"))
        // Led elsewhere (same name, kind and mode in its directory): a miss, then a hit.
        try link("docs", to: "cmd")
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo, note: "link led elsewhere"))
        #expect(try await Self.memoised(root, memo: memo))

        // An import through a link that leads to a file (unresolved), then to a directory (a
        // package read through the link): the walk sees the same entries, the facts differ.
        try fixture.write("cmd/b/main.go", "package main\n\nimport \"example.com/m/lib2\"\n\nfunc main() { lib2.F() }\n")
        try link("lib2", to: "lib/data.txt")
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo, note: "import through a link to a file"))
        #expect(try await Self.memoised(root, memo: memo, note: "import through a link to a file, again"))
        try link("lib2", to: "lib")
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo, note: "the link now leads to the package"))
        // Its files are read below the link: nothing stored, every load a miss.
        #expect(try await !Self.memoised(root, memo: memo, note: "package below a link"))
        try files.removeItem(atPath: root + "/lib2")
        try files.removeItem(atPath: root + "/cmd/b")
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo))
        #expect(try await Self.memoised(root, memo: memo))

        // A Go file that is a link: read again on every lookup.
        try fixture.write("shared/extra.txt", "package lib\n\nfunc Extra() {}\n")
        try link("lib/extra.go", to: "../shared/extra.txt")
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo))
        #expect(try await Self.memoised(root, memo: memo, note: "Go file link, unchanged"))
        try fixture.write("shared/extra.txt", "package lib\n\nfunc Extra() { println(2) }\n")
        #expect(try await Self.memoised(root, memo: memo, note: "Go file link, body edit"))
        try fixture.write("shared/extra.txt", "package lib\n\nimport \"os\"\n\nfunc Extra() { os.Exit(2) }\n")
        #expect(try await !Self.memoised(root, memo: memo, note: "Go file link, new import"))
        try files.removeItem(atPath: root + "/lib/extra.go")

        // A link to a directory outside the repository: nothing remembered, nothing answered.
        let outside = root + "-outside"
        try files.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? files.removeItem(atPath: outside) }
        try files.removeItem(atPath: memo)
        try link("docs", to: outside)
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo))
        #expect(try await !Self.memoised(root, memo: memo))
        #expect(Self.entries(memo).isEmpty)
    }

    static func loadRevision(_ commit: String, _ root: String, memo: String?) async throws -> GoRepository {
        let harness = try #require(try await GraphHarness.make())
        let tags = try await harness.toolTags(BuildSettings.lambdaDefaults)
        let location = try RepositoryLocation.discover(from: root)
        let repository = try await GoRepository.load(
            tree: try Snapshot.revision(commit, in: location), goRoot: harness.goRoot,
            options: LoadOptions(
                toolTags: { _ in tags }, memoDirectory: memo, standardLibrary: .importedOnly,
                graphMemoKey: memo == nil ? nil : "test"))
        GoRepository.waitForMemoWrites()
        return repository
    }

    @Test("entries are kept by last use: a hit keeps an old entry, the least recently used goes")
    func leastRecentlyUsed() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        var entryOf: [String: String] = [:]
        var commits: [String] = []
        func remember(_ index: Int) async throws -> String {
            try fixture.write("lib/more.go", "package lib\n\n// \(index)\n")
            let commit = try fixture.commit("edit \(index)")
            let before = Set(Self.entries(memo))
            #expect(try await !Self.loadRevision(commit, fixture.root, memo: memo).isFromGraphMemo)
            entryOf[commit] = Set(Self.entries(memo)).subtracting(before).first
            return commit
        }
        for index in 0..<16 { commits.append(try await remember(index)) }
        #expect(Self.entries(memo).count == 16)
        // Written in order, a second apart each (as on a slower machine).
        for (age, commit) in commits.enumerated() {
            Self.setModified(memo + "/graphs/" + (entryOf[commit] ?? ""), secondsFromNow: age - 1_000)
        }
        // The oldest is used now; a seventeenth entry evicts the next oldest.
        #expect(try await Self.loadRevision(commits[0], fixture.root, memo: memo).isFromGraphMemo)
        _ = try await remember(16)
        let kept = Set(Self.entries(memo))
        #expect(kept.count == 16)
        #expect(kept.contains(entryOf[commits[0]] ?? "-"))
        #expect(!kept.contains(entryOf[commits[1]] ?? "-"))
    }

    @Test("a revision is remembered by its tree id, links inside the tree included; not when a read left the tree; a damaged entry is a miss")
    func revisions() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        func memoised(_ commit: String) async throws -> Bool {
            let remembered = try await Self.loadRevision(commit, fixture.root, memo: memo)
            let fresh = try await Self.loadRevision(commit, fixture.root, memo: nil)
            #expect(remembered.graphs == fresh.graphs)
            #expect(remembered.targets == fresh.targets)
            return remembered.isFromGraphMemo
        }
        let first = try fixture.commit("HEAD again")
        #expect(try await !memoised(first))
        #expect(try await memoised(first))
        // Another tree: its own entry, the first one still answered.
        try fixture.write("cmd/a/main.go", "package main\n\nimport \"os\"\n\nfunc main() { _ = os.Args }\n")
        let second = try fixture.commit("import os")
        #expect(try await !memoised(second))
        #expect(try await memoised(second))
        #expect(try await memoised(first))
        // A damaged entry (a flipped bit): a miss, then remembered again.
        let names = Self.entries(memo)
        #expect(names.count == 2)
        for name in names {
            let path = memo + "/graphs/" + name
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[bytes.count / 2] ^= 0x04
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        #expect(try await !memoised(second))
        #expect(try await memoised(second))
        // Links inside the tree are part of it (their targets are blobs): a Go file that is a
        // link, and a link leaving the repository that the load never follows.
        try fixture.write("shared/extra.txt", "package lib\n\nimport \"strings\"\n\nvar _ = strings.ToUpper\n")
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/lib/extra.go", withDestinationPath: "../shared/extra.txt")
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/lib/extra.txt", withDestinationPath: "/etc/hostname")
        let linked = try fixture.commit("links")
        #expect(try await !memoised(linked))
        #expect(try await memoised(linked))
        let linkedGraphs = try await Self.loadRevision(linked, fixture.root, memo: nil).graphs
        let secondGraphs = try await Self.loadRevision(second, fixture.root, memo: nil).graphs
        #expect(linkedGraphs != secondGraphs)  // the linked file is in lib's package
        // A Go file read through a link out of the repository: what it reads is on disk, not in
        // the tree — never remembered.
        let outside = fixture.root + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try "package lib\n\nimport \"bytes\"\n\nvar _ = bytes.ToUpper\n".write(toFile: outside + "/x.go", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: fixture.root + "/lib/outside.go", withDestinationPath: outside + "/x.go")
        let leaving = try fixture.commit("a link out of the repository")
        #expect(try await !memoised(leaving))
        #expect(try await !memoised(leaving))
    }

    @Test("a checkout git's index proves to be HEAD's tree is remembered as that revision too; not with anything untracked, edited or empty")
    func cleanCheckoutAsRevision() async throws {
        let (fixture, memo, cleanup) = try Self.scratch()
        defer { cleanup() }
        let root = fixture.root
        try FileManager.default.createSymbolicLink(atPath: root + "/docs", withDestinationPath: "lib")
        _ = try fixture.commit("a link inside")
        // Files written in the index's own clock tick are racily clean, and git smudges them
        // when it writes the index: a tick later, a refresh records them as git would on the
        // next command of a CI job.
        func refreshIndex() async throws {
            try await Task.sleep(for: .milliseconds(50))
            _ = try? fixture.git("update-index", "-q", "--refresh")
            // Entries in the tick of an index git did not write again stay racy: the index as
            // written a few seconds later.
            Self.setModified(fixture.url(".git/index"), secondsFromNow: 5)
        }
        try await refreshIndex()
        let tree = try fixture.git("rev-parse", "HEAD^{tree}")
        func revisionEntries() -> [String] { Self.entries(memo).filter { $0.hasSuffix("-tree-" + tree) } }
        try await Self.settle()
        _ = try await Self.load(root, memo: memo)
        #expect(revisionEntries().count == 1, "\(Self.entries(memo))")
        let remembered = try await Self.loadRevision("HEAD", root, memo: memo)
        let fresh = try await Self.loadRevision("HEAD", root, memo: nil)
        #expect(remembered.isFromGraphMemo)
        #expect(remembered.graphs == fresh.graphs)
        #expect(remembered.targets == fresh.targets)

        // Each of these makes the working tree differ from HEAD's tree (or not provably so);
        // after its undo (and git refreshing its index), the tree is HEAD's again.
        let changes: [(String, () throws -> Void, () throws -> Void)] = [
            ("an untracked file", { try fixture.write("notes.txt", "x\n") }, { try fixture.remove("notes.txt") }),
            ("an untracked Go file", { try fixture.write("lib/extra.go", "package lib\n") }, { try fixture.remove("lib/extra.go") }),
            ("an empty directory", { try FileManager.default.createDirectory(atPath: root + "/lib/empty", withIntermediateDirectories: true) },
             { try FileManager.default.removeItem(atPath: root + "/lib/empty") }),
            ("an edited file", { try fixture.write("lib/data.txt", "two\n") }, { try fixture.write("lib/data.txt", "one\n") }),
            ("a deleted file", { try fixture.remove("README.md") }, { try fixture.write("README.md", "# m\n") }),
            ("nothing (HEAD's tree again)", {}, {}),
            ("a link leaving the repository", {
                try FileManager.default.removeItem(atPath: root + "/docs")
                try FileManager.default.createSymbolicLink(atPath: root + "/docs", withDestinationPath: "/tmp")
                _ = try fixture.commit("a link outside")
            }, {}),
        ]
        for (what, change, undo) in changes {
            try FileManager.default.removeItem(atPath: memo)
            try change()
            try await Self.settle()
            _ = try await Self.load(root, memo: memo)
            let head = try fixture.git("rev-parse", "HEAD^{tree}")
            let remembered = Self.entries(memo).contains { $0.hasSuffix("-tree-" + head) }
            #expect(remembered == what.hasPrefix("nothing"), "\(what): \(Self.entries(memo))")
            try undo()
            try await refreshIndex()
        }
    }

    @Test(
        "seeded edits of a generated working tree: the memo's answer equals a fresh load after each",
        arguments: [MonorepoSpec.Layout.singleModule, .workspace])
    func generatedEdits(layout: MonorepoSpec.Layout) async throws {
        // GOCACHE_GRAPH_MEMO_EDITS / _SEED run more edits or other ones (every second edit
        // waits 2.1 s for the racy window).
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["GOCACHE_GRAPH_MEMO_SEED"].flatMap(UInt64.init) ?? 0x6A_3E
        let edits = environment["GOCACHE_GRAPH_MEMO_EDITS"].flatMap(Int.init) ?? 20
        let history = try GeneratedHistory(seed: seed, layout: layout, commits: 0, prefix: "graph-memo")
        defer { history.remove() }
        let root = history.root.path
        let memo = root + "-memo"
        defer { try? FileManager.default.removeItem(atPath: memo) }
        var tree = history.generated.tree
        try await Self.settle()
        #expect(try await !Self.memoised(root, memo: memo))
        var hits = 0
        var misses = 0
        for index in 0..<edits {
            let edit = MonorepoEdit.allCases[index % MonorepoEdit.allCases.count]
            guard let (next, _) = MonorepoMutator.apply(edit, to: tree, spec: history.generated.spec, seed: seed &+ UInt64(index))
            else { continue }
            // Only what the edit changed is written (a rewrite would change every stamp).
            for path in tree.paths where next.files[path] == nil { try FileManager.default.removeItem(atPath: root + "/" + path) }
            for path in next.paths where next.files[path] != tree.files[path] {
                let full = root + "/" + path
                try FileManager.default.createDirectory(
                    atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(next.files[path] ?? []).write(to: URL(fileURLWithPath: full))
            }
            tree = next
            // Every second edit settles, so entries are stored and rewritten along the way.
            if index % 2 == 1 { try await Self.settle() }
            let hit = try await Self.memoised(root, memo: memo, note: "\(layout), seed \(seed), edit \(index) (\(edit))")
            if hit { hits += 1 } else { misses += 1 }
            if environment["GOCACHE_GRAPH_MEMO_EDITS"] != nil {
                print("graph memo edit \(index) (\(edit), seed \(seed)): \(hit ? "hit" : "miss")")
            }
        }
        #expect(hits > 0)
        #expect(misses > 0)
    }
}
