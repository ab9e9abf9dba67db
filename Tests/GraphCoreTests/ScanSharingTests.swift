// `gocache affected` loads base and head at once, the base reusing the head's scans of
// every directory the diff does not touch (ScanSharing). A base loaded that way must equal
// a base loaded on its own, on every commit pair of generated histories and against an
// edited working tree.
import ExampleMonorepo
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Scans shared between base and head")
struct ScanSharingTests {
    @Test(
        "a base loaded with the head's scans equals an independent load", .enabled(if: GoToolchain.isConfigured),
        arguments: MonorepoSpec.Layout.allCases)
    func history(_ layout: MonorepoSpec.Layout) async throws {
        try await GeneratedHistory.withHarness(seed: 31, layout: layout, commits: 8, prefix: "sharing") {
            harness, history in
            let root = history.root
            let generated = history.generated
            var snapshots = try history.revisions()

            // An uncommitted edit on top: a new file in an existing package (its scan changes),
            // a new package, and a deleted file; the working tree is the last head.
            let listed = FileManager.default.enumerator(atPath: root.path + "/internal")?.allObjects as? [String]
            let goFiles = (listed ?? [])
                .filter { $0.hasSuffix(".go") && !$0.hasSuffix("_test.go") && !$0.contains("testdata") }.sorted()
            let goFile = try #require(goFiles.first, "a Go file under internal/")
            let target = root.path + "/internal/" + (goFile.split(separator: "/").dropLast().joined(separator: "/"))
            let fileName = String(goFile.split(separator: "/").last ?? "")
            let source = try String(contentsOfFile: target + "/" + fileName, encoding: .utf8)
            let packageName = try #require(
                source.split(separator: "\n").first { $0.hasPrefix("package ") }
                    .map { String($0.dropFirst("package ".count)) })
            try "package \(packageName)\n\nimport _ \"strings\"\n".write(
                toFile: target + "/zz_added.go", atomically: true, encoding: .utf8)
            try FileManager.default.createDirectory(
                atPath: root.path + "/internal/zzsharing", withIntermediateDirectories: true)
            try "package zzsharing\n".write(
                toFile: root.path + "/internal/zzsharing/z.go", atomically: true, encoding: .utf8)
            snapshots.append(Snapshot.worktree(history.location))

            var compared = 0
            for (base, head) in zip(snapshots, snapshots.dropFirst()) {
                let changes = try GitHistory.changes(from: base, to: head)
                let independentBase = try await harness.load(base, platform: .lambda)
                let independentHead = try await harness.load(head, platform: .lambda)
                let sharing = ScanSharing()
                sharing.offer(tree: head, goRoot: harness.goRoot, memoDirectory: nil)
                async let loadedHead = harness.load(head, platform: .lambda, sharing: sharing)
                async let loadedBase = harness.load(
                    base, platform: .lambda, sharing: sharing,
                    changedPaths: changes.flatMap { [$0.path] + ($0.oldPath.map { [$0] } ?? []) })
                let (sharedHead, sharedBase) = try await (loadedHead, loadedBase)
                #expect(sharedBase.graphs == independentBase.graphs, "\(layout) base \(base.commitID ?? "worktree")")
                #expect(sharedBase.targets == independentBase.targets)
                #expect(sharedHead.graphs == independentHead.graphs, "\(layout) head \(head.commitID ?? "worktree")")
                compared += 1
            }
            #expect(compared == generated.commits.count)
        }
    }
}
