// End-to-end tests of `gocache targets`, `gocache graph` and `gocache version`, and of the
// bad-input contract: `error:` and `help:` on stderr, exit status 2, nothing on stdout.
import Foundation
import Testing
import TestSupport

@Suite("gocache targets and graph")
struct GraphCLITests {
    static let simple: [String: String] = [
        "go.mod": "module example.com/m\n\ngo 1.22\n",
        "functions/a/main.go": "package main\n\nimport \"example.com/m/lib\"\n\nfunc main() { lib.F() }\n",
        "functions/b/main.go": "package main\n\nfunc main() {}\n",
        "lib/lib.go": "package lib\n\nfunc F() {}\n",
        "main.go": "package main\n\nfunc main() {}\n",
    ]

    @Test("targets lists target directories, sorted, root as '.'", .enabled(if: GoToolchain.isConfigured))
    func targets() async throws {
        let repo = try await FixtureRepository.create(files: Self.simple)
        defer { repo.remove() }
        let result = try await GocacheCLI.run(["targets"], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == ".\nfunctions/a\nfunctions/b\n")

        let json = try await GocacheCLI.run(["targets", "--format", "json", "--goarch", "arm64"], in: repo.root)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["schemaVersion"] as? Int == 1)
        let targets = object?["targets"] as? [[String: Any]] ?? []
        #expect(targets.map { $0["dir"] as? String } == [".", "functions/a", "functions/b"])
        #expect(targets.allSatisfy { $0["goarch"] as? String == "arm64" && $0["goos"] as? String == "linux" })
        #expect(targets.first?["importPath"] as? String == "example.com/m")
    }

    @Test("--rev reads a commit, not the working tree", .enabled(if: GoToolchain.isConfigured))
    func revision() async throws {
        let repo = try await FixtureRepository.create(files: Self.simple)
        defer { repo.remove() }
        try repo.write(["functions/c/main.go": "package main\n\nfunc main() {}\n"])
        let worktree = try await GocacheCLI.run(["targets"], in: repo.root)
        #expect(worktree.stdout.contains("functions/c"))
        let head = try await GocacheCLI.run(["targets", "--rev", "HEAD"], in: repo.root)
        #expect(head.status == 0, "\(head.stderr)")
        #expect(!head.stdout.contains("functions/c"))
    }

    @Test("graph --target gives one closure with deps", .enabled(if: GoToolchain.isConfigured))
    func graphTarget() async throws {
        let repo = try await FixtureRepository.create(files: Self.simple)
        defer { repo.remove() }
        let result = try await GocacheCLI.run(["graph", "--format", "json", "--target", "functions/a"], in: repo.root)
        #expect(result.status == 0, "\(result.stderr)")
        let document = try GraphDocument(json: Data(result.stdout.utf8))
        #expect(document.targets.map(\.dir) == ["functions/a"])
        #expect(document.targets.first?.deps == ["example.com/m/lib"])
        #expect(document.packages.contains { $0.importPath == "runtime" && $0.standard })
        #expect(!document.packages.contains { $0.importPath == "example.com/m/functions/b" })

        let dot = try await GocacheCLI.run(["graph", "--format", "dot"], in: repo.root)
        #expect(dot.stdout.hasPrefix("digraph gocache {"))
        #expect(dot.stdout.contains("\"example.com/m/functions/a\" -> \"example.com/m/lib\";"))

        let unknown = try await GocacheCLI.run(["graph", "--target", "functions/aa"], in: repo.root)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean functions/a"))
    }

    @Test("version prints the tool and key-format versions")
    func version() async throws {
        let result = try await GocacheCLI.run(["version"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("gocache "))
        #expect(result.stdout.contains("key format 3\n"))
    }

    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var files: [String: String]
        var git: Bool = true
        var arguments: [String] = ["targets"]
        var expected: String
        var testDescription: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "not a repository", files: simple, git: false, expected: "not a git repository"),
        BadInput(name: "unknown revision", files: simple, arguments: ["targets", "--rev", "nosuchrev"], expected: "unknown revision"),
        BadInput(name: "no go.mod anywhere", files: ["main.go": "package main\n"], expected: "no go.mod"),
        BadInput(
            name: "malformed go.mod", files: ["go.mod": "module example.com/m\n\ngo 1.22\nrequire (\n  foo\n)\n"],
            expected: "go.mod:5:3"),
        BadInput(
            name: "malformed go.work",
            files: simple.merging(["go.work": "go 1.22\n\nuse .\nbogus\n"]) { $1 }, expected: "go.work:4:1"),
        BadInput(
            name: "unreadable gocache.yaml", files: simple.merging(["gocache.yaml": "targets: [\n"]) { $1 },
            expected: "gocache.yaml"),
        BadInput(
            name: "unknown gocache.yaml key", files: simple.merging(["gocache.yaml": "overides: []\n"]) { $1 },
            expected: "gocache.yaml"),
        BadInput(name: "bad flag", files: simple, arguments: ["targets", "--bogus"], expected: "--bogus"),
        BadInput(name: "bad flag value", files: simple, arguments: ["targets", "--cgo", "3"], expected: "--cgo"),
    ]

    @Test("bad input: error and help lines, exit 2", .enabled(if: GoToolchain.isConfigured), arguments: badInputs)
    func badInput(_ input: BadInput) async throws {
        let directory: URL
        var cleanup: () -> Void = {}
        if input.git {
            let repo = try await FixtureRepository.create(files: input.files)
            directory = repo.root
            cleanup = { repo.remove() }
        } else {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-norepo-\(UUID().uuidString)")
            for (path, text) in input.files {
                let url = directory.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
            cleanup = { try? FileManager.default.removeItem(at: directory) }
        }
        defer { cleanup() }
        let result = try await GocacheCLI.run(input.arguments, in: directory)
        #expect(result.status == 2, "\(input.name): status \(result.status), stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("error: ") == true, "\(result.stderr)")
        #expect(lines.contains { $0.hasPrefix("help: ") }, "\(result.stderr)")
        #expect(result.stderr.contains(input.expected), "\(result.stderr)")
    }
}
