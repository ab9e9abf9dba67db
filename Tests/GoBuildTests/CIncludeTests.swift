// Headers that cgo and assembly sources include from outside their package's file list
// (`-I${SRCDIR}/../include`, `-iquote`, `-include`, a subdirectory of the package, headers
// including headers) are inputs: judged against the binary `go build` produces.
import Foundation
import Synchronization
import GoBuild
@testable import GraphCore
import Testing
import TestSupport

@Suite("C includes")
struct CIncludeTests {
    /// (`<inner/in.h>` is found through the go command's own `-I <package dir>`.)
    static let libGo = """
        package lib

        /*
        #cgo CFLAGS: -I${SRCDIR}/../include -isystem ${SRCDIR}/../quote
        #cgo linux CFLAGS: -include ${SRCDIR}/../forced/f.h
        #include "answer.h"
        #include "sub/v.h"
        #include "q.h"
        #include <stdlib.h>
        #include <inner/in.h>
        int helper(void);
        static int answer(void) { return ANSWER + SUBV + Q + F + IN + IN2 + helper(); }
        */
        import "C"

        func Answer() int { return int(C.answer()) }

        """

    static let files: [String: String] = [
        "go.mod": "module example.com/cinc\n\ngo 1.22\n",
        "gocache.yaml": "defaults:\n  cgo: true\n",
        "include/answer.h": "#include \"deep/more.h\"\n#include \"inner/in2.h\"\n#define ANSWER (40 + MORE)\n",
        "lib/inner/in.h": "#define IN 1\n",
        "lib/inner/in2.h": "#define IN2 1\n",
        "include/deep/more.h": "#define MORE 1\n",
        "include/unused.h": "#define UNUSED 1\n",
        "quote/q.h": "#define Q 3\n",
        "forced/f.h": "#define F 4\n",
        "lib/lib.go": libGo,
        "lib/helper.c": "#include \"sub/w.h\"\nint helper(void) { return W; }\n",
        "lib/sub/v.h": "#define SUBV 7\n",
        "lib/sub/w.h": "#define W 5\n",
        "functions/app/main.go": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/cinc/lib\"\n)\n\nfunc main() { fmt.Println(lib.Answer()) }\n",
        "functions/pure/main.go": "package main\n\nfunc main() { println(\"pure\") }\n",
    ]

    /// The headers the cgo package reads, each with an edit that changes the binary.
    static let includedHeaders: [(path: String, edited: String)] = [
        ("include/answer.h", "#include \"deep/more.h\"\n#include \"inner/in2.h\"\n#define ANSWER (30 + MORE)\n"),
        ("lib/inner/in.h", "#define IN 11\n"),
        ("lib/inner/in2.h", "#define IN2 11\n"),
        ("include/deep/more.h", "#define MORE 2\n"),
        ("quote/q.h", "#define Q 13\n"),
        ("forced/f.h", "#define F 14\n"),
        ("lib/sub/v.h", "#define SUBV 17\n"),
        ("lib/sub/w.h", "#define W 15\n"),
    ]

    /// The bytes of `functions/app` as `go build` makes them now (cgo on, trimmed paths, no
    /// symbols or DWARF). The go command's own cache does not see headers outside the package
    /// either, so each build gets a `CGO_CFLAGS` of its own (a macro nothing uses: it changes
    /// the cgo packages' action ids, not their code) and compiles the C parts anew.
    static func binary(_ root: URL) async throws -> Data {
        let go = try #require(GoToolchain.current())
        let out = root.appendingPathComponent(".bin-app").path
        var environment = go.environment(platform: GoPlatform(cgoEnabled: true), workspace: .off)
        environment["CGO_CFLAGS"] = "-g -O2 -DGOCACHE_ORACLE_\(UInt64.random(in: 0...UInt64.max))"
        let result = try await ChildProcess.run(
            go.executable, arguments: ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", out, "./functions/app"],
            environment: environment, in: root)
        #expect(result.succeeded, "\(result.stderr)")
        defer { try? FileManager.default.removeItem(atPath: out) }
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }

