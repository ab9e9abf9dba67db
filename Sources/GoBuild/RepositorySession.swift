import Foundation
public import GraphCore

/// One opened repository snapshot with its toolchain and loaded package graph: what every
/// command of gocache starts from.
public struct RepositorySession: Sendable {
    public let location: RepositoryLocation
    public let snapshot: Snapshot
    public let toolchain: GoToolchain
    public let repository: GoRepository

    /// Opens the repository containing `path`, reads `revision` (or the working tree when
    /// nil), finds the toolchain and loads the graph with the resolved settings.
    public static func open(
        path: String, revision: String?, overrides: SettingsOverrides, goBinary: String?,
        environment: [String: String]? = nil
    ) async throws -> RepositorySession {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + (path == "." ? "" : "/" + path)
        let location = try RepositoryLocation.discover(from: absolute)
        let snapshot = try revision.map { rev throws(GitAccessError) in try Snapshot.revision(rev, in: location) }
            ?? Snapshot.worktree(location)
        let toolchain = try GoToolchain(goBinary: goBinary, environment: environment)
        let workMode: GoWorkMode
        switch environment["GOWORK"] {
        case nil, "", "auto": workMode = .auto
        case "off": workMode = .off
        case let file?: workMode = .file(file)
        }
        let repository = try await GoRepository.load(
            tree: snapshot, goRoot: toolchain.goRoot,
            options: LoadOptions(overrides: overrides, workMode: workMode, toolTags: { toolchain.toolTags(for: $0) }))
        return RepositorySession(location: location, snapshot: snapshot, toolchain: toolchain, repository: repository)
    }
}
