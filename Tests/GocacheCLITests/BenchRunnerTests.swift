import Foundation
import Testing
import TestSupport

/// The benchmark runner's quick mode (`scripts/bench.py --quick`) with the built binary, so
/// the runner keeps working: one repetition at the smallest size. No timing is asserted;
/// the test checks that every section of the results and of the report is there.
@Suite("bench runner")
struct BenchRunnerTests {
    static let python: String? = ChildProcess.locate("python3")

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/bench.py").path

    static func object(_ value: Any?, _ what: String) throws -> [String: Any] {
        try #require(value as? [String: Any], "\(what) is missing or not an object")
    }

    /// A measurement: one sample per repetition, positive times and peak RSS.
    static func checkMeasurement(_ value: Any?, _ what: String) throws {
        let measurement = try object(value, what)
        let samples = try #require(measurement["samples"] as? [Double], "\(what).samples")
        #expect(samples.count == 1, "\(what): quick mode runs once")
        for key in ["median", "min", "max"] {
            let number = try #require(measurement[key] as? Double, "\(what).\(key)")
            #expect(number > 0, "\(what).\(key) = \(number)")
        }
        let rss = try #require(measurement["peakRssKiB"] as? Int, "\(what).peakRssKiB")
        #expect(rss > 1_000, "\(what): peak RSS \(rss) KiB")
    }

    @Test("--quick writes every section; --report-only renders them", .enabled(if: python != nil), .timeLimit(.minutes(10)))
    func quickRun() async throws {
        let python = try #require(Self.python)
        let gocache = try CacheCLITests.binary()
        let go = try #require(BuildCLITests.goBinary, "no Go toolchain: set GOCACHE_TEST_GO or put go on PATH")
        let out = try BuildCLITests.scratch("bench")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let size = "10"
        let run = try await ChildProcess.run(
            python, arguments: [
                Self.script, "--quick", "--sizes", size, "--out", out + "/run", "--gocache", gocache, "--go", go,
                "--cold-dir", out + "/cold",
            ],
            environment: BuildCLITests.environment(), in: URL(fileURLWithPath: out))
        #expect(run.status == 0, "bench.py failed: \(run.stderr.suffix(3_000))")
        let data = try #require(FileManager.default.contents(atPath: out + "/run/results.json"), "no results.json")
        let results = try Self.object(try JSONSerialization.jsonObject(with: data), "results")
        #expect(results["schemaVersion"] as? Int == 1)
        // The cold rows' caches went where --cold-dir said, and nothing of them is left.
        let config = try Self.object(results["config"], "config")
        #expect(config["coldCaches"] as? String == "given")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: out + "/cold")) == [], "cold caches left behind")

        let machine = try Self.object(results["machine"], "machine")
        #expect((machine["cores"] as? Int ?? 0) >= 1)
        #expect((machine["go"] as? String ?? "").hasPrefix("go version go1."))
        #expect(machine["cpuModel"] is String)
        #expect(machine["swift"] != nil)

        let repository = try Self.object(try Self.object(results["repositories"], "repositories")[size], "repositories.\(size)")
        #expect((repository["targets"] as? Int ?? 0) >= 10, "10 functions and the generator's tools")
        for key in ["packages", "files", "bytes", "hashInputFiles", "hashInputBytes"] {
            #expect((repository[key] as? Int ?? 0) > 0, "repositories.\(size).\(key)")
        }
        // The committed shared-library edit: gocache affected lists exactly the targets whose
        // closure (from `gocache graph`) holds the edited package.
        let reach = try #require(repository["sharedChangeReach"] as? Int)
        #expect(reach >= 1)
        #expect(repository["affectedByCommittedChange"] as? Int == reach)

        let affected = try Self.object(try Self.object(results["affected"], "affected")[size], "affected.\(size)")
        for key in [
            "gocache_cold", "gocache_warm", "golist_cold", "golist_warm", "gocache_structural_cold",
            "gocache_structural_warm", "golist_structural_warm", "golist_warm_beside_cold", "gocache_edit_warm",
            "golist_edit_warm", "gocache_clone", "golist_clone_warm",
        ] {
            try Self.checkMeasurement(affected[key], "affected.\(size).\(key)")
        }
        let hash = try Self.object(try Self.object(results["hash"], "hash")[size], "hash.\(size)")
        for key in [
            "gocache_cold", "gocache_warm", "sha256sum", "sha256sum_cold", "gocache_edit_warm", "sha256sum_edit",
            "gocache_warm_beside_cold", "gocache_clone", "sha256sum_clone",
        ] {
            try Self.checkMeasurement(hash[key], "hash.\(size).\(key)")
        }
        let build = try Self.object(try Self.object(results["build"], "build")[size], "build.\(size)")
        for scenario in ["none", "function", "shared"] {
            let tools = try Self.object(build[scenario], "build.\(size).\(scenario)")
            var expectedTools = ["gocache", "go_build_each", "go_build_all"]
            if scenario != "none" { expectedTools.append("go_build_exact") }
            if scenario == "shared" { expectedTools.append("gocache_parallel") }
            for tool in expectedTools {
                try Self.checkMeasurement(tools[tool], "build.\(size).\(scenario).\(tool)")
            }
        }
        let ratios = try Self.object(results["ratios"], "ratios")
        // affected and hash cold/warm (4), affected cold vs warm go list and the structural
        // change's warm and cold-vs-warm (3), warm after an edit for both (2), a fresh clone for
        // both (2), hash warm vs cold (1), build 3 scenarios x 2 references (6), exact for 2.
        let expectedRatios: Int = 20
        #expect(ratios.count == expectedRatios, "ratios: \(ratios.keys.sorted())")
        for (key, value) in ratios {
            #expect((value as? Double ?? 0) > 0, "ratio \(key)")
        }

        // The report from the same results: Markdown with every section, and the charts.
        let docs = out + "/docs"
        let report = try await ChildProcess.run(
            python, arguments: [
                Self.script, "--report-only", out + "/run/results.json", "--docs", docs,
                "--compare", out + "/run/results.json",
            ],
            environment: BuildCLITests.environment(), in: URL(fileURLWithPath: out))
        #expect(report.status == 0, "bench.py --report-only failed: \(report.stderr.suffix(3_000))")
        let markdown = String(decoding: try #require(FileManager.default.contents(atPath: docs + "/benchmarks.md")), as: UTF8.self)
        for heading in [
            "## Machine", "## Headline", "## Repositories", "## `gocache affected`", "## `gocache hash`", "## `gocache build`",
            "## Stability",
        ] {
            #expect(markdown.contains(heading), "benchmarks.md lacks \(heading)")
        }
        // Compared with itself (ratios recomputed by the same rules on both sides): no deviation.
        #expect(markdown.contains("largest deviation 0.0% (all within ±15%"), "self-comparison deviates")
        for chart in ["affected", "hash", "build", "build-growth"] {
            let svg = String(decoding: try #require(FileManager.default.contents(atPath: docs + "/bench/\(chart).svg"), "\(chart).svg"), as: UTF8.self)
            #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"), "\(chart).svg is not an SVG document")
        }
    }
}
