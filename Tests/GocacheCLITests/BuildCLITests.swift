import ExampleMonorepo
import Foundation
import Testing
import TestSupport

/// End-to-end tests of `gocache build` and `gocache plan` on generated monorepos, running the
/// built binary with the test run's go (shared GOCACHE, so std compiles once).
@Suite("gocache build", .serialized)
struct BuildCLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let goBinary: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["GOCACHE_TEST_GO"], !explicit.isEmpty { return explicit }
        return ChildProcess.locate("go")
    }()

    /// The environment of gocache: the test's, offline, with the test go first on PATH.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GOTOOLCHAIN"] = "local"
        environment["GOPROXY"] = "off"
        environment["GOFLAGS"] = ""
        environment["GOCACHE_DIR"] = nil
        environment["GOCACHE_REMOTE"] = nil
        if let go = goBinary {
            environment["PATH"] = (go as NSString).deletingLastPathComponent + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        }
        for (name, value) in extra { environment[name] = value }
        return environment
    }

    static func gocache(_ arguments: [String], in directory: String, environment extra: [String: String] = [:]) async throws -> Run {
        let output = try await ChildProcess.run(
            try CacheCLITests.binary(), arguments: arguments, environment: environment(extra),
            in: URL(fileURLWithPath: directory))
        return Run(status: output.status, stdout: output.stdoutText, stderr: output.stderr)
    }

    static func spec(seed: UInt64) -> MonorepoSpec {
        MonorepoSpec(
            seed: seed, targets: 3, sharedPackages: 5, depth: 2, filesPerPackage: 1, layout: .singleModule, vendor: false,
            nestedModule: false, cgo: false, embeds: true, platformFiles: false, historyCommits: 0)
    }

    static func scratch(_ label: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
            .appendingPathComponent("gocache-cli-\(label)-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func clone(_ source: String, to destination: String) async throws {
        try await ChildProcess.runChecked(
            "git", arguments: ["clone", "--quiet", source, destination],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "GIT_CONFIG_GLOBAL": "/dev/null",
                          "GIT_CONFIG_NOSYSTEM": "1", "HOME": destination + "-home"],
            in: URL(fileURLWithPath: (destination as NSString).deletingLastPathComponent))
    }

    /// `manifest.json` of an output directory, as JSON.
    static func manifest(_ out: String) throws -> [[String: Any]] {
        let data = try #require(FileManager.default.contents(atPath: out + "/manifest.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1)
        return try #require(document["targets"] as? [[String: Any]])
    }

    static func statuses(_ targets: [[String: Any]]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: targets.map { ($0["dir"] as? String ?? "?", $0["status"] as? String ?? "?") })
    }

    static func zips(_ out: String, _ targets: [[String: Any]]) throws -> [String: Data] {
        var result: [String: Data] = [:]
        for target in targets {
            let zip = try #require(target["zip"] as? String)
            let data = FileManager.default.contents(atPath: out + "/" + zip)
            #expect(data != nil, "missing \(zip)")
            result[target["dir"] as? String ?? "?"] = data
        }
        return result
    }

    static func sha256(_ path: String) async throws -> (hex: String, base64: String) {
        let script = "import sys,hashlib,base64; d=hashlib.sha256(open(sys.argv[1],'rb').read()).digest(); print(d.hex(), base64.b64encode(d).decode())"
        let output = try await ChildProcess.runChecked(
            "python3", arguments: ["-c", script, path], in: URL(fileURLWithPath: NSTemporaryDirectory()))
        let parts = output.stdoutText.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        return (parts.first ?? "", parts.last ?? "")
    }

    @Test(.enabled(if: goBinary != nil))
    func buildRebuildCloneAndRemote() async throws {
        let scratch = try Self.scratch("e2e")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let nginx: NginxServer? = NginxServer.executable == nil ? nil : try NginxServer()
        let remote = nginx.map { ["--remote", $0.baseURL + "/cache"] } ?? []
        let repo = scratch + "/repo"
        let generated = try MonorepoGenerator.writeRepository(Self.spec(seed: 31), at: repo)
        let all = generated.tree.targetDirs

        // First build: everything built, zips and manifest consistent.
        var run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache-a"] + remote, in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("built \(all.count), hits 0"), "\(run.stderr)")
        let first = try Self.manifest(repo + "/dist")
        #expect(first.map { $0["dir"] as? String ?? "" } == all)
        #expect(Set(Self.statuses(first).values) == ["built"])
        for target in first {
            let zip = repo + "/dist/" + (target["zip"] as? String ?? "-")
            let digest = try await Self.sha256(zip)
            #expect(target["zipSha256"] as? String == digest.hex)
            #expect(target["codeSha256"] as? String == digest.base64)
            let listing = try await ChildProcess.runChecked("unzip", arguments: ["-Z", zip], in: URL(fileURLWithPath: repo))
            #expect(listing.stdoutText.contains("-rwxr-xr-x"), "\(listing.stdoutText)")
            #expect(listing.stdoutText.contains(" bootstrap\n"))
            #expect(listing.stdoutText.contains("number of entries: 1"))
        }

        // Second build, no change: nothing built.
        run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache-a"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("compiling"), "\(run.stderr)")
        #expect(Set(Self.statuses(try Self.manifest(repo + "/dist")).values) == ["hit"])
        let firstZips = try Self.zips(repo + "/dist", first)
        // Hits are hard links to the store's files; --copy-outputs makes copies instead.
        func links(_ path: String) -> Int {
            var info = stat()
            return stat(path, &info) == 0 ? Int(info.st_nlink) : 0
        }
        let someZip = "/" + (first.first?["zip"] as? String ?? "-")
        #expect(links(repo + "/dist" + someZip) == 2)
        run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache-a", "--copy-outputs", "--out", scratch + "/copied"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(links(scratch + "/copied" + someZip) == 1)
        #expect(links(repo + "/dist" + someZip) == 2)
        #expect(try Self.zips(scratch + "/copied", first) == firstZips)

        // Another clone, empty store and empty GOCACHE: fresh zips byte-identical (2 targets).
        let cloneB = scratch + "/elsewhere/clone-b"
        try FileManager.default.createDirectory(atPath: scratch + "/elsewhere", withIntermediateDirectories: true)
        try await Self.clone(repo, to: cloneB)
        let two = Array(all.suffix(2))
        run = try await Self.gocache(
            ["build", "--cache-dir", scratch + "/cache-b"] + two, in: cloneB, environment: ["GOCACHE": scratch + "/gocache-b"])
        #expect(run.status == 0, "\(run.stderr)")
        let cloneTargets = try Self.manifest(cloneB + "/dist")
        #expect(Set(Self.statuses(cloneTargets).values) == ["built"])
        let cloneZips = try Self.zips(cloneB + "/dist", cloneTargets)
        #expect(cloneZips.count == 2)
        for (dir, zip) in cloneZips { #expect(zip == firstZips[dir], "\(dir) differs between clones") }

        // A third clone with an empty store gets every artifact from the remote.
        guard let nginx else { return }
        let cloneC = scratch + "/elsewhere/clone-c"
        try await Self.clone(repo, to: cloneC)
        run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache-c"] + remote, in: cloneC)
        #expect(run.status == 0, "\(run.stderr)\n\(nginx.errorLog)")
        #expect(!run.stderr.contains("compiling"), "\(run.stderr)")
        #expect(run.stderr.contains("(remote)"))
        let remoteTargets = try Self.manifest(cloneC + "/dist")
        #expect(Set(Self.statuses(remoteTargets).values) == ["hit"])
        #expect(try Self.zips(cloneC + "/dist", remoteTargets) == firstZips)
    }

    @Test(.enabled(if: goBinary != nil && NginxServer.executable != nil))
    func twoShardsEqualTheFullBuildWithoutBuildingTwice() async throws {
        let scratch = try Self.scratch("shards")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let nginx = try NginxServer()
        let remote = ["--remote", nginx.baseURL + "/cache"]
        let repo = scratch + "/repo"
        let generated = try MonorepoGenerator.writeRepository(Self.spec(seed: 32), at: repo)
        let all = generated.tree.targetDirs

        var run = try await Self.gocache(
            ["plan", "--shards", "2", "--out", scratch + "/plan.json", "--cache-dir", scratch + "/cache-plan"] + remote, in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let planned = try #require(plan["targets"] as? [[String: Any]])
        #expect(planned.map { $0["dir"] as? String ?? "" }.sorted() == all)
        let keys = planned.map { $0["key"] as? String ?? "" }
        #expect(keys == keys.sorted())
        run = try await Self.gocache(["plan", "--shards", "2", "--format", "github-matrix", "--cache-dir", scratch + "/cache-plan"], in: repo)
        #expect(run.stdout.hasPrefix("{\"include\":[{\"index\":1,\"shard\":\"1/2\""), "\(run.stdout)")

        var built: [[String]] = []
        for shard in 1...2 {
            run = try await Self.gocache(
                ["build", "--plan", scratch + "/plan.json", "--shard", "\(shard)/2", "--cache-dir", scratch + "/cache-\(shard)",
                 "--out", scratch + "/out-\(shard)"] + remote,
                in: repo)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(!run.stderr.contains("in no shard"), "\(run.stderr)")
            let targets = try Self.manifest(scratch + "/out-\(shard)")
            #expect(Set(Self.statuses(targets).values).isSubset(of: ["built"]))
            built.append(targets.map { $0["dir"] as? String ?? "" })
        }
        #expect(Set(built[0]).isDisjoint(with: built[1]))
        #expect((built[0] + built[1]).sorted() == all)
        #expect(plan["coversAllTargets"] as? Bool == true)
        // A plan older than the tree: the target added since is in no shard, and a shard says so.
        var stale = plan
        stale["targets"] = Array(planned.dropFirst())
        try JSONSerialization.data(withJSONObject: stale).write(to: URL(fileURLWithPath: scratch + "/stale.json"))
        run = try await Self.gocache(
            ["build", "--plan", scratch + "/stale.json", "--shard", "1/2", "--cache-dir", scratch + "/cache-1", "--out", scratch + "/out-s"] + remote,
            in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("warning: 1 target(s) are in no shard of"), "\(run.stderr)")
        #expect(run.stderr.contains(planned.first?["dir"] as? String ?? "?"), "\(run.stderr)")

        // The final assembly elsewhere builds nothing and equals a full local build.
        let final = scratch + "/elsewhere/final"
        try FileManager.default.createDirectory(atPath: scratch + "/elsewhere", withIntermediateDirectories: true)
        try await Self.clone(repo, to: final)
        run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache-final"] + remote, in: final)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("compiling"), "\(run.stderr)")
        let assembled = try Self.manifest(final + "/dist")
        #expect(Set(Self.statuses(assembled).values) == ["hit"])
        run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache-full", "--out", scratch + "/full"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        let full = try Self.manifest(scratch + "/full")
        #expect(Set(Self.statuses(full).values) == ["built"])
        #expect(try Self.zips(final + "/dist", assembled) == (try Self.zips(scratch + "/full", full)))
    }

    /// libcurl is opened only when a remote cache is named (Sources/CExecutableShims); when it cannot
    /// be, the build goes on with the local store and one warning.
    @Test(.enabled(if: goBinary != nil), arguments: [
        ("/nonexistent/libcurl.so.4", "cannot load /nonexistent/libcurl.so.4"),
        ("libz.so.1", "libz.so.1 lacks curl_"),
    ])
    func withoutLibcurlTheRemoteIsSkippedWithAWarning(library: String, says: String) async throws {
        let scratch = try Self.scratch("nocurl")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        let generated = try MonorepoGenerator.writeRepository(Self.spec(seed: 34), at: repo)
        let run = try await Self.gocache(
            ["build", "--cache-dir", scratch + "/cache", "--remote", "http://user:secret@127.0.0.1:9/cache"], in: repo,
            environment: ["GOCACHE_LIBCURL": library])
        #expect(run.status == 0, "\(run.stderr)")
        let warnings = run.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 1, "\(run.stderr)")
        #expect(warnings.first?.contains("remote cache http://***@127.0.0.1:9/cache not used: \(says)") == true, "\(run.stderr)")
        #expect(!run.stderr.contains("secret"))
        let targets = try Self.manifest(repo + "/dist")
        #expect(targets.map { $0["dir"] as? String ?? "" }.sorted() == generated.tree.targetDirs)
        #expect(Set(Self.statuses(targets).values) == ["built"])
    }

    @Test(.enabled(if: goBinary != nil))
    func aCompileErrorFailsOnlyItsTarget() async throws {
        let scratch = try Self.scratch("broken")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        let generated = try MonorepoGenerator.writeRepository(Self.spec(seed: 33), at: repo)
        let all = generated.tree.targetDirs
        let broken = try #require(generated.tree.functionDirs.first)
        let mainFile = repo + "/" + broken + "/main.go"
        let source = try String(contentsOfFile: mainFile, encoding: .utf8)
        try (source + "\nfunc broken() { undefinedName() }\n").write(toFile: mainFile, atomically: true, encoding: .utf8)

        let cache = scratch + "/cache"
        var run = try await Self.gocache(["build", "--cache-dir", cache, "--jobs", "2"], in: repo)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("error: \(broken) failed to compile"), "\(run.stderr)")
        #expect(run.stderr.contains("undefined: undefinedName"), "\(run.stderr)")
        let targets = try Self.manifest(repo + "/dist")
        let statuses = Self.statuses(targets)
        #expect(statuses[broken] == "failed")
        for dir in all where dir != broken { #expect(statuses[dir] == "built", "\(dir)") }
        for target in targets where target["status"] as? String == "built" {
            let digest = try await Self.sha256(repo + "/dist/" + (target["zip"] as? String ?? "-"))
            #expect(target["codeSha256"] as? String == digest.base64)
        }
        let failed = try #require(targets.first { $0["dir"] as? String == broken })
        #expect(failed["zip"] == nil)
        #expect(!FileManager.default.fileExists(atPath: repo + "/dist/" + (failed["name"] as? String ?? "?") + ".zip"))
        // Nothing stored for the failed target: one entry per built target.
        run = try await Self.gocache(["cache", "stats", "--format", "json", "--cache-dir", cache], in: repo)
        let stats = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(stats["entryCount"] as? Int == all.count - 1)

        // Fixed, the target builds and everything else is a hit.
        try source.write(toFile: mainFile, atomically: true, encoding: .utf8)
        run = try await Self.gocache(["build", "--cache-dir", cache], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        let fixed = Self.statuses(try Self.manifest(repo + "/dist"))
        #expect(fixed[broken] == "built")
        #expect(fixed.filter { $0.value == "hit" }.count == all.count - 1)
    }

    @Test("an output path that cannot be written is the output directory's error, not the cache's", .enabled(if: goBinary != nil))
    func unusableOutputPathsNameTheOutputDirectory() async throws {
        let scratch = try Self.scratch("occupied")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        let generated = try MonorepoGenerator.writeRepository(Self.spec(seed: 34), at: repo)
        let cache = scratch + "/cache"
        var run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/first"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        // A hit placed where a directory stands.
        let target = try #require(generated.tree.functionDirs.first)
        let name = try #require(Self.statuses(try Self.manifest(scratch + "/first")).keys.contains(target) ? target : nil)
        let entry = try #require(try Self.manifest(scratch + "/first").first { $0["dir"] as? String == name })
        let occupied = scratch + "/second/" + (entry["name"] as? String ?? "?") + "/bootstrap/x"
        try FileManager.default.createDirectory(atPath: occupied, withIntermediateDirectories: true)
        run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/second"], in: repo)
        #expect(run.status == 2)
        #expect(run.stderr.contains("error: cannot write the output directory"), "\(run.stderr)")
        #expect(!run.stderr.contains("--cache-dir"), "\(run.stderr)")
        // An output directory that is a file.
        try "x".write(toFile: scratch + "/file", atomically: true, encoding: .utf8)
        run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/file"], in: repo)
        #expect(run.status == 2)
        #expect(run.stderr.contains("it is a file, not a directory"), "\(run.stderr)")
    }

    /// A generated repository and its output directory, which another build (as flock(1)
    /// stands for it) holds for `seconds`.
    static func heldOutputDirectory(_ label: String, seed: UInt64, seconds: Int) async throws
        -> (scratch: String, repo: String, out: String, holder: Process)
    {
        let scratch = try Self.scratch(label)
        let repo = scratch + "/repo"
        _ = try MonorepoGenerator.writeRepository(Self.spec(seed: seed), at: repo)
        let out = scratch + "/dist"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: try #require(ChildProcess.locate("flock")))
        holder.arguments = ["--exclusive", out, "sleep", String(seconds)]
        try holder.run()
        try await Task.sleep(for: .milliseconds(400))
        return (scratch, repo, out, holder)
    }

    @Test("two builds writing one output directory take turns: one waits while the other holds the directory", .enabled(if: goBinary != nil && ChildProcess.locate("flock") != nil))
    func buildsTakeTurnsOnAnOutputDirectory() async throws {
        let (scratch, repo, out, holder) = try await Self.heldOutputDirectory("concurrent-out", seed: 35, seconds: 3)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache", "--out", out], in: repo)
        #expect(holder.isRunning == false, "the build finished only after the other one")
        holder.waitUntilExit()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("another gocache build is writing"), "\(run.stderr)")
        for target in try Self.manifest(out) {
            let zip = try #require(target["zip"] as? String)
            #expect(try await Self.sha256(out + "/" + zip).hex == target["zipSha256"] as? String, "\(zip)")
        }
    }

    @Test("a build waiting for an output directory stops on Ctrl-C (exit 130), while the other still holds it", .enabled(if: goBinary != nil && ChildProcess.locate("flock") != nil))
    func waitingBuildIsInterruptible() async throws {
        let (scratch, repo, out, holder) = try await Self.heldOutputDirectory("lock-interrupt", seed: 38, seconds: 60)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        defer { if holder.isRunning { holder.terminate() } }
        let build = Process()
        build.executableURL = URL(fileURLWithPath: try CacheCLITests.binary())
        build.arguments = ["build", "--cache-dir", scratch + "/cache", "--out", out]
        build.currentDirectoryURL = URL(fileURLWithPath: repo)
        build.environment = Self.environment()
        let errors = Pipe()
        build.standardError = errors
        build.standardOutput = FileHandle.nullDevice
        try build.run()
        // Wait until it says it waits (keys first), then interrupt it.
        var said = ""
        for _ in 0..<300 where !said.contains("waiting for it to finish") {
            try await Task.sleep(for: .milliseconds(100))
            said += String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self)
        }
        #expect(said.contains("another gocache build is writing"), "\(said)")
        build.interrupt()
        build.waitUntilExit()
        #expect(build.terminationStatus == 130)
        #expect(holder.isRunning, "it stopped while the other build still held the directory")
    }

    /// Runs a system tool (mount, umount, dd) quietly; its exit status (-1 when it cannot run).
    static func system(_ tool: String, _ arguments: [String]) -> Int32 {
        guard let path = ChildProcess.locate(tool) else { return -1 }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Whether this process may mount a tmpfs (root with the capability; not in every container).
    static let canMount: Bool = {
        guard getuid() == 0, let path = try? scratch("mount-probe") else { return false }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard system("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", path]) == 0 else { return false }
        _ = system("umount", [path])
        return true
    }()

    @Test("a cache on a read-only file system serves a build of hits; a build with misses fails before compiling; a cache file system that fills up during the build is a warning, not a failed build", .enabled(if: goBinary != nil && canMount))
    func unwritableAndFullStores() async throws {
        let scratch = try Self.scratch("ro-store")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        let generated = try MonorepoGenerator.writeRepository(Self.spec(seed: 36), at: repo)
        let mount = scratch + "/mnt"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        #expect(Self.system("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", mount]) == 0)
        defer { _ = Self.system("umount", [mount]) }
        let cache = mount + "/cache"
        var run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/out1"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")

        #expect(Self.system("mount", ["-o", "remount,ro", mount]) == 0)
        run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/out2"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(Self.statuses(try Self.manifest(scratch + "/out2")).values) == ["hit"])

        let target = try #require(generated.tree.functionDirs.first)
        let main = repo + "/" + target + "/main.go"
        let source = try String(contentsOfFile: main, encoding: .utf8)
        try (source + "\nfunc edited() {}\n").write(toFile: main, atomically: true, encoding: .utf8)
        run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/out3"], in: repo)
        #expect(run.status == 2)
        #expect(run.stderr.contains("error:") && run.stderr.contains("Read-only file system"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch + "/out3/manifest.json"))

        #expect(Self.system("mount", ["-o", "remount,rw", mount]) == 0)
        // Fill the file system: the next miss cannot be stored.
        _ = Self.system("dd", ["if=/dev/zero", "of=" + mount + "/filler", "bs=1M", "count=100"])
        try (source + "\nfunc editedAgain() {}\n").write(toFile: main, atomically: true, encoding: .utf8)
        run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/out4"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("they are built but not cached"), "\(run.stderr)")
        #expect(Self.statuses(try Self.manifest(scratch + "/out4"))[target] == "built")
    }

    @Test("a cache directory inside the repository is never an extra input: the next build hits, affected lists nothing", .enabled(if: goBinary != nil), arguments: [".cache/gocache", "."])
    func cacheDirectoryInsideTheRepositoryIsNoInput(cacheDir: String) async throws {
        let scratch = try Self.scratch("cache-inside")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        _ = try MonorepoGenerator.writeRepository(Self.spec(seed: 37), at: repo)
        try "extraInputs: [\"**/*.json\"]\n".write(toFile: repo + "/gocache.yaml", atomically: true, encoding: .utf8)
        try ".cache/\n".write(toFile: repo + "/.gitignore", atomically: true, encoding: .utf8)
        let git = GitFixture(existing: repo)
        _ = try git.commit("extra inputs")
        let cache = cacheDir == "." ? repo : repo + "/" + cacheDir
        var run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/out1"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: cache + "/memo"))
        run = try await Self.gocache(["build", "--cache-dir", cache, "--out", scratch + "/out2"], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(Self.statuses(try Self.manifest(scratch + "/out2")).values) == ["hit"])
        run = try await Self.gocache(["affected", "--base", "HEAD", "--cache-dir", cache], in: repo)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.isEmpty, "\(run.stdout)")
    }

    @Test("a header from another directory edited: build compiles the cgo package anew (the go command's cache would reuse the old object) and stores what the header now says", .enabled(if: goBinary != nil))
    func editedHeaderIsCompiledAnew() async throws {
        let scratch = try Self.scratch("header-rebuild")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = GitFixture(existing: scratch + "/repo")
        try FileManager.default.createDirectory(atPath: repo.root, withIntermediateDirectories: true)
        _ = try? repo.git("init", "-q")
        // A value no other test compiles, so the shared GOCACHE holds no object for it.
        let value = Int.random(in: 100_000...999_999)
        try repo.write("go.mod", "module example.com/h\n\ngo 1.22\n")
        try repo.write("gocache.yaml", "defaults:\n  cgo: true\n")
        try repo.write("include/value.h", "#define VALUE \(value)\n")
        try repo.write(
            "lib/lib.go",
            "package lib\n\n// #cgo CFLAGS: -I${SRCDIR}/../include\n// #include \"value.h\"\n// static int value(void) { return VALUE; }\nimport \"C\"\n\nfunc Value() int { return int(C.value()) }\n")
        try repo.write("cmd/h/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/h/lib\"\n)\n\nfunc main() { fmt.Println(lib.Value()) }\n")
        _ = try repo.commit("cgo")
        func buildAndRun(_ out: String) async throws -> String {
            let run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache", "--out", scratch + "/" + out], in: repo.root)
            #expect(run.status == 0, "\(run.stderr)")
            let output = try await ChildProcess.run(scratch + "/" + out + "/h/bootstrap", arguments: [], in: URL(fileURLWithPath: scratch))
            return output.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try await buildAndRun("out1") == "\(value)")
        try repo.write("include/value.h", "#define VALUE \(value + 1)\n")
        #expect(try await buildAndRun("out2") == "\(value + 1)", "the stored binary is the new header's")
        try repo.write("include/value.h", "#define VALUE \(value)\n")
        #expect(try await buildAndRun("out3") == "\(value)", "a hit of the first build")
    }

    @Test func badInputExitsTwoAndWritesNothing() async throws {
        let scratch = try Self.scratch("bad")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        _ = try MonorepoGenerator.writeRepository(Self.spec(seed: 34), at: repo)
        var run = try await Self.gocache(["build", "--cache-dir", scratch + "/cache", "functions/nope"], in: repo)
        #expect(run.status == 2)
        #expect(run.stderr.contains("error: no target at functions/nope"))
        #expect(!FileManager.default.fileExists(atPath: repo + "/dist"))
        #expect(!FileManager.default.fileExists(atPath: scratch + "/cache"), "nothing written to the cache directory")
        // A cache directory that cannot hold a store fails before anything compiles.
        try Data("x".utf8).write(to: URL(fileURLWithPath: scratch + "/file"))
        run = try await Self.gocache(["build", "--cache-dir", scratch + "/file"], in: repo)
        #expect(run.status == 2, "\(run.stdout)")
        #expect(run.stderr.contains("error:") && run.stderr.contains("help: check that the cache directory"), "\(run.stderr)")
        #expect(!run.stderr.contains("compiling"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: repo + "/dist"))
        run = try await Self.gocache(["build", "--shard", "3/2", "--plan", "x.json"], in: repo)
        #expect(run.status == 2)
        run = try await Self.gocache(["plan", "--shards", "0"], in: repo)
        #expect(run.status == 2)
    }
}
