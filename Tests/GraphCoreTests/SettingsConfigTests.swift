import GraphCore
import Testing

private func config(_ text: String) throws -> GocacheConfig {
    try GocacheConfig.parse(Array(text.utf8), file: "gocache.yaml")
}

private func configError(_ text: String) -> GocacheConfigError? {
    do {
        _ = try GocacheConfig.parse(Array(text.utf8), file: "gocache.yaml")
        return nil
    } catch {
        return error
    }
}

@Suite("SettingsConfig")
struct SettingsConfigTests {
    static let example = """
        defaults:
          tags: lambda.norpc,netgo
          goamd64: v3
        targets:
          include: ["functions/**", "cmd/*"]
          exclude: [functions/legacy-*]
        overrides:
          - match: functions/arm-*
            goarch: arm64
            ldflags: "-s -w -X main.arch=arm"
          - match: [functions/cgo-*, cmd/cgo]
            cgo: true
            cc: clang
            cgoFlags: {CGO_CFLAGS: "-O2"}
            extraInputs: [native/*.h]
          - match: functions/arm-special
            goarm64: v8.2
            tags: [special]
            trimpath: false
            buildvcs: true
        extraInputs: [config/shared.json]
        """

    @Test func lambdaDefaultsWithoutConfig() {
        let s = GocacheConfig().settings(forTarget: "functions/a", overrides: SettingsOverrides())
        #expect(s == BuildSettings.lambdaDefaults)
        #expect(s.goos == "linux" && s.goarch == "amd64" && s.goarchLevel == "v1")
        #expect(!s.cgoEnabled && s.trimpath && !s.buildvcs && s.ldflags == "-s -w" && s.tags.isEmpty)
    }

    @Test func targetSelection() throws {
        let c = try config(Self.example)
        #expect(c.isTarget("functions/a"))
        #expect(c.isTarget("functions/deep/nested/b"))
        #expect(c.isTarget("cmd/tool"))
        #expect(!c.isTarget("cmd/tool/sub"))
        #expect(!c.isTarget("functions/legacy-x"))
        #expect(!c.isTarget("tools/gen"))
        #expect(GocacheConfig().isTarget("anything/at/all"))
    }

    @Test func resolutionOrder() throws {
        let c = try config(Self.example)
        let plain = c.settings(forTarget: "functions/a", overrides: SettingsOverrides())
        #expect(plain.tags == ["lambda.norpc", "netgo"])
        #expect(plain.goarchLevel == "v3")
        #expect(plain.extraInputs == ["config/shared.json"])

        let arm = c.settings(forTarget: "functions/arm-x", overrides: SettingsOverrides())
        #expect(arm.goarch == "arm64" && arm.goarchLevel == "v8.0")
        #expect(arm.ldflags == "-s -w -X main.arch=arm")

        let special = c.settings(forTarget: "functions/arm-special", overrides: SettingsOverrides())
        #expect(special.goarchLevel == "v8.2" && special.tags == ["special"] && !special.trimpath && special.buildvcs)

        let cgo = c.settings(forTarget: "cmd/cgo", overrides: SettingsOverrides())
        #expect(cgo.cgoEnabled && cgo.cc == "clang" && cgo.cgoFlags == ["CGO_CFLAGS": "-O2"])
        #expect(cgo.extraInputs == ["config/shared.json", "native/*.h"])

        // Flags win; turning cgo off drops CC and CGO_* flags.
        let flagged = c.settings(
            forTarget: "functions/cgo-a",
            overrides: SettingsOverrides(goarch: "arm64", goarchLevel: "v9.0", cgoEnabled: false, tags: ["x"], ldflags: ""))
        #expect(flagged.goarch == "arm64" && flagged.goarchLevel == "v9.0")
        #expect(!flagged.cgoEnabled && flagged.cc == nil && flagged.cgoFlags.isEmpty)
        #expect(flagged.tags == ["x"] && flagged.ldflags == "")

        let wasm = c.settings(forTarget: "functions/a", overrides: SettingsOverrides(goos: "js", goarch: "wasm"))
        #expect(wasm.goarchLevel == nil)
    }

