// OracleMachinerySuite — the oracle's parts on their own: the process runner, the go list
// stream decoder, build-unit discovery and the graph comparison.
import Foundation
import Testing
import TestSupport

@Suite("Oracle machinery")
struct OracleMachinerySuite {
    @Test("a child writing megabytes to both pipes finishes and is captured whole")
    func bigOutputDoesNotDeadlock() async throws {
        let script = "head -c 3000000 /dev/zero | tr '\\0' 'a'; head -c 3000000 /dev/zero | tr '\\0' 'b' >&2; exit 3"
        let output = try await ChildProcess.run(
            "/bin/sh", arguments: ["-c", script], in: FileManager.default.temporaryDirectory)
        #expect(output.status == 3)
        #expect(!output.succeeded)
        #expect(output.stdout.count == 3_000_000)
        #expect(output.stdout.allSatisfy { $0 == UInt8(ascii: "a") })
        #expect(output.stderr.utf8.count == ChildProcess.stderrLimit)
        #expect(output.stderr.allSatisfy { $0 == "b" })
    }

    @Test("environment and working directory reach the child; a missing executable throws")
    func environmentAndDirectory() async throws {
        let directory = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let output = try await ChildProcess.runChecked(
            "/bin/sh", arguments: ["-c", "printf '%s|%s' \"$FIXTURE_VALUE\" \"$(pwd -P)\""],
            environment: ["FIXTURE_VALUE": "x y", "PATH": "/usr/bin:/bin"], in: directory)
        #expect(output.stdoutText == "x y|\(directory.path)")
        await #expect(throws: ProcessFailure.self) {
            try await ChildProcess.run("/nonexistent/tool", arguments: [], in: directory)
        }
        await #expect(throws: ProcessFailure.self) {
            try await ChildProcess.runChecked("/bin/sh", arguments: ["-c", "exit 1"], in: directory)
        }
    }

    @Test("the go list stream decoder splits concatenated objects, braces inside strings included")
    func decodeStream() throws {
        let stream = """
            {
            \t"ImportPath": "example.com/m/a",
            \t"Dir": "/r/a",
            \t"GoFiles": ["a.go"],
            \t"Error": {"Err": "weird } { \\" text"}
            }
            {"ImportPath": "fmt", "Standard": true, "Deps": ["errors", "io"]}

            """
        let packages = try GoListPackage.decodeStream(Data(stream.utf8))
        #expect(packages.map(\.ImportPath) == ["example.com/m/a", "fmt"])
        #expect(packages[0].Error?.Err == "weird } { \" text")
        #expect(packages[1].Standard == true)
        #expect(throws: GoListFailure.self) { try GoListPackage.decodeStream(Data("{\"ImportPath\": \"x\"".utf8)) }
    }

    @Test("build units: the go.work modules together, every other go.mod alone, ignored dirs skipped")
    func buildUnits() async throws {
        let repository = try await FixtureRepository.create(
            files: [
                "go.work": "go 1.22\n\n// a comment\nuse (\n\t./a // first\n\t\"./b/\"\n)\nuse ./missing\n",
                "a/go.mod": goMod("example.com/a"),
                "b/go.mod": "// leading comment\nmodule \"example.com/b\"\n\ngo 1.22\n",
                "c/go.mod": goMod("example.com/c"),
                "c/deeper/go.mod": goMod("example.com/c/deeper"),
                "vendor/x/go.mod": goMod("example.com/vx"),
                "c/testdata/go.mod": goMod("example.com/td"),
                "_skip/go.mod": goMod("example.com/skip"),
                ".hidden/go.mod": goMod("example.com/hidden"),
            ], commit: false)
        defer { repository.remove() }
        let units = try GoListOracle.buildUnits(in: repository.root)
        #expect(units.map(\.description) == ["workspace(a, b)", "module(c)", "module(c/deeper)"])
        #expect(units[0].patterns == ["example.com/a/...", "example.com/b/..."])
        #expect(units[1].patterns == ["./..."])
        #expect(units[2].modulePaths == ["example.com/c/deeper"])
    }

    @Test("a unit go list rejects as a whole (inconsistent vendoring) is an oracle failure",
          .enabled(if: GoToolchain.isConfigured))
    func unitFailure() async throws {
        let repository = try await FixtureRepository.create(
            files: [
                "go.mod": goMod("example.com/app", "require example.com/lib v1.3.0"),
                "main.go": mainFile(importing: ["example.com/lib/strutil"]),
                "vendor/modules.txt": "# example.com/lib v1.2.0\n## explicit; go 1.21\nexample.com/lib/strutil\n",
                "vendor/example.com/lib/strutil/strutil.go": goFile("strutil"),
            ], commit: false)
        defer { repository.remove() }
        let oracle = try GoListOracle()
        await #expect {
            try await oracle.graph(of: repository.root, platform: .lambda)
        } throws: { error in
            guard case GoListFailure.listFailed(let unit, let output) = error else { return false }
            return unit == "module(.)" && output.stderr.contains("inconsistent vendoring")
        }
    }

    @Test("compare reports each kind of difference and nothing for an equal graph")
    func comparison() throws {
        let graph = try Self.sampleGraph()
        let document = GraphDocument(oracle: graph)
        #expect(compare(document, graph) == [])

        var missingFile = document
        missingFile.packages[index(of: "example.com/m/p", in: missingFile)].goFiles = ["p.go"]
        #expect(compare(missingFile, graph) == [
            "package example.com/m/p: goFiles differ: only in ours [], only in go list [p_linux.go]"
        ])

        var noError = document
        noError.packages[index(of: "example.com/m/gone", in: noError)].error = nil
        #expect(compare(noError, graph).count == 1)
        #expect(compare(noError, graph).first?.contains("error: go list reports") == true)

        var otherErrorText = document
        otherErrorText.packages[index(of: "example.com/m/gone", in: otherErrorText)].error = "not found"
        #expect(compare(otherErrorText, graph) == [])

        var noStandard = document
        noStandard.packages.removeAll { $0.importPath == "fmt" }
        #expect(compare(noStandard, graph) == ["standard packages missing in ours: fmt"])

        var extraPackage = document
        extraPackage.packages.append(GraphDocument.Package(importPath: "example.com/m/extra", dir: "extra"))
        #expect(compare(extraPackage, graph) == ["package example.com/m/extra: only in ours, not listed by go list"])

        var wrongDeps = document
        wrongDeps.targets[0].deps = ["example.com/m/p"]
        #expect(compare(wrongDeps, graph) == [
            "target .: deps differ: only in ours [], only in go list [example.com/m/gone]"
        ])

        var noTargets = document
        noTargets.targets = []
        #expect(compare(noTargets, graph) == ["target .: missing in ours"])

        var wrongEmbed = document
        wrongEmbed.packages[index(of: "example.com/m/p", in: wrongEmbed)].embedFiles = ["/abs/static/a.txt"]
        #expect(compare(wrongEmbed, graph).count == 1)

        var wrongDir = document
        wrongDir.packages[index(of: "example.com/m/p", in: wrongDir)].dir = "q"
        #expect(compare(wrongDir, graph) == ["package example.com/m/p: dir ours q, go list p"])
    }

    @Test("a package answered differently by two units must appear once per answer")
    func severalAnswers() throws {
        var graph = try Self.sampleGraph()
        let single = try #require(graph.package("example.com/m/p"))
        var other = single
        other.goFiles = ["p.go"]
        graph.packages["example.com/m/p"] = [single, other]
        let document = GraphDocument(oracle: graph)
        #expect(document.packages.filter { $0.importPath == "example.com/m/p" }.count == 2)
        #expect(compare(document, graph) == [])
        var oneAnswer = document
        oneAnswer.packages.removeAll { $0.importPath == "example.com/m/p" && $0.goFiles == ["p.go"] }
        #expect(compare(oneAnswer, graph).count == 1)
        #expect(compare(oneAnswer, graph).first?.contains("go list's answer missing in ours") == true)
    }

    @Test("the graph document decodes with absent arrays and fields")
    func decodeDocument() throws {
        let json = """
            {"schemaVersion": 1,
             "packages": [{"importPath": "fmt", "standard": true},
                          {"importPath": "example.com/m", "dir": ".", "module": "example.com/m",
                           "goFiles": ["main.go"], "imports": ["fmt"]}],
             "targets": [{"dir": ".", "importPath": "example.com/m", "deps": []}]}
            """
        let document = try GraphDocument(json: Data(json.utf8))
        #expect(document.packages.count == 2)
        #expect(document.packages[0].goFiles == [])
        #expect(document.packages[1].standard == false)
        #expect(document.targets.first?.dir == ".")
    }

    private func index(of importPath: String, in document: GraphDocument) -> Int {
        document.packages.firstIndex { $0.importPath == importPath } ?? -1
    }

    /// A small graph built from go list JSON (no toolchain needed).
    static func sampleGraph() throws -> OracleGraph {
        let stream = """
            {"ImportPath": "fmt", "Standard": true, "Dir": "/goroot/src/fmt", "GoFiles": ["print.go"]}
            {"ImportPath": "example.com/m/gone", "DepOnly": true,
             "Error": {"Err": "no required module provides package example.com/m/gone"}}
            {"ImportPath": "example.com/m/p", "Name": "p", "Dir": "/repo/p", "Module": {"Path": "example.com/m"},
             "GoFiles": ["p_linux.go", "p.go"], "EmbedFiles": ["static/a.txt"], "Imports": ["embed"],
             "Match": ["./..."]}
            {"ImportPath": "example.com/m", "Name": "main", "Dir": "/repo", "Module": {"Path": "example.com/m"},
             "GoFiles": ["main.go"], "Imports": ["example.com/m/gone", "example.com/m/p", "fmt"],
             "Deps": ["example.com/m/gone", "example.com/m/p", "fmt"], "Match": ["./..."]}
            """
        let packages = try GoListPackage.decodeStream(Data(stream.utf8)).map { raw in
            OraclePackage(raw) { absolute in
                absolute == "/repo" ? "." : absolute.hasPrefix("/repo/") ? String(absolute.dropFirst(6)) : nil
            }
        }
        return OracleGraph(
            platform: .lambda,
            packages: Dictionary(grouping: packages, by: \.importPath),
            targets: [OracleTarget(dir: ".", importPath: "example.com/m", deps: ["example.com/m/gone", "example.com/m/p"])])
    }
}
