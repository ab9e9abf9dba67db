// gocache's graph equals go list's on generated Lambda monorepos: every layout, cgo off
// and on, other platforms, and one large repository (>= 300 targets, >= 2,000 packages).
import ExampleMonorepo
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Generated monorepos equal go list")
struct GeneratedDifferentialTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var spec: MonorepoSpec
        var platform: GoPlatform
        var testDescription: String { "\(spec.layout.rawValue) seed \(spec.seed) \(platform)" }
    }

    static let cases: [Case] = {
        var cases: [Case] = []
        for (index, layout) in MonorepoSpec.Layout.allCases.enumerated() {
            let spec = MonorepoSpec.small(seed: UInt64(11 + index), layout: layout)
            cases.append(Case(spec: spec, platform: .lambda))
            cases.append(Case(spec: spec, platform: GoPlatform(goos: "linux", goarch: "arm64", cgoEnabled: true)))
        }
        var windows = MonorepoSpec.small(seed: 5)
        windows.platformFiles = true
        cases.append(Case(spec: windows, platform: GoPlatform(goos: "windows", goarch: "amd64")))
        cases.append(Case(spec: windows, platform: GoPlatform(goos: "darwin", goarch: "arm64", tags: ["lambda.norpc"])))
        return cases
    }()

    @Test("generated repository", .enabled(if: GoToolchain.isConfigured), arguments: cases)
    func generated(_ testCase: Case) async throws {
        try await Self.check(spec: testCase.spec, platform: testCase.platform)
    }

    @Test("large generated repository", .enabled(if: GoToolchain.isConfigured))
    func large() async throws {
        let spec = MonorepoSpec.large(seed: 42)
        let (targets, packages) = try await Self.check(spec: spec, platform: .lambda)
        #expect(targets >= 300)
        #expect(packages >= 2_000)
    }

    @discardableResult
    static func check(spec: MonorepoSpec, platform: GoPlatform) async throws -> (targets: Int, packages: Int) {
        let harness = try #require(try await GraphHarness.make())
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-gen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try MonorepoGenerator.writeRepository(spec, at: root.path)
        let oracle = try await GoListOracle().graph(of: root, platform: platform)
        let ours = try await harness.loadWorktree(at: root, platform: platform)
        let document = GraphDocument(repository: ours)
        let differences = compare(document, oracle)
        #expect(
            differences.isEmpty,
            "\(spec.layout) seed \(spec.seed) \(platform): \(differences.count) differences:\n\(differences.prefix(40).joined(separator: "\n"))")
        #expect(!ours.targets.isEmpty)
        return (ours.targets.count, Set(document.packages.filter { !$0.standard }.map(\.importPath)).count)
    }
}