    @Test func tagsParsing() {
        #expect(SettingsOverrides.parseTags("a,b, c") == ["a", "b", "c"])
        #expect(SettingsOverrides.parseTags("a b") == ["a", "b"])
        #expect(SettingsOverrides.parseTags("") == [])
    }

    @Test("a tag list element is read as the go command reads -tags: \"a,b\" and \"c d\" are two tags each")
    func tagListElementsAreSplit() throws {
        let parsed = try config("defaults:\n  tags: [\"a,b\", \"c d\", \" \", e]\n")
        #expect(parsed.settings(forTarget: "functions/x", overrides: SettingsOverrides()).tags == ["a", "b", "c", "d", "e"])
    }

    @Test("globs must stay inside the repository: no absolute paths, no . or .. elements")
    func globsStayInside() {
        for glob in ["../env.sh", "./functions/a", "functions/../x", "/etc/passwd"] {
            let error = configError("extraInputs: [\"\(glob)\"]\n")
            #expect(error != nil, "\(glob)")
            #expect(configError("targets:\n  include: [\"\(glob)\"]\n") != nil, "\(glob)")
        }
        #expect(configError("extraInputs: [config/*.json, \"**/x.txt\"]\n") == nil)
    }

    @Test func archDefaults() {
        #expect(BuildSettings.defaultArchLevel(goarch: "arm") == "7")
        #expect(BuildSettings.defaultArchLevel(goarch: "386") == "sse2")
        #expect(BuildSettings.defaultArchLevel(goarch: "riscv64") == "rva20u64")
        #expect(BuildSettings.archLevelVariable(goarch: "ppc64le") == "GOPPC64")
        #expect(BuildSettings.isValidArchLevel("v8.1,lse", variable: "GOARM64"))
        #expect(!BuildSettings.isValidArchLevel("v5", variable: "GOAMD64"))
    }

    @Test func emptyAndAbsentFiles() throws {
        #expect(try config("") == GocacheConfig())
        #expect(try config("# only a comment\n") == GocacheConfig())
        #expect(try GocacheConfig.load(from: InMemoryFileTree(texts: ["go.mod": "module m\n"])) == GocacheConfig())
        let loaded = try GocacheConfig.load(from: InMemoryFileTree(texts: ["gocache.yaml": "extraInputs: a.txt\n"]))
        #expect(loaded.extraInputs == ["a.txt"])
    }

    @Test(arguments: [
        ("defaults:\n  goarc: arm64\n", 2, 3, "unknown key \"goarc\" in defaults (did you mean \"goarch\"?)"),
        ("targets:\n  includes: [a]\n", 2, 3, "unknown key \"includes\" in targets (did you mean \"include\"?)"),
        ("overide: []\n", 1, 1, "unknown key \"overide\" in the top level (did you mean \"overrides\"?)"),
        ("overrides:\n  - goarch: arm64\n", 2, 5, "an overrides entry needs `match:` (a glob or a list of globs)"),
        ("overrides:\n  match: x\n", 2, 3, "overrides must be a list of {match: ..., <settings>} entries"),
        ("defaults:\n  cgo: maybe\n", 2, 8, "cgo must be true or false, not \"maybe\""),
        ("defaults:\n  goamd64: v9\n", 2, 12, "invalid GOAMD64 \"v9\""),
        ("defaults:\n  cgoFlags: {CGO_CFLAG: x}\n", 2, 14,
            "unknown key \"CGO_CFLAG\" in cgoFlags (did you mean \"CGO_CFLAGS\"?)"),
        ("defaults:\n  goos: linux\n  goos: darwin\n", 2, 3, "duplicate key goos"),
        ("defaults: [a\n", 2, 1, "invalid YAML: did not find expected ',' or ']'"),
        ("targets:\n  include: [/abs]\n", 2, 12, "glob \"/abs\" must be relative to the repository root"),
    ])
    func errors(text: String, line: Int, column: Int, message: String) throws {
        let e = try #require(configError(text))
        #expect(e == GocacheConfigError(file: "gocache.yaml", line: line, column: column, message: message))
        #expect(e.description.hasPrefix("gocache.yaml:\(line):\(column): "))
    }
}
