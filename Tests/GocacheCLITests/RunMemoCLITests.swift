// The run memo end to end: a second `affected` or `hash` on an unchanged tree prints the
// first's bytes without loading; any change — even one keeping size and modification
// time — is seen; a tree changed within the last second, a damaged entry and a cache
// directory inside the working tree are never trusted.
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("gocache run memo", .enabled(if: GoToolchain.isConfigured))
struct RunMemoCLITests {
    /// Runs gocache with the test toolchain on PATH, `cache` as the cache directory, and
    /// GOCACHE_TRACE=1 (trace lines go to stderr; they are not part of the memo).
    static func run(_ arguments: [String], cache: String, memo: Bool = true) throws -> CacheCLITests.Result {
        let go = try #require(GoToolchain.current()).executable
        var environment = ["GOCACHE_DIR": cache, "GOCACHE_TRACE": "1", "GOCACHE_RUN_MEMO": memo ? "on" : "off"]
        environment["PATH"] = (go as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try CacheCLITests.gocache(arguments, environment: environment)
    }

    /// The stderr lines that are not trace output.
    static func messages(_ stderr: String) -> [Substring] {
        var lines: [Substring] = []
        var inTrace = false
        for line in stderr.split(separator: "\n") {
            if line.hasPrefix("gocache trace (") {
                inTrace = true
            } else if inTrace, line.hasPrefix(" ") {
                continue
            } else {
                inTrace = false
                lines.append(line)
            }
        }
        return lines.filter { !$0.hasPrefix("gocache trace (") }
    }

    /// Whether the run memo's trace says `word` (`hit`, `miss`, `racy`, `off`).
    static func memoSaid(_ word: String, _ result: CacheCLITests.Result) -> Bool {
        guard let range = result.stderr.range(of: "gocache trace (run memo):") else { return false }
        return result.stderr[range.upperBound...].contains(word)
    }

    /// `AffectedCLITests.repository()` and a cache directory beside it; `cleanup` removes both.
    static func scratch() throws -> (fixture: GitFixture, base: String, head: String, cache: String, cleanup: () -> Void) {
        let (fixture, base, head) = try AffectedCLITests.repository()
        let cache = fixture.root + "-cache"
        return (fixture, base, head, cache, {
            fixture.cleanup()
            try? FileManager.default.removeItem(atPath: cache)
        })
    }

    static func waitPastRacyWindow() async throws {
        try await Task.sleep(for: .milliseconds(2_100))
    }

    @Test("affected and hash: a second run replays the first; edits, even size- and mtime-keeping ones, are seen")
    func replay() async throws {
        let (fixture, base, head, cache, cleanup) = try Self.scratch()
        defer { cleanup() }
        try fixture.write("functions/two/main.go", "package main\n\nfunc main() { println(2) }\n")
        try await Self.waitPastRacyWindow()

        let commands: [[String]] = [
            ["affected", "--repo", fixture.root, "--base", base],
            ["affected", "--repo", fixture.root, "--base", base, "--format", "json"],
            ["affected", "--repo", fixture.root, "--base", base, "--tests"],
            ["affected", "--repo", fixture.root, "--base", base, "--head", head],
            ["why", "functions/two", "--repo", fixture.root, "--base", base],
            ["hash", "--repo", fixture.root],
            ["hash", "--repo", fixture.root, "--rev", base],
        ]
        var answers: [[String]: String] = [:]
        for command in commands {
            let reference = try Self.run(command, cache: cache, memo: false)
            #expect(reference.status == 0, "\(command): \(reference.stderr)")
            let first = try Self.run(command, cache: cache)
            #expect(Self.memoSaid("miss", first), "\(command): \(first.stderr)")
            let second = try Self.run(command, cache: cache)
            #expect(Self.memoSaid("hit", second), "\(command): \(second.stderr)")
            #expect(!second.stderr.contains("gocache trace (load)"), "a hit loads nothing")
            #expect(first.stdout == reference.stdout && second.stdout == reference.stdout, "\(command)")
            #expect(Self.messages(second.stderr) == Self.messages(reference.stderr), "\(command)")
            answers[command] = reference.stdout
        }
        #expect(answers[commands[0]] == "functions/one\nfunctions/two\n")

        // Same size, same modification time, other bytes: only the change time differs.
        try fixture.overwriteKeepingTimes("functions/two/main.go", "package main\n\nfunc main() { println(3) }\n")
        let racy = try Self.run(commands[5], cache: cache)
        #expect(Self.memoSaid("racy", racy), "a tree changed just now is not memoised: \(racy.stderr)")
        #expect(racy.stdout != answers[commands[5]], "the edit changes functions/two's key")
        try await Self.waitPastRacyWindow()
        for command in commands {
            let reference = try Self.run(command, cache: cache, memo: false)
            let memoised = try Self.run(command, cache: cache)
            #expect(memoised.stdout == reference.stdout, "\(command)")
            if command.contains("--head") || command.contains("--rev") {
                // Commits alone: nothing they read changed.
                #expect(Self.memoSaid("hit", memoised), "\(command): \(memoised.stderr)")
                #expect(memoised.stdout == answers[command])
            } else {
                #expect(Self.memoSaid("miss", memoised), "\(command): \(memoised.stderr)")
            }
        }
        let hashes = try Self.run(commands[5], cache: cache, memo: false).stdout
        #expect(hashes != answers[commands[5]])
        #expect(hashes.split(separator: "\n").first { $0.hasSuffix("functions/one") }
            == answers[commands[5]]?.split(separator: "\n").first { $0.hasSuffix("functions/one") })
    }

