@testable import GraphCore
import Testing

private func mod(_ text: String) throws -> GoModFile {
    try GoModFile.parse(Array(text.utf8), file: "go.mod")
}

private func modError(_ text: String) -> GoModFileError? {
    do {
        _ = try GoModFile.parse(Array(text.utf8), file: "go.mod")
        return nil
    } catch {
        return error
    }
}

@Suite("WorkspaceModFile")
struct WorkspaceModFileTests {
    @Test func everyDirective() throws {
        let f = try mod(
            """
            // Package header comment.
            module example.com/shop // the shop

            go 1.23.4
            toolchain go1.24.1
            godebug (
            \tpanicnil=1
            \thttp2client=0
            )
            godebug asynctimerchan=1

            require example.com/a v1.2.3
            require (
            \texample.com/b/v2 v2.0.1 // indirect
            \t"example.com/c" v0.0.0-20240101000000-abcdefabcdef // indirect; keep
            \texample.com/d v1.0.0 // not indirect
            \tgopkg.in/yaml.v3 v3.0.1
            \texample.com/e v2.0.0+incompatible
            )
            exclude example.com/a v1.2.2
            exclude (
            \texample.com/b/v2 v2.0.0
            )
            replace example.com/a => ../a
            replace example.com/b/v2 v2.0.1 => example.com/fork/b/v2 v2.0.2
            replace (
            \texample.com/c => /abs/c
            \texample.com/d v1.0.0 => ./local/d
            )
            retract v1.0.0 // broken
            retract [v1.1.0, v1.2.0]
            tool example.com/a/cmd/gen
            tool (
            \tgolang.org/x/tools/cmd/stringer
            )
            ignore ./node_modules
            ignore (
            \tstatic
            \t"dist/out"
            )
            """)
        #expect(f.modulePath == "example.com/shop")
        #expect(f.goVersion == "1.23.4")
        #expect(f.toolchain == "go1.24.1")
        #expect(
            f.godebug == [
                GoDebugSetting(key: "panicnil", value: "1"), GoDebugSetting(key: "http2client", value: "0"),
                GoDebugSetting(key: "asynctimerchan", value: "1"),
            ])
        #expect(
            f.requires == [
                GoRequirement(path: "example.com/a", version: "v1.2.3", indirect: false),
                GoRequirement(path: "example.com/b/v2", version: "v2.0.1", indirect: true),
                GoRequirement(path: "example.com/c", version: "v0.0.0-20240101000000-abcdefabcdef", indirect: true),
                GoRequirement(path: "example.com/d", version: "v1.0.0", indirect: false),
                GoRequirement(path: "gopkg.in/yaml.v3", version: "v3.0.1", indirect: false),
                GoRequirement(path: "example.com/e", version: "v2.0.0+incompatible", indirect: false),
            ])
        #expect(
            f.excludes == [
                GoModuleVersion(path: "example.com/a", version: "v1.2.2"),
                GoModuleVersion(path: "example.com/b/v2", version: "v2.0.0"),
            ])
        #expect(
            f.replaces == [
                GoReplacement(oldPath: "example.com/a", oldVersion: nil, newPath: "../a", newVersion: nil),
                GoReplacement(
                    oldPath: "example.com/b/v2", oldVersion: "v2.0.1", newPath: "example.com/fork/b/v2", newVersion: "v2.0.2"),
                GoReplacement(oldPath: "example.com/c", oldVersion: nil, newPath: "/abs/c", newVersion: nil),
                GoReplacement(oldPath: "example.com/d", oldVersion: "v1.0.0", newPath: "./local/d", newVersion: nil),
            ])
        #expect(f.replaces.map(\.isLocalDirectory) == [true, false, true, true])
        #expect(f.retracts == ["v1.0.0", "[v1.1.0, v1.2.0]"])
        #expect(f.tools == ["example.com/a/cmd/gen", "golang.org/x/tools/cmd/stringer"])
        #expect(f.ignores == ["./node_modules", "static", "dist/out"])
    }

    @Test func versionsAreCanonicalised() throws {
        let f = try mod("module m\nrequire example.com/a v1.2\nrequire example.com/b v1.0.0+meta\n")
        #expect(f.requires.map(\.version) == ["v1.2.0", "v1.0.0"])
        #expect(f.goVersion == nil)
        #expect(f.effectiveGoVersion == "1.16")
    }

    @Test func crlfAndEmptyBlocks() throws {
        let f = try mod("module example.com/m\r\n\r\nrequire ()\r\nrequire (\r\n\texample.com/x v1.0.0 // indirect\r\n)\r\n")
        #expect(f.requires == [GoRequirement(path: "example.com/x", version: "v1.0.0", indirect: true)])
    }

    @Test func quotedModulePathWithEscapes() throws {
        let f = try mod("module \"example.com/\\x6d\"\n")
        #expect(f.modulePath == "example.com/m")
    }

    /// Messages and positions as `go mod edit -json` (go 1.27) reports them.
    @Test(arguments: [
        ("module example.com/m\n\ngo 1.22\nfoo bar\n", 4, 1, "unknown directive: foo"),
        ("module example.com/m\nrequire (\n\texample.com/x v1.0.0\n", 4, 1,
            "syntax error (unterminated block started at go.mod:2:1)"),
        ("module example.com/m\nrequire example.com/x 1.2.3\n", 2, 1,
            "require example.com/x: version \"1.2.3\" invalid: must be of the form v1.2.3"),
        ("module example.com/m\nrequire (\n\texample.com/x/v2 v1.0.0\n)\n", 3, 2,
            "require example.com/x/v2: version \"v1.0.0\" invalid: should be v2, not v1"),
        ("module example.com/m\ngo 1.22 /* c */\n", 2, 9, "mod files must use // comments (not /* */ comments)"),
        ("module example.com/m\nreplace example.com/x => example.com/y\n", 2, 1,
            "replacement module without version must be directory path (rooted or starting with . or ..)"),
        ("module example.com/m\nrequire \"example.com/x v1.0.0\n", 2, 30, "unexpected newline in string"),
        ("module example.com/m\nrequire ( ) x\n", 2, 1, "usage: require module/path v1.2.3"),
        ("module example.com/m\nrequire (\n) x\n", 3, 4, "syntax error (expected newline after closing paren)"),
        ("module example.com/m\ngo 1.22.x\n", 2, 1, "invalid go version '1.22.x': must match format 1.23.0"),
        ("module example.com/m\ntoolchain 1.22\n", 2, 1,
            "invalid toolchain version '1.22': must match format go1.23.0 or default"),
        ("module example.com/m\nretract [v1.0.0, v1.1.0] extra\n", 2, 1, "unexpected token after version: \"extra\""),
        ("module example.com/m\ngodebug (\n\tfoo\n)\n", 3, 2, "usage: godebug key=value"),
        ("module example.com/m\ngo (\n\t1.22\n)\n", 2, 1, "unknown block type: go"),
        ("module example.com/m\nrequire example.com/x v1.0.0\u{01}\n", 2, 29, "unexpected input character '\\x01'"),
        ("module example.com/m\nmodule example.com/n\n", 2, 1, "repeated module statement"),
        ("module example.com/m\ngo 1.21\ngo 1.22\n", 3, 1, "repeated go statement"),
        ("module example.com/m\nreplace example.com/x => ./x v1.0.0\n", 2, 1,
            "replacement module directory path \"./x\" cannot have version"),
        ("module example.com/m\nreplace example.com/x => example.com/y@v1.0.0\n", 2, 1,
            "replacement module must match format 'path version', not 'path@version'"),
        ("module example.com/m\nrequire ex'ample.com/x v1.0.0\n", 2, 1,
            "invalid quoted string: unquoted string cannot contain quote"),
        ("module example.com/m\ntool a b\n", 2, 1, "tool directive expects exactly one argument"),
        ("module example.com/m\nignore\n", 2, 1, "ignore directive expects exactly one argument"),
        ("module example.com/m\nrequire \"example.com/x", 2, 9, "unexpected EOF in string"),
    ])
    func malformed(text: String, line: Int, column: Int, message: String) throws {
        let error = try #require(modError(text))
        #expect(error == GoModFileError(file: "go.mod", line: line, column: column, message: message))
        #expect(error.description == "go.mod:\(line):\(column): \(message)")
    }

    @Test func moduleLineRequiredAndChecked() throws {
        #expect(modError("go 1.22\n")?.message.hasPrefix("missing module declaration") == true)
        #expect(modError("module go\n")?.message == "invalid module path: \"go\": module path is reserved")
        #expect(modError("module \"example.com/a b\"\n")?.message == "malformed module path \"example.com/a b\": invalid char ' '")
        // `//` starts a comment even inside a path.
        #expect(try mod("module example.com/a//b\n").modulePath == "example.com/a")
    }

    @Test func goWork() throws {
        let w = try GoWorkFile.parse(
            Array(
                """
                go 1.23
                toolchain go1.23.2
                godebug default=go1.21
                use ./functions/a
                use (
                \t./functions/b // b
                \t"./lib"
                )
                replace example.com/x v1.0.0 => ../x
                """.utf8), file: "go.work")
        #expect(w.goVersion == "1.23")
        #expect(w.toolchain == "go1.23.2")
        #expect(w.godebug == [GoDebugSetting(key: "default", value: "go1.21")])
        #expect(w.uses == ["./functions/a", "./functions/b", "./lib"])
        #expect(w.useLines == [4, 6, 7])
        #expect(w.replaces == [GoReplacement(oldPath: "example.com/x", oldVersion: "v1.0.0", newPath: "../x", newVersion: nil)])
        #expect(throws: GoModFileError(file: "go.work", line: 2, column: 1, message: "unknown directive: require")) {
            try GoWorkFile.parse(Array("go 1.23\nrequire example.com/x v1.0.0\n".utf8), file: "go.work")
        }
        #expect(throws: GoModFileError(file: "go.work", line: 1, column: 1, message: "usage: use local/dir")) {
            try GoWorkFile.parse(Array("use a b\n".utf8), file: "go.work")
        }
    }

    @Test func goSum() throws {
        let sum = try GoSum.parse(
            Array(
                """
                example.com/a v1.2.3 h1:aaaa=
                example.com/a v1.2.3/go.mod h1:bbbb=

                example.com/b v0.1.0/go.mod h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=
                example.com/b v0.1.0 h1:cccc=
                """.utf8), file: "go.sum")
        #expect(sum.hash(module: "example.com/a", version: "v1.2.3") == "h1:aaaa=")
        #expect(sum.goModHash(module: "example.com/a", version: "v1.2.3") == "h1:bbbb=")
        #expect(sum.goModHash(module: "example.com/b", version: "v0.1.0") == nil)
        #expect(sum.hash(module: "example.com/b", version: "v0.1.0") == "h1:cccc=")
        #expect(sum.hash(module: "example.com/c", version: "v1.0.0") == nil)
        #expect(throws: GoModFileError(file: "go.sum", line: 2, column: 1, message: "malformed go.sum: wrong number of fields 2")) {
            try GoSum.parse(Array("example.com/a v1 h1:x=\nexample.com/a v1.0.0\n".utf8), file: "go.sum")
        }
    }

    @Test func vendorManifest() throws {
        let m = try VendorManifest.parse(
            Array(
                """
                # example.com/a v1.2.3
                ## explicit; go 1.21
                example.com/a
                example.com/a/sub
                # example.com/b v0.1.0 => ../b
                ## explicit
                example.com/b
                # example.com/c v1.0.0 => example.com/fork/c v1.0.1
                ## go 1.18
                example.com/c/x
                # example.com/d => ./d
                # garbage line
                example.com/ignored
                """.utf8), file: "vendor/modules.txt")
        #expect(!m.isWorkspace)
        #expect(m.modules.count == 4)
        #expect(
            m.modules[0]
                == VendoredModule(
                    path: "example.com/a", version: "v1.2.3", explicit: true, goVersion: "1.21",
                    packages: ["example.com/a", "example.com/a/sub"]))
        #expect(m.modules[1].replacement == GoModuleVersion(path: "../b", version: nil))
        #expect(m.modules[1].explicit && m.modules[1].goVersion == nil)
        #expect(m.modules[2].replacement == GoModuleVersion(path: "example.com/fork/c", version: "v1.0.1"))
        #expect(!m.modules[2].explicit && m.modules[2].goVersion == "1.18")
        #expect(m.modules[3] == VendoredModule(path: "example.com/d", version: nil, replacement: GoModuleVersion(path: "./d", version: nil)))
        #expect(m.module(providing: "example.com/a/sub")?.path == "example.com/a")
        #expect(m.module(providing: "example.com/ignored") == nil)
        let w = try VendorManifest.parse(Array("## workspace\n# example.com/a v1.0.0\n## explicit\nexample.com/a\n".utf8), file: "m")
        #expect(w.isWorkspace)
    }

    /// golang.org/x/mod/semver's rules (SemVer parses bytes): validity, canonical forms and order.
    @Test func semanticVersions() {
        for valid in [
            "v1", "v1.2", "v1.2.3", "v1.2.3-pre", "v1.2.3-pre.1+build.5", "v0.0.0-20240101120000-abcdef123456",
            "v2.0.0+incompatible", "v1.2.3-0", "v1.2.3-x.0a.-", "v10.20.30",
        ] {
            #expect(SemVer.isValid(valid), "\(valid)")
        }
        for invalid in [
            "", "v", "1.2.3", "v01.2.3", "v1.02.3", "v1.2.03", "v1.2.3-01", "v1.2.3-", "v1.2.3+", "v1.2.3-a..b",
            "v1.2-pre", "v1.2.3.4", "v1.2.3-é", "V1.2.3", "v1.2.3+a+b", "v1.", "v1.2.",
        ] {
            #expect(!SemVer.isValid(invalid), "\(invalid)")
        }
        #expect(SemVer.canonical("v1") == "v1.0.0")
        #expect(SemVer.canonical("v1.2") == "v1.2.0")
        #expect(SemVer.canonical("v1.2.3+build") == "v1.2.3")
        #expect(SemVer.canonical("v1.2.3-pre+meta") == "v1.2.3-pre")
        #expect(SemVer.moduleCanonical("v2.0.0+incompatible") == "v2.0.0+incompatible")
        #expect(SemVer.major("v3.1.0") == "v3")
        #expect(SemVer.compare("v1.2.3-alpha", "v1.2.3") < 0)
        #expect(SemVer.compare("v1.10.0", "v1.9.0") > 0)
        #expect(SemVer.compare("v1.0.0-1", "v1.0.0-a") < 0)
        #expect(SemVer.compare("v1.0.0-alpha.10", "v1.0.0-alpha.9") > 0)
        #expect(SemVer.compare("v1.2", "v1.2.0") == 0)
    }

    /// The go command splits modules.txt on "\n" and its fields on any white space, so a file
    /// with CRLF line ends (a Windows checkout) lists the same modules and packages; a line
    /// of two fields or with a malformed path lists no package.
    @Test func vendorManifestCRLF() throws {
        let text = "## workspace \r\n# example.com/a v1.2.3\r\n## explicit ; go 1.21\r\nexample.com/a\r\n"
            + "example.com/a/sub\t\r\nexample.com/a two\r\nexample.com//bad\r\n# example.com/b v0.1.0 => ../b\r\nexample.com/b\r\n"
        let crlf = try VendorManifest.parse(Array(text.utf8), file: "m")
        let lf = try VendorManifest.parse(Array(text.utf8).filter { $0 != 0x0D }, file: "m")
        #expect(crlf == lf)
        #expect(crlf.isWorkspace)
        #expect(crlf.modules.map(\.path) == ["example.com/a", "example.com/b"])
        #expect(crlf.modules[0].packages == ["example.com/a", "example.com/a/sub"])
        #expect(crlf.modules[0].explicit && crlf.modules[0].goVersion == "1.21")
        #expect(crlf.modules[1].replacement == GoModuleVersion(path: "../b", version: nil))
        let sum = try GoSum.parse(Array("example.com/a v1.2.3 h1:aaaa=\r\n\r\nexample.com/a v1.2.3/go.mod\th1:bbbb=\r\n".utf8), file: "go.sum")
        #expect(sum.hash(module: "example.com/a", version: "v1.2.3") == "h1:aaaa=")
        #expect(sum.goModHash(module: "example.com/a", version: "v1.2.3") == "h1:bbbb=")
    }
}
