// Property-based differential test of impact analysis: on generated monorepos, seeded
// random edits (every MonorepoEdit kind); for each, gocache's affected / added / removed
// targets equal the InputOracle's (go list output and file bytes at both revisions).
// GOCACHE_PROPERTY_EDITS=N runs N edits per layout group instead of the CI default.
import ExampleMonorepo
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Affected equals the input oracle")
struct AffectedPropertyTests {
    /// Edits per layout in CI: 80 + 60 + 60 = 200.
    static let defaultEdits: [MonorepoSpec.Layout: Int] = [.singleModule: 80, .modulePerFunction: 60, .workspace: 60]

    static func spec(_ layout: MonorepoSpec.Layout, seed: UInt64) -> MonorepoSpec {
        MonorepoSpec(
            seed: seed, targets: 5, sharedPackages: 6, depth: 3, filesPerPackage: 2, layout: layout, historyCommits: 0)
    }

    @Test("seeded edits", .enabled(if: GoToolchain.isConfigured), arguments: MonorepoSpec.Layout.allCases)
    func seededEdits(_ layout: MonorepoSpec.Layout) async throws {
        let environment = ProcessInfo.processInfo.environment
        let edits = environment["GOCACHE_PROPERTY_EDITS"].flatMap(Int.init) ?? Self.defaultEdits[layout] ?? 60
        let seed = environment["GOCACHE_PROPERTY_SEED"].flatMap(UInt64.init) ?? 20_240_101
        let result = try await Self.run(layout: layout, seed: seed, edits: edits)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(5).joined(separator: "\n\n"))")
        #expect(result.checked >= edits * 3 / 4, "only \(result.checked) of \(edits) edits applied (seed \(seed))")
        // Body-only edits take `gocache affected`'s one-load path; it must be exercised too.
        #expect(result.sameGraph > 0, "no edit took the one-load path (seed \(seed))")
        // Precision matters as much as recall: most edits must touch a strict, non-empty subset.
        #expect(
            Double(result.strictSubset) >= Double(result.checked) * 0.3,
            "only \(result.strictSubset) of \(result.checked) edits had a strict non-empty subset as answer (seed \(seed))")
    }

    struct Outcome {
        var checked = 0
        var strictSubset = 0
        /// Edits for which `SameGraph` held, so `affected` loads the head only.
        var sameGraph = 0
        var failures: [String] = []
    }

    static func run(layout: MonorepoSpec.Layout, seed: UInt64, edits: Int) async throws -> Outcome {
        let harness = try #require(try await GraphHarness.make())
        let toolchain = try #require(GoToolchain.current())
        let oracle = InputOracle(toolchain: toolchain)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-prop-\(UUID().uuidString)")
        let memo = root.path + "-memo"
        defer {
            try? FileManager.default.removeItem(at: root)
            try? FileManager.default.removeItem(atPath: memo)
        }
        let spec = spec(layout, seed: seed)
        let repository = try MonorepoGenerator.writeRepository(spec, at: root.path)
        let writer = GitWriter(path: root.path)
        let location = try RepositoryLocation.discover(from: root.path)
        let tags = try await harness.toolTags(BuildSettings.lambdaDefaults)

        func load(_ snapshot: Snapshot, standardLibrary: StandardLibraryDepth = .full) async throws -> GoRepository {
            try await GoRepository.load(
                tree: snapshot, goRoot: harness.goRoot,
                options: LoadOptions(toolTags: { _ in tags }, memoDirectory: memo, standardLibrary: standardLibrary))
        }

        var tree = repository.tree
        var baseCommit = try #require(repository.head)
        var baseSnapshot = try Snapshot.revision(baseCommit, in: location)
        var baseRepository = try await load(baseSnapshot)
        // What `affected`, `why`, `hash` and `build` load: standard packages as leaves.
        var baseLeaves = try await load(baseSnapshot, standardLibrary: .importedOnly)
        var baseDigests = try await oracle.digests(of: root)
        var outcome = Outcome()
        var rng = SplitMix(seed: seed)
        for index in 0..<edits {
            let editSeed = rng.next()
            let kinds = MonorepoEdit.allCases
            let kind = kinds[Int(editSeed % UInt64(kinds.count))]
            guard let (next, description) = MonorepoMutator.apply(kind, to: tree, spec: spec, seed: editSeed) else { continue }
            let commit = try writer.commitAll(
                tree: next, message: description, date: MonorepoGenerator.commitDate(index: index + 1))
            // Alternate the head between the commit and the working tree (equal bytes, other code path).
            let headSnapshot = index % 2 == 0 ? try Snapshot.revision(commit, in: location) : Snapshot.worktree(location)
            let headRepository = try await load(headSnapshot)
            let headDigests: [String: TargetInputDigest]
            do {
                headDigests = try await oracle.digests(of: root)
            } catch {
                // The oracle (go list) refused the edited tree: say which edit made it.
                throw PropertyFailure(
                    "seed \(seed) layout \(layout) edit #\(index) (\(kind.rawValue), edit seed \(editSeed)): \(description): \(error)")
            }
            let changes = try GitHistory.changes(from: baseSnapshot, to: headSnapshot)
            var report = ImpactAnalysis.affected(
                base: baseRepository, head: headRepository, baseTree: baseSnapshot, headTree: headSnapshot,
                changes: .diff(changes))
            let expected = InputOracle.compare(base: baseDigests, head: headDigests)
            // Standard packages as leaves: the same report, reasons included, and the same
            // key material for every target.
            let headLeaves = try await load(headSnapshot, standardLibrary: .importedOnly)
            let leavesReport = ImpactAnalysis.affected(
                base: baseLeaves, head: headLeaves, baseTree: baseSnapshot, headTree: headSnapshot, changes: .diff(changes))
            if leavesReport != report {
                outcome.failures.append(
                    "seed \(seed) layout \(layout) edit #\(index) (\(kind.rawValue)): standard packages as leaves give "
                        + "another report: \(leavesReport.targets.map(\.dir)) vs \(report.targets.map(\.dir))")
            }
            if let problem = Self.leavesDiffer(full: headRepository, leaves: headLeaves, tree: headSnapshot) {
                outcome.failures.append("seed \(seed) layout \(layout) edit #\(index) (\(kind.rawValue)): \(problem)")
            }
            let oneLoadStands = SameGraph.provable(changes: changes, base: baseSnapshot, head: headSnapshot)
            if oneLoadStands {
                // What `gocache affected` does then: the head's load stands for both sides.
                outcome.sameGraph += 1
                let oneLoad = ImpactAnalysis.affected(
                    base: headRepository, head: headRepository, baseTree: baseSnapshot, headTree: headSnapshot,
                    changes: .diff(changes))
                if oneLoad != report {
                    outcome.failures.append(
                        "seed \(seed) layout \(layout) edit #\(index) (\(kind.rawValue)): the one-load report differs "
                            + "from the two-load report: \(oneLoad.targets.map(\.dir)) vs \(report.targets.map(\.dir))")
                }
                report = oneLoad
            }
            // What `gocache affected` prints as text: the same statuses, reasons left out.
            let unexplained = ImpactAnalysis.affected(
                base: oneLoadStands ? headRepository : baseRepository, head: headRepository,
                baseTree: baseSnapshot, headTree: headSnapshot, changes: .diff(changes), explain: false)
            if unexplained.targets.map({ [$0.dir, $0.status.rawValue] }) != report.targets.map({ [$0.dir, $0.status.rawValue] })
                || unexplained.unchanged != report.unchanged
            {
                outcome.failures.append(
                    "seed \(seed) layout \(layout) edit #\(index) (\(kind.rawValue)): the unexplained report differs: "
                        + "\(unexplained.targets.map(\.dir)) vs \(report.targets.map(\.dir))")
            }
            let affected = report.targets.filter { $0.status == .affected }.map(\.dir)
            let added = report.targets.filter { $0.status == .added }.map(\.dir)
            let removed = report.targets.filter { $0.status == .removed }.map(\.dir)
            outcome.checked += 1
            if affected != expected.affected || added != expected.added || removed != expected.removed {
                var detail = "seed \(seed) layout \(layout) edit #\(index) (\(kind.rawValue), edit seed \(editSeed)): \(description)\n"
                detail += "  gocache affected \(affected) added \(added) removed \(removed)\n"
                detail += "  oracle  affected \(expected.affected) added \(expected.added) removed \(expected.removed)\n"
                for dir in Set(affected).symmetricDifference(expected.affected).sorted() {
                    let before = Set(baseDigests[dir]?.material ?? [])
                    let after = Set(headDigests[dir]?.material ?? [])
                    detail += "  \(dir): oracle -\(before.subtracting(after).sorted().prefix(4)) +\(after.subtracting(before).sorted().prefix(4))\n"
                    detail += "  \(dir): reasons \(report.impact(atDir: dir)?.reasons.map { "\($0.file ?? "") \($0.change)" } ?? [])\n"
                }
                outcome.failures.append(detail)
            }
            let answer = Set(report.rebuild)
            if !answer.isEmpty && answer.count < headRepository.targets.count { outcome.strictSubset += 1 }
            tree = next
            baseCommit = commit
            baseSnapshot = try Snapshot.revision(commit, in: location)
            baseRepository = headRepository
            baseLeaves = headLeaves
            baseDigests = headDigests
        }
        return outcome
    }
}

