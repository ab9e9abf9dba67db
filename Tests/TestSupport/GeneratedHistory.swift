// A generated monorepo with a commit history, written to a temporary directory: the setup of
// the tests that walk every commit pair (keys vs affected, shared scans).
public import ExampleMonorepo
public import Foundation
public import GraphCore

/// `MonorepoSpec.small(seed:layout:)` with `commits` history commits, in a new temporary
/// directory that `remove()` deletes.
public struct GeneratedHistory: Sendable {
    public let root: URL
    public let generated: GeneratedRepository
    public let location: RepositoryLocation

    public init(seed: UInt64, layout: MonorepoSpec.Layout, commits: Int, prefix: String) throws {
        var spec = MonorepoSpec.small(seed: seed, layout: layout)
        spec.historyCommits = commits
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-\(prefix)-\(UUID().uuidString)")
        generated = try MonorepoGenerator.writeRepository(spec, at: root.path)
        location = try RepositoryLocation.discover(from: root.path)
    }

    /// The snapshot of every commit, oldest first.
    public func revisions() throws -> [Snapshot] {
        try generated.commits.map { try Snapshot.revision($0.id, in: location) }
    }

    public func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}

extension GeneratedHistory {
    /// Runs `body` with a graph harness and a new history (`init`'s arguments), and removes
    /// the history afterwards: the setup of every test that walks a generated history.
    ///
    /// - Throws: `GeneratedHistoryError.noToolchain` when no Go toolchain is configured
    ///   (callers are enabled only when one is), or what `body` throws.
    public static func withHarness(
        seed: UInt64, layout: MonorepoSpec.Layout, commits: Int, prefix: String,
        _ body: (GraphHarness, GeneratedHistory) async throws -> Void
    ) async throws {
        guard let harness = try await GraphHarness.make() else { throw GeneratedHistoryError.noToolchain }
        let history = try GeneratedHistory(seed: seed, layout: layout, commits: commits, prefix: prefix)
        defer { history.remove() }
        try await body(harness, history)
    }
}

/// Why a generated-history test could not start.
public enum GeneratedHistoryError: Error {
    /// `GOCACHE_TEST_GO` names no usable go binary.
    case noToolchain
}
