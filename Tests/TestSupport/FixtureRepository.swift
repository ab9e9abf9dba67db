// FixtureRepository — a small repository written by a test: files in a fresh temporary
// directory, optionally made a git repository with one commit by fixed author and date.
//
// Responsibilities: create, write, commit, remove. Git runs with GIT_CONFIG_GLOBAL=/dev/null and
// GIT_CONFIG_NOSYSTEM=1 so the machine's configuration cannot change a fixture.
// Boundaries: only the `git` command line; no libgit2 (that is the code under test).
// Invariants: the same files give the same commit ids on every machine.
public import Foundation

/// A repository made by a test in its own temporary directory.
public struct FixtureRepository: Sendable {
    /// The repository root (absolute, symlinks resolved).
    public let root: URL

    /// Creates a fresh directory under the system temporary directory and writes `files`
    /// (repository-relative path → contents) into it. With `commit`, also `git init` and
    /// commit everything.
    public static func create(
        files: [String: String], commit: Bool = true, label: String = "fixture"
    ) async throws -> FixtureRepository {
        let safeLabel = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "-" })
        let base = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let root = base.appendingPathComponent("gocache-\(safeLabel)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let repository = FixtureRepository(root: root)
        try repository.write(files)
        if commit {
            try await repository.git(["init", "--quiet", "--initial-branch=main"])
            try await repository.commitAll(message: "fixture")
        }
        return repository
    }

    /// Writes (or, for a `nil` value, deletes) files, creating directories as needed.
    public func write(_ files: [String: String?]) throws {
        let fileManager = FileManager.default
        for (path, contents) in files.sorted(by: { $0.key < $1.key }) {
            let url = root.appendingPathComponent(path)
            if let contents {
                try fileManager.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(contents.utf8).write(to: url)
            } else if fileManager.fileExists(atPath: url.path) {
                try fileManager.removeItem(at: url)
            }
        }
    }

    /// Writes files (repository-relative path → contents).
    public func write(_ files: [String: String]) throws {
        try write(files.mapValues { Optional($0) })
    }

    /// Stages everything (ignore rules bypassed, so `vendor/` and dot-directories are kept) and
    /// commits it with a fixed author and date.
    ///
    /// - Returns: the new commit id.
    @discardableResult
    public func commitAll(message: String) async throws -> String {
        try await git(["add", "--all", "--force", "."])
        try await git(["commit", "--quiet", "--allow-empty", "--no-verify", "-m", message])
        return try await git(["rev-parse", "HEAD"]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `git` in the repository with a fixed identity and no machine configuration.
    ///
    /// - Returns: stdout. - Throws: ``ProcessFailure`` on a non-zero exit.
    @discardableResult
    public func git(_ arguments: [String]) async throws -> String {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/bin:/bin",
            "HOME": root.path,
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Fixture Author",
            "GIT_AUTHOR_EMAIL": "fixture@example.com",
            "GIT_AUTHOR_DATE": "2024-01-02T03:04:05Z",
            "GIT_COMMITTER_NAME": "Fixture Author",
            "GIT_COMMITTER_EMAIL": "fixture@example.com",
            "GIT_COMMITTER_DATE": "2024-01-02T03:04:05Z",
        ]
        if let tmp = inherited["TMPDIR"] { environment["TMPDIR"] = tmp }
        let output = try await ChildProcess.runChecked(
            "git", arguments: ["-c", "commit.gpgsign=false", "-c", "core.autocrlf=false"] + arguments,
            environment: environment, in: root)
        return output.stdoutText
    }

    /// Deletes the repository directory.
    public func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
