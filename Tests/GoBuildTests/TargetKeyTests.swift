// Target keys: the same tree in two places gives the same keys; changing any single input
// changes exactly the keys of the targets that have that input — judged against go list.
import CacheStore
import Foundation
import GoBuild
import GraphCore
import Testing
import TestSupport

@Suite("Target keys")
struct TargetKeyTests {
    /// Three functions over a shared library, an embedded asset, a vendored module, a
    /// local module through replace, and a tool.
    static let files: [String: String] = [
        "go.mod": """
            module example.com/mono

            go 1.22

            godebug panicnil=1

            require (
            \texample.com/vendored v1.0.0
            \texample.com/local v0.0.0
            )

            replace example.com/local => ./local
            """ + "\n",
        "vendor/modules.txt": "# example.com/local v0.0.0 => ./local\n## explicit; go 1.21\nexample.com/local/l\n# example.com/vendored v1.0.0\n## explicit; go 1.20\nexample.com/vendored/v\n# example.com/local => ./local\n",
        "vendor/example.com/vendored/v/v.go": "package v\n\nfunc V() int { return 1 }\n",
        // In vendor mode the locally replaced module is built from its vendored copy.
        "vendor/example.com/local/l/l.go": "package l\n\nfunc L() int { return 2 }\n",
        "local/go.mod": "module example.com/local\n\ngo 1.21\n",
        "local/l/l.go": "package l\n\nfunc L() int { return 2 }\n",
        "lib/shared/shared.go": "package shared\n\nimport \"example.com/mono/lib/deep\"\n\nfunc S() int { return deep.D() }\n",
        "lib/shared/shared_windows.go": "package shared\n\nfunc windowsOnly() {}\n",
        "lib/deep/deep.go": "package deep\n\nfunc D() int { return 3 }\n",
        "lib/assets/assets.go": "package assets\n\nimport _ \"embed\"\n\n//go:embed data/banner.txt\nvar Banner string\n",
        "lib/assets/data/banner.txt": "hello\n",
        "functions/a/main.go": "package main\n\nimport \"example.com/mono/lib/shared\"\n\nfunc main() { _ = shared.S() }\n",
        "functions/b/main.go": "package main\n\nimport (\n\t\"example.com/mono/lib/assets\"\n\t\"example.com/vendored/v\"\n)\n\nfunc main() { _ = assets.Banner; _ = v.V() }\n",
        "functions/c/main.go": "package main\n\nimport \"example.com/local/l\"\n\nfunc main() { _ = l.L() }\n",
        "functions/c/main_test.go": "package main\n\nimport \"testing\"\n\nfunc TestC(t *testing.T) {}\n",
        "cmd/tool/main.go": "package main\n\nfunc main() {}\n",
        "README.md": "not an input\n",
        "gocache.yaml": "overrides:\n  - match: functions/c\n    extraInputs: [\"config/*.json\"]\n",
        "config/c.json": "{}\n",
    ]

    static let allTargets: Set<String> = ["cmd/tool", "functions/a", "functions/b", "functions/c"]

    /// Keys of every target of the working tree at `root`.
    static func keys(
        at root: URL, goVersion: String = "go1.27.3", overrides: SettingsOverrides = SettingsOverrides(),
        cCompiler: @escaping (String?) -> String = { "\($0 ?? "gcc"): gcc (Debian 12.2.0-14) 12.2.0" },
        compiler: @escaping (String) -> String = { "\($0): 12.2.0" },
        pkgConfig: @escaping ([String]) -> String = { "pkg-config " + $0.joined(separator: " ") }
    ) async throws -> [String: String] {
        let harness = try #require(try await GraphHarness.make())
        let location = try RepositoryLocation.discover(from: root.path)
        let tree = Snapshot.worktree(location)
        let config = try GocacheConfig.load(from: tree)
        let tags = try await harness.toolTags(config.defaultSettings(overrides: overrides))
        let repository = try await GoRepository.load(
            tree: tree, goRoot: harness.goRoot, options: LoadOptions(overrides: overrides, toolTags: { _ in tags }))
        let keys = try await TargetKeyRecipe.keys(
            for: repository.targets, in: repository, tree: tree, goVersion: goVersion,
            digester: FileDigester(tree: tree, cacheDirectory: nil), cCompiler: cCompiler, compiler: compiler,
            pkgConfig: pkgConfig)
        return Dictionary(uniqueKeysWithValues: keys.map { ($0.dir, $0.key.hex) })
    }

