// GocacheCLI — runs the built `gocache` binary for end-to-end tests.
public import Foundation

/// The built `gocache` executable and a way to run it.
public enum GocacheCLI {
    /// The result of one run.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// `$GOCACHE_TEST_BINARY`, else the `gocache` built beside the test bundle, else nil.
    public static func binary() -> String? {
        if let explicit = ProcessInfo.processInfo.environment["GOCACHE_TEST_BINARY"], !explicit.isEmpty { return explicit }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("gocache").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// Runs gocache with `arguments` in `directory`; `environment` adds to (or, with an
    /// empty value, removes from) the test process's environment. Output is drained
    /// concurrently, so large outputs cannot block the child.
    public static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]
    ) async throws -> Result {
        guard let binary = binary() else { throw HarnessFailure(message: "the gocache binary is not built") }
        var env = ProcessInfo.processInfo.environment
        for (name, value) in environment { env[name] = value.isEmpty ? nil : value }
        let output = try await ChildProcess.run(
            binary, arguments: arguments, environment: env,
            in: directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        return Result(status: output.status, stdout: String(decoding: output.stdout, as: UTF8.self), stderr: output.stderr)
    }
}