    @Test("a header included from another directory, a subdirectory, -isystem or -include is an input of exactly the targets reaching its includer", .enabled(if: GoToolchain.isConfigured))
    func headersAreInputs() async throws {
        let repo = try await FixtureRepository.create(files: Self.files, label: "c-includes")
        defer { repo.remove() }
        let keys = try await TargetKeyTests.keys(at: repo.root)
        let binary = try await Self.binary(repo.root)
        #expect(Set(keys.keys) == ["functions/app", "functions/pure"])

        var previousKeys = keys
        var previousBinary = binary
        for (path, edited) in Self.includedHeaders {
            try repo.write([path: edited])
            let nowKeys = try await TargetKeyTests.keys(at: repo.root)
            let nowBinary = try await Self.binary(repo.root)
            #expect(nowBinary != previousBinary, "the oracle: \(path) goes into the binary")
            #expect(TargetKeyTests.changed(previousKeys, nowKeys) == ["functions/app"], "\(path)")
            previousKeys = nowKeys
            previousBinary = nowBinary
        }

        // A header nothing includes stays out of every key (and of the binary).
        try repo.write(["include/unused.h": "#define UNUSED 2\n"])
        #expect(try await TargetKeyTests.keys(at: repo.root) == previousKeys)
        #expect(try await Self.binary(repo.root) == previousBinary)
    }

    /// What `affected` says between `base` and the working tree of `fixture`.
    static func affected(_ fixture: GitFixture, base: String, files: [String]? = nil) async throws -> [String] {
        let harness = try #require(try await GraphHarness.make())
        var settings = BuildSettings.lambdaDefaults
        settings.cgoEnabled = true
        let tags = try await harness.toolTags(settings)
        let location = try RepositoryLocation.discover(from: fixture.root)
        let headSnapshot = Snapshot.worktree(location)
        // Without a base (`--files`), the head stands for both sides, as the command does.
        let baseSnapshot = files == nil ? try Snapshot.revision(base, in: location) : headSnapshot
        func load(_ snapshot: Snapshot) async throws -> GoRepository {
            try await GoRepository.load(tree: snapshot, goRoot: harness.goRoot, options: LoadOptions(toolTags: { _ in tags }))
        }
        let changes: ChangeSet
        if let files {
            changes = .listed(files, baseKnown: false)
        } else {
            changes = try .between(baseSnapshot, headSnapshot)
        }
        let report = ImpactAnalysis.affected(
            base: try await load(baseSnapshot), head: try await load(headSnapshot), baseTree: baseSnapshot,
            headTree: headSnapshot, changes: changes)
        return report.rebuild
    }

    @Test("affected follows includes at both revisions: an edited header, a header that stops being included, a deleted candidate of a search path, and a listed deleted header without a base")
    func affectedFollowsIncludes() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        var files = Self.files
        // Two candidates for one name: quote/q.h is found, include/q.h too (both count).
        files["include/q.h"] = "#define Q 3\n"
        for (path, text) in files { try fixture.write(path, text) }
        let base = try fixture.commit("base")

        #expect(try await Self.affected(fixture, base: base).isEmpty)
        try fixture.write("include/deep/more.h", "#define MORE 9\n")
        #expect(try await Self.affected(fixture, base: base) == ["functions/app"])
        try fixture.write("include/deep/more.h", "#define MORE 1\n")
        try fixture.write("include/unused.h", "#define UNUSED 9\n")
        #expect(try await Self.affected(fixture, base: base).isEmpty, "a header nothing includes")

        // The candidate a search path found at the base is gone: the graph is the same, the
        // inputs are not.
        try fixture.remove("include/q.h")
        #expect(try await Self.affected(fixture, base: base) == ["functions/app"])

