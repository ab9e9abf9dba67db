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

    /// Runs a child to completion on the calling thread: posix_spawn, then poll(2) on its
    /// stdout and stderr until both close, then waitpid. No Foundation `Process` and no
    /// dispatch queue: those hand the pipes to dispatch threads, which a busy cooperative
    /// pool (two threads on two cores) could keep waiting for hundreds of milliseconds.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil
    ) throws(ProcessLaunchError) -> ProcessResult {
        collect(try spawn(executable, arguments, environment: environment, directory: directory, ownProcessGroup: false))
    }

    /// A started child: its pid and the read ends of its stdout and stderr pipes.
    struct Child: Sendable {
        var pid: pid_t
        var stdout: Int32
        var stderr: Int32
    }

    /// Starts a child with stdin from /dev/null and piped stdout and stderr; with
    /// `ownProcessGroup`, it leads a new process group (so it and everything it starts can
    /// be signalled at once).
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String?,
        ownProcessGroup: Bool
    ) throws(ProcessLaunchError) -> Child {
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
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownProcessGroup {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw launchError(executable, spawned)
        }
        return Child(pid: pid, stdout: outPipe[0], stderr: errPipe[0])
    }

    /// Reads a child's stdout and stderr until both close (poll(2), on the calling thread),
    /// then reaps it. `exited`, when given, is called once the child has ended and before
    /// it is reaped (its pid cannot be reused while `exited` runs).
    static func collect(_ child: Child, exited: (() -> Void)? = nil) -> ProcessResult {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var fds = [pollfd(fd: child.stdout, events: Int16(POLLIN), revents: 0), pollfd(fd: child.stderr, events: Int16(POLLIN), revents: 0)]
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
        if let exited {
            var info = siginfo_t()
            while waitid(P_PID, id_t(child.pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
            exited()
        }
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
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
    /// Runs a child process without blocking a thread of the cooperative pool: its pipes are
    /// read on a thread of its own (blocking readers on dispatch's global queues would take
    /// the threads the task pool runs on — two on two cores — and stall every task until
    /// the child ends). When the awaiting task is cancelled, the child and everything it
    /// started (the go command's compilers and linkers: the child leads its own process
    /// group) get SIGINT, then SIGKILL two seconds later. A cancelled run throws
    /// `CancellationError` once the child has ended.
    static func runCancellable(
        _ executable: String, _ arguments: [String], environment: [String: String], directory: String? = nil
    ) async throws -> ProcessResult {
        try Task.checkCancellation()
        let child = try spawn(executable, arguments, environment: environment, directory: directory, ownProcessGroup: true)
        // Set once the child has ended, before it is reaped: signals sent under the lock
        // while it is false reach the child (or its zombie), never a reused pid.
        let ended = Mutex(false)
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ProcessResult, Never>) in
                Thread {
                    continuation.resume(returning: collect(child) { ended.withLock { $0 = true } })
                }.start()
            }
        } onCancel: {
            ended.withLock { if !$0 { ProcessRunner.interrupt(pid: child.pid) } }
            DispatchQueue.global().asyncAfter(deadline: .now() + 2) {
                ended.withLock { if !$0 { ProcessRunner.interrupt(pid: child.pid, signal: SIGKILL) } }
            }
        }
        try Task.checkCancellation()
        return result
    }

    /// Signals a child: its process group when it leads one, and the child itself.
    static func interrupt(pid: Int32, signal: Int32 = SIGINT) {
        guard pid > 0 else { return }
        if getpgid(pid) == pid { _ = kill(-pid, signal) }
        _ = kill(pid, signal)
    }
}
