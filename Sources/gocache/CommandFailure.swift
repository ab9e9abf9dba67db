import ArgumentParser
import Foundation
import GoBuild
import GraphCore

/// An error the command line renders as `error:` and `help:` lines with an exit status.
struct CommandFailure: Error {
    var message: String
    var help: String
    var status: Int32

    static func badInput(_ message: String, help: String) -> CommandFailure {
        CommandFailure(message: message, help: help, status: 2)
    }

    /// Writes the error to stderr and returns the exit status to use.
    static func render(_ error: any Error, command: any ParsableCommand.Type) -> Int32 {
        if let failure = error as? CommandFailure {
            Stderr.write("error: \(failure.message)\nhelp: \(failure.help)\n")
            return failure.status
        }
        if let described = error as? any UserFacingError {
            Stderr.write("error: \(described.errorMessage)\nhelp: \(described.helpMessage)\n")
            return described.exitStatus
        }
        // argument-parser: help and version requests exit 0; usage errors become status 2.
        let code = command.exitCode(for: error)
        if code == .success {
            let text = command.fullMessage(for: error)
            if !text.isEmpty { Stdout.write(text + "\n") }
            return 0
        }
        let text = command.message(for: error)
        if let validation = error as? ExitCode {
            return validation.rawValue
        }
        Stderr.write("error: \(text)\nhelp: run 'gocache help' or add --help to the command for usage\n")
        return 2
    }
}

/// An error from a library that knows how to explain itself to a user of the command line.
protocol UserFacingError: Error {
    var errorMessage: String { get }
    var helpMessage: String { get }
    var exitStatus: Int32 { get }
}

enum Stderr {
    static func write(_ text: String) {
        OutputRecording.stderr(text)
        FileHandle.standardError.write(Data(text.utf8))
    }
}

enum Stdout {
    static func write(_ text: String) {
        OutputRecording.stdout(text)
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

extension CommandFailure {
    /// Maps a library error to what the command line prints: every one is bad input
    /// (status 2) unless it says otherwise.
    static func from(_ error: any Error) -> CommandFailure {
        switch error {
        case let failure as CommandFailure:
            return failure
        case let git as GitAccessError:
            return .badInput(git.description, help: git.help)
        case let workspace as WorkspaceError:
            return .badInput(workspace.description, help: workspace.help)
        case let modFile as GoModFileError:
            return .badInput(modFile.description, help: "fix the file at that line and column (the go command reads it the same way)")
        case let config as GocacheConfigError:
            return .badInput(config.description, help: config.help)
        case let toolchain as ToolchainError:
            return .badInput(toolchain.description, help: toolchain.help)
        case let tree as FileTreeError:
            return .badInput(tree.description, help: tree.help)
        default:
            return .badInput("\(error)", help: "run the command with --help for usage")
        }
    }
}
