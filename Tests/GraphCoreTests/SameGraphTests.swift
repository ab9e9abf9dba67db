// `gocache affected` loads only the head when `SameGraph` proves the base's graph equal to
// it (only contents changed that no load reads). Where it says so, an independent load of
// the base must give the head's graphs and targets; where a change can alter the graph, it
// must not say so.
import ExampleMonorepo
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Same graph without loading the base")
struct SameGraphTests {
    @Test(
        "when provable, the base's graph equals the head's", .enabled(if: GoToolchain.isConfigured),
        arguments: MonorepoSpec.Layout.allCases)
    func history(_ layout: MonorepoSpec.Layout) async throws {
        try await GeneratedHistory.withHarness(seed: 47, layout: layout, commits: 10, prefix: "samegraph") {
            harness, history in
            let root = history.root.path
            var pairs: [(Snapshot, Snapshot)] = Array(zip(try history.revisions(), try history.revisions().dropFirst()))
            let head = try #require(try history.revisions().last)

            // Working-tree edits on top of the last commit, each judged against it: a body-only
            // edit (provable), an added import (not), a changed build constraint (not).
            let goFile = try #require(Self.goFiles(under: root + "/internal").first, "a Go file under internal/")
            let path = root + "/internal/" + goFile
            let original = try String(contentsOfFile: path, encoding: .utf8)
            let edits: [(name: String, text: String, provable: Bool)] = [
                ("body", original + "\nfunc sameGraphBody() int { return 1 }\n", true),
                ("import", Self.addingImport(original), false),
                ("constraint", "//go:build !linux\n\n" + original, false),
            ]
            var worktreeVerdicts: [String: Bool] = [:]
            for edit in edits {
                try edit.text.write(toFile: path, atomically: true, encoding: .utf8)
                let worktree = Snapshot.worktree(history.location)
                let changes = try GitHistory.changes(from: head, to: worktree)
                worktreeVerdicts[edit.name] = SameGraph.provable(changes: changes, base: head, head: worktree)
                if edit.provable { pairs.append((head, worktree)) } else {
                    // Not provable, and rightly so: the graphs differ.
                    let base = try await harness.load(head, platform: .lambda)
                    let edited = try await harness.load(worktree, platform: .lambda)
                    #expect(base.graphs != edited.graphs, "\(layout) \(edit.name): the edit changes the graph")
                }
            }
            try original.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(worktreeVerdicts == ["body": true, "import": false, "constraint": false], "\(layout)")

            var provable = 0
            for (base, head) in pairs {
                let changes = try GitHistory.changes(from: base, to: head)
                guard SameGraph.provable(changes: changes, base: base, head: head) else { continue }
                provable += 1
                let loadedBase = try await harness.load(base, platform: .lambda)
                let loadedHead = try await harness.load(head, platform: .lambda)
                #expect(
                    loadedBase.graphs == loadedHead.graphs,
                    "\(layout) \(base.commitID ?? "") → \(head.commitID ?? "worktree")")
                #expect(loadedBase.targets == loadedHead.targets)
            }
            // Generated histories mix body edits (provable) with structural ones (not).
            #expect(provable >= 2, "\(layout): \(provable) provable pairs")
            #expect(provable < pairs.count, "\(layout): every pair provable")
        }
    }

    @Test("module files, renames, additions and kind changes are never provable")
    func structuralChanges() throws {
        let base = InMemoryFileTree(files: [
            "go.mod": Array("module m\n\ngo 1.22\n".utf8), "a/a.go": Array("package a\n".utf8),
            "a/b.go": Array("package a\n".utf8), "gocache.yaml": Array("defaults: {}\n".utf8),
        ])
        let head = InMemoryFileTree(files: [
            "go.mod": Array("module m\n\ngo 1.23\n".utf8), "a/a.go": Array("package a\n\nvar X = 1\n".utf8),
            "a/c.go": Array("package a\n".utf8), "gocache.yaml": Array("defaults: {goarch: arm64}\n".utf8),
        ])
        func provable(_ changes: [PathChange]) -> Bool { SameGraph.provable(changes: changes, base: base, head: head) }
        #expect(provable([PathChange(kind: .modified, path: "a/a.go")]))
        #expect(!provable([PathChange(kind: .modified, path: "go.mod")]))
        #expect(!provable([PathChange(kind: .modified, path: "gocache.yaml")]))
        #expect(!provable([PathChange(kind: .renamed, path: "a/c.go", oldPath: "a/b.go")]))
        #expect(!provable([PathChange(kind: .added, path: "a/c.go")]))
        #expect(!provable([PathChange(kind: .deleted, path: "a/b.go")]))
        #expect(!provable([PathChange(kind: .typeChanged, path: "a/a.go")]))
        // A path missing on one side is not a plain modification.
        #expect(!provable([PathChange(kind: .modified, path: "a/b.go")]))
        #expect(provable([]))
    }

    static func goFiles(under dir: String) -> [String] {
        (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".go") && !$0.hasSuffix("_test.go") && !$0.contains("testdata") }.sorted()
    }

    /// The file with `import _ "hash/adler32"` after its package clause.
    static func addingImport(_ source: String) -> String {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if let clause = lines.firstIndex(where: { $0.hasPrefix("package ") }) {
            lines.insert("\nimport _ \"hash/adler32\"", at: clause + 1)
        }
        return lines.joined(separator: "\n")
    }
}
