import GraphCore
import Testing

private func layout(_ files: [String: String], mode: GoWorkMode = .auto) throws -> ModuleLayout {
    try ModuleLayout.discover(in: InMemoryFileTree(texts: files), workMode: mode)
}

@Suite("WorkspaceLayout")
struct WorkspaceLayoutTests {
    @Test func nestedModulesAndSkippedDirectories() throws {
        let l = try layout([
            "go.mod": "module example.com/root\ngo 1.22\n",
            "main.go": "package main\n",
            "svc/go.mod": "module example.com/svc\ngo 1.22\n",
            "svc/inner/go.mod": "module example.com/svc/inner\ngo 1.22\n",
            "vendor/example.com/x/go.mod": "module example.com/x\n",
            "lib/testdata/mod/go.mod": "module example.com/td\n",
            "_old/go.mod": "module example.com/old\n",
            ".hidden/go.mod": "module example.com/hidden\n",
            "lib/a.go": "package lib\n",
        ])
        #expect(l.modules.map(\.dir) == ["", "svc", "svc/inner"])
        #expect(l.modules.map(\.path) == ["example.com/root", "example.com/svc", "example.com/svc/inner"])
        #expect(l.units.map(\.rootDir) == ["", "svc", "svc/inner"])
        #expect(l.units.allSatisfy { !$0.isWorkspace && $0.mainModules.count == 1 })
        #expect(l.module(containingDir: "svc/inner/pkg")?.dir == "svc/inner")
        #expect(l.module(containingDir: "svc/other")?.dir == "svc")
        #expect(l.module(containingDir: "lib")?.dir == "")
        #expect(l.unit(containingDir: "svc/x")?.rootDir == "svc")
        #expect(l.problems.isEmpty)
    }

