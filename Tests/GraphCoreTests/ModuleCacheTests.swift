// Non-vendored modules read from the go command's module cache: their packages' imports are
// edges of the graph (as go list shows them), so a requirement bump affects exactly the
// targets reaching the module; without the cache such packages are leaves and any bump
// affects every target reaching one.
import Foundation
@testable import GraphCore
import Testing
import TestSupport

@Suite("Module cache", .enabled(if: GoToolchain.isConfigured && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
struct ModuleCacheTests {
    /// Writes a GOPROXY directory (file://) holding each module version's .mod, .info and .zip.
    static func writeProxy(at proxy: String, modules: [(path: String, version: String, files: [String: String])]) async throws {
        let script = """
            import sys, os, zipfile, json
            proxy = sys.argv[1]
            for spec in json.loads(sys.stdin.read()):
                mod, ver, files = spec["path"], spec["version"], spec["files"]
                esc = "".join("!" + c.lower() if c.isupper() else c for c in mod)
                d = os.path.join(proxy, esc, "@v"); os.makedirs(d, exist_ok=True)
                with zipfile.ZipFile(os.path.join(d, ver + ".zip"), "w") as z:
                    for name, text in sorted(files.items()): z.writestr(f"{mod}@{ver}/{name}", text)
                open(os.path.join(d, ver + ".mod"), "w").write(files["go.mod"])
                open(os.path.join(d, ver + ".info"), "w").write(json.dumps({"Version": ver, "Time": "2024-01-01T00:00:00Z"}))
                open(os.path.join(d, "list"), "a").write(ver + "\\n")
            """
        let specs = modules.map { ["path": $0.path, "version": $0.version, "files": $0.files] as [String: Any] }
        let input = try JSONSerialization.data(withJSONObject: specs)
        let scriptFile = proxy + ".py"
        try script.write(toFile: scriptFile, atomically: true, encoding: .utf8)
        let inputFile = proxy + ".json"
        try input.write(to: URL(fileURLWithPath: inputFile))
        _ = try await ChildProcess.runChecked(
            "/bin/sh", arguments: ["-c", "python3 \"$0\" \"$1\" < \"$2\"", scriptFile, proxy, inputFile],
            in: URL(fileURLWithPath: "/"))
    }

    static func load(_ snapshot: Snapshot, moduleCache: ModuleCache?) async throws -> GoRepository {
        let harness = try #require(try await GraphHarness.make())
        let tags = try await harness.toolTags(BuildSettings.lambdaDefaults)
        return try await GoRepository.load(
            tree: snapshot, goRoot: harness.goRoot, options: LoadOptions(toolTags: { _ in tags }, moduleCache: moduleCache))
    }

    @Test("packages of a non-vendored module are read from the module cache as go list reads them; a bump affects only the targets reaching the module, and every target reaching such a module without the cache")
    func closuresThroughTheModuleCache() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let scratch = fixture.root + "-modules"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let proxy = scratch + "/proxy"
        try await Self.writeProxy(
            at: proxy,
            modules: [
                ("ext.com/real", "v1.0.0", [
                    "go.mod": "module ext.com/real\n\ngo 1.20\n\nrequire ext.com/base v1.0.0\n",
                    "r/r.go": "package r\n\nimport \"ext.com/base/b\"\n\nconst R = b.B\n",
                    "r/r_test.go": "package r\n\nimport \"testing\"\n\nfunc TestR(t *testing.T) {}\n",
                ]),
                ("ext.com/base", "v1.0.0", ["go.mod": "module ext.com/base\n\ngo 1.16\n", "b/b.go": "package b\n\nconst B = 1\n"]),
                ("ext.com/base", "v1.2.0", ["go.mod": "module ext.com/base\n\ngo 1.16\n", "b/b.go": "package b\n\nconst B = 12\n"]),
                ("ext.com/Other", "v1.0.0", [
                    "go.mod": "module ext.com/Other\n\ngo 1.16\n",
                    "o/o.go": "package o\n\nimport \"strings\"\n\nvar O = strings.ToUpper(\"o\")\n",
                    "o/o_linux.go": "package o\n\nconst OS = \"linux\"\n",
                    "o/o_windows.go": "package o\n\nimport \"os\"\n\nvar W = os.Getpid()\n",
                ]),
            ])
        let go = try #require(TestSupport.GoToolchain.current())
        var environment = go.environment(platform: .lambda, workspace: .off)
        environment["GOMODCACHE"] = scratch + "/mod"
        environment["GOPROXY"] = "file://" + proxy
        environment["GOFLAGS"] = "-mod=mod -modcacherw"  // removable by any user
        func goRun(_ arguments: [String]) async throws -> Data {
            try await ChildProcess.runChecked(
                go.executable, arguments: arguments, environment: environment, in: URL(fileURLWithPath: fixture.root)
            ).stdout
        }
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.22\n")
        try fixture.write("cmd/f/main.go", "package main\n\nimport \"ext.com/real/r\"\n\nfunc main() { println(r.R) }\n")
        try fixture.write("cmd/g/main.go", "package main\n\nimport \"ext.com/Other/o\"\n\nfunc main() { println(o.O, o.OS) }\n")
        _ = try await goRun(["get", "ext.com/real@v1.0.0", "ext.com/Other@v1.0.0"])
        _ = try await goRun(["mod", "tidy"])
        let base = try fixture.commit("base")
        let moduleCache = try #require(ModuleCache(root: scratch + "/mod"))

        // The graph's module packages are go list's: files, imports, closures.
        let location = try RepositoryLocation.discover(from: fixture.root)
        let repository = try await Self.load(Snapshot.worktree(location), moduleCache: moduleCache)
        let listed = try await goRun(["list", "-e", "-deps", "-json", "./..."])
        let oracle = try GoListPackage.decodeStream(listed).filter { !($0.Standard ?? false) }
        let graph = try #require(repository.graphs.first)
        for expected in oracle {
            let package = try #require(graph.packages[expected.ImportPath], "\(expected.ImportPath)")
            #expect(package.goFiles == (expected.GoFiles ?? []), "\(expected.ImportPath)")
            #expect(package.imports == (expected.Imports ?? []), "\(expected.ImportPath)")
        }
        #expect(Set(graph.packages.values.filter { !$0.isStandard }.map(\.importPath)) == Set(oracle.map(\.ImportPath)))

        // ext.com/base bumped (an indirect requirement): only cmd/f reaches it.
        _ = try await goRun(["get", "ext.com/base@v1.2.0"])
        func affected(_ cache: ModuleCache?) async throws -> [String] {
            let baseSnapshot = try Snapshot.revision(base, in: location)
            let headSnapshot = Snapshot.worktree(location)
            return ImpactAnalysis.affected(
                base: try await Self.load(baseSnapshot, moduleCache: cache),
                head: try await Self.load(headSnapshot, moduleCache: cache), baseTree: baseSnapshot, headTree: headSnapshot,
                changes: try .between(baseSnapshot, headSnapshot)
            ).rebuild
        }
        #expect(try await affected(moduleCache) == ["cmd/f"])
        // Without the cache the modules' imports are unknown: both targets.
        #expect(try await affected(nil) == ["cmd/f", "cmd/g"])
        #expect(try await affected(ModuleCache(root: scratch + "/no-cache")) == ["cmd/f", "cmd/g"])
    }

    @Test("an import no module of the build list provides (below go 1.17, found through the dependencies' go.mod files) is keyed by the build list")
    func unprunedMissingImport() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let moduleCache = fixture.root + "-modcache"
        try ModuleCacheFixture.extract(
            [
                "ext.com/real@v1.0.0/r/r.go": "package r\n\nimport \"ext.com/base/b\"\n\nconst R = b.B\n",
                "ext.com/other@v1.0.0/o/o.go": "package o\n\nconst O = 1\n",
                "ext.com/other@v1.1.0/o/o.go": "package o\n\nconst O = 1\n",
            ], into: moduleCache)
        let goMod = "module example.com/m\n\ngo 1.16\n\nrequire (\n\text.com/real v1.0.0\n\text.com/other v1.0.0\n)\n"
        try fixture.write("go.mod", goMod)
        try fixture.write("cmd/f/main.go", "package main\n\nimport \"ext.com/real/r\"\n\nfunc main() { println(r.R) }\n")
        let base = try fixture.commit("base")
        // ext.com/other v1.1.0 may require a newer ext.com/base: the go command would select it.
        try fixture.write("go.mod", goMod.replacingOccurrences(of: "other v1.0.0", with: "other v1.1.0"))
        let location = try RepositoryLocation.discover(from: fixture.root)
        let baseSnapshot = try Snapshot.revision(base, in: location)
        let headSnapshot = Snapshot.worktree(location)
        let cache = ModuleCache(root: moduleCache)
        let head = try await Self.load(headSnapshot, moduleCache: cache)
        #expect(head.graphs.first?.packages["ext.com/base/b"]?.error?.kind == .missing)
        let report = ImpactAnalysis.affected(
            base: try await Self.load(baseSnapshot, moduleCache: cache), head: head, baseTree: baseSnapshot,
            headTree: headSnapshot, changes: try .between(baseSnapshot, headSnapshot))
        #expect(report.rebuild == ["cmd/f"])
    }

    @Test("a package two modules of the build list hold in the module cache is an ambiguous import, as the go command finds it")
    func ambiguousImportAcrossModules() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let moduleCache = fixture.root + "-modcache"
        try ModuleCacheFixture.extract(
            [
                "ext.com/big@v1.0.0/b/b.go": "package b\n",
                "ext.com/big@v1.1.0/b/b.go": "package b\n",
                "ext.com/big@v1.1.0/sub/p/p.go": "package p\n",
                "ext.com/big/sub@v1.0.0/p/p.go": "package p\n",
            ], into: moduleCache)
        let goMod = "module example.com/m\n\ngo 1.22\n\nrequire (\n\text.com/big v1.0.0\n\text.com/big/sub v1.0.0\n)\n"
        try fixture.write("go.mod", goMod)
        try fixture.write("cmd/p/main.go", "package main\n\nimport _ \"ext.com/big/sub/p\"\n\nfunc main() {}\n")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let cache = ModuleCache(root: moduleCache)
        var graph = try #require(try await Self.load(Snapshot.worktree(location), moduleCache: cache).graphs.first)
        #expect(graph.packages["ext.com/big/sub/p"]?.error == nil)
        #expect(graph.packages["ext.com/big/sub/p"]?.module?.path == "ext.com/big/sub")
        try fixture.write("go.mod", goMod.replacingOccurrences(of: "big v1.0.0", with: "big v1.1.0"))
        graph = try #require(try await Self.load(Snapshot.worktree(location), moduleCache: cache).graphs.first)
        let message = graph.packages["ext.com/big/sub/p"]?.error?.message ?? ""
        #expect(message.contains("ambiguous import: found package ext.com/big/sub/p in multiple modules"), "\(message)")
    }

    @Test("module paths and versions are spelled as the module cache spells them")
    func escaping() {
        #expect(ModuleCache.escape("github.com/Azure/go-autorest") == "github.com/!azure/go-autorest")
        #expect(ModuleCache.escape("v1.0.0-RC1") == "v1.0.0-!r!c1")
        #expect(ModuleCache.escape("a!b") == nil)
        #expect(ModuleCache.location(environment: ["GOMODCACHE": "/m", "GOPATH": "/p"]) == "/m")
        #expect(ModuleCache.location(environment: ["GOPATH": "/p:/q", "HOME": "/h"]) == "/p/pkg/mod")
        #expect(ModuleCache.location(environment: ["HOME": "/h"]) == "/h/go/pkg/mod")
        #expect(ModuleCache.location(environment: ["GOMODCACHE": "relative"]) == nil)
    }
}
