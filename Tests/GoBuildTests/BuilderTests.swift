import CacheStore
import ExampleMonorepo
import Foundation
import GraphCore
import Synchronization
import Testing
import TestSupport

@testable import GoBuild

/// The test run's go: `$GOCACHE_TEST_GO`, else `go` on PATH.
enum TestGo {
    static let binary: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["GOCACHE_TEST_GO"], !explicit.isEmpty { return explicit }
        return (environment["PATH"] ?? "").split(separator: ":").map { "\($0)/go" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Offline, local toolchain; GOCACHE/GOPATH shared from the environment (std compiled once).
    static var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["GOTOOLCHAIN"] = "local"
        environment["GOPROXY"] = "off"
        environment["GOFLAGS"] = ""
        return environment
    }

    static func run(_ arguments: [String], in directory: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary ?? "/usr/bin/false")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = Self.environment
        environment["GOWORK"] = "off"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A small generated monorepo: 3 functions and the tools, a few shared packages, no cgo.
func smallSpec(seed: UInt64) -> MonorepoSpec {
    MonorepoSpec(
        seed: seed, targets: 3, sharedPackages: 5, depth: 2, filesPerPackage: 1, layout: .singleModule, vendor: false,
        nestedModule: false, cgo: false, embeds: true, platformFiles: false, historyCommits: 0)
}

/// A new scratch directory holding `smallSpec(seed:)` written to `<scratch>/repo`, and the
/// cache directory to use (`<scratch>/cache`); the caller removes `scratch`.
func scratchRepository(_ label: String, seed: UInt64) throws
    -> (scratch: String, repo: String, cache: String, spec: MonorepoSpec, generated: GeneratedRepository)
{
    let scratch = try temporaryDirectory(label)
    let spec = smallSpec(seed: seed)
    let repo = scratch + "/repo"
    let generated = try MonorepoGenerator.writeRepository(spec, at: repo)
    return (scratch, repo, scratch + "/cache", spec, generated)
}

@Suite("Builder", .enabled(if: TestGo.binary != nil), .serialized)
struct BuilderTests {
    final class Events: Sendable {
        let list = Mutex<[BuildEvent]>([])
        func record(_ event: BuildEvent) { list.withLock { $0.append(event) } }
        var compiledDirs: [String] {
            list.withLock { $0 }.flatMap { event -> [String] in
                if case .built(let dir, _) = event { return [dir] }
                return []
            }
        }
        /// The strategy of each compile event, repeats folded.
        var strategies: [BuildStrategy] {
            var result: [BuildStrategy] = []
            for event in list.withLock({ $0 }) {
                if case .compiling(_, let strategy) = event, result.last != strategy { result.append(strategy) }
            }
            return result
        }
    }

    static func build(
        _ root: String, cacheDirectory: String, out: String, strategy: BuildStrategy = .auto,
        selection: TargetSelection = .all, goBinary: String? = TestGo.binary, linkOutputs: Bool = true
    ) async throws -> (BuildResult, Events) {
        let session = try await RepositorySession.open(
            path: root, revision: nil, overrides: SettingsOverrides(), goBinary: goBinary, environment: TestGo.environment)
        let store = TieredStore(local: LocalStore(cacheDirectory: cacheDirectory), remote: nil)
        let events = Events()
        let builder = Builder(
            session: session, store: store,
            options: BuildOptions(
                outputDirectory: out, jobs: 2, strategy: strategy, cacheDirectory: cacheDirectory, environment: TestGo.environment,
                linkOutputs: linkOutputs),
            events: { events.record($0) })
        return (try await builder.build(selection), events)
    }

