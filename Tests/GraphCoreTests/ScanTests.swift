// Unit tests of the Go source scanner, build constraints and build context, one table
// per go/build rule.

import Foundation
import Testing
@testable import GraphCore

private func header(_ text: String, file: String = "x.go") throws(GoScanError) -> GoFileHeader {
    try GoSourceScanner.scanHeader(Array(text.utf8), fileName: file)
}

@Suite("ScanConstraintParsing")
struct ScanConstraintParsingTests {
    @Test(arguments: [
        ("//go:build linux", "linux"),
        ("//go:build linux && amd64", "linux && amd64"),
        ("//go:build linux || (darwin && !cgo)", "linux || (darwin && !cgo)"),
        ("//go:build !(a || b)", "!(a || b)"),
        ("//go:build (a && b) || c", "(a && b) || c"),
        ("//go:build a && (b || c)", "a && (b || c)"),
        ("//go:build go1.21 && lambda.norpc", "go1.21 && lambda.norpc"),
        ("//go:build\tlinux\n", "linux"),
        ("// +build linux darwin", "linux || darwin"),
        ("// +build linux,amd64 !cgo", "(linux && amd64) || !cgo"),
        ("// +build !!x", "ignore"),
        ("// +build !", "ignore"),
        ("// +build a-b", "ignore"),
        ("// +build", "ignore"),
        ("//+build x", "x"),
    ])
    func parses(_ line: String, _ expected: String) throws {
        #expect(try BuildConstraint.parse(line).description == expected)
    }

