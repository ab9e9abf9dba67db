public import CacheStore
import Foundation
import GraphCore

/// A CI fan-out: every selected target assigned to one of `shards` shards.
///
/// Schema (version 1): `{"schemaVersion", "shards", "toolchain", "targets": [{"dir",
/// "importPath", "key", "shard", "weight", "basis"}], "loads": [{"shard", "targets",
/// "weight"}]}`; targets sorted by key, shards numbered from 1.
public struct ShardPlan: Codable, Hashable, Sendable {
    /// The version of this document's format.
    public static let currentSchemaVersion = 1
    /// The most shards a plan may have: GitHub's limit of jobs per matrix.
    public static let maximumShards = 256

    /// What a target's weight is based on.
    public enum Basis: String, Codable, Hashable, Sendable {
        /// Already in the store: nothing to build (weight 0).
        case cached
        /// A build duration recorded earlier for this directory (seconds).
        case duration
        /// The number of packages in its closure (scaled to seconds when some durations are known).
        case closure
    }

    /// One target's assignment.
    public struct Target: Codable, Hashable, Sendable {
        public var dir: String
        public var importPath: String
        /// The target key (hex) when the plan was made.
        public var key: String
        /// The shard, from 1.
        public var shard: Int
        /// Estimated build cost.
        public var weight: Double
        public var basis: Basis
    }

    /// The load of one shard.
    public struct Load: Codable, Hashable, Sendable {
        public var shard: Int
        public var targets: Int
        public var weight: Double
    }

    public var schemaVersion: Int
    /// The number of shards.
    public var shards: Int
    /// `go version` of the toolchain that computed the keys.
    public var toolchain: String
    /// Every target, sorted by key.
    public var targets: [Target]
    /// Per-shard totals, by shard.
    public var loads: [Load]
    /// Whether the plan covers every target of the repository (no `--base`, no target list):
    /// then a target it does not name was added since (absent in plans of older versions).
    public var coversAllTargets: Bool?

    /// Directories assigned to shard `index` (from 1), sorted.
    public func dirs(ofShard index: Int) -> [String] {
        targets.filter { $0.shard == index }.map(\.dir).sorted()
    }

    /// Pretty JSON with sorted keys and a final newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }

    /// Reads a plan.
    public static func decode(_ bytes: [UInt8]) throws -> ShardPlan {
        try JSONDecoder().decode(ShardPlan.self, from: Data(bytes))
    }

    /// `{"include": [{"shard": "I/N", "index": I, "targets": K}, …]}` for a GitHub Actions
    /// matrix: one job per shard (N ≥ 1, so never the empty matrix GitHub rejects).
    public func githubMatrix() throws -> [UInt8] {
        struct Entry: Encodable {
            var shard: String
            var index: Int
            var targets: Int
        }
        struct Matrix: Encodable { var include: [Entry] }
        let matrix = Matrix(include: loads.map { Entry(shard: "\($0.shard)/\(shards)", index: $0.shard, targets: $0.targets) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(matrix)) + [0x0a]
    }
}

/// Makes shard plans.
public enum ShardPlanner {
    /// What the planner knows of one target.
    public struct Candidate: Hashable, Sendable {
        public var dir: String
        public var importPath: String
        public var key: SHA256Digest
        /// Whether the store already holds its key.
        public var cached: Bool
        /// Seconds a recent build of this directory took, if recorded.
        public var recordedSeconds: Double?
        /// Packages in its closure.
        public var closureSize: Int

        public init(dir: String, importPath: String, key: SHA256Digest, cached: Bool, recordedSeconds: Double?, closureSize: Int) {
            self.dir = dir
            self.importPath = importPath
            self.key = key
            self.cached = cached
            self.recordedSeconds = recordedSeconds
            self.closureSize = closureSize
        }
    }

    /// Where builds record per-directory durations.
    public static func durationMemoPath(cacheDirectory: String) -> String {
        cacheDirectory + "/memo/build-durations-v1.json"
    }

