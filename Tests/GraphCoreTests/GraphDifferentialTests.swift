// The backbone: gocache's package graph equals `go list -e -deps -json` on the same tree
// and platform, for every scenario of the catalogue.
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Graph equals go list")
struct GraphDifferentialTests {
    @Test("catalogue scenario", .enabled(if: GoToolchain.isConfigured), arguments: Catalogue.all)
    func scenario(_ scenario: CatalogueScenario) async throws {
        let harness = try #require(try await GraphHarness.make())
        let repository = try await scenario.materialize()
        defer { repository.remove() }
        let oracle = try await GoListOracle().graph(of: repository.root, platform: scenario.platform)
        let ours: GoRepository
        do {
            ours = try await harness.loadWorktree(at: repository.root, platform: scenario.platform)
        } catch {
            Issue.record("\(scenario.name): gocache failed to load: \(error)")
            return
        }
        let differences = compare(GraphDocument(repository: ours), oracle)
        #expect(differences.isEmpty, "\(scenario.name) (\(scenario.rule)):\n\(differences.joined(separator: "\n"))")
    }
}