    @Test(arguments: [
        ("//go:build", "unexpected end of expression"),
        ("//go:build (linux", "missing close paren"),
        ("//go:build linux)", "unexpected token )"),
        ("//go:build !!linux", "double negation not allowed"),
        ("//go:build a & b", "invalid syntax at &"),
        ("//go:build a b", "unexpected token b"),
        ("//go:build a && ", "unexpected end of expression"),
        ("//go:build -x", "invalid syntax at -"),
        ("//go:buildlinux", "not a build constraint"),
        ("// go:build linux", "not a build constraint"),
        ("// +buildlinux", "not a build constraint"),
        ("/* +build x */", "not a build constraint"),
    ])
    func rejects(_ line: String, _ message: String) {
        #expect(throws: BuildConstraintSyntaxError.self) { try BuildConstraint.parse(line) }
        do {
            _ = try BuildConstraint.parse(line)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func plusBuildComplexityLimit() {
        let line = "// +build " + (0..<102).map { "t\($0)" }.joined(separator: " ")
        #expect(throws: BuildConstraintSyntaxError.self) { try BuildConstraint.parse(line) }
        let ok = "// +build " + (0..<101).map { "t\($0)" }.joined(separator: " ")
        #expect((try? BuildConstraint.parse(ok)) != nil)
    }

    @Test(arguments: [
        ("//go:build linux && !cgo", ["linux"], true),
        ("//go:build linux && !cgo", ["linux", "cgo"], false),
        ("//go:build a || b", ["b"], true),
        ("//go:build !a", [], true),
        ("// +build a,b c", ["c"], true),
        ("// +build a,b c", ["a"], false),
    ] as [(String, [String], Bool)])
    func evaluates(_ line: String, _ tags: [String], _ expected: Bool) throws {
        #expect(try BuildConstraint.parse(line).evaluate { tags.contains($0) } == expected)
    }

    @Test func evaluationVisitsEveryTag() throws {
        var seen: [String] = []
        _ = try BuildConstraint.parse("//go:build a || b && c").evaluate { seen.append($0); return true }
        #expect(seen == ["a", "b", "c"])
    }
}

@Suite("ScanBuildContext")
struct ScanBuildContextTests {
    static let linux = BuildContext(goos: "linux", goarch: "amd64", cgoEnabled: false, buildTags: ["lambda.norpc"], goMinorVersion: 22, toolTags: ["amd64.v1"])

    @Test(arguments: [
        ("linux", true), ("amd64", true), ("unix", true), ("gc", true), ("cgo", false),
        ("go1.1", true), ("go1.22", true), ("go1.23", false), ("lambda.norpc", true),
        ("amd64.v1", true), ("darwin", false), ("windows", false), ("ignore", false), ("gccgo", false),
    ])
    func linuxTags(_ tag: String, _ expected: Bool) {
        #expect(Self.linux.satisfies(tag) == expected)
    }

    @Test(arguments: [
        ("android", "linux", true), ("illumos", "solaris", true), ("ios", "darwin", true),
        ("darwin", "ios", false), ("linux", "android", false), ("windows", "unix", false),
        ("js", "unix", false), ("aix", "unix", true), ("plan9", "unix", false),
    ])
    func osAliases(_ goos: String, _ tag: String, _ expected: Bool) {
        let ctx = BuildContext(goos: goos, goarch: "arm64", cgoEnabled: true, buildTags: [], goMinorVersion: 22)
        #expect(ctx.satisfies(tag) == expected)
        #expect(ctx.satisfies("cgo"))
    }

    @Test func boringcryptoIsAnExperiment() {
        let ctx = BuildContext(goos: "linux", goarch: "amd64", cgoEnabled: false, buildTags: [], goMinorVersion: 22, toolTags: ["goexperiment.boringcrypto"])
        #expect(ctx.satisfies("boringcrypto"))
        #expect(!Self.linux.satisfies("boringcrypto"))
    }

    @Test(arguments: [
        ("x.go", true), ("x_linux.go", true), ("x_windows.go", false), ("x_amd64.go", true),
        ("x_arm64.go", false), ("x_linux_amd64.go", true), ("x_linux_arm64.go", false),
        ("x_darwin_amd64.go", false), ("x_linux_test.go", true), ("x_windows_test.go", false),
        ("x_linux_amd64_test.go", true), ("linux.go", true), ("windows.go", true),
        ("windows_test.go", true), ("_windows.go", false), ("x_foo_windows.go", false),
        ("x_windows_foo.go", true), ("x_linux.s", true), ("x_windows.s", false),
        ("x_windows.foo.go", false), ("x_test.go", true), ("x_amd64_linux.go", true),
        ("x_unix.go", true), ("x_android.go", false), ("zsys_ios_arm64.go", false),
    ])
    func fileNames(_ name: String, _ expected: Bool) {
        #expect(Self.linux.matchesFileName(name) == expected)
    }

    @Test func androidMatchesLinuxFileNames() {
        let ctx = BuildContext(goos: "android", goarch: "arm64", cgoEnabled: false, buildTags: [], goMinorVersion: 22)
        #expect(ctx.matchesFileName("x_linux.go"))
        #expect(ctx.matchesFileName("x_linux_arm64.go"))
        #expect(ctx.matchesFileName("x_android.go"))
        #expect(!ctx.matchesFileName("x_linux_amd64.go"))
    }

    @Test func releaseTags() {
        #expect(Self.linux.releaseTags.first == "go1.1")
        #expect(Self.linux.releaseTags.last == "go1.22")
        #expect(Self.linux.releaseTags.count == 22)
        #expect(Self.linux.compiler == "gc")
    }
}

@Suite("ScanHeader")
struct ScanHeaderTests {
    @Test func importsInAllForms() throws {
        let src = """
            // Package p does things.
            package p // trailing

            import "fmt"
            import (
            \t"os" // why
            \tio2 "io"
            \t. "strings"
            \t_ "embed"
            \t/* c */ raw `net/http`; "a/b"
            )
            import x "x/y"

            var v = 1
            """
        let h = try header(src)
        #expect(h.packageName == "p")
        #expect(h.imports.map(\.path) == ["fmt", "os", "io", "strings", "embed", "net/http", "a/b", "x/y"])
        #expect(h.imports.map(\.alias) == [nil, nil, "io2", ".", "_", "raw", nil, "x"])
        #expect(h.imports.map(\.line) == [4, 6, 7, 8, 9, 10, 10, 12])
        // The position of an aliased import is its alias (spec.Pos()).
        #expect(h.imports[2].column == 2)
        #expect(h.imports[5].column == 10)
        #expect(h.imports[6].column == 26)
        #expect(h.parseError == nil)
        #expect(h.constraint == nil)
        #expect(!h.importsC)
    }

    @Test func bomIsSkipped() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("package p\nimport \"C\"\n".utf8)
        let h = try GoSourceScanner.scanHeader(bytes, fileName: "x.go")
        #expect(h.packageName == "p")
        #expect(h.importsC)
        #expect(h.imports.first?.line == 2 && h.imports.first?.column == 8)
    }

    @Test func semicolonsAndOneLine() throws {
        let h = try header("package p; import \"a\"; import (\"b\"; \"c\"); func f() {}")
        #expect(h.imports.map(\.path) == ["a", "b", "c"])
    }

    @Test func readingStopsAfterImports() throws {
        // A NUL byte or invalid UTF-8 after the imports is never read.
        let bytes = Array("package p\nimport \"a\"\nfunc f() {}\n".utf8) + [0, 0xFF]
        let h = try GoSourceScanner.scanHeader(bytes, fileName: "x.go")
        #expect(h.imports.map(\.path) == ["a"])
        #expect(h.parseError == nil)
    }

    @Test func nulInHeaderIsAReadError() {
        let bytes = Array("package p\nimport \"".utf8) + [0] + Array("a\"\n".utf8)
        #expect(throws: GoScanError.self) { try GoSourceScanner.scanHeader(bytes, fileName: "x.go") }
        do {
            _ = try GoSourceScanner.scanHeader(bytes, fileName: "x.go")
        } catch {
            #expect(error.kind == .read)
            #expect(error.description == "read x.go: unexpected NUL in input")
        }
    }

    @Test(arguments: [
        ("package p\nimport \"a\" \"b\"\n", "x.go", 0, 0, ""),  // the reader stops before "b": no error
        ("package p\nimport (\"a\" \"b\")\n", "x.go", 2, 13, "expected ';', found \"b\""),
        ("package p\nimport (\n\t\"a\"\n\tfmt\n)\n", "x.go", 4, 5, "missing import path"),
        ("pkg p\n", "x.go", 1, 1, "expected 'package', found pkg"),
        ("package\n", "x.go", 1, 9, "expected 'IDENT', found 'EOF'"),
        ("package p\nimport 42\n", "x.go", 2, 8, "import path must be a string"),
        ("package p\nimport \"a\\q\"\n", "x.go", 2, 11, "unknown escape sequence"),
        ("package p\nimport \"\"\n", "x.go", 2, 8, "invalid import path: "),
        ("package p\nimport \"a b\"\n", "x.go", 2, 8, "invalid import path: a b"),
        ("package p\nimport x \"a:b\"\n", "x.go", 2, 8, "invalid import path: a:b"),
        ("package p\n/* unterminated\n", "x.go", 2, 1, "comment not terminated"),
    ] as [(String, String, Int, Int, String)])
    func syntaxErrors(_ src: String, _ file: String, _ line: Int, _ column: Int, _ message: String) throws {
        let h = try header(src, file: file)
        if message.isEmpty {
            #expect(h.parseError == nil)
        } else {
            let e = try #require(h.parseError)
            #expect(e.message == message)
            #expect(e.line == line)
            #expect(e.column == column)
            #expect(h.imports.isEmpty)
        }
    }

    @Test func invalidUTF8Bytes() throws {
        let bytes = Array("package p".utf8) + [0xFF] + Array("\nimport \"a\"\n".utf8)
        let h = try GoSourceScanner.scanHeader(bytes, fileName: "x.go")
        let e = try #require(h.parseError)
        #expect(e.message == "illegal UTF-8 encoding")
        #expect(e.line == 1 && e.column == 10)
    }

    @Test(arguments: [
        ("//go:build linux\n\npackage p\n", "linux"),
        ("// +build linux\n\npackage p\n", "linux"),
        ("// +build linux\n// +build amd64\n\npackage p\n", "linux && amd64"),
        ("//go:build windows\n// +build linux\n\npackage p\n", "windows"),
        ("// Copyright\n\n//go:build ignore\n\npackage p\n", "ignore"),
        ("/* block */\n//go:build linux\n\npackage p\n", "linux"),
        ("//go:build linux\npackage p\n", "linux"),  // //go:build needs no blank line
        ("\n\n  //go:build  linux  \n\npackage p\n", "linux"),
    ])
    func constraints(_ src: String, _ expected: String) throws {
        #expect(try header(src).constraint?.description == expected)
    }

    @Test(arguments: [
        "// +build linux\npackage p\n",  // +build must be followed by a blank line
        "package p\n\n//go:build linux\n",  // after the package clause
        "/*\n//go:build linux\n*/\n\npackage p\n",  // inside /* */
        "// Doc.\n// +build linux\npackage p\n",
        "/* x */ // +build linux\n\npackage p\n",
        "#!/bin/sh\n//go:build x\n\npackage p\n",  // text before it ends the header block
    ])
    func noConstraint(_ src: String) throws {
        #expect(try header(src).constraint == nil)
    }

    @Test(arguments: [
        ("//go:build a\n//go:build b\n\npackage p\n", "x.go: multiple //go:build comments"),
        ("//go:build a b\n\npackage p\n", "x.go: parsing //go:build line: unexpected token b"),
    ])
    func constraintErrors(_ src: String, _ description: String) {
        do {
            _ = try header(src)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .buildConstraint)
            #expect(error.description == description)
        }
    }