    /// Assigns candidates to `shards` shards: longest estimated build first onto the least
    /// loaded shard (ties: lower key first, lower shard first). Deterministic in its input.
    ///
    /// Weights: 0 for a cached target; its recorded duration when known; else its closure
    /// size times the seconds per package of the targets with known durations (or the bare
    /// closure size when none is known).
    ///
    /// - Complexity: O(n log n + n × shards).
    public static func plan(_ candidates: [Candidate], shards: Int, toolchain: String) -> ShardPlan {
        let shards = max(1, shards)
        let known = candidates.filter { !$0.cached && $0.recordedSeconds != nil }
        let knownPackages = known.reduce(0) { $0 + $1.closureSize }
        let secondsPerPackage =
            knownPackages > 0 ? known.reduce(0.0) { $0 + ($1.recordedSeconds ?? 0) } / Double(knownPackages) : 1.0
        var weighted: [(Candidate, Double, ShardPlan.Basis)] = candidates.map { candidate in
            if candidate.cached { return (candidate, 0, .cached) }
            if let seconds = candidate.recordedSeconds { return (candidate, seconds, .duration) }
            return (candidate, Double(candidate.closureSize) * secondsPerPackage, .closure)
        }
        weighted.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.key < $1.0.key }
        var loads = [Double](repeating: 0, count: shards)
        var counts = [Int](repeating: 0, count: shards)
        var targets: [ShardPlan.Target] = []
        for (candidate, weight, basis) in weighted {
            // Least loaded; among equals the one with fewer targets, then the lowest index.
            var best = 0
            for index in 1..<shards
            where loads[index] < loads[best] || (loads[index] == loads[best] && counts[index] < counts[best]) {
                best = index
            }
            loads[best] += weight
            counts[best] += 1
            targets.append(
                ShardPlan.Target(
                    dir: candidate.dir, importPath: candidate.importPath, key: candidate.key.hex, shard: best + 1,
                    weight: (weight * 1000).rounded() / 1000, basis: basis))
        }
        targets.sort { $0.key != $1.key ? $0.key < $1.key : $0.dir < $1.dir }
        return ShardPlan(
            schemaVersion: ShardPlan.currentSchemaVersion, shards: shards, toolchain: toolchain, targets: targets,
            loads: (0..<shards).map { ShardPlan.Load(shard: $0 + 1, targets: counts[$0], weight: (loads[$0] * 1000).rounded() / 1000) })
    }

    /// Candidates for the selected targets of a session: keys, store lookups (local, then
    /// remote without downloading), recorded durations and closure sizes.
    public static func candidates(
        for selection: TargetSelection, session: RepositorySession, store: TieredStore, cacheDirectory: String?
    ) async throws -> [Candidate] {
        let repository = session.repository
        let targets = try selection.targets(in: repository)
        let keys = try await TargetKeyRecipe.keys(
            for: targets, in: repository, tree: session.snapshot, goVersion: session.toolchain.version,
            digester: session.fileDigester(cacheDirectory: cacheDirectory), cCompiler: session.toolchain.cCompilerIdentity,
            compiler: session.toolchain.compilerIdentity(variable:),
            pkgConfig: session.toolchain.pkgConfigIdentity)
        let durations = cacheDirectory.flatMap {
            Builder.readJSON([String: Double].self, at: durationMemoPath(cacheDirectory: $0))
        } ?? [:]
        var result: [Candidate] = []
        for (target, key) in zip(targets, keys) {
            var cached = try await store.local.manifest(for: key.key) != nil
            if !cached, let remote = store.remote { cached = try await remote.manifest(for: key.key) != nil }
            let closure = TargetInputs.collect(for: target, in: repository, tree: session.snapshot)?.packages.count ?? 1
            result.append(
                Candidate(
                    dir: target.dir, importPath: target.importPath, key: key.key, cached: cached,
                    recordedSeconds: durations[target.dir], closureSize: max(1, closure)))
        }
        return result
    }
}