    static func changed(_ a: [String: String], _ b: [String: String]) -> Set<String> {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }
    }

    @Test("the same tree in two directories gives identical keys", .enabled(if: GoToolchain.isConfigured))
    func sameTreeTwoPlaces() async throws {
        let first = try await FixtureRepository.create(files: Self.files, label: "keys-a")
        defer { first.remove() }
        let second = try await FixtureRepository.create(files: Self.files, label: "keys-b-longer-path")
        defer { second.remove() }
        let a = try await Self.keys(at: first.root)
        let b = try await Self.keys(at: second.root)
        #expect(Set(a.keys) == Self.allTargets)
        #expect(a == b)
        #expect(Set(a.values).count == a.count, "distinct targets have distinct keys")
    }

    /// The targets whose closure (per go list) holds the package in `dir`.
    static func expectedTargets(containingPackageDir dir: String, root: URL) async throws -> Set<String> {
        let oracle = try await GoListOracle().graph(of: root, platform: .lambda)
        let packages = oracle.packages.values.flatMap { $0 }.filter { $0.dir == dir }.map(\.importPath)
        return Set(
            oracle.targets.filter { target in
                packages.contains { $0 == target.importPath || target.deps.contains($0) }
            }.map(\.dir))
    }

    struct FileEdit: Sendable, CustomTestStringConvertible {
        var path: String
        var newText: String?
        /// The package directory the file belongs to (for the go list oracle), or nil when
        /// the expected set is given.
        var packageDir: String?
        var expected: Set<String>?
        var testDescription: String { path }
    }

    static let fileEdits: [FileEdit] = [
        FileEdit(path: "lib/deep/deep.go", newText: "package deep\n\nfunc D() int { return 4 }\n", packageDir: "lib/deep"),
        FileEdit(path: "lib/shared/shared.go", newText: files["lib/shared/shared.go"]! + "\nvar x = 1\n", packageDir: "lib/shared"),
        FileEdit(path: "functions/a/main.go", newText: files["functions/a/main.go"]! + "\n// edit\n", packageDir: "functions/a"),
        FileEdit(path: "lib/assets/data/banner.txt", newText: "bonjour\n", packageDir: "lib/assets"),
        FileEdit(path: "vendor/example.com/vendored/v/v.go", newText: "package v\n\nfunc V() int { return 9 }\n", packageDir: "vendor/example.com/vendored/v"),
        FileEdit(path: "vendor/example.com/local/l/l.go", newText: "package l\n\nfunc L() int { return 7 }\n", packageDir: "vendor/example.com/local/l"),
        // Vendoring is in effect: the replacement directory itself is not built.
        FileEdit(path: "local/l/l.go", newText: "package l\n\nfunc L() int { return 7 }\n", expected: []),
        FileEdit(path: "config/c.json", newText: "{\"a\": 1}\n", expected: ["functions/c"]),
        FileEdit(path: "config/new.json", newText: "[]\n", expected: ["functions/c"]),
        FileEdit(path: "lib/shared/shared_windows.go", newText: "package shared\n\nfunc windowsOnly() { println() }\n", expected: []),
        FileEdit(path: "functions/c/main_test.go", newText: files["functions/c/main_test.go"]! + "\n// more\n", expected: []),
        FileEdit(path: "README.md", newText: "still not an input\n", expected: []),
        FileEdit(path: "lib/deep/extra.go", newText: "package deep\n\nvar Extra = 1\n", packageDir: "lib/deep"),
        FileEdit(path: "go.mod", newText: files["go.mod"]!.replacingOccurrences(of: "panicnil=1", with: "panicnil=0"), expected: allTargets),
        FileEdit(path: "local/go.mod", newText: "module example.com/local\n\ngo 1.22\n", expected: []),
        FileEdit(
            path: "vendor/modules.txt",
            newText: files["vendor/modules.txt"]!.replacingOccurrences(of: "## explicit; go 1.21", with: "## explicit; go 1.22"),
            expected: ["functions/c"]),
        FileEdit(
            path: "vendor/modules.txt",
            newText: files["vendor/modules.txt"]!.replacingOccurrences(of: "vendored v1.0.0", with: "vendored v1.0.1"),
            expected: ["functions/b"]),
    ]

    @Test("changing one input changes exactly the keys that have it", .enabled(if: GoToolchain.isConfigured), arguments: fileEdits)
    func singleFileEdit(_ edit: FileEdit) async throws {
        let files = Self.files
        let repo = try await FixtureRepository.create(files: files, label: "keys-edit")
        defer { repo.remove() }
        let before = try await Self.keys(at: repo.root)
        var expected = edit.expected ?? []
        if let dir = edit.packageDir {
            expected = try await Self.expectedTargets(containingPackageDir: dir, root: repo.root)
            #expect(!expected.isEmpty, "the oracle finds the package of \(edit.path)")
        }
        var write = [edit.path: edit.newText]
        if edit.path == "vendor/modules.txt", edit.newText?.contains("v1.0.1") == true {
            write["go.mod"] = files["go.mod"]!.replacingOccurrences(of: "vendored v1.0.0", with: "vendored v1.0.1")
        }
        try repo.write(write)
        let after = try await Self.keys(at: repo.root)
        #expect(Self.changed(before, after) == expected, "\(edit.path)")
    }

    struct SettingChange: Sendable, CustomTestStringConvertible {
        var name: String
        var overrides: SettingsOverrides
        var testDescription: String { name }
    }

    static let settingChanges: [SettingChange] = [
        SettingChange(name: "GOOS", overrides: SettingsOverrides(goos: "darwin")),
        SettingChange(name: "GOARCH", overrides: SettingsOverrides(goarch: "arm64")),
        SettingChange(name: "GOAMD64", overrides: SettingsOverrides(goarchLevel: "v3")),
        SettingChange(name: "tags", overrides: SettingsOverrides(tags: ["lambda.norpc"])),
        SettingChange(name: "ldflags", overrides: SettingsOverrides(ldflags: "-s")),
        SettingChange(name: "gcflags", overrides: SettingsOverrides(gcflags: "-N -l")),
        SettingChange(name: "CGO_ENABLED", overrides: SettingsOverrides(cgoEnabled: true)),
        SettingChange(name: "trimpath", overrides: SettingsOverrides(trimpath: false)),
    ]

    @Test("changing a setting changes every key", .enabled(if: GoToolchain.isConfigured), arguments: settingChanges)
    func settingChange(_ change: SettingChange) async throws {
        let repo = try await FixtureRepository.create(files: Self.files, label: "keys-setting")
        defer { repo.remove() }
        let before = try await Self.keys(at: repo.root)
        let after = try await Self.keys(at: repo.root, overrides: change.overrides)
        #expect(Self.changed(before, after) == Self.allTargets, "\(change.name)")
    }

    @Test("a per-target setting in gocache.yaml changes only that target", .enabled(if: GoToolchain.isConfigured))
    func perTargetConfig() async throws {
        let repo = try await FixtureRepository.create(files: Self.files, label: "keys-config")
        defer { repo.remove() }
        let before = try await Self.keys(at: repo.root)
        try repo.write(["gocache.yaml": Self.files["gocache.yaml"]! + "  - match: functions/a\n    goarch: arm64\n"])
        let after = try await Self.keys(at: repo.root)
        #expect(Self.changed(before, after) == ["functions/a"])
    }

    @Test("a profile or an extra input that is a symbolic link is followed", .enabled(if: GoToolchain.isConfigured))
    func linkedProfileAndExtraInput() async throws {
        // The go command follows `default.pgo` when it is a link (pgo=auto stats it); the key
        // must cover the profile it points to, and a linked extra input the same way.
        let repo = try await FixtureRepository.create(files: Self.files, label: "keys-links")
        defer { repo.remove() }
        try repo.write(["profiles/a.pprof": "profile one\n", "shared-config/extra.json": "{\"v\": 1}\n"])
        try FileManager.default.createSymbolicLink(
            atPath: repo.root.path + "/functions/a/default.pgo", withDestinationPath: "../../profiles/a.pprof")
        try FileManager.default.createSymbolicLink(
            atPath: repo.root.path + "/config/linked.json", withDestinationPath: "../shared-config/extra.json")
        let before = try await Self.keys(at: repo.root)
        try repo.write(["profiles/a.pprof": "profile two\n"])
        let profiled = try await Self.keys(at: repo.root)
        #expect(Self.changed(before, profiled) == ["functions/a"])
        try repo.write(["shared-config/extra.json": "{\"v\": 2}\n"])
        let configured = try await Self.keys(at: repo.root)
        #expect(Self.changed(profiled, configured) == ["functions/c"])
    }

    @Test("the toolchain version is part of every key", .enabled(if: GoToolchain.isConfigured))
    func toolchainVersion() async throws {
        let repo = try await FixtureRepository.create(files: Self.files, label: "keys-toolchain")
        defer { repo.remove() }
        let before = try await Self.keys(at: repo.root, goVersion: "go1.27.3")
        let after = try await Self.keys(at: repo.root, goVersion: "go1.27.4")
        #expect(Self.changed(before, after) == Self.allTargets)
    }

    @Test("with cgo on, the C compiler's identity is part of every key; with cgo off, of none", .enabled(if: GoToolchain.isConfigured))
    func cCompilerIdentity() async throws {
        let repo = try await FixtureRepository.create(files: Self.files, label: "keys-cc")
        defer { repo.remove() }
        var cgo = SettingsOverrides()
        cgo.cgoEnabled = true
        let old = try await Self.keys(at: repo.root, overrides: cgo, cCompiler: { _ in "gcc: gcc (Debian 12.2.0-14) 12.2.0" })
        let upgraded = try await Self.keys(at: repo.root, overrides: cgo, cCompiler: { _ in "gcc: gcc (Debian 13.1.0-1) 13.1.0" })
        #expect(Self.changed(old, upgraded) == Self.allTargets)
        // The default compiler spelled out (`cc: gcc`) is the same compiler: the same keys.
        let identity: (String?) -> String = { "\($0 ?? "gcc"): gcc (Debian 12.2.0-14) 12.2.0" }
        let config = Self.files["gocache.yaml"]!
        try repo.write(["gocache.yaml": "defaults:\n  cc: gcc\n" + config])
        #expect(try await Self.keys(at: repo.root, overrides: cgo, cCompiler: identity) == old)
        try repo.write(["gocache.yaml": "defaults:\n  cc: clang\n" + config])
        #expect(Self.changed(old, try await Self.keys(at: repo.root, overrides: cgo, cCompiler: identity)) == Self.allTargets)
        try repo.write(["gocache.yaml": config])
        let plain = try await Self.keys(at: repo.root, cCompiler: { _ in "gcc: gcc (Debian 12.2.0-14) 12.2.0" })
        let plainUpgraded = try await Self.keys(at: repo.root, cCompiler: { _ in "gcc: gcc (Debian 13.1.0-1) 13.1.0" })
        #expect(plain == plainUpgraded)
    }

    @Test("with cgo on, the C++ compiler's identity is part of the keys whose closure has C++ files (and the Fortran compiler's of Fortran files)", .enabled(if: GoToolchain.isConfigured))
    func otherCompilerIdentities() async throws {
        var files = Self.files
        files["lib/deep/cgo.go"] = "package deep\n\n// int twice(int);\nimport \"C\"\n\nfunc T() int { return int(C.twice(2)) }\n"
        files["lib/deep/twice.cc"] = "extern \"C\" int twice(int x) { return 2 * x; }\n"
        let repo = try await FixtureRepository.create(files: files, label: "keys-cxx")
        defer { repo.remove() }
        var cgo = SettingsOverrides()
        cgo.cgoEnabled = true
        let old = try await Self.keys(at: repo.root, overrides: cgo, compiler: { "\($0): 12.2.0" })
        let upgraded = try await Self.keys(at: repo.root, overrides: cgo, compiler: { $0 == "CXX" ? "CXX: 13.1.0" : "\($0): 12.2.0" })
        #expect(Self.changed(old, upgraded) == ["functions/a"], "only functions/a reaches the C++ file")
        let fortran = try await Self.keys(at: repo.root, overrides: cgo, compiler: { $0 == "FC" ? "FC: 13.1.0" : "\($0): 12.2.0" })
        #expect(fortran == old, "no Fortran file: FC is no input")
        let plain = try await Self.keys(at: repo.root, compiler: { "\($0): 12.2.0" })
        let plainUpgraded = try await Self.keys(at: repo.root, compiler: { "\($0): 13.1.0" })
        #expect(plain == plainUpgraded, "with cgo off no compiler is an input")
    }

    @Test("the toolchain asks the C compiler for its version once: two compilers, two identities; a missing one is unavailable", .enabled(if: GoToolchain.isConfigured))
    func cCompilerQuery() throws {
        let go = try #require(GoToolchain.current())
        let toolchain = try GoBuild.GoToolchain(goBinary: go.executable, environment: ProcessInfo.processInfo.environment)
        let directory = try temporaryDirectory("cc")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, version) in [("cc-a", "12.2.0"), ("cc-b", "13.1.0")] {
            try "#!/bin/sh\necho \"fake cc $*\" \(version)\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
            chmod(directory + "/" + name, 0o755)
        }
        let a = toolchain.cCompilerIdentity(directory + "/cc-a")
        #expect(a.contains("fake cc --version 12.2.0") && a.contains("binary sha256 "))
        #expect(toolchain.cCompilerIdentity(directory + "/cc-b") != a)
        #expect(toolchain.cCompilerIdentity(directory + "/no-such-cc").contains("unavailable"))
        // The C++ compiler by default is the toolchain's `go env CXX`.
        #expect(toolchain.compilerIdentity(variable: "CXX") != toolchain.cCompilerIdentity(nil))
        #expect(toolchain.compilerIdentity(variable: "CXX").hasPrefix("g++") || toolchain.compilerIdentity(variable: "CXX").hasPrefix("clang++"))
    }

    @Test("explain lists the material, sorted, with file digests")
    func explainMaterial() throws {
        let inputs = TargetInputs(
            dir: "functions/a", importPath: "example.com/a", settings: .lambdaDefaults, workspace: nil,
            localModules: ["example.com": .init(go: "1.22", toolchain: nil, godebug: [])], pgo: nil, extraInputs: [],
            packages: [
                .init(importPath: "example.com/a", module: GoModuleRef(path: "example.com", isMain: true, goVersion: "1.22"),
                      sum: nil, error: nil, files: ["functions/a/main.go"])
            ])
        let digest = try SHA256Hasher.hash(Array("package main\n".utf8))
        let key = try TargetKeyRecipe.key(of: inputs, goVersion: "go1.27.3", digests: ["functions/a/main.go": digest])
        #expect(key.material.contains { $0.contains("functions/a/main.go \(digest.hex)") })
        #expect(key.material.contains("toolchain = \"go1.27.3\""))
        #expect(key.material.contains("GOFIPS140 = <absent>"))
        let other = try TargetKeyRecipe.key(
            of: inputs, goVersion: "go1.27.3", digests: ["functions/a/main.go": try SHA256Hasher.hash(Array("x".utf8))])
        #expect(other.key != key.key)
    }
}
