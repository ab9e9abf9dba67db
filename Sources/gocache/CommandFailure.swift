import ArgumentParser
import Foundation

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
        FileHandle.standardError.write(Data(text.utf8))
    }
}

enum Stdout {
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