extension AffectedPropertyTests {
    /// Why a load with standard packages as leaves is not the full load minus what a key
    /// leaves out: the same targets and key inputs, the same non-standard packages, and
    /// only standard packages that a non-standard package imports (as leaves, otherwise
    /// equal to the full load's).
    static func leavesDiffer(full: GoRepository, leaves: GoRepository, tree: any FileTree) -> String? {
        guard leaves.standardLibrary == .importedOnly else { return "the leaves load says it is \(leaves.standardLibrary)" }
        guard full.targets == leaves.targets else { return "targets differ: \(full.targets) vs \(leaves.targets)" }
        for target in full.targets {
            let a = TargetInputs.collect(for: target, in: full, tree: tree)
            let b = TargetInputs.collect(for: target, in: leaves, tree: tree)
            if a != b { return "key inputs of \(target.dir) differ with standard packages as leaves" }
        }
        guard full.graphs.count == leaves.graphs.count else { return "\(full.graphs.count) vs \(leaves.graphs.count) graphs" }
        var leavesSeen = 0
        for (whole, cut) in zip(full.graphs, leaves.graphs) {
            let imported = Set(
                cut.packages.values.filter { !$0.isStandard }.flatMap(\.dependencyEdges))
            for (path, package) in whole.packages {
                let other = cut.packages[path]
                if !package.isStandard {
                    if other != package { return "package \(path) differs with standard packages as leaves" }
                } else if imported.contains(path) {
                    var leaf = package
                    leaf.dependencyEdges = []
                    if other != leaf { return "standard package \(path) is not the full load's, as a leaf" }
                    leavesSeen += 1
                } else if other != nil {
                    return "standard package \(path) is loaded though no non-standard package imports it"
                }
            }
            if cut.packages.count > whole.packages.count { return "the leaves load has packages the full one lacks" }
        }
        return leavesSeen > 0 ? nil : "no standard package was loaded as a leaf"
    }
}

/// An error of the property test that names the seed and edit it happened at.
struct PropertyFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64 for the test's own choices (edit kinds and seeds).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
