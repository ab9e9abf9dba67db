import CacheStore
import Foundation
public import GraphCore

/// Which targets a build or a plan covers.
public enum TargetSelection: Hashable, Sendable {
    /// Every target of the repository.
    case all
    /// Directories named by the user; an unknown one is an error.
    case listed([String])
    /// Directories computed by gocache itself (affected since a base, a shard of a plan);
    /// directories that are no longer targets are skipped, not an error.
    case precomputed([String])

    /// The selected targets, sorted by directory.
    ///
    /// - Throws: `TargetSelectionError.unknownTarget` for a listed directory that is not a target.
    public func targets(in repository: GoRepository) throws(TargetSelectionError) -> [GoTarget] {
        switch self {
        case .all:
            return repository.targets
        case .listed(let dirs):
            var selected = Set<GoTarget>()
            for dir in dirs {
                guard let target = repository.target(atDir: dir) else {
                    throw .unknownTarget(dir: dir, known: repository.targets.map(\.dir))
                }
                selected.insert(target)
            }
            return selected.sorted()
        case .precomputed(let dirs):
            return Set(dirs.compactMap { repository.target(atDir: $0) }).sorted()
        }
    }
}

/// A directory on the command line that is not a target.
public enum TargetSelectionError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownTarget(dir: String, known: [String])

    public var description: String {
        switch self {
        case .unknownTarget(let dir, _): return "no target at \(dir)"
        }
    }
}

/// The `--base` selection of `gocache build` and `gocache plan`: the targets that
/// `gocache affected --base REV` reports as affected or added against the working tree.
public enum AffectedSelection {
    /// Directories of the working tree's targets affected or added since `base`, sorted.
    public static func affectedDirs(
        since base: String, session: RepositorySession, overrides: SettingsOverrides, cacheDirectory: String?
    ) async throws -> [String] {
        let memo = cacheDirectory.map { $0 + "/memo" }
        let baseSnapshot = try Snapshot.revision(base, in: session.location)
        let baseSession = try await RepositorySession.load(
            location: session.location, snapshot: baseSnapshot, toolchain: session.toolchain, overrides: overrides,
            environment: ProcessInfo.processInfo.environment, memoDirectory: memo,
            standardLibrary: session.repository.standardLibrary)
        let report = ImpactAnalysis.affected(
            base: baseSession.repository, head: session.repository, baseTree: baseSnapshot, headTree: session.snapshot,
            changes: try ChangeSet.between(baseSnapshot, session.snapshot))
        try baseSnapshot.checkObjectsPresent()
        return report.targets.filter { $0.status != .removed }.map(\.dir).sorted()
    }
}
