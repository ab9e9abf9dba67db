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