    @Test func embedsOnlyWithEmbedImport() throws {
        let body = """
            package p

            import _ "embed"

            //go:embed a.txt "b c.txt" `d*.txt`
            var a string

            //go:embed   static/*  
            var fs string

            /* //go:embed hidden1 */
            var s = "//go:embed hidden2"
            var r = `
            //go:embed hidden3
            `
            var c = '"'
            //go:embed  after.txt
            //go:embedded nope
            //go:embed "bad
            //go:embed "x"y
            var z string
            """
        let h = try header(body)
        #expect(h.embeds.map(\.pattern) == ["a.txt", "b c.txt", "d*.txt", "static/*", "after.txt"])
        #expect(h.embeds[0].line == 5 && h.embeds[0].column == 12)
        #expect(h.embeds[1].column == 18)
        #expect(h.embeds[3].line == 8 && h.embeds[3].column == 14)
        let without = try header(body.replacingOccurrences(of: "import _ \"embed\"", with: "import _ \"fmt\""))
        #expect(without.embeds.isEmpty)
    }

    @Test func embedWithCRLF() throws {
        let h = try header("package p\r\n\r\nimport \"embed\"\r\n\r\n//go:embed x.txt\r\nvar f embed.FS\r\n")
        #expect(h.embeds.map(\.pattern) == ["x.txt"])
        #expect(h.embeds.first?.line == 5)
    }

    @Test func nonGoConstraint() throws {
        let c = try GoSourceScanner.scanConstraint(Array("// Copyright\n\n//go:build linux && amd64\n\n#include \"textflag.h\"\n".utf8))
        #expect(c?.description == "linux && amd64")
        #expect(try GoSourceScanner.scanConstraint(Array("#include \"x.h\"\n//go:build linux\n".utf8)) == nil)
        // An unterminated comment makes go/build keep the file: no constraint.
        #expect(try GoSourceScanner.scanConstraint(Array("//go:build ignore\n\n/* open".utf8)) == nil)
    }
}
