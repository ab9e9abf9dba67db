// One fixed test per rule of `gocache affected`: which change affects which target, on a
// small vendored repository with an arm64 function beside amd64 ones.
import Foundation
import GraphCore
import Testing
import TestSupport

@Suite("Affected rules", .enabled(if: GoToolchain.isConfigured))
struct AffectedRuleTests {
    static let files: [String: String] = [
        "go.mod": "module example.com/m\n\ngo 1.24\n\nrequire (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n",
        "vendor/modules.txt":
            "# example.com/a v1.0.0\n## explicit; go 1.20\nexample.com/a\n# example.com/b v1.0.0\n## explicit; go 1.20\nexample.com/b\n",
        "vendor/example.com/a/a.go": "package a\n\nfunc A() string { return \"a\" }\n",
        "vendor/example.com/b/b.go": "package b\n\nfunc B() string { return \"b\" }\n",
        "gocache.yaml": "overrides:\n  - match: \"functions/arm\"\n    goarch: arm64\n",
        "README.md": "# fixture\n",
        "functions/usea/main.go":
            "package main\n\nimport (\n\t\"example.com/a\"\n\t\"example.com/m/internal/lib\"\n\t\"example.com/m/internal/plat\"\n)\n\nfunc main() { println(a.A(), lib.Golden, plat.Name()) }\n",
        "functions/useb/main.go": "package main\n\nimport \"example.com/b\"\n\nfunc main() { println(b.B()) }\n",
        "functions/arm/main.go": "package main\n\nimport \"example.com/m/internal/plat\"\n\nfunc main() { println(plat.Name()) }\n",
        "internal/lib/lib.go": "package lib\n\nimport _ \"embed\"\n\n//go:embed testdata/golden.txt\nvar Golden string\n",
        "internal/lib/lib_windows.go": "package lib\n\nconst OS = \"windows\"\n",
        "internal/lib/lib_test.go": "package lib\n\nimport \"testing\"\n\nfunc TestGolden(t *testing.T) { _ = Golden }\n",
        "internal/lib/testdata/golden.txt": "golden\n",
        "internal/lib/testdata/other.txt": "not embedded\n",
        "internal/plat/plat.go": "package plat\n\nfunc Name() string { return name }\n",
        "internal/plat/plat_amd64.go": "package plat\n\nconst name = \"amd64\"\n",
        "internal/plat/plat_arm64.go": "package plat\n\nconst name = \"arm64\"\n",
    ]

    /// A fixture at its first commit; returns it and the commit id.
    static func fixture() throws -> (GitFixture, String) {
        let fixture = try GitFixture()
        for (path, text) in files { try fixture.write(path, text) }
        return (fixture, try fixture.commit("base"))
    }

    static func load(_ snapshot: Snapshot) async throws -> GoRepository {
        let harness = try #require(try await GraphHarness.make())
        var arm = BuildSettings.lambdaDefaults
        arm.goarch = "arm64"
        arm.goarchLevel = BuildSettings.defaultArchLevel(goarch: "arm64")
        let amdTags = try await harness.toolTags(BuildSettings.lambdaDefaults)
        let armTags = try await harness.toolTags(arm)
        return try await GoRepository.load(
            tree: snapshot, goRoot: harness.goRoot,
            options: LoadOptions(toolTags: { $0.goarch == "arm64" ? armTags : amdTags }, withTests: true))
    }

    /// The report between commit `base` and `head` (nil: the working tree).
    static func report(_ fixture: GitFixture, base: String, head: String?, files: [String]? = nil) async throws -> ImpactReport {
        let location = try RepositoryLocation.discover(from: fixture.root)
        let baseSnapshot = try Snapshot.revision(base, in: location)
        let headSnapshot = try head.map { try Snapshot.revision($0, in: location) } ?? Snapshot.worktree(location)
        let changes: ChangeSet = try files.map { .listed($0, baseKnown: true) } ?? .between(baseSnapshot, headSnapshot)
        return ImpactAnalysis.affected(
            base: try await load(baseSnapshot), head: try await load(headSnapshot), baseTree: baseSnapshot,
            headTree: headSnapshot, changes: changes)
    }

    /// Applies `edit`, commits, and returns the affected/added directories.
    static func rebuilt(after edit: (GitFixture) throws -> Void) async throws -> (ImpactReport, [String]) {
        let (fixture, base) = try fixture()
        defer { fixture.cleanup() }
        try edit(fixture)
        let head = try fixture.commit("edit")
        let report = try await report(fixture, base: base, head: head)
        return (report, report.rebuild)
    }