    @Test func noGoModIsAnError() {
        #expect(throws: WorkspaceError.noGoMod(root: "")) {
            try layout(["README.md": "hi", "vendor/go.mod": "module x\n"])
        }
    }

    @Test func malformedGoModIsFatal() {
        #expect(
            throws: WorkspaceError.malformed(
                GoModFileError(file: "fn/go.mod", line: 2, column: 1, message: "unknown directive: requir"))
        ) {
            try layout(["go.mod": "module example.com/r\n", "fn/go.mod": "module example.com/fn\nrequir x v1.0.0\n"])
        }
    }

    @Test func goWorkJoinsUsedModules() throws {
        let files = [
            "go.work": "go 1.23\nuse (\n\t./a\n\t./b\n)\nreplace example.com/ext v1.0.0 => ./forks/ext\n",
            "go.work.sum": "example.com/w v1.0.0 h1:w=\n",
            "a/go.mod": "module example.com/a\ngo 1.23\nrequire example.com/ext v1.0.0\nrequire example.com/b v0.0.0\n",
            "a/go.sum": "example.com/ext v1.0.0 h1:ext=\n",
            "b/go.mod": "module example.com/b\ngo 1.22\nrequire example.com/ext v1.1.0\nreplace example.com/lib => ../lib\n",
            "c/go.mod": "module example.com/c\ngo 1.22\n",
            "forks/ext/go.mod": "module example.com/ext\n",
            "lib/go.mod": "module example.com/lib\n",
        ]
        let l = try layout(files)
        #expect(l.units.map(\.rootDir) == ["", "c", "forks/ext", "lib"])
        let ws = l.units[0]
        #expect(ws.isWorkspace && ws.workFilePath == "go.work")
        #expect(ws.mainModules.map(\.path) == ["example.com/a", "example.com/b"])
        #expect(ws.selectedVersions == ["example.com/ext": "v1.1.0"])
        #expect(ws.goSum.hash(module: "example.com/ext", version: "v1.0.0") == "h1:ext=")
        #expect(ws.goSum.hash(module: "example.com/w", version: "v1.0.0") == "h1:w=")
        // b's relative replacement is re-expressed relative to the go.work directory.
        #expect(
            ws.replacements == [
                GoReplacement(oldPath: "example.com/ext", oldVersion: "v1.0.0", newPath: "./forks/ext", newVersion: nil),
                GoReplacement(oldPath: "example.com/lib", oldVersion: nil, newPath: "./lib", newVersion: nil),
            ])
        #expect(ws.localReplacement(of: "example.com/lib") == "lib")
        // The go.work replacement is for v1.0.0, but v1.1.0 is selected.
        #expect(ws.localReplacement(of: "example.com/ext") == nil)
        #expect(ws.replacement(of: "example.com/ext", version: "v1.0.0")?.newPath == "./forks/ext")
        #expect(l.unit(containingDir: "a/pkg")?.rootDir == "")
        #expect(l.unit(containingDir: "c")?.rootDir == "c")
        #expect(ws.mainModule(forImportPath: "example.com/b/x")?.dir == "b")
        #expect(l.problems.isEmpty)

        let off = try layout(files, mode: .off)
        #expect(off.units.map(\.rootDir) == ["a", "b", "c", "forks/ext", "lib"])
        #expect(off.units.allSatisfy { !$0.isWorkspace })
        #expect(off.units[1].localReplacement(of: "example.com/lib") == "lib")
        #expect(off.units[1].replacements.first?.newPath == "../lib")
    }

    @Test func goWorkReplacementsComeBeforeTheModulesOfTheSamePath() throws {
        let l = try layout([
            "go.work": "go 1.22\nuse ./a\nreplace example.com/dep v1.0.1 => ./depw\nreplace example.com/w => ./w\n",
            "a/go.mod":
                "module example.com/a\ngo 1.22\nrequire example.com/dep v1.0.0\nrequire example.com/w v1.0.0\n"
                + "replace example.com/dep => ../depa\nreplace example.com/w v1.0.0 => ../wa\n",
        ])
        let ws = try #require(l.units.first)
        // go.work has no replacement of v1.0.0: a's go.mod replacement of all versions holds.
        #expect(ws.localReplacement(of: "example.com/dep") == "depa")
        #expect(ws.replacement(of: "example.com/dep", version: "v1.0.0")?.newPath == "./depa")
        #expect(ws.replacement(of: "example.com/dep", version: "v1.0.1")?.newPath == "./depw")
        // go.work's replacement of all versions wins over a's of the exact version.
        #expect(ws.localReplacement(of: "example.com/w") == "w")
        #expect(ws.replacementsBehindWork.map(\.newPath) == ["./depa", "./wa"])
        #expect(l.problems.isEmpty)
    }

    @Test(arguments: [("go 1.16\n", true), ("", true), ("go 1.17\n", false)])
    func replacementWithoutGoModBelow117FailsTheModule(goLine: String, fails: Bool) throws {
        let l = try layout([
            "go.mod": "module example.com/m\n\(goLine)require ext.com/a v1.0.0\nrequire ext.com/b v1.0.0\nreplace ext.com/a => ./a\nreplace ext.com/b => ./b\n",
            "a/go.mod": "module ext.com/a\n",
            "b/p/p.go": "package p\n",
        ])
        #expect(
            l.problems.map(\.message)
                == (fails ? ["ext.com/b@v1.0.0 (replaced by ./b): reading b/go.mod: open b/go.mod: no such file or directory"] : []))
    }

    @Test func goWorkProblems() throws {
        let l = try layout([
            "go.work": "go 1.21\nuse ./a\nuse ./a\nuse ./missing\nuse ../outside\nreplace example.com/a => ./x\n",
            "a/go.mod": "module example.com/a\ngo 1.22\n",
        ])
        let messages = l.problems.map(\.message)
        #expect(messages.contains("go.work:3: path ./a appears multiple times in workspace"))
        #expect(
            messages.contains(
                "cannot load module ./missing listed in go.work file: open missing/go.mod: no such file or directory"))
        #expect(messages.contains("go.work:5: use ../outside leaves the repository"))
        #expect(messages.contains("module a listed in go.work file requires go >= 1.22, but go.work lists go 1.21"))
        #expect(messages.contains("workspace module example.com/a is replaced at all versions in the go.work file"))
        #expect(l.units.count == 1)
    }

    @Test func goworkFileModeAndMissingFile() throws {
        let files = [
            "ws/go.work": "go 1.22\nuse ../fn\n",
            "fn/go.mod": "module example.com/fn\ngo 1.22\n",
            "go.work": "go 1.22\n",
        ]
        let l = try layout(files, mode: .file("ws/go.work"))
        #expect(l.units.map(\.rootDir) == ["ws"])
        #expect(l.units[0].mainModules.map(\.dir) == ["fn"])
        #expect(throws: WorkspaceError.workFileNotFound(path: "nope/go.work")) {
            try layout(files, mode: .file("nope/go.work"))
        }
    }

    @Test func modulePerFunctionWithLocalReplace() throws {
        let l = try layout([
            "shared/go.mod": "module example.com/shared\ngo 1.22\n",
            "functions/create-order/go.mod":
                "module example.com/fn/create-order\ngo 1.22\nrequire example.com/shared v0.0.0-00010101000000-000000000000\nreplace example.com/shared => ../../shared\n",
            "functions/ship/go.mod":
                "module example.com/fn/ship\ngo 1.22\nrequire example.com/shared v0.0.0\nreplace example.com/shared v0.0.0 => ../../../elsewhere\n",
        ])
        #expect(l.units.map(\.rootDir) == ["functions/create-order", "functions/ship", "shared"])
        #expect(l.units[0].localReplacement(of: "example.com/shared") == "shared")
        #expect(l.units[0].selectedVersions["example.com/shared"] == "v0.0.0-00010101000000-000000000000")
        #expect(l.units[1].localReplacement(of: "example.com/shared") == nil)
        // A replacement outside the repository is no problem (the go command builds it); the
        // unit names it, and targets reaching it are never cached and always affected.
        #expect(l.problems.isEmpty)
        #expect(l.units[1].outsideReplacement(of: "example.com/shared") == "../../../elsewhere")
        #expect(l.units[0].outsideReplacement(of: "example.com/shared") == nil)
    }

    @Test func ignoreDirectives() throws {
        let l = try layout(["go.mod": "module example.com/m\nignore ./node_modules\nignore dist\n"])
        let m = try #require(l.modules.first)
        #expect(m.isIgnored("node_modules"))
        #expect(m.isIgnored("node_modules/x"))
        #expect(!m.isIgnored("web/node_modules"))
        #expect(m.isIgnored("dist"))
        #expect(m.isIgnored("web/dist/x"))
        #expect(!m.isIgnored("distro"))
        #expect(!m.isIgnored(""))
    }

    @Test func excludedRequirementIsAProblem() throws {
        let l = try layout([
            "go.mod": "module example.com/m\ngo 1.22\nrequire example.com/x v1.0.0\nrequire example.com/y v1.0.0\nexclude example.com/x v1.0.0\n"
        ])
        #expect(l.units[0].selectedVersions == ["example.com/y": "v1.0.0"])
        #expect(l.problems.map(\.message) == ["example.com/x@v1.0.0 is required but excluded"])
    }
}

