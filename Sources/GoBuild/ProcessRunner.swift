import Foundation
import Synchronization

/// The result of a child process: its exit status and what it printed (stderr bounded).
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: [UInt8]
    /// The last part of stderr (at most `stderrLimit` bytes).
    public var stderr: String
    public var succeeded: Bool { status == 0 }
}

/// Errors starting a child process.
public struct ProcessLaunchError: Error, CustomStringConvertible, Sendable {
    public var executable: String
    public var reason: String
    public var description: String { "cannot run \(executable): \(reason)" }
}

/// Runs child processes with an explicit environment, draining stdout and stderr
/// concurrently so neither pipe can fill and block the child.
enum ProcessRunner {
    static let stderrLimit = 64 * 1024

    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil
    ) throws(ProcessLaunchError) -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ProcessLaunchError(executable: executable, reason: "\(error.localizedDescription)")
        }
        let collected = Mutex<(out: [UInt8], err: [UInt8])>(([], []))
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            let data = out.fileHandleForReading.readDataToEndOfFile()
            collected.withLock { $0.out = Array(data) }
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            let tail = data.count > stderrLimit ? data.suffix(stderrLimit) : data
            collected.withLock { $0.err = Array(tail) }
            group.leave()
        }
        process.waitUntilExit()
        group.wait()
        let (stdout, stderr) = collected.withLock { ($0.out, $0.err) }
        return ProcessResult(
            status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }
}
