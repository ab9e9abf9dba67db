import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A throwaway git repository in a temporary directory, driven by the real `git` with a fixed
/// environment (author, committer, dates, no global or system config), so commit ids are the
/// same on every run and machine.
public struct GitFixture: Sendable {
    /// Absolute path of the working tree root (symbolic links resolved).
    public let root: String

    /// The environment every git command of a fixture runs with: the caller's environment
    /// minus any `GIT_*` variable, plus fixed identities and dates.
    public static let environment: [String: String] = {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GIT_") }
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        environment["GIT_AUTHOR_NAME"] = "Fixture Author"
        environment["GIT_AUTHOR_EMAIL"] = "author@example.com"
        environment["GIT_AUTHOR_DATE"] = "2024-01-02T03:04:05Z"
        environment["GIT_COMMITTER_NAME"] = "Fixture Committer"
        environment["GIT_COMMITTER_EMAIL"] = "committer@example.com"
        environment["GIT_COMMITTER_DATE"] = "2024-01-02T03:04:05Z"
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["LC_ALL"] = "C"
        return environment
    }()

    /// Creates an empty repository (`git init -b <initialBranch>`) in a new temporary directory.
    public init(initialBranch: String = "main") throws {
        root = try GitFixture.makeTemporaryDirectory()
        try git("init", "-q", "-b", initialBranch)
    }

    /// Clones `source` with `git clone <options> file://<source.root>` into a new temporary
    /// directory (e.g. `["--depth", "1"]` or `["--filter=blob:none"]`).
    public init(cloning source: GitFixture, options: [String] = []) throws {
        let parent = try GitFixture.makeTemporaryDirectory()
        root = parent + "/clone"
        try GitFixture.run(["clone", "-q"] + options + ["file://" + source.root, root], in: parent)
    }

    /// A fixture over an existing directory (not deleted by `cleanup` unless asked).
    public init(existing root: String) {
        self.root = root
    }

    /// The absolute path of `path` inside the working tree.
    public func url(_ path: String) -> String { path.isEmpty ? root : root + "/" + path }

    /// Writes `text` to `path` (parent directories are created).
    public func write(_ path: String, _ text: String, executable: Bool = false) throws {
        try write(path, bytes: Array(text.utf8), executable: executable)
    }

    /// Writes `bytes` to `path` (parent directories are created).
    public func write(_ path: String, bytes: [UInt8], executable: Bool = false) throws {
        let target = URL(fileURLWithPath: url(path))
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: target.path) || isSymlink(path) {
            try FileManager.default.removeItem(at: target)
        }
        try Data(bytes).write(to: target)
        try FileManager.default.setAttributes(
            [.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: target.path)
    }

    /// Rewrites the file at `path` in place (same inode) with `text`, then sets its access
    /// and modification times back to what they were: an edit that only the change time
    /// (ctime) shows, as `touch -r` or tools restoring timestamps leave. `text` should have
    /// the old size, for an edit that stat data shows nowhere else.
    public func overwriteKeepingTimes(_ path: String, _ text: String) throws {
        let file = url(path)
        var info = stat()
        guard stat(file, &info) == 0 else { throw HarnessFailure(message: "cannot stat \(file)") }
        guard let handle = FileHandle(forWritingAtPath: file) else {
            throw HarnessFailure(message: "cannot open \(file) for writing")
        }
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        var times = [info.st_atim, info.st_mtim]
        guard utimensat(AT_FDCWD, file, &times, 0) == 0 else { throw HarnessFailure(message: "cannot set times of \(file)") }
    }

    /// Creates a symbolic link at `path` pointing to `target` (as written, usually relative).
    public func symlink(_ path: String, to target: String) throws {
        let link = url(path)
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: link).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
    }

    /// Creates the directory `path` (and its parents).
    public func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: url(path), withIntermediateDirectories: true)
    }

    /// Deletes `path` from the working tree (the next `commit` records the deletion).
    public func remove(_ path: String) throws {
        try FileManager.default.removeItem(atPath: url(path))
    }

    /// Moves `from` to `to` in the working tree (the next `commit` records it).
    public func rename(_ from: String, to: String) throws {
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: url(to)).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: url(from), toPath: url(to))
    }

    /// Stages everything (`git add -A`) and commits it; returns the new commit's full id.
    @discardableResult
    public func commit(_ message: String) throws -> String {
        try git("add", "-A")
        try git("commit", "-q", "--allow-empty", "-m", message)
        return try git("rev-parse", "HEAD")
    }

    /// Creates tag `name` at `target`: annotated when `message` is given, else lightweight.
    public func tag(_ name: String, at target: String = "HEAD", message: String? = nil) throws {
        if let message {
            try git("tag", "-a", name, "-m", message, target)
        } else {
            try git("tag", name, target)
        }
    }

    /// Runs `git <arguments>` in the working tree; returns stdout without the trailing newline.
    @discardableResult
    public func git(_ arguments: String...) throws -> String {
        try git(arguments)
    }

    /// Runs `git <arguments>` in the working tree; returns stdout without the trailing newline.
    @discardableResult
    public func git(_ arguments: [String]) throws -> String {
        var text = String(decoding: try GitFixture.run(arguments, in: root), as: UTF8.self)
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Runs `git <arguments>` in the working tree; returns stdout byte for byte.
    public func gitBytes(_ arguments: [String]) throws -> [UInt8] {
        try GitFixture.run(arguments, in: root)
    }

    /// Deletes the fixture's temporary directory (for a clone: the directory holding it) and
    /// what tests keep beside it under the same name plus a suffix (`<root>-cache`,
    /// `<root>-list.txt`).
    public func cleanup() {
        let directory = URL(fileURLWithPath: root)
        let parent = directory.deletingLastPathComponent()
        let target = directory.lastPathComponent == "clone" && parent.lastPathComponent.hasPrefix("gocache-git-")
            ? parent : directory
        try? FileManager.default.removeItem(at: target)
        let prefix = directory.lastPathComponent + "-"
        for sibling in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where sibling.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(sibling))
        }
    }

    private func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: url(path))) != nil
    }

    /// A new empty directory under the system temporary directory, symbolic links resolved.
    public static func makeTemporaryDirectory() throws -> String {
        let base = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("gocache-git-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        return base.resolvingSymlinksInPath().path
    }

    /// Runs git in `directory`, draining stdout and stderr concurrently; a non-zero exit
    /// throws `GitCommandFailure` with the stderr tail.
    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let collected = CollectedOutput()
        let group = DispatchGroup()
        let errorHandle = errors.fileHandleForReading
        DispatchQueue.global().async(group: group) {
            collected.set(errorHandle.readDataToEndOfFile())
        }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: collected.get().suffix(4096), as: UTF8.self)
            throw GitCommandFailure(arguments: arguments, status: process.terminationStatus, stderr: stderr)
        }
        return Array(stdout)
    }
}

/// stderr bytes collected on another thread.
private final class CollectedOutput: Sendable {
    private let data = Mutex(Data())
    func set(_ value: Data) { data.withLock { $0 = value } }
    func get() -> Data { data.withLock { $0 } }
}

/// A git command of a fixture exited non-zero.
public struct GitCommandFailure: Error, CustomStringConvertible {
    /// The arguments after `git`.
    public var arguments: [String]
    /// The exit status.
    public var status: Int32
    /// The last bytes of stderr.
    public var stderr: String

    /// One line: the command, its status and stderr.
    public var description: String {
        "git \(arguments.joined(separator: " ")) exited \(status): \(stderr)"
    }
}
