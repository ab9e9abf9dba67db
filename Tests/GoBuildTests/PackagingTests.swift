import CacheStore
import Foundation
import GraphCore
import Testing

@testable import GoBuild

/// Runs python3 with a script and arguments; nil when python3 is missing.
func python(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String)? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        .map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    guard let path else { return nil }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = ["-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func temporaryDirectory(_ label: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        .appendingPathComponent("gocache-\(label)-\(UUID().uuidString.prefix(8))").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Lambda zip")
struct LambdaZipTests {
    static let zipCheck = """
        import sys, zipfile, hashlib
        z = zipfile.ZipFile(sys.argv[1])
        infos = z.infolist()
        assert len(infos) == 1, infos
        i = infos[0]
        print(i.filename, oct(i.external_attr >> 16), i.date_time, i.compress_type, i.create_system, len(i.extra), z.comment)
        print(hashlib.sha256(z.read(i.filename)).hexdigest())
        assert z.testzip() is None
        """

    static func sampleBinary(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { index in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            // Half compressible text, half noise.
            return index % 2 == 0 ? UInt8(65 + index % 26) : UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    @Test(arguments: [0, 1, 70_000, 300_001])
    func zipsAreReproducibleAndReadable(size: Int) throws {
        let binary = Self.sampleBinary(size, seed: UInt64(size))
        let first = try LambdaZip.package(binary: binary)
        let second = try LambdaZip.package(binary: binary)
        #expect(first.bytes == second.bytes)
        #expect(first.zipSha256 == (try SHA256Hasher.hash(first.bytes)))
        #expect(first.binarySha256 == (try SHA256Hasher.hash(binary)))
        #expect(first.codeSha256 == Data(first.zipSha256.bytes).base64EncodedString())
        let directory = try temporaryDirectory("zip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/f.zip"
        try Data(first.bytes).write(to: URL(fileURLWithPath: path))
        guard let (status, output) = try python(Self.zipCheck, [path]) else { return }
        #expect(status == 0, "\(output)")
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == "bootstrap 0o100755 (1980, 1, 1, 0, 0, 0) 8 3 0 b''")
        #expect(lines.dropFirst().first == first.binarySha256.hex)
    }

    @Test func differentBinariesGiveDifferentZips() throws {
        let a = try LambdaZip.package(binary: Self.sampleBinary(1000, seed: 1))
        let b = try LambdaZip.package(binary: Self.sampleBinary(1000, seed: 2))
        #expect(a.zipSha256 != b.zipSha256)
        #expect(a.binarySha256 != b.binarySha256)
    }
}

@Suite("go build command")
struct GoBuildCommandTests {
    @Test func packageArgumentsAreRelativeToTheUnitRoot() {
        #expect(GoBuildCommand.packageArgument(targetDir: "functions/a", unitRoot: "") == "./functions/a")
        #expect(GoBuildCommand.packageArgument(targetDir: ".", unitRoot: "") == ".")
        #expect(GoBuildCommand.packageArgument(targetDir: "functions/a", unitRoot: "functions/a") == ".")
        #expect(GoBuildCommand.packageArgument(targetDir: "functions/a/cmd", unitRoot: "functions/a") == "./cmd")
    }

    @Test func executableNamesFollowTheGoCommand() {
        #expect(GoBuildCommand.executableName(importPath: "example.com/m/functions/a", goos: "linux") == "a")
        #expect(GoBuildCommand.executableName(importPath: "example.com/tool/v2", goos: "linux") == "tool")
        #expect(GoBuildCommand.executableName(importPath: "example.com/tool/v1", goos: "linux") == "v1")
        #expect(GoBuildCommand.executableName(importPath: "example.com/tool/v0", goos: "linux") == "v0")
        #expect(GoBuildCommand.executableName(importPath: "example.com/m/cmd/x", goos: "windows") == "x.exe")
    }

    @Test func environmentHoldsExactlyTheResolvedSettings() {
        var settings = BuildSettings.lambdaDefaults
        settings.tags = ["b", "a", "b"]  // a set: passed sorted, each once (the binary records the flag)
        settings.gcflags = "-N"
        let inherited = ["HOME": "/h", "PATH": "/p", "GOCACHE": "/c", "GOFLAGS": "-mod=mod", "GOOS": "windows", "CGO_ENABLED": "1"]
        let command = GoBuildCommand(settings: settings, unitRoot: "", workFile: "go.work", repositoryRoot: "/r", inherited: inherited)
        #expect(command.directory == "/r")
        #expect(command.environment["GOOS"] == "linux")
        #expect(command.environment["GOARCH"] == "amd64")
        #expect(command.environment["GOAMD64"] == "v1")
        #expect(command.environment["CGO_ENABLED"] == "0")
        #expect(command.environment["GOFLAGS"] == "")
        #expect(command.environment["GOENV"] == "off")
        #expect(command.environment["GOWORK"] == "/r/go.work")
        #expect(command.environment["GOCACHE"] == "/c")
        #expect(command.flags == ["-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-gcflags=-N", "-tags=a,b"])
        let alone = GoBuildCommand(settings: settings, unitRoot: "functions/a", workFile: nil, repositoryRoot: "/r", inherited: inherited)
        #expect(alone.directory == "/r/functions/a")
        #expect(alone.environment["GOWORK"] == "off")
        #expect(GoBuildCommand.reproducibilityWarnings(settings).isEmpty)
        settings.buildvcs = true
        settings.trimpath = false
        #expect(GoBuildCommand.reproducibilityWarnings(settings).count == 2)
    }

    @Test func theToolchainRunsWithoutCollectorWhenMemoryAllows() {
        let settings = BuildSettings.lambdaDefaults
        let gib: UInt64 = 1 << 30
        // 24 GiB, 4 processes: 3 GiB each.
        let tuned = GoBuildCommand(
            settings: settings, unitRoot: "", workFile: nil, repositoryRoot: "/r", inherited: ["PATH": "/p"], processes: 4,
            memoryBytes: 24 * gib)
        #expect(tuned.environment["GOGC"] == "off")
        #expect(tuned.environment["GOMEMLIMIT"] == String(3 * gib))
        // The user's choice wins, and either variable alone is taken as it is.
        let mine = GoBuildCommand(
            settings: settings, unitRoot: "", workFile: nil, repositoryRoot: "/r", inherited: ["GOGC": "50"], processes: 4,
            memoryBytes: 24 * gib)
        #expect(mine.environment["GOGC"] == "50")
        #expect(mine.environment["GOMEMLIMIT"] == nil)
        let limit = CollectorTuning.environment(inherited: ["GOMEMLIMIT": "2GiB"], processes: 1, memoryBytes: 24 * gib)
        #expect(limit == ["GOMEMLIMIT": "2GiB"])
        // Too little memory per process, or none known: the go command's defaults.
        #expect(CollectorTuning.environment(inherited: [:], processes: 32, memoryBytes: 16 * gib).isEmpty)
        #expect(CollectorTuning.environment(inherited: [:], processes: 2, memoryBytes: nil).isEmpty)
        #expect(CollectorTuning.environment(inherited: [:], processes: 2, memoryBytes: 2 * gib) == [
            "GOGC": "off", "GOMEMLIMIT": String(512 << 20),
        ])
        #expect((CollectorTuning.availableMemory() ?? 0) > 0)
    }
}

