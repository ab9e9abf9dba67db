import ExampleMonorepo
import Foundation

/// The Go toolchain of the test run: `$GOCACHE_TEST_GO`, else `go` on `PATH`.
enum GoToolchain {
    static let executable: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["GOCACHE_TEST_GO"], !explicit.isEmpty { return explicit }
        return find("go")
    }()

    static let hasGCC: Bool = find("gcc") != nil

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A fixed environment: offline, local toolchain, no GOFLAGS; shared GOCACHE/GOPATH
    /// from the environment when set.
    static func environment(cgo: Bool) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [
            "PATH": inherited["PATH"] ?? "/usr/bin:/bin",
            "HOME": inherited["HOME"] ?? NSTemporaryDirectory(),
            "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "", "GOSUMDB": "off",
            "CGO_ENABLED": cgo ? "1" : "0",
        ]
        for key in ["GOCACHE", "GOPATH", "GOMODCACHE", "TMPDIR"] {
            if let value = inherited[key] { environment[key] = value }
        }
        return environment
    }

    struct Result {
        var status: Int32
        var output: String
    }

    /// Runs go with `arguments` in `directory`; output is stdout and stderr combined.
    static func run(_ arguments: [String], in directory: String, cgo: Bool, executable: String? = nil) throws -> Result {
        guard let executable = executable ?? Self.executable else { return Result(status: -1, output: "no go toolchain") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment(cgo: cgo)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}

enum Scratch {
    /// A new empty temporary directory.
    static func directory(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("example-monorepo-\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func write(_ tree: GeneratedTree, to root: String) throws {
        try tree.write(to: root)
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
