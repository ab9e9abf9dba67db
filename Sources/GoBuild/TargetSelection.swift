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

/// `--base REV`: the targets affected by the change from a base revision to the working tree.
///
/// HOOK FOR IMPACT: once GraphCore's impact analysis (`gocache affected`) is merged,
/// `affectedDirs(since:session:…)` should return the directories `Impact` reports as
/// affected or added between `base` and the working tree (same resolved settings), instead
/// of comparing keys. Until then it compares target keys, which is exact for building —
/// a target's key changes exactly when an input of its binary changes — but loads the
/// base revision's graph in full.
public enum AffectedSelection {
    /// Directories of the working tree's targets whose key differs from (or is absent in)
    /// the base revision's.
    public static func affectedDirs(
        since base: String, session: RepositorySession, overrides: SettingsOverrides, cacheDirectory: String?
    ) async throws -> [String] {
        let baseSession = try await RepositorySession.open(
            path: session.location.workdir, revision: base, overrides: overrides, goBinary: session.toolchain.goBinary)
        let baseKeys = try await TargetKeyRecipe.keys(
            for: baseSession.repository.targets, in: baseSession.repository, tree: baseSession.snapshot,
            goVersion: session.toolchain.version,
            digester: FileDigester(tree: baseSession.snapshot, cacheDirectory: cacheDirectory))
        let headKeys = try await TargetKeyRecipe.keys(
            for: session.repository.targets, in: session.repository, tree: session.snapshot,
            goVersion: session.toolchain.version,
            digester: FileDigester(tree: session.snapshot, cacheDirectory: cacheDirectory))
        let before = Dictionary(baseKeys.map { ($0.dir, $0.key) }, uniquingKeysWith: { first, _ in first })
        return headKeys.filter { before[$0.dir] != $0.key }.map(\.dir).sorted()
    }
}
