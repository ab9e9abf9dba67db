// gocache — the command line. Parses, calls the libraries, renders. No logic a library
// user would need lives here.
import ArgumentParser
import Foundation
import GraphCore

@main
struct Gocache: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gocache",
        abstract: "Which binaries of a Go monorepo does a change affect — and build only those.",
        version: GocacheVersion.tool,
        subcommands: [
            TargetsCommand.self,
            GraphCommand.self,
            HashCommand.self,
            AffectedCommand.self,
            WhyCommand.self,
            VersionCommand.self,
            CacheCommand.self,
            BuildCommand.self,
            PlanCommand.self,
            ExampleCommand.self,
        ])

    /// Runs the command line with gocache's exit-status contract: 0 success, 1 a build,
    /// test or verification failed, 2 bad input or usage (argument-parser's 64 included).
    static func main() async {
        // Memo writes wait for the outcome: bad input (exit 2) leaves the cache directory
        // untouched; a run that ran (0, or 1: a build or verification failed) keeps them.
        MemoFiles.holdWrites()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = CommandFailure.render(error, command: Self.self)
            MemoFiles.settleWrites(keep: status == 1)
            exit(withStatus: status)
        }
        MemoFiles.settleWrites(keep: true)
    }

    private static func exit(withStatus status: Int32) -> Never {
        Foundation.exit(status)
    }
}

/// Version strings printed by `gocache version` and `--version`.
enum GocacheVersion {
    static let tool = "0.1.0"
}