    @Test("after an edit the run memo misses and the graph memo answers the load: same output as without memos")
    func graphMemoAfterEdits() async throws {
        let (fixture, base, _, cache, cleanup) = try Self.scratch()
        defer { cleanup() }
        try fixture.write("functions/two/main.go", "package main\n\nfunc main() { println(2) }\n")
        try await Self.waitPastRacyWindow()
        let commands: [[String]] = [
            ["affected", "--repo", fixture.root, "--base", base, "--format", "json"],
            ["why", "functions/two", "--repo", fixture.root, "--base", base],
            ["hash", "--repo", fixture.root],
            ["targets", "--repo", fixture.root],
        ]
        // The first loads remember the tree (each command here loads standard packages as
        // leaves: one entry).
        for command in commands { _ = try Self.run(command, cache: cache) }
        /// Runs every command with and without memos; `answered` says, per command, whether
        /// the graph memo answered its load. Returns the first command's trace.
        func check(answered: [Bool], _ note: String) throws -> String {
            var first = ""
            for (command, answeredByGraphMemo) in zip(commands, answered) {
                let reference = try Self.run(command, cache: cache, memo: false)
                let result = try Self.run(command, cache: cache)
                if first.isEmpty { first = result.stderr }
                #expect(result.status == 0 && result.stdout == reference.stdout, "\(note) \(command): \(result.stderr)")
                #expect(Self.messages(result.stderr) == Self.messages(reference.stderr), "\(note) \(command)")
                #expect(result.stderr.contains("edited files checked") == answeredByGraphMemo, "\(note) \(command): \(result.stderr)")
            }
            return first
        }
        try fixture.write("functions/two/main.go", "package main\n\nfunc main() { println(4) }\n")
        _ = try check(answered: [true, true, true, true], "a body edit")
        try fixture.write("functions/two/main.go", "package main\n\nimport \"os\"\n\nfunc main() { println(os.Args) }\n")
        // The first load misses and stores the tree it saw (the edited file, racy, without
        // its stamp); the next commands, with the same options, are answered.
        let trace = try check(answered: [false, true, true, true], "an import")
        #expect(trace.contains("imports, constraint or embeds changed"), "\(trace)")
    }

