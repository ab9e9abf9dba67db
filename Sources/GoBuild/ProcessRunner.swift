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

    /// A process with piped stdout and stderr and no stdin, not yet started.
    private static func makeProcess(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String?
    ) -> (Process, Pipe, Pipe) {
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
        return (process, out, err)
    }

    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil
    ) throws(ProcessLaunchError) -> ProcessResult {
        let (process, out, err) = makeProcess(executable, arguments, environment: environment, directory: directory)
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ProcessRunner {
    /// Runs a child process without blocking a thread of the cooperative pool. When the
    /// awaiting task is cancelled the child and everything it started (the go command's
    /// compilers and linkers) get SIGINT, then SIGKILL two seconds later: the child's
    /// whole process group when it leads one, else the child itself. A cancelled run
    /// throws `CancellationError` once the child has ended.
    static func runCancellable(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil
    ) async throws -> ProcessResult {
        try Task.checkCancellation()
        let (process, out, err) = makeProcess(executable, arguments, environment: environment, directory: directory)
        let collected = Mutex<(out: [UInt8], err: [UInt8])>(([], []))
        let group = DispatchGroup()
        group.enter()
        group.enter()
        group.enter()
        process.terminationHandler = { _ in group.leave() }
        do {
            try process.run()
        } catch {
            throw ProcessLaunchError(executable: executable, reason: "\(error.localizedDescription)")
        }
        try? out.fileHandleForWriting.close()
        try? err.fileHandleForWriting.close()
        let outReader = out.fileHandleForReading
        let errReader = err.fileHandleForReading
        DispatchQueue.global().async {
            let data = outReader.readDataToEndOfFile()
            collected.withLock { $0.out = Array(data) }
            group.leave()
        }
        DispatchQueue.global().async {
            var kept = Data()
            while true {
                let chunk = errReader.availableData
                if chunk.isEmpty { break }
                kept.append(chunk)
                if kept.count > 2 * stderrLimit { kept = kept.suffix(stderrLimit) }
            }
            let tail = kept.count > stderrLimit ? kept.suffix(stderrLimit) : kept
            collected.withLock { $0.err = Array(tail) }
            group.leave()
        }
        let pid = process.processIdentifier
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                group.notify(queue: .global()) { continuation.resume() }
            }
        } onCancel: {
            ProcessRunner.interrupt(pid: pid)
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                if process.isRunning { ProcessRunner.interrupt(pid: pid, signal: SIGKILL) }
            }
        }
        try Task.checkCancellation()
        let (stdout, stderr) = collected.withLock { ($0.out, $0.err) }
        return ProcessResult(
            status: process.terminationStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Signals a child: its process group when it leads one, and the child itself.
    static func interrupt(pid: Int32, signal: Int32 = SIGINT) {
        guard pid > 0 else { return }
        if getpgid(pid) == pid { _ = kill(-pid, signal) }
        _ = kill(pid, signal)
    }
}