@Suite("Output names")
struct OutputNameTests {
    static func target(_ dir: String, module: String = "example.com/m") -> (dir: String, module: String) {
        (dir: dir, module: module)
    }

    @Test func lastElementUnlessShared() {
        let names = OutputNames.names(dirs: [
            Self.target("functions/a"), Self.target("functions/b"), Self.target("tools/b"), Self.target("."),
        ])
        #expect(names["functions/a"] == "a")
        #expect(names["functions/b"] == "functions-b")
        #expect(names["tools/b"] == "tools-b")
        #expect(names["."] == "m")
        #expect(Set(names.values).count == 4)
        #expect(OutputNames.conflicts(dirs: [Self.target("functions/a"), Self.target("functions/b"), Self.target("tools/b")]).isEmpty)
    }

    @Test("a name another target has takes a suffix, reported as a conflict naming both")
    func collisionsAreSuffixedAndReported() {
        let targets = [Self.target("a/api"), Self.target("b/api"), Self.target("a-api")]
        let names = OutputNames.names(dirs: targets)
        #expect(names == ["a-api": "a-api", "a/api": "a-api-2", "b/api": "b-api"])
        let conflicts = OutputNames.conflicts(dirs: targets)
        #expect(conflicts.map(\.dir) == ["a/api"])
        #expect(conflicts.first?.message.contains("a/api is named a-api-2: a-api is taken (target a-api)") == true)
    }

