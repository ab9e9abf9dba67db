// `gocache affected` against the go list oracle on a real repository's history. Runs only
// when GOCACHE_REAL_REPO names a git repository (scripts/check-real-affected.sh sets it):
// the repository is cloned into a temporary directory; nothing of it is kept.
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Affected on a real repository")
struct RealRepositoryAffectedTests {
    static var source: String? {
        let value = ProcessInfo.processInfo.environment["GOCACHE_REAL_REPO"] ?? ""
        return value.isEmpty ? nil : value
    }

    @Test("consecutive first-parent commit pairs agree with the oracle", .enabled(if: source != nil && GoToolchain.isConfigured))
    func commitPairs() async throws {
        let environment = ProcessInfo.processInfo.environment
        let source = try #require(Self.source)
        let pairs = Int(environment["GOCACHE_REAL_PAIRS"] ?? "") ?? 20
        let head = environment["GOCACHE_REAL_REV"].flatMap { $0.isEmpty ? nil : $0 } ?? "HEAD"
        let harness = try #require(try await GraphHarness.make())
        let oracle = InputOracle(toolchain: harness.toolchain)
        let clone = try await FixtureRepository.create(files: [:], commit: false, label: "real")
        defer { clone.remove() }
        _ = try await ChildProcess.runChecked(
            "/usr/bin/git", arguments: ["clone", "--quiet", "--no-checkout", source, clone.root.path],
            environment: nil, in: clone.root.deletingLastPathComponent())
        let log = try await clone.git(["rev-list", "--first-parent", "-n", String(pairs + 1), head])
        let commits = log.split(separator: "\n").map(String.init).reversed().map { $0 }
        let location = try RepositoryLocation.discover(from: clone.root.path)
        let tags = try await harness.toolTags(BuildSettings.lambdaDefaults)

        var previous: (commit: String, snapshot: Snapshot, repository: GoRepository, digests: [String: TargetInputDigest])?
        var lines: [String] = []
        var agreed = 0
        var absentBlobs: Set<String> = []
        for commit in commits {
            // A copy of a repository may lack its largest blobs (a mirror that left them
            // out): the oracle's checkout leaves those paths out (sparse checkout). gocache
            // reads the object database and stops on any of them it needs to read (a
            // missing object fails the load), so the pair can agree only when none of them
            // is read: files gocache lists but never opens (data, docs, binaries).
            let absent = try await Self.absentBlobPaths(at: commit, in: clone)
            if !absent.isEmpty {
                absentBlobs.formUnion(absent)
                _ = try await clone.git(["sparse-checkout", "set", "--no-cone", "/*"] + absent.map { "!/" + $0 })
            } else if !absentBlobs.isEmpty {
                _ = try await clone.git(["sparse-checkout", "disable"])
            }
            _ = try await clone.git(["-c", "advice.detachedHead=false", "checkout", "--quiet", "--force", commit])
            _ = try await clone.git(["clean", "-fdxq"])
            let snapshot = try Snapshot.revision(commit, in: location)
            let repository = try await GoRepository.load(
                tree: snapshot, goRoot: harness.goRoot, options: LoadOptions(toolTags: { _ in tags }))
            let digests = try await oracle.digests(of: clone.root)
            if let base = previous {
                let changes = try GitHistory.changes(from: base.snapshot, to: snapshot)
                // As `gocache affected` does: one load for both sides when `SameGraph` holds.
                let oneLoad = SameGraph.provable(changes: changes, base: base.snapshot, head: snapshot)
                let report = ImpactAnalysis.affected(
                    base: oneLoad ? repository : base.repository, head: repository, baseTree: base.snapshot,
                    headTree: snapshot, changes: .diff(changes))
                let expected = InputOracle.compare(base: base.digests, head: digests)
                let ours = (
                    report.targets.filter { $0.status == .affected }.map(\.dir),
                    report.targets.filter { $0.status == .added }.map(\.dir),
                    report.targets.filter { $0.status == .removed }.map(\.dir))
                let equal = ours.0 == expected.affected && ours.1 == expected.added && ours.2 == expected.removed
                if equal { agreed += 1 }
                lines.append(
                    "\(base.commit.prefix(12))..\(commit.prefix(12))\(oneLoad ? " (one load)" : "") targets \(repository.targets.count) affected \(ours.0.count) added \(ours.1.count) removed \(ours.2.count) \(equal ? "equal" : "DIFFERENT: oracle \(expected)")")
                #expect(equal, "\(base.commit)..\(commit): ours \(ours), oracle \(expected)")
            }
            previous = (commit, snapshot, repository, digests)
        }
        var summary = "\(source) \(head): \(agreed)/\(commits.count - 1) commit pairs agree\n"
        if !absentBlobs.isEmpty {
            summary += "blobs absent from the object database (left out of the oracle's checkouts): "
                + absentBlobs.sorted().joined(separator: ", ") + "\n"
        }
        summary += lines.joined(separator: "\n")
        if let out = environment["GOCACHE_REAL_REPORT"], !out.isEmpty {
            try Data((summary + "\n").utf8).write(to: URL(fileURLWithPath: out))
        }
        #expect(commits.count - 1 == pairs)
    }

    /// Paths of the commit's tree whose blobs the object database lacks.
    static func absentBlobPaths(at commit: String, in clone: FixtureRepository) async throws -> [String] {
        let listed = try await clone.git(["rev-list", "--objects", "--missing=print", "--no-walk", commit])
        let missing = Set(listed.split(separator: "\n").filter { $0.hasPrefix("?") }.map { String($0.dropFirst()) })
        guard !missing.isEmpty else { return [] }
        // `ls-tree -z` records: "<mode> <type> <id>\t<path>", NUL-terminated, paths unquoted.
        let tree = try await clone.git(["ls-tree", "-r", "-z", "--full-tree", commit])
        return tree.split(separator: "\0").compactMap { line -> String? in
            guard let tab = line.firstIndex(of: "\t") else { return nil }
            let fields = line[..<tab].split(separator: " ")
            guard fields.count == 3, missing.contains(String(fields[2])) else { return nil }
            return String(line[line.index(after: tab)...])
        }.sorted()
    }
}
