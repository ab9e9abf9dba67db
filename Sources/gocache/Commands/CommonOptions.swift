import ArgumentParser
import CacheStore
import Foundation
import GoBuild
import GraphCore

/// `--repo`, `--rev` and the platform flags shared by the commands that read a snapshot.
struct SnapshotOptions: ParsableArguments {
    @Option(name: .long, help: "The repository (or a directory inside it).")
    var repo: String = "."

    @Option(name: .long, help: "Read this commit instead of the working tree.")
    var rev: String?

    @OptionGroup var platform: PlatformOptions

    @Option(name: .long, help: "The cache directory (default: $GOCACHE_DIR, $XDG_CACHE_HOME/gocache, ~/.cache/gocache).")
    var cacheDir: String?

    /// The resolved cache directory.
    var cacheDirectory: String {
        CacheDirectory.resolve(flag: cacheDir, environment: ProcessInfo.processInfo.environment)
    }
}

/// Flags that override settings from gocache.yaml.
struct PlatformOptions: ParsableArguments {
    @Option(name: .long, help: "Target operating system (GOOS).")
    var goos: String?

    @Option(name: .long, help: "Target architecture (GOARCH).")
    var goarch: String?

    @Option(name: .long, help: "Build tags, comma-separated (as `go build -tags`).")
    var tags: String?

    @Option(name: .long, help: "CGO_ENABLED: 0 or 1.")
    var cgo: Int?

    @Option(name: .long, help: "The go binary to use (default: `go` on PATH).")
    var go: String?

    func validate() throws {
        if let cgo, cgo != 0 && cgo != 1 {
            throw ValidationError("--cgo takes 0 or 1, not \(cgo)")
        }
    }

    var overrides: SettingsOverrides {
        var o = SettingsOverrides()
        o.goos = goos
        o.goarch = goarch
        o.cgoEnabled = cgo.map { $0 == 1 }
        o.tags = tags.map(SettingsOverrides.parseTags)
        return o
    }
}

/// Output formats of the listing commands.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot

    /// What `--help` lists: `dot` is `graph`'s only (the others refuse it in `validate`).
    static var allValueStrings: [String] { ["text", "json"] }
}

extension SnapshotOptions {
    /// Opens the repository, the snapshot and the toolchain (loading nothing yet), turning
    /// library errors into `error:`/`help:`.
    func prepare() throws -> RepositorySession.Setup {
        let setup: RepositorySession.Setup
        do {
            setup = try RepositorySession.Setup.prepare(
                path: repo, revision: rev, goBinary: platform.go, environment: ProcessInfo.processInfo.environment,
                memoDirectory: cacheDirectory + "/memo")
        } catch {
            throw CommandFailure.from(error)
        }
        prefetchToolTags(setup.toolchain, snapshot: setup.snapshot, overrides: platform.overrides)
        return setup
    }

    /// Loads the graph of a prepared snapshot, turning library errors into `error:`/`help:`;
    /// with `digests`, the session's digester takes the digests of the files the load reads.
    func load(
        _ setup: RepositorySession.Setup, digests: Bool = false, standardLibrary: StandardLibraryDepth = .full
    ) async throws -> RepositorySession {
        do {
            return try await RepositorySession.load(
                location: setup.location, snapshot: setup.snapshot, toolchain: setup.toolchain,
                overrides: platform.overrides, environment: ProcessInfo.processInfo.environment,
                memoDirectory: cacheDirectory + "/memo", digestCacheDirectory: digests ? cacheDirectory : nil,
                standardLibrary: standardLibrary)
        } catch {
            throw CommandFailure.from(error)
        }
    }

    /// Opens the snapshot and loads the graph, turning library errors into `error:`/`help:`.
    func openSession() async throws -> RepositorySession {
        try await load(try prepare())
    }
}

/// With a toolchain that knows no tool tags yet (a cold cache directory), starts asking for
/// those of the snapshot's default platform while the command walks the working tree, so
/// the load does not wait for a go process when it begins. A gocache.yaml that does not
/// load is left for the load to report.
func prefetchToolTags(_ toolchain: GoToolchain, snapshot: Snapshot, overrides: SettingsOverrides) {
    guard !toolchain.knowsToolTags, let config = try? GocacheConfig.load(from: snapshot) else { return }
    toolchain.prefetchToolTags(for: config.defaultSettings(overrides: overrides))
}