        // Without a base, a listed deleted header may have been included by any C source.
        #expect(try await Self.affected(fixture, base: base, files: ["include/q.h"]) == ["functions/app"])
        #expect(try await Self.affected(fixture, base: base, files: ["docs/gone.md"]).isEmpty)
    }

    @Test("the linker's inputs in the repository (a ${SRCDIR} archive, libraries of a -L directory) and pkg-config's answer are inputs of the targets reaching the cgo package", .enabled(if: GoToolchain.isConfigured))
    func linkerInputsAndPkgConfig() async throws {
        var files = Self.files
        files["lib/link.go"] = "package lib\n\n// #cgo LDFLAGS: ${SRCDIR}/libqa.a -L${SRCDIR}/../libs -lfoo\n// #cgo linux pkg-config: --static zlib\nimport \"C\"\n"
        files["lib/libqa.a"] = "archive 1\n"
        files["libs/libfoo.so"] = "shared 1\n"
        files["libs/README.md"] = "not linked\n"
        let repo = try await FixtureRepository.create(files: files, label: "c-link")
        defer { repo.remove() }
        let asked = Mutex<[[String]]>([])
        let keys = try await TargetKeyTests.keys(
            at: repo.root,
            pkgConfig: { arguments in
                asked.withLock { $0.append(arguments) }
                return "zlib 1.2"
            })
        #expect(asked.withLock { $0 } == [["--static", "zlib"]], "asked once, for the package's arguments")
        for (path, text) in [("lib/libqa.a", "archive 2\n"), ("libs/libfoo.so", "shared 2\n")] {
            try repo.write([path: text])
            #expect(TargetKeyTests.changed(keys, try await TargetKeyTests.keys(at: repo.root, pkgConfig: { _ in "zlib 1.2" })) == ["functions/app"], "\(path)")
            try repo.write([path: files[path]!])
        }
        try repo.write(["libs/README.md": "still not linked\n"])
        #expect(try await TargetKeyTests.keys(at: repo.root, pkgConfig: { _ in "zlib 1.2" }) == keys)
        let upgraded = try await TargetKeyTests.keys(at: repo.root, pkgConfig: { _ in "zlib 1.3" })
        #expect(TargetKeyTests.changed(keys, upgraded) == ["functions/app"])
    }

    @Test("assembly: a header reached from a .s file resolves its own includes from the package directory (cmd/asm's rule)", .enabled(if: GoToolchain.isConfigured))
    func assemblerIncludes() async throws {
        var files = Self.files
        files["gocache.yaml"] = "defaults:\n  cgo: false\n"
        files["lib/lib.go"] = "package lib\n\nfunc Answer() int { return add(1, 2) }\n\nfunc add(a, b int) int\n"
        files["lib/helper.c"] = nil
        files["lib/add_amd64.s"] = "#include \"textflag.h\"\n#include \"../asminc/defs.h\"\n\nTEXT ·add(SB),NOSPLIT,$0-24\n\tRET\n"
        files["asminc/defs.h"] = "#include \"sub/k.h\"\n"
        files["asminc/sub/k.h"] = "#define K 1\n"
        files["lib/sub/k.h"] = "#define K 2\n"
        let repo = try await FixtureRepository.create(files: files, label: "c-asm")
        defer { repo.remove() }
        let keys = try await TargetKeyTests.keys(at: repo.root)
        // The assembler reads lib/sub/k.h (from the package directory), not asminc/sub/k.h.
        try repo.write(["lib/sub/k.h": "#define K 3\n"])
        #expect(TargetKeyTests.changed(keys, try await TargetKeyTests.keys(at: repo.root)) == ["functions/app"])
        try repo.write(["asminc/defs.h": "#include \"sub/k.h\"\n// edited\n"])
        #expect(TargetKeyTests.changed(keys, try await TargetKeyTests.keys(at: repo.root)) == ["functions/app"])
    }

    @Test("include lines: quoted, angled, macro, with a // prefix in a Go preamble; #cgo search flags with quoting")
    func parsing() {
        let go = Array("//#cgo linux CFLAGS: -I${SRCDIR}/x '-Ia b' -DX=1\n// #include \"a.h\"\n#  include <b/c.h>\n#include FOO\nx := 1\n".utf8)
        let scan = CIncludes.parse(go, isGo: true)
        #expect(scan.flags == ["-I${SRCDIR}/x", "-Ia b", "-DX=1"])
        #expect(scan.includes == [.quoted("a.h"), .angled("b/c.h"), .macro])
        let c = Array("// #include \"commented.h\"\n#import \"objc.h\"\n#include_next <n.h>\n".utf8)
        #expect(CIncludes.parse(c, isGo: false).includes == [.quoted("objc.h"), .angled("n.h")])
        #expect(CIncludes.resolve("${SRCDIR}/../include", packageDir: "lib", workdir: "/r") == "include")
        #expect(CIncludes.resolve("../../..", packageDir: "lib", workdir: "/r") == nil)
        #expect(CIncludes.resolve("/r/inc", packageDir: "lib", workdir: "/r") == "inc")
        #expect(CIncludes.resolve("/usr/include", packageDir: "lib", workdir: "/r") == nil)
        #expect(CIncludes.resolve("sub", packageDir: "lib", workdir: nil) == "lib/sub")
        // As go/build reads #cgo lines: a tab after the variable's constraint, `\` escapes.
        let tabbed = CIncludes.parse(Array("#cgo\tCFLAGS: -I${SRCDIR}/inc\\ esc \"-Ib c\"\n/* c */ #include \"after-comment.h\"\n".utf8), isGo: true)
        #expect(tabbed.flags == ["-I${SRCDIR}/inc esc", "-Ib c"])
        #expect(tabbed.includes == [.quoted("after-comment.h")])
    }
}
