// On generated histories, the targets whose key changes between two commits are exactly
// the targets `gocache affected` reports (affected, added or removed): keys and impact
// share one definition of a binary's inputs (TargetInputs).
import CacheStore
import ExampleMonorepo
import Foundation
import GoBuild
import GraphCore
import Testing
import TestSupport

@Suite("Keys agree with affected")
struct KeysAgreeWithAffectedTests {
    static func keys(_ repository: GoRepository, tree: Snapshot) async throws -> [String: String] {
        let keys = try await TargetKeyRecipe.keys(
            for: repository.targets, in: repository, tree: tree, goVersion: "go1.27.3",
            digester: FileDigester(tree: tree, cacheDirectory: nil))
        return Dictionary(uniqueKeysWithValues: keys.map { ($0.dir, $0.key.hex) })
    }

    @Test(
        "every commit pair of a generated history", .enabled(if: GoToolchain.isConfigured),
        arguments: MonorepoSpec.Layout.allCases)
    func history(_ layout: MonorepoSpec.Layout) async throws {
        try await GeneratedHistory.withHarness(seed: 21, layout: layout, commits: 10, prefix: "keyhist") {
            harness, history in
            let generated = history.generated
            let location = history.location

            var previous: (Snapshot, GoRepository, [String: String])?
            var nonEmpty = 0
            for commit in generated.commits {
                let snapshot = try Snapshot.revision(commit.id, in: location)
                let repository = try await harness.load(snapshot, platform: .lambda)
                let keys = try await Self.keys(repository, tree: snapshot)
                if let (baseSnapshot, baseRepository, baseKeys) = previous {
                    let report = ImpactAnalysis.affected(
                        base: baseRepository, head: repository, baseTree: baseSnapshot, headTree: snapshot,
                        changes: .diff(try GitHistory.changes(from: baseSnapshot, to: snapshot)))
                    let reported = Set(report.targets.map(\.dir))
                    let keyChanged = Set(baseKeys.keys).union(keys.keys).filter { baseKeys[$0] != keys[$0] }
                    #expect(
                        reported == keyChanged,
                        """
                        \(layout) \(commit.message): affected \(reported.sorted()) \
                        vs key changed \(keyChanged.sorted())
                        """)
                    if !keyChanged.isEmpty { nonEmpty += 1 }
                }
                previous = (snapshot, repository, keys)
            }
            #expect(nonEmpty >= 3, "the history changes some targets")
        }
    }
}
