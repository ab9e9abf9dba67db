// Micro benchmarks of gocache's hot paths (ordo-one/package-benchmark).
//
//   GOCACHE_BENCHMARKS=1 swift package --disable-sandbox benchmark --target GocacheBenchmarks
//
// The fixture is a generated 200-target monorepo (MonorepoSpec.scaled, seed 42) written to a
// temporary directory once per process; graph load and key computation need `go` on PATH
// (for GOROOT and its version). Throughput benchmarks are scaled so that the reported
// rate reads directly: "MiB/s" benchmarks process 1 MiB per iteration, "files/s" and
// "per second" ones one item per (kilo-)iteration.
import Benchmark
import CacheStore
import CCrypto
import ExampleMonorepo
import Foundation
import GoBuild
import GraphCore

/// What the benchmarks share: built once, lazily, in the first setup that needs it.
final class Fixture: @unchecked Sendable {
    let root: String
    let goFiles: [(name: String, bytes: [UInt8])]
    /// Files taken in order until they hold at least 1 MiB.
    let mebibyteOfFiles: [(name: String, bytes: [UInt8])]
    let session: RepositorySession

    init() async throws {
        root = NSTemporaryDirectory() + "gocache-bench-\(ProcessInfo.processInfo.processIdentifier)"
        try? FileManager.default.removeItem(atPath: root)
        _ = try MonorepoGenerator.writeRepository(.scaled(targets: 200, seed: 42), at: root)
        var files: [(String, [UInt8])] = []
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let path = enumerator?.nextObject() as? String {
            guard path.hasSuffix(".go"), !path.hasPrefix(".git/"),
                  let data = FileManager.default.contents(atPath: root + "/" + path) else { continue }
            files.append((path, Array(data)))
        }
        goFiles = files.sorted { $0.0 < $1.0 }
        var total = 0
        var chunk: [(String, [UInt8])] = []
        while total < 1 << 20 {
            for file in goFiles where total < 1 << 20 {
                chunk.append(file)
                total += file.1.count
            }
        }
        mebibyteOfFiles = chunk
        session = try await RepositorySession.open(
            path: root, revision: nil, overrides: SettingsOverrides(), goBinary: nil)
    }

    nonisolated(unsafe) static var shared: Fixture?

    static func load() async throws -> Fixture {
        if let shared { return shared }
        let fixture = try await Fixture()
        shared = fixture
        return fixture
    }
}

/// A 1 MiB buffer of pseudo-random bytes.
let mebibyte: [UInt8] = {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    return (0..<(1 << 20)).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}()

/// SHA-256 through libcrypto's one-shot EVP_Digest: the floor for `SHA256Hasher`.
func rawOpenSSLDigest(_ bytes: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    bytes.withUnsafeBytes { input in
        _ = EVP_Digest(input.baseAddress, input.count, &out, &length, EVP_sha256(), nil)
    }
    return out
}