    @Test("a damaged entry is a miss and is rewritten; a cache directory inside the working tree turns the memo off")
    func damagedAndInside() async throws {
        let (fixture, base, _, cache, cleanup) = try Self.scratch()
        defer { cleanup() }
        try await Self.waitPastRacyWindow()
        let command = ["affected", "--repo", fixture.root, "--base", base, "--format", "json"]
        let first = try Self.run(command, cache: cache)
        #expect(Self.memoSaid("miss", first), "\(first.stderr)")
        let runs = cache + "/memo/runs"
        let names = try FileManager.default.contentsOfDirectory(atPath: runs)
        #expect(names.count == 1)
        let entry = runs + "/" + names[0]
        var bytes = try #require(FileManager.default.contents(atPath: entry)).map { $0 }
        // The output's bytes: rewrite one target's name, as corruption might.
        let target = Array("functions/one".utf8)
        let at = try #require((0..<bytes.count - target.count).first { Array(bytes[$0..<$0 + target.count]) == target })
        bytes[at + 10] = UInt8(ascii: "x")
        try Data(bytes).write(to: URL(fileURLWithPath: entry))
        let second = try Self.run(command, cache: cache)
        #expect(Self.memoSaid("miss", second), "\(second.stderr)")
        #expect(second.stdout == first.stdout)
        #expect(second.stdout.contains("functions/one"))
        let third = try Self.run(command, cache: cache)
        #expect(Self.memoSaid("hit", third))
        #expect(third.stdout == first.stdout)

        let inside = fixture.url(".gocache-dir")
        let insideRun = try Self.run(command, cache: inside)
        #expect(insideRun.status == 0)
        #expect(Self.memoSaid("off", insideRun), "\(insideRun.stderr)")
        #expect(!FileManager.default.fileExists(atPath: inside + "/memo/runs"))
        #expect(insideRun.stdout == first.stdout)
    }

    @Test("with cgo, a compiler replaced on PATH under the same name, or another answer of pkg-config, is a miss with new keys")
    func machineFacts() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let cache = fixture.root + "-cache"
        let tools = fixture.root + "-tools"
        defer {
            try? FileManager.default.removeItem(atPath: cache)
            try? FileManager.default.removeItem(atPath: tools)
        }
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.22\n")
        try fixture.write("lib/lib.go", "package lib\n\n// #cgo pkg-config: qafoo\nimport \"C\"\n\nfunc L() {}\n")
        try fixture.write("functions/one/main.go", "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.L() }\n")
        _ = try fixture.commit("cgo")
        try FileManager.default.createDirectory(atPath: tools, withIntermediateDirectories: true)
        func compiler(_ version: Int) throws {
            try "#!/bin/sh\necho \"fake gcc \(version)\"\n".write(toFile: tools + "/gcc", atomically: false, encoding: .utf8)
            chmod(tools + "/gcc", 0o755)
        }
        func pc(_ value: Int) throws {
            try "Name: qafoo\nDescription: x\nVersion: 1\nCflags: -DQAVAL=\(value)\nLibs:\n".write(
                toFile: tools + "/qafoo.pc", atomically: false, encoding: .utf8)
        }
        try compiler(1)
        try pc(1)
        try await Self.waitPastRacyWindow()
        let go = try #require(GoToolchain.current()).executable
        func hash() throws -> CacheCLITests.Result {
            var environment = ["GOCACHE_DIR": cache, "GOCACHE_TRACE": "1", "GOCACHE_RUN_MEMO": "on", "PKG_CONFIG_PATH": tools, "CC": ""]
            environment["PATH"] =
                tools + ":" + (go as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            return try CacheCLITests.gocache(["hash", "--repo", fixture.root, "--cgo", "1"], environment: environment)
        }
        let first = try hash()
        #expect(first.status == 0, "\(first.stderr)")
        #expect(Self.memoSaid("miss", first))
        #expect(Self.memoSaid("hit", try hash()))
        try await Task.sleep(for: .milliseconds(50))
        try compiler(2)
        let upgraded = try hash()
        #expect(Self.memoSaid("miss", upgraded), "\(upgraded.stderr)")
        #expect(upgraded.stdout != first.stdout, "the compiler's identity is in the key")
        #expect(Self.memoSaid("hit", try hash()))
        try pc(2)
        let flags = try hash()
        #expect(Self.memoSaid("miss", flags), "\(flags.stderr)")
        #expect(flags.stdout != upgraded.stdout, "pkg-config's answer is in the key")
        #expect(Self.memoSaid("hit", try hash()))
    }
}