    @Test("a name holds <name> and <name>.zip: x beside x.zip, and manifest.json, get other names")
    func namesOfOutputsAndTheManifestAreTaken() {
        let targets = [Self.target("fn/x"), Self.target("fn/x.zip"), Self.target("fn/manifest.json"), Self.target("fn/manifest")]
        let names = OutputNames.names(dirs: targets)
        #expect(names["fn/x"] == "x")
        #expect(names["fn/x.zip"] == "fn-x.zip")
        #expect(names["fn/manifest.json"] == "fn-manifest.json")
        #expect(names["fn/manifest"] == "manifest")  // manifest.zip and manifest/ take nothing
        var outputs = Set<String>()
        for name in names.values { #expect(outputs.insert(name).inserted && outputs.insert(name + ".zip").inserted) }
        #expect(!outputs.contains("manifest.json"))
    }
}

@Suite("Shard plans")
struct ShardPlanTests {
    static func candidates(_ count: Int, seed: UInt64) throws -> [ShardPlanner.Candidate] {
        var state = seed
        return try (0..<count).map { index in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let key = try SHA256Hasher.hash(Array("target-\(index)-\(seed)".utf8))
            return ShardPlanner.Candidate(
                dir: "functions/f\(index)", importPath: "example.com/m/functions/f\(index)", key: key,
                cached: index % 7 == 3, recordedSeconds: index % 3 == 0 ? Double(state % 50) / 10 + 0.5 : nil,
                closureSize: Int(state % 40) + 1)
        }
    }

    @Test(arguments: [1, 2, 3, 8])
    func everyTargetExactlyOnceDeterministicallyAndBalanced(shards: Int) throws {
        let candidates = try Self.candidates(40, seed: UInt64(shards))
        let plan = ShardPlanner.plan(candidates, shards: shards, toolchain: "go1.27.3")
        #expect(plan == ShardPlanner.plan(candidates.reversed(), shards: shards, toolchain: "go1.27.3"))
        #expect(plan.targets.map(\.key) == plan.targets.map(\.key).sorted())
        let all = (1...shards).flatMap { plan.dirs(ofShard: $0) }
        #expect(all.sorted() == candidates.map(\.dir).sorted())
        #expect(plan.loads.map(\.targets).reduce(0, +) == candidates.count)
        for target in plan.targets where candidates.first(where: { $0.dir == target.dir })?.cached == true {
            #expect(target.weight == 0 && target.basis == .cached)
        }
        // Greedy longest-first: no shard exceeds another by more than the heaviest target.
        let heaviest = plan.targets.map(\.weight).max() ?? 0
        let loads = plan.loads.map(\.weight)
        #expect((loads.max() ?? 0) - (loads.min() ?? 0) <= heaviest + 1e-6)
        let decoded = try ShardPlan.decode(try plan.encoded())
        #expect(decoded == plan)
        let matrix = try JSONSerialization.jsonObject(with: Data(try plan.githubMatrix())) as? [String: [[String: Any]]]
        #expect(matrix?["include"]?.count == shards)
        #expect(matrix?["include"]?.first?["shard"] as? String == "1/\(shards)")
    }

    @Test func unknownDurationsAreScaledFromKnownOnes() throws {
        let keys = try (0..<3).map { try SHA256Hasher.hash([UInt8($0)]) }
        let plan = ShardPlanner.plan(
            [
                .init(dir: "a", importPath: "m/a", key: keys[0], cached: false, recordedSeconds: 10, closureSize: 10),
                .init(dir: "b", importPath: "m/b", key: keys[1], cached: false, recordedSeconds: nil, closureSize: 5),
                .init(dir: "c", importPath: "m/c", key: keys[2], cached: true, recordedSeconds: 99, closureSize: 50),
            ], shards: 2, toolchain: "go")
        let byDir = Dictionary(uniqueKeysWithValues: plan.targets.map { ($0.dir, $0) })
        #expect(byDir["a"]?.weight == 10 && byDir["a"]?.basis == .duration)
        #expect(byDir["b"]?.weight == 5 && byDir["b"]?.basis == .closure)
        #expect(byDir["c"]?.weight == 0)
        #expect(byDir["a"]?.shard != byDir["b"]?.shard)
    }
}

@Suite("Shallow clone fetch commands")
struct ShallowFetchCommandTests {
    @Test("a command git accepts for each revision form")
    func forms() {
        #expect(ComparisonError.fetchCommand(for: "HEAD~3").hasPrefix("`git fetch --deepen=3`"))
        #expect(ComparisonError.fetchCommand(for: "main^").hasPrefix("`git fetch --deepen=1`"))
        #expect(ComparisonError.fetchCommand(for: "main").hasPrefix("`git fetch --depth=1 origin main`"))
        #expect(ComparisonError.fetchCommand(for: "origin/main").hasPrefix("`git fetch --depth=1 origin main`"))
        let full = String(repeating: "a1", count: 20)
        #expect(ComparisonError.fetchCommand(for: full).hasPrefix("`git fetch --depth=1 origin \(full)`"))
        // An abbreviated id is no name a remote serves.
        #expect(ComparisonError.fetchCommand(for: "a5398af").hasPrefix("`git fetch --unshallow`"))
        #expect(ComparisonError.fetchCommand(for: "HEAD@{1}").hasPrefix("`git fetch --unshallow`"))
    }
}
