// Differential test of DirectoryPackageAssembler against `go list -e -json ./...` on a
// fixture module of tricky directories (BOM, comments in import blocks, raw-string
// imports, +build placement, //go:build precedence, cgo, x_test, documentation,
// multiple packages, syntax errors, NUL bytes, //go:embed forms, file-name suffixes).

import Foundation
import Testing
@testable import GraphCore

@Suite("ScanGoListFixture", .serialized)
struct ScanGoListFixtureTests {
    static let files: [String: String] = [
        "go.mod": "module example.com/fx\n\ngo 1.22\n",
        // BOM, comments inside the import block, raw-string and dot/blank imports.
        "bom/a.go": "\u{FEFF}// Package bom.\npackage bom\n\nimport (\n\t// c1\n\t\"fmt\" /* c2 */\n\t. `strings`\n\t_ \"os\"; x \"io\"\n)\n\nvar _ = fmt.Sprint\nvar _ = x.EOF\nvar _ = ToUpper\n",
        // +build rules.
        "plus/a.go": "// +build linux\n\npackage plus\n",
        "plus/b.go": "// +build windows\n\npackage plus\n",
        "plus/c.go": "// +build windows\npackage plus\n",
        "plus/d.go": "//go:build linux\n// +build windows\n\npackage plus\n",
        "plus/e.go": "// Copyright.\n\n//go:build ignore\n\npackage main\n",
        "plus/f.go": "/* block */\n// +build windows\n\npackage plus\n",
        "plus/g.go": "//go:build !cgo\n\npackage plus\n",
        "plus/h.go": "// +build linux,386 darwin\n\npackage plus\n",
        "plus/k.go": "//go:build go1.1 && !go1.99999\n\npackage plus\n",
        // cgo.
        "cg/a.go": "package cg\n\n// #include <stdio.h>\nimport \"C\"\n\nimport \"unsafe\"\n\nvar _ unsafe.Pointer\n",
        "cg/b.go": "package cg\n",
        "cg/x.S": "// asm\n",
        "cg/y.c": "//go:build linux\n\nint f() { return 1; }\n",
        "cg/w.c": "//go:build windows\n\nint g() { return 1; }\n",
        "cg/z.h": "/* unterminated\n",
        "cg/v_windows.h": "\n",
        "cg/b_test.go": "package cg\n\nimport \"C\"\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n",
        // x_test.
        "xt/p.go": "package xt\n",
        "xt/p_test.go": "package xt_test\n\nimport (\n\t\"testing\"\n\t\"example.com/fx/xt\"\n)\n\nvar _ = testing.Short\n",
        "xt/q_test.go": "package xt\n\nimport \"bytes\"\n\nvar _ = bytes.Compare\n",
        // documentation.
        "doc/doc.go": "package documentation\n",
        "doc/a.go": "package doc\n",
        // multiple packages.
        "multi/a.go": "package a\n",
        "multi/b.go": "package b\n",
        // syntax errors and NUL.
        "bad/a.go": "package bad\n\nimport (\n\t\"fmt\"\n\tos\n)\n",
        "bad/b.go": "package bad\n\nimport \"x\\q\"\n",
        "bad/c.go": "package bad\n\nimport \"a b\"\n",
        "bad/d.go": "package bad\n\nfunc f() { _ = \"\u{0}\" }\n",
        "bad/e.go": "package bad\nimport \"\u{0}\"\n",
        "bad/f.go": "//go:build a\n//go:build b\n\npackage bad\n",
        "bad/g.go": "//go:build (a\n\npackage bad\n",
        "bad/h.go": "package\n",
        // embed.
        "emb/a.go": "package emb\n\nimport \"embed\"\n\n//go:embed a.txt \"b c.txt\" `d*.txt`\nvar f embed.FS\n\nvar s = \"//go:embed nope.txt\"\n\n/*\n//go:embed nope2.txt\n*/\n\n//go:embed  sub\nvar g embed.FS\n",
        "emb/a_test.go": "package emb\n\nimport _ \"embed\"\n\n//go:embed a.txt\nvar t string\n",
        "emb/n.go": "package emb\n\n//go:embed n.txt\nvar n string\n",
        "emb/a.txt": "a\n",
        "emb/b c.txt": "b\n",
        "emb/d1.txt": "d\n",
        "emb/sub/x.txt": "x\n",
        // file-name suffixes.
        "osa/x_windows.go": "package osa\n",
        "osa/x_linux.go": "package osa\n",
        "osa/x_linux_arm64.go": "package osa\n",
        "osa/linux.go": "package osa\n",
        "osa/windows_test.go": "package osa\n",
        "osa/y_arm64.s": "\n",
        "osa/y_amd64.s": "\n",
        "osa/_skip.go": "package nope\n",
        "osa/.hidden.go": "package nope\n",
        "osa/z.syso": "",
        "osa/z_windows.syso": "",
        // only tests / nothing buildable.
        "onlytests/a_test.go": "package onlytests\n",
        "none/a.go": "//go:build ignore\n\npackage none\n",
        "none/b_windows.go": "package none\n",
    ]