let constraintLines = [
    "//go:build linux && amd64",
    "//go:build !windows && (arm64 || amd64) && !cgo",
    "//go:build go1.21 && !purego",
    "//go:build (linux || darwin) && !appengine && gc",
    "// +build linux,amd64 darwin,!cgo",
    "//go:build ignore",
    "//go:build lambda.norpc || (unix && !js && !wasip1)",
    "//go:build goexperiment.rangefunc && amd64.v2",
]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        maxDuration: .seconds(2), maxIterations: 10_000)

    Benchmark(
        "Header scan (MiB/s)", configuration: .init(metrics: [.wallClock, .throughput]),
        closure: { (benchmark: Benchmark) async throws in
            let fixture = try await Fixture.load()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                for file in fixture.mebibyteOfFiles {
                    blackHole(try GoSourceScanner.scanHeader(file.bytes, fileName: file.name))
                }
            }
            benchmark.stopMeasurement()
        }, setup: { _ = try await Fixture.load() })

    Benchmark(
        "Header scan (files/s, thousands)", configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo),
        closure: { (benchmark: Benchmark) async throws in
            let fixture = try await Fixture.load()
            let files = fixture.goFiles
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                let file = files[index % files.count]
                blackHole(try GoSourceScanner.scanHeader(file.bytes, fileName: file.name))
            }
            benchmark.stopMeasurement()
        }, setup: { _ = try await Fixture.load() })

    Benchmark(
        "Build constraint parse + evaluate (thousands/s)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo)
    ) { (benchmark: Benchmark) throws in
        let context = BuildContext(goos: "linux", goarch: "amd64", cgoEnabled: false, buildTags: ["lambda.norpc"], goMinorVersion: 24)
        for index in benchmark.scaledIterations {
            let constraint = try BuildConstraint.parse(constraintLines[index % constraintLines.count])
            blackHole(constraint.evaluate(context.satisfies))
        }
    }

    Benchmark(
        "Build constraint evaluate, parsed (thousands/s)",
        configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .kilo)
    ) { (benchmark: Benchmark) throws in
        let context = BuildContext(goos: "linux", goarch: "amd64", cgoEnabled: false, buildTags: ["lambda.norpc"], goMinorVersion: 24)
        let parsed = try constraintLines.map { try BuildConstraint.parse($0) }
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            blackHole(parsed[index % parsed.count].evaluate(context.satisfies))
        }
    }

    Benchmark(
        "Graph load, 200 targets, working tree, no memo",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 20),
        closure: { (benchmark: Benchmark) async throws in
            let fixture = try await Fixture.load()
            let location = fixture.session.location
            let toolchain = fixture.session.toolchain
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let session = try await RepositorySession.load(
                    location: location, snapshot: .worktree(location), toolchain: toolchain, overrides: SettingsOverrides(),
                    environment: [:], memoDirectory: nil)
                blackHole(session.repository.targets.count)
            }
            benchmark.stopMeasurement()
        }, setup: { _ = try await Fixture.load() })

    Benchmark(
        "Closure of every target, 200 targets",
        configuration: .init(metrics: [.wallClock], maxIterations: 1_000),
        closure: { (benchmark: Benchmark) async throws in
            let fixture = try await Fixture.load()
            let repository = fixture.session.repository
            let pairs = repository.targets.compactMap { target in repository.graph(of: target).map { (target, $0) } }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                for (target, graph) in pairs { blackHole(graph.closure(of: target.importPath)) }
            }
            benchmark.stopMeasurement()
        }, setup: { _ = try await Fixture.load() })

    Benchmark(
        "Reverse closure of one shared package, 200 targets",
        configuration: .init(metrics: [.wallClock], maxIterations: 1_000),
        closure: { (benchmark: Benchmark) async throws in
            let fixture = try await Fixture.load()
            let repository = fixture.session.repository
            guard let graph = repository.graphs.first,
                  let shared = graph.packages.keys.sorted().first(where: { $0.contains("/internal/") }) else { return }
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(graph.reverseClosure(of: [shared]))
                blackHole(graph.reverseDependencies(of: shared))
            }
            benchmark.stopMeasurement()
        }, setup: { _ = try await Fixture.load() })

    Benchmark("SHA-256 SHA256Hasher (MiB/s)", configuration: .init(metrics: [.wallClock, .throughput])) {
        (benchmark: Benchmark) throws in
        for _ in benchmark.scaledIterations { blackHole(try SHA256Hasher.hash(mebibyte)) }
    }

    Benchmark("SHA-256 raw OpenSSL EVP_Digest (MiB/s)", configuration: .init(metrics: [.wallClock, .throughput])) {
        (benchmark: Benchmark) in
        for _ in benchmark.scaledIterations { blackHole(rawOpenSSLDigest(mebibyte)) }
    }

    Benchmark(
        "Keys of 200 targets (digests not memoised)",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], maxDuration: .seconds(5), maxIterations: 50),
        closure: { (benchmark: Benchmark) async throws in
            let fixture = try await Fixture.load()
            let session = fixture.session
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let keys = try await TargetKeyRecipe.keys(
                    for: session.repository.targets, in: session.repository, tree: session.snapshot,
                    goVersion: session.toolchain.version, digester: FileDigester(tree: session.snapshot, cacheDirectory: nil))
                blackHole(keys.count)
            }
            benchmark.stopMeasurement()
        }, setup: { _ = try await Fixture.load() })

    let storeDirectory = NSTemporaryDirectory() + "gocache-bench-store-\(ProcessInfo.processInfo.processIdentifier)"
    Benchmark(
        "Local store put + get, 64 KiB blob and its manifest", configuration: .init(metrics: [.wallClock, .throughput]),
        closure: { (benchmark: Benchmark) async throws in
            let store = LocalStore(cacheDirectory: storeDirectory)
            var blob = Array(mebibyte.prefix(1 << 16))
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                blob[0] = UInt8(truncatingIfNeeded: index)
                blob[1] = UInt8(truncatingIfNeeded: index >> 8)
                blob[2] = UInt8(truncatingIfNeeded: index >> 16)
                let digest = try await store.putBlob(blob)
                let key = try SHA256Hasher.hash(digest.bytes)
                try await store.putManifest(ArtifactManifest(key: key, artifacts: [.init(name: "bootstrap", digest: digest, size: Int64(blob.count))]))
                blackHole(try await store.manifest(for: key))
                blackHole(try await store.blob(digest))
            }
            benchmark.stopMeasurement()
        }, teardown: { try? FileManager.default.removeItem(atPath: storeDirectory) })
}
