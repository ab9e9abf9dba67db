import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// End-to-end tests of `gocache cache stats|verify|gc` and the hidden blob verbs.
@Suite("gocache cache")
struct CacheCLITests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The built `gocache`: `$GOCACHE_TEST_BINARY`, else next to the test bundle.
    static func binary() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["GOCACHE_TEST_BINARY"], !explicit.isEmpty { return explicit }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("gocache").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return try #require(nil as String?, "the gocache binary is not built")
    }

    /// Runs the gocache binary (or `executable`, e.g. a shell running it) with `arguments`.
    static func gocache(
        _ arguments: [String], environment: [String: String] = [:], in directory: String? = nil, executable: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try executable ?? binary())
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["GOCACHE_DIR"] = nil
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Small outputs: reading one pipe after the other cannot deadlock here.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    final class Scratch {
        let path: String
        init() throws {
            var template = Array((NSTemporaryDirectory() + "/gocache-cli-cache-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
            path = String(cString: made)
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func file(_ name: String, size: Int, byte: UInt8) throws -> String {
            let file = path + "/" + name
            try Data(repeating: byte, count: size).write(to: URL(fileURLWithPath: file))
            return file
        }
    }

    @Test func statsOfAnEmptyAndAFilledStore() throws {
        let scratch = try Scratch()
        let cacheDir = scratch.path + "/cache"
        var result = try Self.gocache(["cache", "stats", "--cache-dir", cacheDir])
        #expect(result.status == 0)
        #expect(result.stdout.contains("blobs: 0 (0 B)"))
        for (index, size) in [1000, 3000].enumerated() {
            let put = try Self.gocache(["cache", "put-blob", "--cache-dir", cacheDir, try scratch.file("f\(index)", size: size, byte: UInt8(index))])
            #expect(put.status == 0)
            #expect(put.stdout.trimmingCharacters(in: .whitespacesAndNewlines).count == 64)
        }
        result = try Self.gocache(["cache", "stats", "--cache-dir", cacheDir, "--format", "json"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["schemaVersion"] as? Int == 1)
        #expect(json["blobCount"] as? Int == 2)
        #expect(json["blobBytes"] as? Int == 4000)
        #expect(json["store"] as? String == cacheDir + "/store")
    }

    @Test func cacheDirectoryFromEnvironment() throws {
        let scratch = try Scratch()
        let result = try Self.gocache(["cache", "stats"], environment: ["GOCACHE_DIR": scratch.path + "/env-cache"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("store: \(scratch.path)/env-cache/store"))
        let xdg = try Self.gocache(["cache", "stats"], environment: ["XDG_CACHE_HOME": scratch.path + "/xdg"])
        #expect(xdg.stdout.contains("store: \(scratch.path)/xdg/gocache/store"))
    }

    @Test func verifyExitsOneAfterRemovingCorruption() throws {
        let scratch = try Scratch()
        let cacheDir = scratch.path + "/cache"
        let put = try Self.gocache(["cache", "put-blob", "--cache-dir", cacheDir, try scratch.file("f", size: 5000, byte: 7)])
        let hex = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var result = try Self.gocache(["cache", "verify", "--cache-dir", cacheDir])
        #expect(result.status == 0)
        #expect(result.stdout.contains("checked 1 blobs and 0 entries; removed 0 corrupt"))

        let blobPath = "\(cacheDir)/store/cas/\(hex.prefix(2))/\(hex)"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blobPath))
        bytes[100] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: blobPath))
        result = try Self.gocache(["cache", "verify", "--cache-dir", cacheDir])
        #expect(result.status == 1)
        #expect(result.stdout.contains("removed blob \(hex)"))
        #expect(!FileManager.default.fileExists(atPath: blobPath))
        result = try Self.gocache(["cache", "verify", "--cache-dir", cacheDir])
        #expect(result.status == 0)

        // get-blob: a miss exits 1 and writes nothing.
        let get = try Self.gocache(["cache", "get-blob", "--cache-dir", cacheDir, hex, scratch.path + "/out"])
        #expect(get.status == 1)
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out"))
    }

    @Test func gcShrinksToTheLimitOldestFirst() throws {
        let scratch = try Scratch()
        let cacheDir = scratch.path + "/cache"
        var digests: [String] = []
        for index in 0..<3 {
            let put = try Self.gocache(["cache", "put-blob", "--cache-dir", cacheDir, try scratch.file("f\(index)", size: 1 << 20, byte: UInt8(index))])
            let hex = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            digests.append(hex)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSinceNow: Double(-1000 + 100 * index))],
                ofItemAtPath: "\(cacheDir)/store/cas/\(hex.prefix(2))/\(hex)")
        }
        let result = try Self.gocache(["cache", "gc", "--cache-dir", cacheDir, "--max-size", "2M"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("removed 1 blobs and 0 entries"))
        let remaining = digests.map { FileManager.default.fileExists(atPath: "\(cacheDir)/store/cas/\($0.prefix(2))/\($0)") }
        #expect(remaining == [false, true, true])
    }

    @Test("bad sizes are bad input", arguments: ["lots", "-5M", "2Q"])
    func badSize(size: String) throws {
        let scratch = try Scratch()
        let result = try Self.gocache(["cache", "gc", "--cache-dir", scratch.path, "--max-size=\(size)"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: '\(size)' is not a size"))
        #expect(result.stderr.contains("help: "))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/store"))
    }

    @Test func missingMaxSizeAndBadDigestAreUsageErrors() throws {
        let scratch = try Scratch()
        var result = try Self.gocache(["cache", "gc", "--cache-dir", scratch.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error:"))
        result = try Self.gocache(["cache", "get-blob", "--cache-dir", scratch.path, "xyz", scratch.path + "/o"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: 'xyz' is not a SHA-256 digest"))
    }

    @Test("a cache directory that is a file is bad input, not an empty store", arguments: [["stats"], ["verify"], ["gc", "--max-size", "1M"]])
    func cacheDirectoryIsAFile(verb: [String]) throws {
        let scratch = try Scratch()
        let file = scratch.path + "/not-a-directory"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let result = try Self.gocache(["cache"] + verb + ["--cache-dir", file])
        #expect(result.status == 2, "\(result.stdout)")
        #expect(result.stderr.contains("error:") && result.stderr.contains("help:"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("a relative cache directory of one character that does not exist yet is created (it crashed on a Foundation trap)")
    func oneCharacterRelativeCacheDirectory() throws {
        let (fixture, _, _) = try AffectedCLITests.repository()
        defer { fixture.cleanup() }
        for (flag, environment) in [(["--cache-dir", "c"], [String: String]()), ([], ["GOCACHE_DIR": "k"])] {
            let result = try Self.gocache(["targets"] + flag, environment: environment, in: fixture.root)
            #expect(result.status == 0, "\(flag) \(environment): \(result.stderr)")
            #expect(result.stdout.contains("functions/one"))
        }
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/c/memo"))
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/k/memo"))
    }

    @Test("gc and verify remove the temporary files killed writers left among the memos and in the store; a live writer's stay", arguments: [["gc", "--max-size", "1G"], ["verify"]])
    func abandonedTemporariesAreRemoved(verb: [String]) throws {
        let scratch = try Scratch()
        let cache = scratch.path + "/cache"
        // A process that has exited: its pid names files nobody will finish.
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        let live = getpid()
        let files = [
            ("memo/go-headers-v4.bin.tmp.\(dead).1", false), ("memo/graphs/abc.tmp.\(dead).2", false),
            ("store/ac/ab/.tmp-\(dead)-xyz", false), ("memo/file-digests-v3.bin.tmp.\(live).3", true),
            ("store/cas/cd/.tmp-\(live)-abc", true),
        ]
        for (path, _) in files {
            let full = cache + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data("partial".utf8).write(to: URL(fileURLWithPath: full))
            // Left alone for 15 minutes (a pid alone proves nothing across PID namespaces).
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -900)], ofItemAtPath: full)
        }
        // A fresh file of a process that looks gone (another container's writer) stays.
        let fresh = cache + "/memo/fresh.bin.tmp.\(dead).9"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: fresh))
        let result = try Self.gocache(["cache"] + verb + ["--cache-dir", cache])
        #expect(result.status == 0, "\(result.stderr)")
        for (path, stays) in files {
            #expect(FileManager.default.fileExists(atPath: cache + "/" + path) == stays, "\(path)")
        }
        #expect(FileManager.default.fileExists(atPath: fresh))
    }

    @Test func hiddenVerbsStayOutOfHelp() throws {
        let result = try Self.gocache(["cache", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("verify"))
        #expect(!result.stdout.contains("put-blob"))
        let help = try Self.gocache(["cache", "put-blob", "--help"])
        #expect(help.stdout.contains("Debugging"))
    }
}
