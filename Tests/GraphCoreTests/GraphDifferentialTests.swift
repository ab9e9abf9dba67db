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

    /// A module the go command refuses as a whole (go list -e lists nothing and fails), and
    /// the text of its refusal that gocache's error of every local package contains too.
    struct RefusedModule: Sendable, CustomTestStringConvertible {
        var name: String
        var files: [String: String]
        var refusal: String
        var testDescription: String { name }
    }

    static let refusedModules: [RefusedModule] = [
        RefusedModule(
            name: "unpruned-replacement-without-go-mod",
            files: [
                "go.mod": "module example.com/m\n\ngo 1.16\n\nrequire ext.com/nogomod v1.0.0\n\nreplace ext.com/nogomod => ./nogomod\n",
                "cmd/g/main.go": "package main\n\nfunc main() {}\n",
                "nogomod/p/p.go": "package p\n",
            ],
            refusal: "ext.com/nogomod@v1.0.0 (replaced by ./nogomod): reading nogomod/go.mod: open "),
        RefusedModule(
            name: "vendored-module-not-required",
            files: [
                "go.mod": "module example.com/m\n\ngo 1.22\n\nrequire ext.com/dep v1.0.0\n",
                "vendor/modules.txt": "# ext.com/dep v1.0.0\n## explicit; go 1.20\next.com/dep/p\n# ext.com/extra v1.0.0\next.com/extra/e\n",
                "vendor/ext.com/dep/p/p.go": "package p\n",
                "vendor/ext.com/extra/e/e.go": "package e\n",
                "cmd/f/main.go": "package main\n\nimport _ \"ext.com/dep/p\"\n\nfunc main() {}\n",
            ],
            refusal: "vendored module ext.com/extra@v1.0.0 should be required explicitly in go.mod"),
        RefusedModule(
            name: "unpruned-vendored-module-above-requirement",
            files: [
                "go.mod": "module example.com/m\n\ngo 1.16\n\nrequire ext.com/dep v1.0.0\n",
                "vendor/modules.txt": "# ext.com/dep v1.1.0\next.com/dep/p\n# ext.com/dep v1.0.0\n## explicit\n",
                "vendor/ext.com/dep/p/p.go": "package p\n",
                "cmd/f/main.go": "package main\n\nimport _ \"ext.com/dep/p\"\n\nfunc main() {}\n",
            ],
            refusal: "updates to go.mod needed, disabled by -mod=vendor"),
    ]

    @Test("a module the go command refuses gives every package the refusal", .enabled(if: GoToolchain.isConfigured), arguments: refusedModules)
    func refusedModule(_ refused: RefusedModule) async throws {
        let harness = try #require(try await GraphHarness.make())
        let repository = try await FixtureRepository.create(files: refused.files, label: refused.name)
        defer { repository.remove() }
        let go = try #require(GoToolchain.current())
        let listed = try await go.run(["list", "-e", "-deps", "./..."], in: repository.root)
        #expect(!listed.succeeded && listed.stderr.contains(refused.refusal), "\(listed.stderr)")
        let ours = try await harness.loadWorktree(at: repository.root, platform: .lambda)
        let local = ours.graphs.flatMap(\.packages.values).filter { $0.dir != nil }
        #expect(!local.isEmpty)
        for package in local {
            #expect(package.error?.kind == .module, "\(package.importPath)")
            #expect(package.error?.message.contains(refused.refusal) == true, "\(package.importPath): \(String(describing: package.error))")
        }
    }
}