    @Test func rebuildsExactlyTheTargetsThatImportAChangedPackage() async throws {
        let (scratch, repo, cache, spec, generated) = try scratchRepository("builder", seed: 21)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let out = scratch + "/out"

        let (first, firstEvents) = try await Self.build(repo, cacheDirectory: cache, out: out)
        let targetDirs = generated.tree.targetDirs
        #expect(first.manifest.targets.map(\.dir) == targetDirs)
        #expect(first.manifest.targets.allSatisfy { $0.status == .built })
        #expect(Set(firstEvents.compiledDirs) == Set(targetDirs))
        for target in first.manifest.targets {
            let zip = try #require(FileManager.default.contents(atPath: out + "/" + (target.zip ?? "-")))
            let digest = try SHA256Hasher.hash(Array(zip))
            #expect(target.zipSha256 == digest.hex)
            #expect(target.codeSha256 == Data(digest.bytes).base64EncodedString())
            let binary = try #require(FileManager.default.contents(atPath: "\(out)/\(target.name)/bootstrap"))
            #expect(target.binarySha256 == (try SHA256Hasher.hash(Array(binary))).hex)
            let mode = try FileManager.default.attributesOfItem(atPath: "\(out)/\(target.name)/bootstrap")[.posixPermissions] as? Int
            #expect(mode == 0o755)
        }
        let written = try BuildManifest.decode(Array(try #require(FileManager.default.contents(atPath: out + "/manifest.json"))))
        #expect(written.targets == first.manifest.targets)

        let (second, secondEvents) = try await Self.build(repo, cacheDirectory: cache, out: out)
        #expect(second.manifest.targets.allSatisfy { $0.status == .hit })
        #expect(secondEvents.compiledDirs.isEmpty)
        #expect(second.manifest.targets.map(\.zipSha256) == first.manifest.targets.map(\.zipSha256))

        // Edit one shared package; the oracle is `go list -deps` of every target.
        let (edited, _) = try #require(MonorepoMutator.apply(.editSharedPackage, to: generated.tree, spec: spec, seed: 5))
        let changed = edited.files.keys.filter { edited.files[$0] != generated.tree.files[$0] }
        #expect(changed.count == 1)
        let changedDir = try #require(changed.first.map { ($0 as NSString).deletingLastPathComponent })
        try edited.write(to: repo)
        let changedImportPath = try TestGo.run(["list", "-f", "{{.ImportPath}}", "./" + changedDir], in: repo)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var importers: [String] = []
        for dir in targetDirs {
            let deps = try TestGo.run(["list", "-deps", "./" + dir], in: repo).split(separator: "\n").map(String.init)
            if deps.contains(changedImportPath) { importers.append(dir) }
        }
        #expect(!importers.isEmpty)
        let (third, thirdEvents) = try await Self.build(repo, cacheDirectory: cache, out: out)
        #expect(Set(thirdEvents.compiledDirs) == Set(importers))
        #expect(Set(third.manifest.targets.filter { $0.status == .built }.map(\.dir)) == Set(importers))
        #expect(Set(third.manifest.targets.filter { $0.status == .hit }.map(\.dir)) == Set(targetDirs).subtracting(importers))
    }

    @Test func anInputEditedDuringTheBuildIsNotStoredUnderTheOldKey() async throws {
        // The key is computed from the files as listed; the go command reads them later. A
        // go wrapper edits one target's main.go just before `go build` runs: the binary is
        // built from the edited file, so it must not be stored under the key of the file as
        // it was. With the edit undone, that old key must miss (a poisoned entry would hit).
        let (scratch, repo, _, _, generated) = try scratchRepository("builder-edit", seed: 23)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let target = try #require(generated.tree.targetDirs.first)
        let file = repo + "/" + target + "/main.go"
        let original = try String(contentsOfFile: file, encoding: .utf8)
        let go = try #require(TestGo.binary)
        let wrapper = scratch + "/go"
        try """
            #!/bin/sh
            if [ "$1" = build ]; then printf '// edited during the build\\n' >> '\(file)'; fi
            exec '\(go)' "$@"
            """.write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        let cache = scratch + "/cache"
        let (first, events) = try await Self.build(repo, cacheDirectory: cache, out: scratch + "/out", goBinary: wrapper)
        #expect(first.manifest.targets.allSatisfy { $0.status == .built })
        let warnings = events.list.withLock { $0 }.compactMap { event -> String? in
            if case .warning(let text) = event { return text }
            return nil
        }
        #expect(warnings.contains { $0.hasPrefix(target + ":") && $0.contains("changed during the build") })

        try original.write(toFile: file, atomically: true, encoding: .utf8)
        let (second, _) = try await Self.build(repo, cacheDirectory: cache, out: scratch + "/out2")
        let again = try #require(second.manifest.targets.first { $0.dir == target })
        #expect(again.status == .built)
        // The others were stored as usual.
        #expect(second.manifest.targets.filter { $0.dir != target }.allSatisfy { $0.status == .hit })
    }

    @Test func hitsAreHardLinksToVerifiedStoreFilesUnlessCopied() async throws {
        let (scratch, repo, cache, _, _) = try scratchRepository("builder-links", seed: 24)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let local = LocalStore(cacheDirectory: cache)
        func identity(_ path: String) throws -> (device: UInt64, inode: UInt64, links: UInt64, mode: UInt32) {
            var info = stat()
            guard stat(path, &info) == 0 else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
            return (UInt64(info.st_dev), UInt64(info.st_ino), UInt64(info.st_nlink), UInt32(info.st_mode) & 0o777)
        }
        func outputs(_ target: BuildManifest.Target, in out: String) throws -> (binary: String, zip: String, binaryDigest: String, zipDigest: String) {
            ("\(out)/\(target.name)/bootstrap", out + "/" + (target.zip ?? "-"), try #require(target.binarySha256), try #require(target.zipSha256))
        }
        /// Each output is the store's file itself (same inode), the binary executable.
        func expectOutputsAreStoredFiles(_ result: BuildResult, in out: String) throws {
            for target in result.manifest.targets {
                let paths = try outputs(target, in: out)
                for (path, hex) in [(paths.binary, paths.binaryDigest), (paths.zip, paths.zipDigest)] {
                    let blob = try identity(local.blobPath(try #require(SHA256Digest(hex: hex))))
                    let output = try identity(path)
                    #expect(output.device == blob.device && output.inode == blob.inode && output.links >= 2, "\(path)")
                }
                #expect(try identity(paths.binary).mode == 0o755)
            }
        }
        let (first, _) = try await Self.build(repo, cacheDirectory: cache, out: scratch + "/o1")
        #expect(first.manifest.targets.allSatisfy { $0.status == .built })
        // Built artifacts become the stored blobs themselves (no second copy written).
        try expectOutputsAreStoredFiles(first, in: scratch + "/o1")
        // With copies asked for, a fresh store gets its own copies of what is built.
        let (separate, _) = try await Self.build(repo, cacheDirectory: scratch + "/cache-copies", out: scratch + "/o0", linkOutputs: false)
        for target in separate.manifest.targets {
            let paths = try outputs(target, in: scratch + "/o0")
            let blob = try identity(LocalStore(cacheDirectory: scratch + "/cache-copies").blobPath(try #require(SHA256Digest(hex: paths.zipDigest))))
            #expect(try identity(paths.zip).inode != blob.inode && identity(paths.zip).links == 1)
        }

        // Hits: linked the same way.
        let (linked, _) = try await Self.build(repo, cacheDirectory: cache, out: scratch + "/o2")
        #expect(linked.manifest.targets.allSatisfy { $0.status == .hit })
        try expectOutputsAreStoredFiles(linked, in: scratch + "/o2")

        // --copy-outputs: independent files with the same bytes.
        let (copied, _) = try await Self.build(repo, cacheDirectory: cache, out: scratch + "/o3", linkOutputs: false)
        #expect(copied.manifest.targets.allSatisfy { $0.status == .hit })
        for target in copied.manifest.targets {
            let paths = try outputs(target, in: scratch + "/o3")
            let blob = try identity(local.blobPath(try #require(SHA256Digest(hex: paths.zipDigest))))
            #expect(try identity(paths.zip).inode != blob.inode)
            #expect(try identity(paths.zip).links == 1)
            #expect(FileManager.default.contents(atPath: paths.zip) == FileManager.default.contents(atPath: scratch + "/o1/" + (target.zip ?? "-")))
        }

        // A tool rewriting a linked output in place changes the stored blob: the next build
        // finds it corrupt (a miss, removed), builds that target again and stores it again.
        let victim = try #require(linked.manifest.targets.first)
        let victimZip = try outputs(victim, in: scratch + "/o2").zip
        let handle = try #require(FileHandle(forWritingAtPath: victimZip))
        try handle.seek(toOffset: 40)
        try handle.write(contentsOf: Data("rewritten in place".utf8))
        try handle.close()
        let (healed, events) = try await Self.build(repo, cacheDirectory: cache, out: scratch + "/o4")
        #expect(events.compiledDirs == [victim.dir])
        #expect(healed.manifest.targets.map(\.zipSha256) == first.manifest.targets.map(\.zipSha256))
        #expect(healed.manifest.targets.filter { $0.dir != victim.dir }.allSatisfy { $0.status == .hit })
        let healedZip = try #require(FileManager.default.contents(atPath: scratch + "/o4/" + (victim.zip ?? "-")))
        #expect(try SHA256Hasher.hash(Array(healedZip)).hex == victim.zipSha256)
    }

    /// Hits whose store files were verified by reading are placed by their verification
    /// stamps in later builds (nothing read again), and a linked output rewritten in place
    /// still makes its target a miss: its stamp no longer matches.
    @Test func verifiedHitsArePlacedByTheirStamps() async throws {
        let (scratch, repo, cache, _, _) = try scratchRepository("builder-stamps", seed: 25)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        /// One build with a store whose stamps count at once (no racy window).
        func build(_ out: String) async throws -> (BuildResult, Events, hashed: Int, trusted: Int) {
            let session = try await RepositorySession.open(
                path: repo, revision: nil, overrides: SettingsOverrides(), goBinary: TestGo.binary, environment: TestGo.environment)
            let local = LocalStore(cacheDirectory: cache, racyWindow: -3600)
            let events = Events()
            let builder = Builder(
                session: session, store: TieredStore(local: local, remote: nil),
                options: BuildOptions(
                    outputDirectory: out, jobs: 2, strategy: .auto, cacheDirectory: cache, environment: TestGo.environment),
                events: { events.record($0) })
            let result = try await builder.build(.all)
            let counts = local.placedBlobCounts
            return (result, events, counts.hashed, counts.trustedByStamp)
        }
        let (first, _, _, _) = try await build(scratch + "/o1")
        let count = first.manifest.targets.count
        #expect(count > 1 && first.manifest.targets.allSatisfy { $0.status == .built })
        // The first hits read and hash every blob (a binary and a zip each) and record stamps…
        let (second, _, hashed, trusted) = try await build(scratch + "/o2")
        #expect(second.manifest.targets.allSatisfy { $0.status == .hit })
        #expect(hashed == 2 * count && trusted == 0)
        // …which the next build, another process's store, places by.
        let (third, _, hashedAgain, trustedNow) = try await build(scratch + "/o3")
        #expect(third.manifest.targets.allSatisfy { $0.status == .hit })
        #expect(hashedAgain == 0 && trustedNow == 2 * count)
        #expect(third.manifest.targets.map(\.zipSha256) == first.manifest.targets.map(\.zipSha256))

        // A linked output rewritten in place, same size (past the clock's tick): caught.
        usleep(30_000)
        let victim = try #require(third.manifest.targets.first)
        let victimZip = scratch + "/o3/" + (victim.zip ?? "-")
        let handle = try #require(FileHandle(forWritingAtPath: victimZip))
        try handle.seek(toOffset: 40)
        try handle.write(contentsOf: Data("rewritten in place".utf8))
        try handle.close()
        let (healed, events, hashedHealed, _) = try await build(scratch + "/o4")
        #expect(events.compiledDirs == [victim.dir])
        #expect(hashedHealed == 1)
        #expect(healed.manifest.targets.map(\.zipSha256) == first.manifest.targets.map(\.zipSha256))
        let healedZip = try #require(FileManager.default.contents(atPath: scratch + "/o4/" + (victim.zip ?? "-")))
        #expect(try SHA256Hasher.hash(Array(healedZip)).hex == victim.zipSha256)
    }

    @Test func batchAndParallelBuildTheSameBytes() async throws {
        let scratch = try temporaryDirectory("strategies")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        _ = try MonorepoGenerator.writeRepository(smallSpec(seed: 22), at: repo)
        let (batch, _) = try await Self.build(repo, cacheDirectory: scratch + "/c1", out: scratch + "/o1", strategy: .batch)
        let (parallel, _) = try await Self.build(repo, cacheDirectory: scratch + "/c2", out: scratch + "/o2", strategy: .parallel)
        #expect(batch.manifest.totals.built == batch.manifest.targets.count)
        #expect(parallel.manifest.totals.built == parallel.manifest.targets.count)
        #expect(batch.manifest.targets.map(\.zipSha256) == parallel.manifest.targets.map(\.zipSha256))
        #expect(batch.manifest.targets.map(\.key) == parallel.manifest.targets.map(\.key))
        // auto is batch (the measured faster strategy).
        let (auto, autoEvents) = try await Self.build(repo, cacheDirectory: scratch + "/c3", out: scratch + "/o3")
        #expect(auto.manifest.targets.map(\.zipSha256) == batch.manifest.targets.map(\.zipSha256))
        #expect(autoEvents.strategies == [.batch])
    }

    @Test("targets named x, x.zip and manifest.json in one batch: distinct outputs, an intact store")
    func outputNamesThatLookLikeOutputs() async throws {
        let scratch = try temporaryDirectory("odd-names")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try "module example.com/n\n\ngo 1.24\n".write(toFile: repo + "/go.mod", atomically: true, encoding: .utf8)
        for dir in ["fn/x", "fn/x.zip", "fn/manifest.json"] {
            try FileManager.default.createDirectory(atPath: repo + "/" + dir, withIntermediateDirectories: true)
            try "package main\n\nfunc main() { println(\"\(dir)\") }\n".write(
                toFile: repo + "/" + dir + "/main.go", atomically: true, encoding: .utf8)
        }
        _ = try GitFixture(existing: repo).git("init", "-q")
        let out = scratch + "/out"
        let (result, _) = try await Self.build(repo, cacheDirectory: scratch + "/c", out: out, strategy: .batch)
        #expect(result.manifest.totals.built == 3)
        let zips = result.manifest.targets.compactMap(\.zip)
        #expect(Set(zips).count == 3 && !zips.contains("manifest.json.zip"))
        // Each zip is the one of its own binary (the batch wrote `x` and `x.zip` binaries side
        // by side: the zip of `x` once overwrote the binary of `x.zip`, linked into the store).
        for target in result.manifest.targets {
            let zip = try #require(FileManager.default.contents(atPath: out + "/" + (target.zip ?? "")))
            #expect(try SHA256Hasher.hash(Array(zip)).hex == target.zipSha256)
            let binary = try #require(FileManager.default.contents(atPath: out + "/" + (target.zip ?? "").dropLast(4) + "/bootstrap"))
            #expect(try SHA256Hasher.hash(Array(binary)).hex == target.binarySha256)
        }
        #expect(FileManager.default.fileExists(atPath: out + "/manifest.json"))
        let report = try LocalStore(cacheDirectory: scratch + "/c").verify()
        #expect(report.removed.isEmpty)
    }

    @Test("a target whose module is replaced by a directory outside the repository is built every time, never stored")
    func outsideReplacementIsNeverCached() async throws {
        let scratch = try temporaryDirectory("outside")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        func write(_ path: String, _ text: String) throws {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(
            repo + "/go.mod",
            "module example.com/n\n\ngo 1.24\n\nrequire ext.com/other v1.0.0\n\nreplace ext.com/other => ../other\n")
        try write(repo + "/fn/out/main.go", "package main\n\nimport \"ext.com/other/q\"\n\nfunc main() { println(q.Q()) }\n")
        try write(repo + "/fn/in/main.go", "package main\n\nfunc main() { println(\"in\") }\n")
        try write(scratch + "/other/go.mod", "module ext.com/other\n\ngo 1.21\n")
        try write(scratch + "/other/q/q.go", "package q\n\nfunc Q() string { return \"v1\" }\n")
        _ = try GitFixture(existing: repo).git("init", "-q")
        let (first, _) = try await Self.build(repo, cacheDirectory: scratch + "/c", out: scratch + "/o")
        #expect(first.manifest.totals.built == 2)
        try write(scratch + "/other/q/q.go", "package q\n\nfunc Q() string { return \"v2\" }\n")
        let (second, events) = try await Self.build(repo, cacheDirectory: scratch + "/c", out: scratch + "/o")
        // The outside edit is in no key: fn/out is compiled again (v2), fn/in is a hit.
        #expect(events.compiledDirs == ["fn/out"])
        #expect(second.manifest.targets.first { $0.dir == "fn/in" }?.status == .hit)
        let warnings = events.list.withLock { $0 }.compactMap { event -> String? in
            if case .warning(let text) = event { return text }
            return nil
        }
        #expect(warnings.contains { $0.contains("fn/out reads ../other outside the repository") })
        let binary = try #require(FileManager.default.contents(atPath: scratch + "/o/out/bootstrap"))
        #expect(binary.range(of: Data("v2".utf8)) != nil)
    }

    @Test("extraInputs globs never match gocache's own output directory (its manifest holds timings)")
    func extraInputsSkipTheOutputDirectory() async throws {
        let scratch = try temporaryDirectory("extra-out")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        _ = try MonorepoGenerator.writeRepository(smallSpec(seed: 31), at: repo)
        try "defaults:\n  extraInputs: [\"**/*.json\"]\n".write(toFile: repo + "/gocache.yaml", atomically: true, encoding: .utf8)
        let out = repo + "/dist"
        let (first, _) = try await Self.build(repo, cacheDirectory: scratch + "/c", out: out)
        #expect(first.manifest.totals.built == first.manifest.targets.count)
        #expect(FileManager.default.fileExists(atPath: out + "/" + FileGlob.outputMarker))
        let (second, events) = try await Self.build(repo, cacheDirectory: scratch + "/c", out: out)
        #expect(events.compiledDirs.isEmpty)
        #expect(second.manifest.targets.map(\.key) == first.manifest.targets.map(\.key))
        // A JSON file elsewhere still is an input.
        try "{}\n".write(toFile: repo + "/settings.json", atomically: true, encoding: .utf8)
        let (third, _) = try await Self.build(repo, cacheDirectory: scratch + "/c", out: out)
        #expect(Set(third.manifest.targets.map(\.key)).isDisjoint(with: first.manifest.targets.map(\.key)))
    }

    @Test func unknownListedTargetIsAnErrorAndWritesNothing() async throws {
        let scratch = try temporaryDirectory("unknown")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        _ = try MonorepoGenerator.writeRepository(smallSpec(seed: 23), at: repo)
        await #expect(throws: TargetSelectionError.self) {
            _ = try await Self.build(repo, cacheDirectory: scratch + "/c", out: scratch + "/o", selection: .listed(["functions/nope"]))
        }
        #expect(!FileManager.default.fileExists(atPath: scratch + "/o"))
        #expect(!FileManager.default.fileExists(atPath: scratch + "/c/store"))
    }

    @Test func cancellationKillsTheGoCommandAndLeavesNoPartialFiles() async throws {
        let scratch = try temporaryDirectory("cancel")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let repo = scratch + "/repo"
        _ = try MonorepoGenerator.writeRepository(smallSpec(seed: 24), at: repo)
        // A fresh GOCACHE makes the build slow enough to interrupt.
        var environment = TestGo.environment
        environment["GOCACHE"] = scratch + "/gocache"
        let session = try await RepositorySession.open(
            path: repo, revision: nil, overrides: SettingsOverrides(), goBinary: TestGo.binary, environment: environment)
        let out = scratch + "/out"
        // A previous run's manifest (it would describe the zips this run replaces) and the
        // staging directory of a build killed outright: both gone after the interruption.
        try FileManager.default.createDirectory(atPath: out + "/.gocache-staging-\(Self.deadProcess())-x", withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: out + "/manifest.json"))
        let events = Events()
        let builder = Builder(
            session: session, store: TieredStore(local: LocalStore(cacheDirectory: scratch + "/c"), remote: nil),
            options: BuildOptions(outputDirectory: out, jobs: 2, strategy: .batch, environment: environment),
            events: { events.record($0) })
        let task = Task { try await builder.build(.all) }
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline,
            !events.list.withLock({ $0.contains { if case .compiling = $0 { return true } else { return false } } })
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        let left = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(left.isEmpty, "\(left)")
    }

    /// A process id no process has now.
    static func deadProcess() -> Int32 {
        var pid: Int32 = 4_000_000
        while kill(pid, 0) == 0 || errno != ESRCH { pid -= 1 }
        return pid
    }

    @Test func outputsOfRemovedTargetsGoOthersStay() async throws {
        let (scratch, repo, cache, _, generated) = try scratchRepository("removed-target", seed: 25)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let out = scratch + "/out"
        let (first, _) = try await Self.build(repo, cacheDirectory: cache, out: out)
        let removed = try #require(first.manifest.targets.first)
        let kept = first.manifest.targets.dropFirst().map(\.name)
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: out + "/notes.txt"))
        // The target's directory leaves the working tree; one other target is built alone.
        try FileManager.default.removeItem(atPath: repo + "/" + removed.dir)
        let other = try #require(generated.tree.targetDirs.first { $0 != removed.dir })
        let (second, _) = try await Self.build(repo, cacheDirectory: cache, out: out, selection: .listed([other]))
        #expect(second.manifest.targets.map(\.dir) == [other])
        #expect(!FileManager.default.fileExists(atPath: out + "/" + removed.name + ".zip"))
        #expect(!FileManager.default.fileExists(atPath: out + "/" + removed.name))
        // Targets that exist but were not selected keep their outputs, and so do other files.
        for name in kept {
            #expect(FileManager.default.fileExists(atPath: out + "/" + name + ".zip"), "\(name)")
            #expect(FileManager.default.fileExists(atPath: out + "/" + name + "/bootstrap"), "\(name)")
        }
        #expect(FileManager.default.fileExists(atPath: out + "/notes.txt"))
    }
}