    @Test("a directory that is package main only under its override's settings (cgo, goarch) is a target; one that is main only under the defaults is not")
    func overrideDecidesTargets() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let files: [String: String] = [
            "go.mod": "module example.com/o\n\ngo 1.22\n",
            "gocache.yaml": """
                overrides:
                  - match: cmd/cg
                    cgo: true
                  - match: ["cmd/arm", "cmd/amdonly"]
                    goarch: arm64

                """,
            "cmd/cg/main.go": "package main\n\n// static int one(void) { return 1; }\nimport \"C\"\n\nfunc main() { println(C.one()) }\n",
            "cmd/arm/main_arm64.go": "package main\n\nfunc main() {}\n",
            "cmd/amdonly/main_amd64.go": "package main\n\nfunc main() {}\n",
            "cmd/plain/main.go": "package main\n\nfunc main() {}\n",
        ]
        for (path, text) in files { try fixture.write(path, text) }
        _ = try fixture.commit("overrides")
        let location = try RepositoryLocation.discover(from: fixture.root)
        for snapshot in [Snapshot.worktree(location), try Snapshot.revision("HEAD", in: location)] {
            let repository = try await Self.load(snapshot)
            #expect(repository.targets.map(\.dir) == ["cmd/arm", "cmd/cg", "cmd/plain"])
            let cg = try #require(repository.targets.first { $0.dir == "cmd/cg" })
            #expect(cg.settings.cgoEnabled)
            #expect(repository.graph(of: cg)?.packages[cg.importPath]?.cgoFiles == ["main.go"])
            #expect(repository.targets.first { $0.dir == "cmd/arm" }?.settings.goarch == "arm64")
        }
    }

    @Test("the targets and their platforms")
    func targets() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        let repository = try await Self.load(try Snapshot.revision(base, in: try RepositoryLocation.discover(from: fixture.root)))
        #expect(repository.targets.map(\.dir) == ["functions/arm", "functions/usea", "functions/useb"])
        #expect(repository.targets.first?.settings.goarch == "arm64")
    }

    @Test("an unchanged tree affects nothing")
    func nothing() async throws {
        let (report, dirs) = try await Self.rebuilt { _ in }
        #expect(dirs.isEmpty)
        #expect(report.unchanged.count == 3)
    }

    @Test("a file excluded by constraints at both revisions affects nothing (x_windows.go)")
    func windowsFile() async throws {
        let (_, dirs) = try await Self.rebuilt { try $0.write("internal/lib/lib_windows.go", "package lib\n\nconst OS = \"win\"\n") }
        #expect(dirs.isEmpty)
    }

    @Test("each target is judged for its own platform")
    func ownPlatform() async throws {
        let (amd, amdDirs) = try await Self.rebuilt { try $0.write("internal/plat/plat_amd64.go", "package plat\n\nconst name = \"x86\"\n") }
        #expect(amdDirs == ["functions/usea"])
        #expect(amd.impact(atDir: "functions/usea")?.reasons.first?.chain
            == ["example.com/m/functions/usea", "example.com/m/internal/plat"])
        let (_, armDirs) = try await Self.rebuilt { try $0.write("internal/plat/plat_arm64.go", "package plat\n\nconst name = \"aarch64\"\n") }
        #expect(armDirs == ["functions/arm"])
    }

    @Test("a file that enters the build by its constraint affects the target")
    func constraintChange() async throws {
        let (_, dirs) = try await Self.rebuilt {
            try $0.write("internal/lib/lib_windows.go", "package lib\n")
            try $0.rename("internal/lib/lib_windows.go", to: "internal/lib/lib_any.go")
        }
        #expect(dirs == ["functions/usea"])
    }

    @Test("an embedded file under testdata affects the packages that embed it")
    func embeddedTestdata() async throws {
        let (report, dirs) = try await Self.rebuilt { try $0.write("internal/lib/testdata/golden.txt", "new golden\n") }
        #expect(dirs == ["functions/usea"])
        let reason = try #require(report.impact(atDir: "functions/usea")?.reasons.first)
        #expect(reason.file == "internal/lib/testdata/golden.txt")
        #expect(reason.change == "modified")
        #expect(reason.chain == ["example.com/m/functions/usea", "example.com/m/internal/lib"])
    }

    @Test("test files and unembedded testdata affect tests only")
    func testOnly() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        try fixture.write("internal/lib/lib_test.go", "package lib\n\nimport \"testing\"\n\nfunc TestGolden(t *testing.T) { t.Log(Golden) }\n")
        try fixture.write("internal/lib/testdata/other.txt", "changed\n")
        let head = try fixture.commit("tests")
        let report = try await Self.report(fixture, base: base, head: head)
        #expect(report.rebuild.isEmpty)
        #expect(try await Self.testDirs(fixture, base: base, head: head) == ["internal/lib"])
    }

    /// The directories of the packages whose tests must run between commits `base` and `head`.
    static func testDirs(_ fixture: GitFixture, base: String, head: String) async throws -> [String] {
        let location = try RepositoryLocation.discover(from: fixture.root)
        let baseSnapshot = try Snapshot.revision(base, in: location)
        let headSnapshot = try Snapshot.revision(head, in: location)
        return ImpactAnalysis.tests(
            base: try await load(baseSnapshot), head: try await load(headSnapshot), baseTree: baseSnapshot,
            headTree: headSnapshot, changes: try .between(baseSnapshot, headSnapshot)
        ).map(\.dir)
    }

    @Test("a changed requirement affects only targets whose closure holds the module")
    func requirement() async throws {
        let (report, dirs) = try await Self.rebuilt { fixture in
            try fixture.write("go.mod", Self.files["go.mod", default: ""].replacingOccurrences(of: "b v1.0.0", with: "b v1.1.0"))
            try fixture.write(
                "vendor/modules.txt",
                Self.files["vendor/modules.txt", default: ""].replacingOccurrences(of: "b v1.0.0", with: "b v1.1.0"))
        }
        #expect(dirs == ["functions/useb"])
        #expect(report.impact(atDir: "functions/useb")?.reasons.contains { $0.kind == .module } == true)
    }

    @Test("a changed go directive affects every target of the module")
    func goDirective() async throws {
        let (report, dirs) = try await Self.rebuilt { fixture in
            try fixture.write("go.mod", Self.files["go.mod", default: ""].replacingOccurrences(of: "go 1.24", with: "go 1.25"))
        }
        #expect(dirs == ["functions/arm", "functions/usea", "functions/useb"])
        #expect(report.targets.allSatisfy { $0.reasons.contains { $0.kind == .module } })
    }

    @Test("gocache.yaml: only targets whose resolved settings change, reason config")
    func config() async throws {
        let (report, dirs) = try await Self.rebuilt { fixture in
            try fixture.write(
                "gocache.yaml",
                Self.files["gocache.yaml", default: ""] + "  - match: \"functions/useb\"\n    tags: [feature]\n")
        }
        #expect(dirs == ["functions/useb"])
        #expect(report.impact(atDir: "functions/useb")?.reasons.map(\.kind) == [.config])
    }

    @Test("a declared extra input affects the targets that declare it")
    func extraInput() async throws {
        let (fixture, _) = try Self.fixture()
        defer { fixture.cleanup() }
        try fixture.write(
            "gocache.yaml", Self.files["gocache.yaml", default: ""] + "  - match: \"functions/usea\"\n    extraInputs: [\"README.md\"]\n")
        let base = try fixture.commit("declare")
        try fixture.write("README.md", "# changed\n")
        let head = try fixture.commit("edit readme")
        let report = try await Self.report(fixture, base: base, head: head)
        #expect(report.rebuild == ["functions/usea"])
        #expect(report.impact(atDir: "functions/usea")?.reasons.first?.kind == .config)
    }

    @Test("a non-Go file that nothing embeds or declares affects nothing")
    func unrelatedFile() async throws {
        let (_, dirs) = try await Self.rebuilt {
            try $0.write("README.md", "# changed\n")
            try $0.write("docs/notes.txt", "new\n")
            try $0.write("internal/lib/notes.md", "new\n")
        }
        #expect(dirs.isEmpty)
    }

    @Test("new targets are added, deleted ones removed")
    func addedAndRemoved() async throws {
        let (report, dirs) = try await Self.rebuilt { fixture in
            try fixture.write("functions/fresh/main.go", "package main\n\nfunc main() {}\n")
            try fixture.remove("functions/useb")
        }
        #expect(dirs == ["functions/fresh"])
        #expect(report.impact(atDir: "functions/fresh")?.status == .added)
        #expect(report.impact(atDir: "functions/useb")?.status == .removed)
    }

    @Test("a renamed input file affects its targets")
    func renamed() async throws {
        let (report, dirs) = try await Self.rebuilt { try $0.rename("internal/plat/plat.go", to: "internal/plat/name.go") }
        #expect(dirs == ["functions/arm", "functions/usea"])
        #expect(report.impact(atDir: "functions/arm")?.reasons.contains { $0.change == "renamed" } == true)
    }

    @Test("the working tree: untracked files count, mode-only changes do not")
    func worktree() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        try fixture.write("internal/plat/extra_arm64.go", "package plat\n\nconst Extra = 1\n")
        try fixture.write("functions/useb/main.go", Self.files["functions/useb/main.go", default: ""], executable: true)
        let report = try await Self.report(fixture, base: base, head: nil)
        #expect(report.rebuild == ["functions/arm"])
        #expect(report.impact(atDir: "functions/arm")?.reasons.first?.change == "added")
    }

    @Test("a listed path list is trusted as the changed contents")
    func listedFiles() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        let report = try await Self.report(fixture, base: base, head: base, files: ["vendor/example.com/b/b.go", "README.md"])
        #expect(report.rebuild == ["functions/useb"])
    }

    @Test("without a base, listed module files affect every target of their unit")
    func listedWithoutBase() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshot = try Snapshot.revision(base, in: location)
        let repository = try await Self.load(snapshot)
        let modules = ImpactAnalysis.affected(
            base: repository, head: repository, baseTree: snapshot, headTree: snapshot,
            changes: .listed(["go.mod"], baseKnown: false))
        #expect(modules.rebuild == ["functions/arm", "functions/usea", "functions/useb"])
        let gone = ImpactAnalysis.affected(
            base: repository, head: repository, baseTree: snapshot, headTree: snapshot,
            changes: .listed(["internal/plat/old.go", "docs/x.md"], baseKnown: false))
        #expect(gone.rebuild == ["functions/arm", "functions/usea"])
    }

    @Test("without a base, a listed source file that is not in the build now affects the targets of its package")
    func listedExcludedWithoutBase() async throws {
        // `debug.go` gained `//go:build debug` (or any header that takes it out): present,
        // no longer an input, yet it was one before the change the list describes. A file
        // the platform's name rules exclude (`_windows.go`) could not have been one, a test
        // file never is. A listed go.work.sum, like go.sum, affects every target of its unit.
        let (fixture, _) = try Self.fixture()
        defer { fixture.cleanup() }
        try fixture.write("internal/plat/debug.go", "//go:build debug\n\npackage plat\n\nconst Debug = true\n")
        let head = try fixture.commit("debug file")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshot = try Snapshot.revision(head, in: location)
        let repository = try await Self.load(snapshot)
        func rebuild(_ files: [String]) -> [String] {
            ImpactAnalysis.affected(
                base: repository, head: repository, baseTree: snapshot, headTree: snapshot,
                changes: .listed(files, baseKnown: false)
            ).rebuild
        }
        #expect(rebuild(["internal/plat/debug.go"]) == ["functions/arm", "functions/usea"])
        #expect(rebuild(["internal/lib/lib_windows.go", "internal/lib/lib_test.go"]) == [])
        #expect(rebuild(["internal/plat/plat_arm64.go"]) == ["functions/arm"])
        #expect(rebuild(["go.work.sum"]) == ["functions/arm", "functions/usea", "functions/useb"])
        // Deleted files (absent at the head): an input before only if go/build could have
        // taken it by its name on the target's platform, or its package embeds.
        #expect(
            rebuild([
                "internal/plat/gone_windows.go", "internal/plat/gone_test.go", "internal/plat/_gone.go", "internal/plat/.gone.go",
                "internal/plat/notes.txt",
            ]) == [])
        #expect(rebuild(["internal/plat/gone_arm64.go"]) == ["functions/arm"])
        #expect(rebuild(["internal/lib/gone.txt"]) == ["functions/usea"])
        #expect(rebuild(["internal/lib/testdata/deeper/gone.txt"]) == ["functions/usea"], "below an embedding package")
        #expect(rebuild(["vendor/modules.txt"]) == ["functions/arm", "functions/usea", "functions/useb"])
    }

    @Test("a unit the go command refuses (inconsistent vendoring) gives every package its error, so every target is affected")
    func inconsistentVendoring() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        // go.mod requires a v1.0.0, modules.txt vendored it without `## explicit`.
        try fixture.write(
            "vendor/modules.txt",
            "# example.com/a v1.0.0\nexample.com/a\n# example.com/b v1.0.0\n## explicit; go 1.20\nexample.com/b\n")
        let head = try fixture.commit("vendor out of sync")
        let go = try #require(TestSupport.GoToolchain.current())
        let listed = try await go.run(["list", "-e", "-deps", "./..."], in: URL(fileURLWithPath: fixture.root))
        #expect(!listed.succeeded && listed.stderr.contains("inconsistent vendoring"), "\(listed.stderr)")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let repository = try await Self.load(try Snapshot.revision(head, in: location))
        let graph = try #require(repository.graphs.first)
        let local = graph.packages.values.filter { $0.dir != nil }
        #expect(!local.isEmpty)
        for package in local {
            #expect(package.error?.kind == .module, "\(package.importPath)")
            #expect(package.error?.message.contains("is explicitly required in go.mod, but not marked as explicit") == true)
        }
        #expect(try await Self.report(fixture, base: base, head: head).rebuild == ["functions/arm", "functions/usea", "functions/useb"])
    }

    @Test("a module from the module cache: its imports are not read, so a change of any module of the build list, or of a local fork nothing else holds, affects the targets reaching it; a module replaced outside the repository is always affected")
    func moduleCacheDependencies() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let goMod = """
            module example.com/m

            go 1.24

            require (
            \text.com/real v1.0.0
            \text.com/base v1.0.0 // indirect
            \text.com/fork v1.0.0 // indirect
            \text.com/other v1.0.0
            )

            replace ext.com/fork => ./forks/fork

            replace ext.com/other => ../outside-of-the-repository

            """
        let goSum = "ext.com/real v1.0.0 h1:real=\next.com/base v1.0.0 h1:base=\n"
        let files: [String: String] = [
            "go.mod": goMod,
            "go.sum": goSum,
            "functions/ext/main.go": "package main\n\nimport \"ext.com/real/r\"\n\nfunc main() { r.R() }\n",
            "functions/local/main.go": "package main\n\nimport \"example.com/m/internal/lib\"\n\nfunc main() { lib.L() }\n",
            "functions/out/main.go": "package main\n\nimport \"ext.com/other/o\"\n\nfunc main() { o.O() }\n",
            "internal/lib/lib.go": "package lib\n\nfunc L() {}\n",
            "forks/fork/go.mod": "module ext.com/fork\n\ngo 1.21\n",
            "forks/fork/f/f.go": "package f\n\nfunc F() {}\n",
            "forks/fork/f/f_test.go": "package f\n",
        ]
        for (path, text) in files { try fixture.write(path, text) }
        let base = try fixture.commit("base")
        // Nothing changed: only the target reading outside the repository.
        let unchanged = try await Self.report(fixture, base: base, head: nil)
        #expect(unchanged.rebuild == ["functions/out"])
        #expect(unchanged.impact(atDir: "functions/out")?.reasons.first?.change.contains("../outside-of-the-repository") == true)
        // An indirect requirement bumped: ext.com/real may import it.
        try fixture.write("go.mod", goMod.replacingOccurrences(of: "base v1.0.0", with: "base v1.2.0"))
        try fixture.write("go.sum", goSum.replacingOccurrences(of: "base v1.0.0 h1:base=", with: "base v1.2.0 h1:base2="))
        let bumped = try await Self.report(fixture, base: base, head: nil)
        #expect(bumped.rebuild == ["functions/ext", "functions/out"])
        #expect(bumped.impact(atDir: "functions/ext")?.reasons.contains { $0.kind == .module && $0.change.contains("build list") } == true)
        try fixture.write("go.mod", goMod)
        try fixture.write("go.sum", goSum)
        // The local fork of a module only ext.com/real can import; its test files are no input.
        try fixture.write("forks/fork/f/f_test.go", "package f\n\n// edited\n")
        #expect(try await Self.report(fixture, base: base, head: nil).rebuild == ["functions/out"])
        try fixture.write("forks/fork/f/f.go", "package f\n\nfunc F() { println() }\n")
        let forked = try await Self.report(fixture, base: base, head: nil)
        #expect(forked.rebuild == ["functions/ext", "functions/out"])
        #expect(forked.impact(atDir: "functions/ext")?.reasons.contains { $0.file == "forks/fork/f/f.go" } == true)
    }

    @Test("a file that left a target's build is reported so, even when it was edited too")
    func leftBuildWhileEdited() async throws {
        let (report, dirs) = try await Self.rebuilt { fixture in
            // functions/usea stops importing internal/lib, whose file is edited as well.
            try fixture.write(
                "functions/usea/main.go",
                "package main\n\nimport (\n\t\"example.com/a\"\n\t\"example.com/m/internal/plat\"\n)\n\nfunc main() { println(a.A(), plat.Name()) }\n")
            try fixture.write("internal/lib/lib.go", "package lib\n\nimport _ \"embed\"\n\n//go:embed testdata/golden.txt\nvar Golden string\n\nvar Extra = 1\n")
        }
        #expect(dirs == ["functions/usea"])
        let reasons = report.impact(atDir: "functions/usea")?.reasons ?? []
        #expect(reasons.contains { $0.file == "internal/lib/lib.go" && $0.change == "left build" }, "\(reasons)")
        #expect(reasons.contains { $0.file == "functions/usea/main.go" && $0.change == "modified" }, "\(reasons)")
    }

    @Test("a .gitattributes change that alters checkout conversion affects the targets of the files it converts")
    func checkoutConversion() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        // The embedded golden.txt gets CRLF line ends in a checkout: its blob is the same,
        // the binary is not.
        try fixture.write("internal/lib/.gitattributes", "*.txt text eol=crlf\n")
        let crlf = try fixture.commit("crlf")
        #expect(try await Self.report(fixture, base: base, head: crlf).rebuild == ["functions/usea"])
        // Attributes that leave bytes alone affect nothing; neither does a converting line
        // matching no input (the Go files of internal/plat).
        try fixture.write("internal/lib/.gitattributes", "*.txt text eol=crlf\n*.go linguist-generated\n")
        try fixture.write("internal/plat/.gitattributes", "*.md eol=crlf\n")
        let harmless = try fixture.commit("harmless")
        #expect(try await Self.report(fixture, base: crlf, head: harmless).rebuild == [])
        // Removing the conversion affects the same target again.
        try fixture.git("rm", "-q", "internal/lib/.gitattributes")
        let removed = try fixture.commit("no crlf")
        #expect(try await Self.report(fixture, base: harmless, head: removed).rebuild == ["functions/usea"])
        // A line that unsets or overrides a converting attribute a parent's line sets changes
        // the checkout as much: golden.txt is checked out with LF again.
        try fixture.write("internal/.gitattributes", "*.txt text eol=crlf\n")
        let parent = try fixture.commit("crlf above")
        for (number, line) in ["golden.txt -text", "golden.txt !eol", "*.txt binary", "testdata/*.txt !text !eol"].enumerated() {
            try fixture.write("internal/lib/.gitattributes", line + "\n")
            let unset = try fixture.commit("unset \(number)")
            #expect(try await Self.report(fixture, base: parent, head: unset).rebuild == ["functions/usea"], "\(line)")
        }
        // A line that uses a converting macro (defined in the top-level file at both
        // revisions, also through another macro) converts as the macro's attributes do.
        try fixture.git("rm", "-q", "-r", "internal/.gitattributes", "internal/lib/.gitattributes")
        try fixture.write(".gitattributes", "[attr]crl text eol=crlf\n[attr]viacrl crl\n")
        let macros = try fixture.commit("macros")
        for (number, line) in ["*.txt crl", "golden.txt viacrl"].enumerated() {
            try fixture.write("internal/lib/.gitattributes", line + "\n")
            let used = try fixture.commit("macro use \(number)")
            #expect(try await Self.report(fixture, base: macros, head: used).rebuild == ["functions/usea"], "\(line)")
            try fixture.git("rm", "-q", "internal/lib/.gitattributes")
            _ = try fixture.commit("macro unused \(number)")
        }
    }

    /// Packages whose tests alone import others: lib/z (in-package test) imports
    /// internal/plat; lib/t's test imports a vendored package nothing else imports, which
    /// imports another (example.com/c/assert → example.com/c/internal/diff).
    static func writeTestOnlyImports(_ fixture: GitFixture) throws {
        try fixture.write("lib/z/z.go", "package z\n")
        try fixture.write("lib/z/z_test.go", "package z\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/internal/plat\"\n)\n\nfunc TestZ(t *testing.T) { _ = plat.Name() }\n")
        try fixture.write("lib/t/t.go", "package t\n")
        try fixture.write("lib/t/t_test.go", "package t\n\nimport (\n\t\"testing\"\n\n\t\"example.com/c/assert\"\n)\n\nfunc TestT(t *testing.T) { assert.True(t, true) }\n")
        try fixture.write("go.mod", Self.files["go.mod", default: ""].replacingOccurrences(of: ")\n", with: "\texample.com/c v1.0.0\n)\n"))
        try fixture.write("vendor/modules.txt", Self.files["vendor/modules.txt", default: ""] + "# example.com/c v1.0.0\n## explicit; go 1.20\nexample.com/c/assert\nexample.com/c/internal/diff\n")
        try fixture.write("vendor/example.com/c/assert/assert.go", "package assert\n\nimport (\n\t\"testing\"\n\n\t\"example.com/c/internal/diff\"\n)\n\nfunc True(t *testing.T, v bool) { _ = diff.Diff }\n")
        try fixture.write("vendor/example.com/c/internal/diff/diff.go", "package diff\n\nconst Diff = 1\n")
    }

    @Test("tests are affected through their imports: in-package and external tests, transitively, and test-only dependencies, as go list -test -deps reaches them")
    func testsThroughTestImports() async throws {
        let (fixture, _) = try Self.fixture()
        defer { fixture.cleanup() }
        // Packages whose tests alone import others: lib/z (in-package test) imports
        // internal/plat; lib/v (external test) imports internal/lib; lib/t's test imports a
        // vendored package nothing else imports, which imports another.
        try Self.writeTestOnlyImports(fixture)
        try fixture.write("lib/v/v.go", "package v\n")
        try fixture.write("lib/v/v_test.go", "package v_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/internal/lib\"\n)\n\nfunc TestV(t *testing.T) { _ = lib.Golden }\n")
        let base = try fixture.commit("tests with imports")

        // go list reaches the same test-only packages.
        let go = try #require(TestSupport.GoToolchain.current())
        let listed = try await go.run(
            ["list", "-e", "-test", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./lib/t"],
            in: URL(fileURLWithPath: fixture.root))
        #expect(listed.succeeded, "\(listed.stderr)")
        let goListed = Set(String(decoding: listed.stdout, as: UTF8.self).split(separator: "\n").map { String($0.split(separator: " ")[0]) })
        #expect(goListed.isSuperset(of: ["example.com/c/assert", "example.com/c/internal/diff"]), "\(goListed)")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let graph = try #require(try await Self.load(try Snapshot.revision(base, in: location)).graphs.first)
        #expect(graph.packages["example.com/m/lib/t"]?.testImports == ["example.com/c/assert", "testing"])
        #expect(Set(graph.testPackages.keys) == ["example.com/c/assert", "example.com/c/internal/diff"])
        #expect(graph.packages["example.com/c/assert"] == nil, "a test-only package is not part of the build")

        func tests(_ edit: (GitFixture) throws -> Void) async throws -> [String] {
            try fixture.git("reset", "-q", "--hard", base)
            try edit(fixture)
            return try await Self.testDirs(fixture, base: base, head: try fixture.commit("edit"))
        }
        // A body edit of a package only tests import: its importers' tests.
        #expect(try await tests { try $0.write("internal/plat/plat.go", "package plat\n\nfunc Name() string { return name + \"!\" }\n") } == ["lib/z"])
        // An embedded file of a package an external test imports (internal/lib has tests of its own).
        #expect(try await tests { try $0.write("internal/lib/testdata/golden.txt", "new\n") } == ["internal/lib", "lib/v"])
        // Two steps below a test import, in a vendored test-only dependency.
        #expect(try await tests { try $0.write("vendor/example.com/c/internal/diff/diff.go", "package diff\n\nconst Diff = 2\n") } == ["lib/t"])
        // Its module's version: the module line of every package of it.
        #expect(
            try await tests {
                try $0.write("go.mod", try String(contentsOfFile: $0.root + "/go.mod", encoding: .utf8).replacingOccurrences(of: "c v1.0.0", with: "c v1.1.0"))
                try $0.write("vendor/modules.txt", try String(contentsOfFile: $0.root + "/vendor/modules.txt", encoding: .utf8).replacingOccurrences(of: "c v1.0.0", with: "c v1.1.0"))
            } == ["lib/t"])
        // A file no test reaches.
        #expect(try await tests { try $0.write("functions/useb/main.go", "package main\n\nfunc main() {}\n") } == [])
    }

    /// `--files` without `--base` judges a listed path against the head alone: the tests and
    /// packages it gives hold every one the known base would give, by the rules targets
    /// follow (module files, gocache.yaml, deleted files, files a constraint excludes,
    /// deleted files below an embedding package, headers) with a package's own test files,
    /// its tests' imports and what only tests reach counted for its tests.
    @Test("without a base, --tests and --packages follow the conservative rules of targets")
    func listedWithoutBaseTestsAndPackages() async throws {
        let (fixture, _) = try Self.fixture()
        defer { fixture.cleanup() }
        // lib/z's test imports internal/plat; lib/e's test (not its package) embeds; lib/t's
        // test imports a vendored package nothing else imports.
        try Self.writeTestOnlyImports(fixture)
        try fixture.write("lib/e/e.go", "package e\n")
        try fixture.write("lib/e/e_test.go", "package e\n\nimport (\n\t_ \"embed\"\n\t\"testing\"\n)\n\n//go:embed testdata\nvar data string\n\nfunc TestE(t *testing.T) { _ = data }\n")
        try fixture.write("lib/e/testdata/x.txt", "x\n")
        try fixture.write("internal/plat/debug.go", "//go:build debug\n\npackage plat\n\nconst Debug = true\n")
        let head = try fixture.commit("tests")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshot = try Snapshot.revision(head, in: location)
        let repository = try await Self.load(snapshot)
        func tests(_ files: [String]) -> [String] {
            ImpactAnalysis.tests(
                base: repository, head: repository, baseTree: snapshot, headTree: snapshot, changes: .listed(files, baseKnown: false)
            ).map(\.dir)
        }
        func packages(_ files: [String]) -> [String] {
            ImpactAnalysis.packages(
                base: repository, head: repository, baseTree: snapshot, headTree: snapshot, changes: .listed(files, baseKnown: false)
            ).map(\.dir)
        }
        let withTests = ["internal/lib", "lib/e", "lib/t", "lib/z"]
        let every = [
            "functions/arm", "functions/usea", "functions/useb", "internal/lib", "internal/plat", "lib/e", "lib/t", "lib/z",
            "vendor/example.com/a", "vendor/example.com/b",
        ]
        // Module files and gocache.yaml: everything of the unit.
        for file in ["go.mod", "go.sum", "go.work", "vendor/modules.txt", "gocache.yaml"] {
            #expect(tests([file]) == withTests, "\(file)")
            #expect(packages([file]) == every, "\(file)")
        }
        // A deleted source file: the packages reaching its directory, the tests importing them.
        #expect(tests(["internal/plat/gone.go"]) == ["lib/z"])
        #expect(packages(["internal/plat/gone.go"]) == ["functions/arm", "functions/usea", "internal/plat"])
        // A deleted test file: its package's tests only; another package's, or one the
        // platform excludes by name, none (in a package that embeds nothing).
        #expect(tests(["lib/z/gone_test.go"]) == ["lib/z"])
        #expect(packages(["lib/z/gone_test.go"]) == [])
        #expect(tests(["internal/plat/gone_test.go", "lib/z/gone_windows_test.go"]) == [])
        // A present file a constraint excludes.
        #expect(tests(["internal/plat/debug.go"]) == ["lib/z"])
        #expect(packages(["internal/plat/debug.go"]) == ["functions/arm", "functions/usea", "internal/plat"])
        // A deleted file below a package whose tests embed; in a package only tests reach.
        #expect(tests(["lib/e/testdata/gone.txt"]) == ["lib/e"])
        #expect(packages(["lib/e/testdata/gone.txt"]) == [])
        #expect(tests(["vendor/example.com/c/assert/new.go"]) == ["lib/t"])
        // Present inputs still count as before.
        #expect(tests(["lib/e/testdata/x.txt"]) == ["lib/e"])
        #expect(tests(["vendor/example.com/c/assert/assert.go"]) == ["lib/t"])
    }

    /// A nested module the root module vendors: its `go` directive is that of its own
    /// packages; the root's build reads the vendored copy's from vendor/modules.txt.
    @Test("--packages: a nested module's go directive affects its own packages, not the vendored copies")
    func nestedModuleDirectiveWithVendoring() async throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        try fixture.write(
            "go.mod", "module example.com/r\n\ngo 1.22\n\nrequire example.com/r/geo v0.0.0\n\nreplace example.com/r/geo => ./geo\n")
        try fixture.write("geo/go.mod", "module example.com/r/geo\n\ngo 1.22\n")
        try fixture.write("geo/dist/dist.go", "package dist\n\nfunc D() int { return 1 }\n")
        try fixture.write("cmd/app/main.go", "package main\n\nimport \"example.com/r/geo/dist\"\n\nfunc main() { println(dist.D()) }\n")
        try fixture.write(
            "vendor/modules.txt",
            "# example.com/r/geo v0.0.0 => ./geo\n## explicit; go 1.22\nexample.com/r/geo/dist\n# example.com/r/geo => ./geo\n")
        try fixture.write("vendor/example.com/r/geo/dist/dist.go", "package dist\n\nfunc D() int { return 1 }\n")
        let base = try fixture.commit("base")
        try fixture.write("geo/go.mod", "module example.com/r/geo\n\ngo 1.23\n")
        let head = try fixture.commit("bump geo")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let baseSnapshot = try Snapshot.revision(base, in: location)
        let headSnapshot = try Snapshot.revision(head, in: location)
        let (old, new) = (try await Self.load(baseSnapshot), try await Self.load(headSnapshot))
        let changes = try ChangeSet.between(baseSnapshot, headSnapshot)
        let packages = ImpactAnalysis.packages(
            base: old, head: new, baseTree: baseSnapshot, headTree: headSnapshot, changes: changes)
        #expect(packages.map(\.dir) == ["geo/dist"])
        #expect(packages.first?.unitRoot == "geo")
        let targets = ImpactAnalysis.affected(
            base: old, head: new, baseTree: baseSnapshot, headTree: headSnapshot, changes: changes)
        #expect(targets.rebuild == [])
    }

    /// Link-only settings (a version stamp in `ldflags`, `buildvcs`) change every binary and
    /// no package's compiled form: targets are affected, tests and packages are not; a
    /// compile setting (`gcflags`) affects them all.
    @Test("a link-only setting in gocache.yaml's defaults affects targets, not tests or packages")
    func linkOnlySettings() async throws {
        let (fixture, _) = try Self.fixture()
        defer { fixture.cleanup() }
        let overrides = Self.files["gocache.yaml", default: ""]
        try fixture.write("gocache.yaml", "defaults:\n  ldflags: \"-s -w -X main.version=1.0.0\"\n" + overrides)
        let base = try fixture.commit("version 1.0.0")
        try fixture.write("gocache.yaml", "defaults:\n  ldflags: \"-s -w -X main.version=1.0.1\"\n  buildvcs: true\n" + overrides)
        let stamped = try fixture.commit("version 1.0.1")
        try fixture.write("gocache.yaml", "defaults:\n  ldflags: \"-s -w -X main.version=1.0.1\"\n  buildvcs: true\n  gcflags: \"-N\"\n" + overrides)
        let compiled = try fixture.commit("gcflags")
        let location = try RepositoryLocation.discover(from: fixture.root)
        func answers(_ head: String) async throws -> (targets: [String], tests: [String], packages: [String]) {
            let (baseSnapshot, headSnapshot) = (try Snapshot.revision(base, in: location), try Snapshot.revision(head, in: location))
            let (old, new) = (try await Self.load(baseSnapshot), try await Self.load(headSnapshot))
            let changes = try ChangeSet.between(baseSnapshot, headSnapshot)
            return (
                ImpactAnalysis.affected(base: old, head: new, baseTree: baseSnapshot, headTree: headSnapshot, changes: changes).rebuild,
                ImpactAnalysis.tests(base: old, head: new, baseTree: baseSnapshot, headTree: headSnapshot, changes: changes).map(\.dir),
                ImpactAnalysis.packages(base: old, head: new, baseTree: baseSnapshot, headTree: headSnapshot, changes: changes)
                    .map(\.dir)
            )
        }
        let link = try await answers(stamped)
        #expect(link.targets == ["functions/arm", "functions/usea", "functions/useb"])
        #expect(link.tests == [])
        #expect(link.packages == [])
        let compile = try await answers(compiled)
        #expect(compile.tests == ["internal/lib"])
        #expect(compile.packages.contains("internal/plat"), "\(compile.packages)")
    }

    /// Without a base, a deleted (or moved-away) package directory that the closure still
    /// imports leaves an import that resolves to nothing: its listed, absent files affect the
    /// importers (as the known base would), in the main module and in vendor/.
    @Test("without a base, a listed absent file where an unresolved import would live affects its importers")
    func listedDeletedPackageDirectory() async throws {
        let (fixture, _) = try Self.fixture()
        defer { fixture.cleanup() }
        try fixture.write("lib/z/z.go", "package z\n")
        try fixture.write("lib/z/z_test.go", "package z_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/internal/plat\"\n)\n\nfunc TestZ(t *testing.T) { _ = plat.Name() }\n")
        _ = try fixture.commit("tests")
        for path in ["internal/plat/plat.go", "internal/plat/plat_amd64.go", "internal/plat/plat_arm64.go", "vendor/example.com/b/b.go"] {
            try fixture.remove(path)
        }
        let head = try fixture.commit("delete internal/plat and the vendored example.com/b")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshot = try Snapshot.revision(head, in: location)
        let repository = try await Self.load(snapshot)
        let changes = ChangeSet.listed(["internal/plat/plat.go", "internal/plat/plat_amd64.go"], baseKnown: false)
        let targets = ImpactAnalysis.affected(
            base: repository, head: repository, baseTree: snapshot, headTree: snapshot, changes: changes)
        #expect(targets.rebuild == ["functions/arm", "functions/usea"])
        let reason = targets.impact(atDir: "functions/arm")?.reasons.first
        #expect(reason?.change == "deleted; example.com/m/internal/plat no longer resolves")
        #expect(reason?.chain == ["example.com/m/functions/arm", "example.com/m/internal/plat"])
        #expect(
            ImpactAnalysis.tests(base: repository, head: repository, baseTree: snapshot, headTree: snapshot, changes: changes)
                .map(\.dir) == ["lib/z"])
        #expect(
            ImpactAnalysis.packages(base: repository, head: repository, baseTree: snapshot, headTree: snapshot, changes: changes)
                .map(\.dir) == ["functions/arm", "functions/usea"])
        let vendored = ImpactAnalysis.affected(
            base: repository, head: repository, baseTree: snapshot, headTree: snapshot,
            changes: .listed(["vendor/example.com/b/b.go"], baseKnown: false))
        #expect(vendored.rebuild == ["functions/useb"])
        // A deleted file where no import of the closure points affects nothing.
        let elsewhere = ImpactAnalysis.affected(
            base: repository, head: repository, baseTree: snapshot, headTree: snapshot,
            changes: .listed(["internal/gone/gone.go", "vendor/example.com/c/c.go"], baseKnown: false))
        #expect(elsewhere.rebuild == [])
    }

    /// Without a base, a listed path absent from the head may have been a target's profile
    /// or one of its declared extra inputs.
    @Test("without a base, a listed absent default.pgo or extra input affects its target")
    func listedDeletedProfileAndExtraInput() async throws {
        let (fixture, _) = try Self.fixture()
        defer { fixture.cleanup() }
        try fixture.write(
            "gocache.yaml",
            Self.files["gocache.yaml", default: ""] + "  - match: \"functions/useb\"\n    extraInputs: [\"docs/*.md\", \"assets/**\"]\n")
        let head = try fixture.commit("extra inputs")
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshot = try Snapshot.revision(head, in: location)
        let repository = try await Self.load(snapshot)
        func rebuild(_ files: [String]) -> [String] {
            ImpactAnalysis.affected(
                base: repository, head: repository, baseTree: snapshot, headTree: snapshot,
                changes: .listed(files, baseKnown: false)
            ).rebuild
        }
        #expect(rebuild(["functions/usea/default.pgo"]) == ["functions/usea"])
        #expect(rebuild(["docs/gone.md"]) == ["functions/useb"])
        #expect(rebuild(["assets/a/b/gone.png"]) == ["functions/useb"])
        #expect(rebuild(["docs/sub/gone.md", "default.pgo", "functions/default.pgo"]) == [])
    }

    /// A test reads its package's `testdata/` at run time (golden files): a change there
    /// selects the package's tests, and no target.
    @Test("a changed file in a package's testdata directory selects its tests")
    func testdataSelectsTests() async throws {
        let (fixture, base) = try Self.fixture()
        defer { fixture.cleanup() }
        try fixture.write("internal/lib/testdata/other.txt", "changed\n")
        try fixture.write("internal/plat/testdata/unrelated.txt", "no tests here\n")
        let head = try fixture.commit("golden")
        #expect(try await Self.report(fixture, base: base, head: head).rebuild == [])
        #expect(try await Self.testDirs(fixture, base: base, head: head) == ["internal/lib"])
        let location = try RepositoryLocation.discover(from: fixture.root)
        let snapshot = try Snapshot.revision(head, in: location)
        let repository = try await Self.load(snapshot)
        let listed = ImpactAnalysis.tests(
            base: repository, head: repository, baseTree: snapshot, headTree: snapshot,
            changes: .listed(["internal/lib/testdata/deeper/gone.txt"], baseKnown: true))
        #expect(listed.map(\.dir) == ["internal/lib"])
    }
}
