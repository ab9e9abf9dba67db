public import Foundation

/// Writes trees into a git repository's working tree and commits them, running the `git`
/// command with a fixed environment (author, committer, no global or system config), so
/// the same trees, messages and dates give the same commit ids everywhere.
public struct GitWriter: Sendable {
    /// The working-tree directory of the repository.
    public var path: String
    /// The author and committer of every commit.
    public static let author = (name: "Example Monorepo", email: "example-monorepo@gocache.invalid")

    /// A writer for an existing repository at `path`.
    public init(path: String) {
        self.path = path
    }

    /// Creates the directory when missing and runs `git init` (branch `main`) in it.
    /// Throws when `path` exists and is not an empty directory.
    public static func create(at path: String) throws -> GitWriter {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ExampleMonorepoError.destinationNotEmpty(path: path) }
            let contents = try ExampleMonorepoError.io(path) { try manager.contentsOfDirectory(atPath: path) }
            guard contents.isEmpty else { throw ExampleMonorepoError.destinationNotEmpty(path: path) }
        } else {
            try ExampleMonorepoError.io(path) { try manager.createDirectory(atPath: path, withIntermediateDirectories: true) }
        }
        let writer = GitWriter(path: path)
        _ = try writer.git(["init", "-q", "--initial-branch=main"], date: Date(timeIntervalSince1970: 0))
        return writer
    }

    /// Makes the working tree equal to `tree` (writing changed files, removing tracked
    /// files the tree lacks and the directories they leave empty), stages everything and
    /// commits it with `message` at `date`. Returns the new commit's id.
    @discardableResult
    public func commitAll(tree: GeneratedTree, message: String, date: Date) throws -> String {
        let manager = FileManager.default
        let tracked = try git(["ls-files", "-z"], date: date).split(separator: "\0").map(String.init)
        for relative in tracked where tree.files[relative] == nil {
            let full = "\(path)/\(relative)"
            try ExampleMonorepoError.io(full) { try manager.removeItem(atPath: full) }
            var dir = GeneratedTree.split(relative).dir
            while !dir.isEmpty, (try? manager.contentsOfDirectory(atPath: "\(path)/\(dir)"))?.isEmpty == true {
                try ExampleMonorepoError.io(dir) { try manager.removeItem(atPath: "\(path)/\(dir)") }
                dir = GeneratedTree.split(dir).dir
            }
        }
        let changed = tree.files.filter { relative, bytes in
            guard let existing = manager.contents(atPath: "\(path)/\(relative)") else { return true }
            return !existing.elementsEqual(bytes)
        }
        try GeneratedTree(files: changed).write(to: path)
        _ = try git(["add", "-A"], date: date)
        _ = try git(["commit", "-q", "--allow-empty", "--no-verify", "-m", message], date: date)
        return try git(["rev-parse", "HEAD"], date: date).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The environment every git command runs with.
    public static func environment(date: Date) -> [String: String] {
        let stamp = "\(Int64(date.timeIntervalSince1970)) +0000"
        return [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": "/nonexistent",
            "LC_ALL": "C",
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email, "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email, "GIT_COMMITTER_DATE": stamp,
            "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
        ]
    }

    /// Runs `git -C path arguments…` and returns its standard output.
    func git(_ arguments: [String], date: Date) throws -> String {
        let environment = Self.environment(date: date)
        guard let executable = Self.findExecutable("git", path: environment["PATH"] ?? "") else {
            throw ExampleMonorepoError.gitNotFound
        }
        let fullArguments = ["-C", path, "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"] + arguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = fullArguments
        process.environment = environment
        let errorFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("example-monorepo-git-\(UUID().uuidString).stderr")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        let errorHandle = try ExampleMonorepoError.io(errorFile.path) { try FileHandle(forWritingTo: errorFile) }
        defer { try? errorHandle.close() }
        process.standardError = errorHandle
        try ExampleMonorepoError.io(executable) { try process.run() }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
            throw ExampleMonorepoError.gitFailed(
                arguments: arguments, directory: path, status: process.terminationStatus,
                stderr: String(stderr.suffix(4_000)))
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func findExecutable(_ name: String, path: String) -> String? {
        for dir in path.split(separator: ":") where !dir.isEmpty {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// What went wrong writing a generated repository.
public enum ExampleMonorepoError: Error, CustomStringConvertible, Hashable, Sendable {
    /// The destination exists and is not an empty directory.
    case destinationNotEmpty(path: String)
    /// No `git` executable on `PATH`.
    case gitNotFound
    /// A git command exited with a non-zero status (stderr tail kept).
    case gitFailed(arguments: [String], directory: String, status: Int32, stderr: String)
    /// A file-system operation on `path` failed.
    case fileSystem(path: String, message: String)

    public var description: String {
        switch self {
        case .destinationNotEmpty(let path):
            return "cannot generate a repository at \(path): it exists and is not an empty directory"
        case .gitNotFound:
            return "cannot generate a repository: no git executable on PATH"
        case .gitFailed(let arguments, let directory, let status, let stderr):
            return "git \(arguments.joined(separator: " ")) failed in \(directory) (exit \(status)): \(stderr)"
        case .fileSystem(let path, let message):
            return "file-system error at \(path): \(message)"
        }
    }

    static func io<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as ExampleMonorepoError { throw error } catch {
            throw ExampleMonorepoError.fileSystem(path: path, message: "\(error)")
        }
    }
}
