// GraphHarness — loads gocache's graph of a directory in process and renders it in the
// `gocache graph --format json` schema, for the differential tests against go list.
public import Foundation
public import GraphCore
import Synchronization

/// Loads repositories with GraphCore the way the command line does, with the toolchain of
/// the test run (its GOROOT and tool tags).
public final class GraphHarness: Sendable {
    public let toolchain: GoToolchain
    public let goRoot: GoRoot
    private let toolTags = Mutex<[String: [String]]>([:])

    /// The harness of this test run, or nil when no toolchain is configured.
    public static func make() async throws -> GraphHarness? {
        guard let toolchain = GoToolchain.current() else { return nil }
        let output = try await toolchain.run(["env", "GOROOT", "GOVERSION"], in: URL(fileURLWithPath: NSTemporaryDirectory()))
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        guard output.succeeded, lines.count >= 2 else { throw HarnessFailure(message: "go env failed: \(output.stderr)") }
        let goRoot = try GoRoot(path: lines[0], version: lines[1])
        let harness = GraphHarness(toolchain: toolchain, goRoot: goRoot)
        return harness
    }

    private init(toolchain: GoToolchain, goRoot: GoRoot) {
        self.toolchain = toolchain
        self.goRoot = goRoot
    }

    /// The tool tags of a platform (`go list -f '{{context.ToolTags}}'`), memoised.
    public func toolTags(_ settings: BuildSettings) async throws -> [String] {
        let key = "\(settings.goos)/\(settings.goarch)/\(settings.goarchLevel ?? "")"
        if let cached = toolTags.withLock({ $0[key] }) { return cached }
        var env = toolchain.environment(
            platform: GoPlatform(goos: settings.goos, goarch: settings.goarch, cgoEnabled: settings.cgoEnabled), workspace: .off)
        if let variable = BuildSettings.archLevelVariable(goarch: settings.goarch), let level = settings.goarchLevel {
            env[variable] = level
        }
        let output = try await ChildProcess.run(
            toolchain.executable, arguments: ["list", "-e", "-f", "{{join context.ToolTags \" \"}}", "unsafe"],
            environment: env, in: URL(fileURLWithPath: NSTemporaryDirectory()))
        guard output.succeeded else { throw HarnessFailure(message: "go list failed: \(output.stderr)") }
        let tags = String(decoding: output.stdout, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        toolTags.withLock { $0[key] = tags }
        return tags
    }

    /// Loads `tree` for `platform` (flags override gocache.yaml, as on the command line).
    /// With `sharing` (and `changedPaths` for the second load) it loads as
    /// `gocache affected` loads its two snapshots.
    public func load(
        _ tree: any FileTree, platform: GoPlatform, sharing: ScanSharing? = nil, changedPaths: [String]? = nil
    ) async throws -> GoRepository {
        var overrides = SettingsOverrides()
        overrides.goos = platform.goos
        overrides.goarch = platform.goarch
        overrides.cgoEnabled = platform.cgoEnabled
        overrides.tags = platform.tags
        // Tool tags depend on the platform only; fetch the ones this load needs up front.
        let config = try GocacheConfig.load(from: tree)
        let settings = config.defaultSettings(overrides: overrides)
        let tags = try await toolTags(settings)
        let known = toolTags.withLock { $0 }
        return try await GoRepository.load(
            tree: tree, goRoot: goRoot,
            options: LoadOptions(
                overrides: overrides, workMode: .auto,
                toolTags: { s in
                    if s.goos == settings.goos, s.goarch == settings.goarch, s.goarchLevel == settings.goarchLevel {
                        return tags
                    }
                    return known["\(s.goos)/\(s.goarch)/\(s.goarchLevel ?? "")"] ?? tags
                }, sharing: sharing, changedPaths: changedPaths))
    }

    /// Loads the working tree of the git repository at `root`.
    public func loadWorktree(at root: URL, platform: GoPlatform) async throws -> GoRepository {
        let location = try RepositoryLocation.discover(from: root.path)
        return try await load(Snapshot.worktree(location), platform: platform)
    }
}

public struct HarnessFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

extension GraphDocument {
    /// gocache's graph in the `gocache graph --format json` schema.
    public init(repository: GoRepository) {
        var packages = Set<Package>()
        for graph in repository.graphs {
            for package in graph.packages.values {
                packages.insert(
                    Package(
                        importPath: package.importPath, dir: package.dir.map { $0.isEmpty ? "." : $0 },
                        module: package.module?.path, standard: package.isStandard, goFiles: package.goFiles,
                        cgoFiles: package.cgoFiles, embedFiles: package.embedFiles, otherFiles: package.otherFiles,
                        imports: package.imports, error: package.error?.message))
            }
        }
        var targets: [Target] = []
        for target in repository.targets {
            guard let graph = repository.graph(of: target) else { continue }
            targets.append(
                Target(dir: target.dir, importPath: target.importPath, deps: graph.nonStandardDependencies(of: target.importPath)))
        }
        self.init(packages: packages.sorted { $0.importPath < $1.importPath }, targets: targets)
    }
}