    static func writeFixture() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("scan-fixture-\(UUID().uuidString)")
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: url)
        }
        return root
    }

    @Test("assembler equals go list on the fixture module", arguments: [true, false])
    func fixture(_ cgo: Bool) throws {
        guard let go = GoToolForScanTests.find() else {
            withKnownIssue("no go command: set GOCACHE_TEST_GO or put go on PATH") {
                Issue.record("go command not found")
            }
            return
        }
        let root = try Self.writeFixture()
        defer { try? FileManager.default.removeItem(at: root) }
        var env = ["GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": cgo ? "1" : "0", "GOPROXY": "off"]
        if ProcessInfo.processInfo.environment["GOCACHE"] == nil {
            env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-scan-tests").path
        }
        let fields = "ImportPath,Dir,Name,GoFiles,CgoFiles,IgnoredGoFiles,InvalidGoFiles,TestGoFiles,XTestGoFiles,"
            + "SFiles,CFiles,HFiles,SysoFiles,IgnoredOtherFiles,EmbedPatterns,TestEmbedPatterns,Imports,TestImports,XTestImports,Error"
        let data = try GoToolForScanTests.run(
            go, ["-C", root.path, "list", "-e", "-json=\(fields)", "./...", "./none"], extra: env)
        let packages = try StdListPackage.decodeStream(data)
        let ctx = BuildContext(goos: "linux", goarch: "amd64", cgoEnabled: cgo, buildTags: [], goMinorVersion: 27)
        let dirs = Set(Self.files.keys.compactMap { $0.contains("/") ? String($0.split(separator: "/")[0]) : nil })
        #expect(Set(packages.map { $0.ImportPath.replacingOccurrences(of: "example.com/fx/", with: "") }).isSuperset(of: dirs))

        var mismatches: [String] = []
        for pkg in packages {
            let dirName = pkg.ImportPath.replacingOccurrences(of: "example.com/fx/", with: "")
            let names = Self.files.keys.filter { $0.hasPrefix(dirName + "/") }
                .map { String($0.dropFirst(dirName.count + 1)) }.filter { !$0.contains("/") }
            let dir = root.appendingPathComponent(dirName).path
            let ours = DirectoryPackageAssembler.assemble(
                files: names, read: { [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))) },
                context: ctx, directory: dir)
            func check(_ field: String, _ theirs: [String]?, _ mine: [String]) {
                if (theirs ?? []) != mine { mismatches.append("\(dirName) \(field): go list \(theirs ?? []) vs ours \(mine)") }
            }
            check("Name", [pkg.Name ?? ""], [ours.name])
            check("GoFiles", pkg.GoFiles, ours.goFiles)
            check("CgoFiles", pkg.CgoFiles, ours.cgoFiles)
            check("IgnoredGoFiles", pkg.IgnoredGoFiles, ours.ignoredGoFiles)
            check("InvalidGoFiles", pkg.InvalidGoFiles, ours.invalidGoFiles)
            check("TestGoFiles", pkg.TestGoFiles, ours.testGoFiles)
            check("XTestGoFiles", pkg.XTestGoFiles, ours.xTestGoFiles)
            check("SFiles", pkg.SFiles, ours.sFiles)
            check("CFiles", pkg.CFiles, cgo ? ours.cFiles : [])
            check("HFiles", pkg.HFiles, ours.hFiles)
            check("SysoFiles", pkg.SysoFiles, ours.sysoFiles)
            check("IgnoredOtherFiles", pkg.IgnoredOtherFiles, ours.ignoredOtherFiles)
            check("EmbedPatterns", pkg.EmbedPatterns, ours.embedPatterns)
            check("TestEmbedPatterns", pkg.TestEmbedPatterns, ours.testEmbedPatterns)
            check("Imports", pkg.Imports, ours.imports)
            check("TestImports", pkg.TestImports, ours.testImports)
            check("XTestImports", pkg.XTestImports, ours.xTestImports)
            let theirNoGo = pkg.Error.map {
                $0.Err.contains("build constraints exclude all Go files") || $0.Err.contains("no Go files")
            } ?? false
            if theirNoGo != ours.errors.contains(where: { $0.kind == .noBuildableGoFiles }) {
                mismatches.append("\(dirName) no-Go error: go list \(pkg.Error?.Err ?? "none") vs ours \(ours.errors)")
            }
            // The first error of an invalid file: go list prints go/build's first error.
            if case .invalidFile(let e)? = ours.errors.first?.kind, e.kind == .syntax || e.kind == .invalidImportPath {
                let theirs = pkg.Error?.Err ?? ""
                if !theirs.contains(e.message) {
                    mismatches.append("\(dirName) error: go list \(theirs) vs ours \(e)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.joined(separator: "\n"))")
    }
}
