// CatalogueSuite — proves with go list that every catalogue scenario exercises its rule, and
// checks the oracle's own machinery (process runner, unit discovery, comparison).
import Foundation
import Testing
import TestSupport

@Suite("Catalogue against go list")
struct CatalogueSuite {
    @Test("catalogue is large, names are unique, every scenario has a go.mod and facts")
    func catalogueShape() {
        #expect(Catalogue.all.count >= 45)
        let names = Catalogue.all.map(\.name)
        #expect(Set(names).count == names.count, "duplicate scenario names")
        for scenario in Catalogue.all {
            #expect(scenario.files.keys.contains { $0 == "go.mod" || $0.hasSuffix("/go.mod") }, "\(scenario.name)")
            #expect(!scenario.expectations.isEmpty, "\(scenario.name) has no expectations")
            #expect(!scenario.rule.isEmpty)
        }
    }

    @Test("scenario exercises its rule", .enabled(if: GoToolchain.isConfigured), arguments: Catalogue.all)
    func scenario(_ scenario: CatalogueScenario) async throws {
        let repository = try await scenario.materialize()
        defer { repository.remove() }
        let oracle = try GoListOracle()
        let graph = try await oracle.graph(of: repository.root, platform: scenario.platform)
        let unmet = scenario.unmetExpectations(in: graph)
        #expect(unmet.isEmpty, "\(scenario.name) (\(scenario.rule)):\n\(unmet.joined(separator: "\n"))")
        // The oracle's graph, rendered in gocache's schema, compares equal to itself.
        let document = GraphDocument(oracle: graph)
        let roundTripped = try GraphDocument(json: JSONEncoder().encode(document))
        #expect(compare(roundTripped, graph) == [])
        // The fixture is a git repository whose HEAD holds exactly the scenario's files.
        let tracked = try await repository.git(["ls-tree", "-r", "--name-only", "HEAD"])
        #expect(tracked.split(separator: "\n").map(String.init).sorted() == scenario.files.keys.sorted())
    }
}
