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

    /// Runs a child to completion on the calling thread: posix_spawn, then poll(2) on its
    /// stdout and stderr until both close, then waitpid. No Foundation `Process` and no
    /// dispatch queue: those hand the pipes to dispatch threads, which a busy cooperative
    /// pool (two threads on two cores) could keep waiting for hundreds of milliseconds.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil
    ) throws(ProcessLaunchError) -> ProcessResult {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0 else { throw launchError(executable, errno) }
        guard pipe(&errPipe) == 0 else {
            let code = errno
            close(outPipe[0])
            close(outPipe[1])
            throw launchError(executable, code)
        }
        // Close-on-exec, so other children spawned at the same time do not inherit them
        // (the child gets its ends through dup2, which clears the flag).
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        if let directory {
            guard let addChdir = Self.addChdir else {
                close(outPipe[0])
                close(errPipe[0])
                close(outPipe[1])
                close(errPipe[1])
                throw ProcessLaunchError(executable: executable, reason: "this C library cannot start a child in a directory")
            }
            _ = addChdir(&actions, directory)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw launchError(executable, spawned)
        }
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var fds = [pollfd(fd: outPipe[0], events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe[0], events: Int16(POLLIN), revents: 0)]
        var buffer = [UInt8](repeating: 0, count: 65536)
        while fds.contains(where: { $0.fd >= 0 }) {
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in fds.indices where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index].fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if index == 0 {
                        stdout.append(contentsOf: buffer[0..<count])
                    } else {
                        stderr.append(contentsOf: buffer[0..<count])
                        if stderr.count > 2 * stderrLimit { stderr.removeFirst(stderr.count - stderrLimit) }
                    }
                } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
                    close(fds[index].fd)
                    fds[index].fd = -1
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, WIFSIGNALED / WTERMSIG (Foundation reports the signal).
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : status & 0x7f
        if stderr.count > stderrLimit { stderr.removeFirst(stderr.count - stderrLimit) }
        return ProcessResult(status: exitStatus, stdout: stdout, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), looked up at run time: the
    /// Swift module of Glibc leaves out the GNU extensions.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    private static func launchError(_ executable: String, _ code: Int32) -> ProcessLaunchError {
        ProcessLaunchError(executable: executable, reason: String(cString: strerror(code)))
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
