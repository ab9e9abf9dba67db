import ArgumentParser
import CacheStore
import Foundation
import GoBuild
import GraphCore

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Split the selected targets into N CI shards, balanced by expected build time.",
        discussion: """
            Every selected target goes to exactly one shard, deterministically (targets sorted by \
            key); targets already in the store weigh nothing, others weigh their recorded build \
            duration when known, else their closure size. --out writes the plan (JSON) to a file \
            for `gocache build --plan FILE --shard I/N`; stdout gets --format: json (the plan) or \
            github-matrix ({"include": [{"shard": "I/N", "index": I, "targets": K}]}, one line, \
            for a GitHub Actions matrix; at most 256 shards, never empty).
            """)

    @OptionGroup var worktree: WorktreeOptions
    @OptionGroup var storeOptions: StoreOptions

    @Argument(help: "Target directories (default: all targets).")
    var targets: [String] = []

    @Option(name: .long, help: ArgumentHelp("Plan only targets affected since this revision.", valueName: "rev"))
    var base: String?

    @Option(name: .long, help: "The number of shards (1–256).")
    var shards: Int

    @Option(name: .long, help: ArgumentHelp("Write the plan here.", valueName: "file"))
    var out: String?

    @Option(name: .long, help: "Stdout: json or github-matrix.")
    var format: PlanFormat = .json

    enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
        case json
        case githubMatrix = "github-matrix"
    }

    func validate() throws {
        if shards < 1 || shards > ShardPlan.maximumShards {
            throw ValidationError("--shards must be between 1 and \(ShardPlan.maximumShards) (GitHub's job limit per matrix)")
        }
        if base != nil, !targets.isEmpty { throw ValidationError("give target directories or --base, not both") }
    }

    func run() async throws {
        let cacheDirectory = storeOptions.cacheDirectory
        let session = try await worktree.openSession(cacheDirectory: cacheDirectory)
        let store = try storeOptions.store()
        let selection: TargetSelection
        if let base {
            do {
                selection = .precomputed(
                    try await AffectedSelection.affectedDirs(
                        since: base, session: session, overrides: worktree.platform.overrides, cacheDirectory: cacheDirectory))
            } catch {
                throw CommandFailure.from(error)
            }
        } else {
            for dir in targets where session.repository.target(atDir: dir) == nil {
                throw CommandFailure.unknownTarget(dir, known: session.repository.targets.map(\.dir))
            }
            selection = targets.isEmpty ? .all : .listed(targets)
        }
        let plan: ShardPlan
        do {
            let candidates = try await ShardPlanner.candidates(
                for: selection, session: session, store: store, cacheDirectory: cacheDirectory)
            var made = ShardPlanner.plan(candidates, shards: shards, toolchain: session.toolchain.version)
            if base == nil, targets.isEmpty { made.coversAllTargets = true }
            plan = made
        } catch {
            throw CommandFailure(message: "cannot plan: \(error)", help: "check that the files and the cache directory are readable", status: 2)
        }
        let encoded = try plan.encoded()
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(encoded)) else {
                throw CommandFailure.badInput("cannot write \(out)", help: "pass --out a path in a writable directory")
            }
        }
        switch format {
        case .json: Stdout.write(String(decoding: encoded, as: UTF8.self))
        case .githubMatrix: Stdout.write(String(decoding: try plan.githubMatrix(), as: UTF8.self))
        }
        let loads = plan.loads.map { "\($0.shard): \($0.targets) targets, weight \($0.weight)" }.joined(separator: "; ")
        Stderr.write("planned \(plan.targets.count) targets over \(plan.shards) shards (\(loads))\n")
    }
}