@Suite("WorkspaceVendoring")
struct WorkspaceVendoringTests {
    static let goMod = "module example.com/m\ngo %@\nrequire example.com/x v1.2.0\n"
    static let modulesTxt = "# example.com/x v1.2.0\n## explicit; go 1.20\nexample.com/x\n"

    func unit(_ files: [String: String], mode: GoWorkMode = .auto) throws -> (BuildUnit, [WorkspaceProblem]) {
        let l = try layout(files, mode: mode)
        return (try #require(l.units.first), l.problems)
    }

    @Test(arguments: [("1.14", true), ("1.22", true), ("1.13", false)])
    func singleModuleByGoVersion(version: String, vendoring: Bool) throws {
        let (u, problems) = try unit([
            "go.mod": "module example.com/m\ngo \(version)\nrequire example.com/x v1.2.0\n",
            "vendor/modules.txt": Self.modulesTxt,
        ])
        #expect((u.vendorDir == "vendor") == vendoring)
        #expect((u.vendor != nil) == vendoring)
        if !vendoring { #expect(u.vendorNotUsedReason == "Go version in go.mod is \(version), so vendor directory was not used.") }
        #expect(problems.isEmpty)
    }

    @Test func noGoLineMeansNoVendoring() throws {
        let (u, _) = try unit(["go.mod": "module example.com/m\n", "vendor/modules.txt": Self.modulesTxt])
        #expect(u.vendorDir == nil)
        #expect(u.vendorNotUsedReason == "Go version in go.mod is unspecified, so vendor directory was not used.")
    }

    @Test func noVendorDirectory() throws {
        let (u, _) = try unit(["go.mod": "module example.com/m\ngo 1.22\n"])
        #expect(u.vendorDir == nil && u.vendorNotUsedReason == nil)
    }

    @Test func vendorWithoutModulesTxtStillVendors() throws {
        let (u, _) = try unit(["go.mod": "module example.com/m\ngo 1.22\n", "vendor/example.com/x/x.go": "package x\n"])
        #expect(u.vendorDir == "vendor")
        #expect(u.vendor == VendorManifest())
    }

    @Test func nestedModuleVendorDir() throws {
        let l = try layout([
            "fn/go.mod": "module example.com/fn\ngo 1.22\nrequire example.com/x v1.2.0\n",
            "fn/vendor/modules.txt": Self.modulesTxt,
        ])
        #expect(l.units[0].vendorDir == "fn/vendor")
        #expect(l.units[0].selectedVersions == ["example.com/x": "v1.2.0"])
    }

    @Test func workspaceVendoring() throws {
        let files = [
            "go.work": "go 1.22\nuse ./a\n",
            "a/go.mod": "module example.com/a\ngo 1.22\nrequire example.com/x v1.2.0\n",
            "vendor/modules.txt": "## workspace\n" + Self.modulesTxt,
        ]
        let (u, problems) = try unit(files)
        #expect(u.vendorDir == "vendor")
        #expect(problems.isEmpty)
        // The same vendor directory read outside workspace mode is not for that mode.
        var single = files
        single["go.work"] = nil
        single["go.mod"] = "module example.com/root\ngo 1.22\n"
        let l = try layout(single)
        #expect(l.units[0].rootDir == "" && l.units[0].vendorDir == nil)
        #expect(l.units[0].vendorNotUsedReason == "Outside workspace mode, but vendor directory is for a workspace.")
        // A module vendor directory in workspace mode is not used.
        let (w, _) = try unit([
            "go.work": "go 1.22\nuse ./a\n", "a/go.mod": files["a/go.mod"] ?? "", "vendor/modules.txt": Self.modulesTxt,
        ])
        #expect(w.vendorDir == nil)
        #expect(w.vendorNotUsedReason == "In workspace mode, but vendor directory is not for a workspace")
    }

    @Test func inconsistentVendoring() throws {
        let (u, problems) = try unit([
            "go.mod":
                "module example.com/m\ngo 1.22\nrequire example.com/x v1.2.0\nrequire example.com/y v1.0.0\nreplace example.com/y => ./y\n",
            "vendor/modules.txt":
                "# example.com/x v1.2.0\nexample.com/x\n# example.com/z v1.0.0\n## explicit\nexample.com/z\n# example.com/w v1.0.0 => ./w\n",
        ])
        #expect(u.vendorDir == "vendor")
        let problem = try #require(problems.first)
        #expect(problem.file == "vendor/modules.txt")
        #expect(
            problem.message == """
                inconsistent vendoring in .:
                \texample.com/x@v1.2.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt
                \texample.com/y@v1.0.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt
                \texample.com/y: is replaced in go.mod, but not marked as replaced in vendor/modules.txt
                \texample.com/z@v1.0.0: is marked as explicit in vendor/modules.txt, but not explicitly required in go.mod
                \texample.com/w@v1.0.0: is marked as replaced in vendor/modules.txt, but not replaced in go.mod
                """)
    }

    /// A pruned module graph (go >= 1.17) must require every module modules.txt vendors
    /// packages of, at the listed version; below 1.17 modules.txt completes the graph, and
    /// only a requirement below the vendored version needs go.mod updated.
    @Test(arguments: ["1.22", "1.17"])
    func vendoredModuleNotRequired(version: String) throws {
        let (_, problems) = try unit([
            "go.mod": "module example.com/m\ngo \(version)\nrequire example.com/x v1.2.0\nrequire example.com/old v1.0.0\n",
            "vendor/modules.txt": Self.modulesTxt
                + "# example.com/old v1.1.0\nexample.com/old\n# example.com/extra v1.0.0\nexample.com/extra/e\n"
                + "# example.com/unused v1.0.0\n# example.com/old v1.0.0\n## explicit\n",
        ])
        let expected = """
            vendored module example.com/old@v1.1.0 should be required explicitly in go.mod
            vendored module example.com/extra@v1.0.0 should be required explicitly in go.mod
            updates to go.mod needed, disabled by -mod=vendor
            """
        #expect(problems.map(\.message) == [expected])
        #expect(problems.allSatisfy { $0.file == "vendor/modules.txt" && $0.dir == "" })
    }

    @Test(arguments: [("example.com/old v1.1.0", true), ("example.com/old v0.9.0", false), ("example.com/extra v1.0.0", false)])
    func unprunedVendoredModuleAboveItsRequirement(listed: String, refused: Bool) throws {
        let (_, problems) = try unit([
            "go.mod": "module example.com/m\ngo 1.16\nrequire example.com/x v1.2.0\nrequire example.com/old v1.0.0\n",
            "vendor/modules.txt": Self.modulesTxt + "# \(listed)\nexample.com/p\n# example.com/old v1.0.0\n## explicit\n",
        ])
        #expect(problems.map(\.message) == (refused ? ["updates to go.mod needed, disabled by -mod=vendor"] : []))
    }

    @Test func consistentReplacedVendoring() throws {
        let (u, problems) = try unit([
            "go.mod": "module example.com/m\ngo 1.22\nrequire example.com/y v1.0.0\nreplace example.com/y => ./y\n",
            "y/go.mod": "module example.com/y\n",
            "vendor/modules.txt": "# example.com/y v1.0.0 => ./y\n## explicit\nexample.com/y\n# example.com/y => ./y\n",
        ])
        #expect(u.vendorDir == "vendor")
        #expect(problems.isEmpty)
        #expect(u.localReplacement(of: "example.com/y") == "y")
    }
}
