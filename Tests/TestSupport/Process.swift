// Process — run a child process for a test (`go`, `git`, the built `gocache` binary).
//
// Responsibilities: start an executable with arguments, an explicit environment and a working
// directory; drain stdout and stderr concurrently so a child writing megabytes to either pipe
// never blocks; wait without holding a cooperative-pool thread; terminate the child when the
// awaiting task is cancelled.
// Boundaries: no shell, no PATH lookup except through `ChildProcess.locate(_:)`.
// Invariants: stdout is kept whole (callers parse it); stderr keeps at most
// `ChildProcess.stderrLimit` bytes, its tail.
public import Foundation
import Synchronization

/// The outcome of a finished child process.
public struct ProcessOutput: Hashable, Sendable {
    /// The exit status, or the signal number when the child was killed by a signal.
    public var status: Int32
    /// Whether the child ended by a signal rather than by exiting.
    public var terminatedBySignal: Bool
    /// Everything the child wrote to stdout.
    public var stdout: Data
    /// What the child wrote to stderr, decoded as UTF-8 (lossily), at most its last
    /// ``ChildProcess/stderrLimit`` bytes.
    public var stderr: String

    /// Whether the child exited with status 0.
    public var succeeded: Bool { !terminatedBySignal && status == 0 }

    /// Stdout decoded as UTF-8 (lossily).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// A child process could not be started, or ended unsuccessfully where success was required.
public struct ProcessFailure: Error, CustomStringConvertible, Sendable {
    /// The executable that was run.
    public var executable: String
    /// Its arguments.
    public var arguments: [String]
    /// The working directory it ran in.
    public var directory: String
    /// The output when the process ran, `nil` when it could not be started.
    public var output: ProcessOutput?
    /// Why it could not be started, when it could not.
    public var reason: String?

    /// A readable account: the command line, the directory, the status and the stderr tail.
    public var description: String {
        let command = ([executable] + arguments).joined(separator: " ")
        if let output {
            let how = output.terminatedBySignal ? "killed by signal \(output.status)" : "exit status \(output.status)"
            return "`\(command)` in \(directory) failed (\(how)): \(output.stderr.suffix(2000))"
        }
        return "`\(command)` in \(directory) could not be started: \(reason ?? "unknown reason")"
    }
}

/// Runs child processes for tests.
public enum ChildProcess {
    /// The most bytes of stderr kept (the tail).
    public static let stderrLimit = 256 * 1024

    /// Finds `name` the way a shell would: a name containing `/` is taken as is, any other name
    /// is searched for in the directories of `PATH` (of `environment`, else of this process).
    ///
    /// - Returns: the absolute path of an executable file, or `nil` when there is none.
    public static func locate(_ name: String, environment: [String: String]? = nil) -> String? {
        let fileManager = FileManager.default
        if name.contains("/") {
            return fileManager.isExecutableFile(atPath: name) ? name : nil
        }
        let path = (environment ?? ProcessInfo.processInfo.environment)["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                fileManager.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
        }
        return nil
    }

    /// Runs `executable` with `arguments` in `directory` with exactly `environment`, and waits
    /// for it to end. A non-zero exit is a result, not an error.
    ///
    /// - Parameters:
    ///   - executable: an absolute path, or a name looked up in `PATH`.
    ///   - environment: the child's whole environment; `nil` inherits this process's.
    /// - Throws: ``ProcessFailure`` when the child cannot be started.
    public static func run(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        in directory: URL
    ) async throws -> ProcessOutput {
        guard let path = locate(executable, environment: environment) else {
            throw ProcessFailure(
                executable: executable, arguments: arguments, directory: directory.path,
                output: nil, reason: "executable not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        if let environment { process.environment = environment }
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        process.standardInput = FileHandle.nullDevice

        let collected = Collected()
        let group = DispatchGroup()
        group.enter()
        group.enter()
        group.enter()
        process.terminationHandler = { _ in group.leave() }
        do {
            try process.run()
        } catch {
            throw ProcessFailure(
                executable: path, arguments: arguments, directory: directory.path,
                output: nil, reason: String(describing: error))
        }
        // Close our copies of the write ends so the readers see end-of-file when the child exits.
        try? stdoutPipe.fileHandleForWriting.close()
        try? stderrPipe.fileHandleForWriting.close()
        let stdoutReader = stdoutPipe.fileHandleForReading
        let stderrReader = stderrPipe.fileHandleForReading
        DispatchQueue.global().async {
            collected.setStdout(drain(stdoutReader, keepingAtMost: nil))
            group.leave()
        }
        DispatchQueue.global().async {
            collected.setStderr(drain(stderrReader, keepingAtMost: stderrLimit))
            group.leave()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                group.notify(queue: .global()) { continuation.resume() }
            }
        } onCancel: {
            if process.isRunning { process.terminate() }
        }
        let (stdout, stderr) = collected.take()
        return ProcessOutput(
            status: process.terminationStatus,
            terminatedBySignal: process.terminationReason == .uncaughtSignal,
            stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Like ``run(_:arguments:environment:in:)`` but throws ``ProcessFailure`` on a non-zero exit.
    @discardableResult
    public static func runChecked(
        _ executable: String, arguments: [String], environment: [String: String]? = nil,
        in directory: URL
    ) async throws -> ProcessOutput {
        let output = try await run(executable, arguments: arguments, environment: environment, in: directory)
        guard output.succeeded else {
            throw ProcessFailure(
                executable: executable, arguments: arguments, directory: directory.path,
                output: output, reason: nil)
        }
        return output
    }

    /// Reads `handle` to end-of-file, keeping everything or only the last `limit` bytes.
    private static func drain(_ handle: FileHandle, keepingAtMost limit: Int?) -> Data {
        var data = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
            if let limit, data.count > 2 * limit {
                data = data.suffix(limit)
            }
        }
        if let limit, data.count > limit { data = data.suffix(limit) }
        try? handle.close()
        return data
    }
}

/// The two output buffers, filled from two reader threads.
private final class Collected: Sendable {
    private let buffers = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))

    func setStdout(_ data: Data) { buffers.withLock { $0.stdout = data } }
    func setStderr(_ data: Data) { buffers.withLock { $0.stderr = data } }
    func take() -> (Data, Data) { buffers.withLock { ($0.stdout, $0.stderr) } }
}
