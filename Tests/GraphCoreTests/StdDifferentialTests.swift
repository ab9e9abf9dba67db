// Differential test of DirectoryPackageAssembler against the real go command: for every
// package of the standard library, on several platforms, the file lists, name, imports
// and embed patterns must equal what `go list -e -json std` reports.
//
// Known, documented differences between go/build (what the assembler models) and the
// go command's output, which the comparison accounts for:
// - `Imports` in go list are resolved paths; `ImportMap` maps raw → resolved for the ones
//   that differ (vendor/golang.org/x/... ← golang.org/x/...). They are mapped back.
// - When cgo is disabled, cmd/go clears CFiles, CXXFiles, MFiles, SwigFiles and
//   SwigCXXFiles (load.go); go/build keeps them. Expected lists are empty then.
// - cmd/go's implicit imports for cgo (runtime/cgo, syscall, unsafe), SWIG and the linker
//   go to Deps, not Imports, so they need no mapping.
// - TestImports / XTestImports are resolved as well, but ImportMap records only the
//   package's own Imports: "vendor/golang.org/x/..." is mapped back by dropping "vendor/".
// - Error text: cmd/go words go/build's NoGoError as "build constraints exclude all Go
//   files in ..." (or "no Go files in ..."); only its presence is compared.

import Foundation
import Testing
@testable import GraphCore

/// The go command for differential tests: $GOCACHE_TEST_GO, else `go` on PATH.
enum GoToolForScanTests {
    static func find() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let go = env["GOCACHE_TEST_GO"], !go.isEmpty, FileManager.default.isExecutableFile(atPath: go) {
            return go
        }
        for dir in (env["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/go"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs go with the test environment plus `extra`; returns stdout.
    static func run(_ go: String, _ args: [String], extra: [String: String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: go)
        process.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["GOTOOLCHAIN"] = "local"
        env["GOPROXY"] = "off"
        env["GOFLAGS"] = ""
        env["GOWORK"] = "off"
        env["GO111MODULE"] = ""
        for (k, v) in extra { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        let out = Pipe()
        let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("scan-go-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        let errHandle = try FileHandle(forWritingTo: errFile)
        defer {
            try? errHandle.close()
            try? FileManager.default.removeItem(at: errFile)
        }
        process.standardOutput = out
        process.standardError = errHandle
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let tail = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
            throw Failure(description: "go \(args.joined(separator: " ")) exited \(process.terminationStatus): \(tail.suffix(2000))")
        }
        return data
    }
}

/// The fields of `go list -json` the test compares.
struct StdListPackage: Decodable {
    var ImportPath: String
    var Dir: String?
    var Name: String?
    var GoFiles: [String]?
    var CgoFiles: [String]?
    var IgnoredGoFiles: [String]?
    var InvalidGoFiles: [String]?
    var TestGoFiles: [String]?
    var XTestGoFiles: [String]?
    var SFiles: [String]?
    var CFiles: [String]?
    var HFiles: [String]?
    var SysoFiles: [String]?
    var IgnoredOtherFiles: [String]?
    var EmbedPatterns: [String]?
    var TestEmbedPatterns: [String]?
    var XTestEmbedPatterns: [String]?
    var Imports: [String]?
    var TestImports: [String]?
    var XTestImports: [String]?
    var ImportMap: [String: String]?
    struct PackageError: Decodable { var Err: String }
    var Error: PackageError?

    /// Splits go list's stream of JSON objects.
    static func decodeStream(_ data: Data) throws -> [StdListPackage] {
        var result: [StdListPackage] = []
        let bytes = [UInt8](data)
        var depth = 0
        var inString = false
        var escaped = false
        var start = 0
        for (i, b) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                continue
            }
            switch b {
            case 0x22: inString = true
            case 0x7B:
                if depth == 0 { start = i }
                depth += 1
            case 0x7D:
                depth -= 1
                if depth == 0 {
                    result.append(try JSONDecoder().decode(StdListPackage.self, from: Data(bytes[start...i])))
                }
            default: break
            }
        }
        return result
    }
}

struct StdPlatform: Sendable, CustomTestStringConvertible {
    var goos: String
    var goarch: String
    var cgo: Bool
    var testDescription: String { "\(goos)/\(goarch) cgo=\(cgo ? 1 : 0)" }
}

@Suite("StdDifferential", .serialized)
struct StdDifferentialTests {
    static let platforms: [StdPlatform] = [
        StdPlatform(goos: "linux", goarch: "amd64", cgo: false),
        StdPlatform(goos: "linux", goarch: "amd64", cgo: true),
        StdPlatform(goos: "windows", goarch: "amd64", cgo: false),
        StdPlatform(goos: "darwin", goarch: "arm64", cgo: false),
        StdPlatform(goos: "js", goarch: "wasm", cgo: false),
    ]

    @Test("assembler equals go list over the standard library", arguments: platforms)
    func standardLibrary(_ platform: StdPlatform) throws {
        guard let go = GoToolForScanTests.find() else {
            // Recorded reason: no go command (neither $GOCACHE_TEST_GO nor `go` on PATH).
            withKnownIssue("no go command: set GOCACHE_TEST_GO or put go on PATH") {
                Issue.record("go command not found")
            }
            return
        }
        var env = [
            "GOOS": platform.goos, "GOARCH": platform.goarch, "CGO_ENABLED": platform.cgo ? "1" : "0",
        ]
        if ProcessInfo.processInfo.environment["GOCACHE"] == nil {
            env["GOCACHE"] = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-scan-tests").path
        }
        let ctxLine = String(decoding: try GoToolForScanTests.run(
            go, ["list", "-e", "-f", "{{join context.ToolTags \",\"}}|{{len context.ReleaseTags}}", "runtime"],
            extra: env), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = ctxLine.split(separator: "|", omittingEmptySubsequences: false)
        try #require(parts.count == 2, "unexpected context line \(ctxLine)")
        let toolTags = parts[0].split(separator: ",").map(String.init)
        let minor = try #require(Int(parts[1]))
        let context = BuildContext(
            goos: platform.goos, goarch: platform.goarch, cgoEnabled: platform.cgo, buildTags: [],
            goMinorVersion: minor, toolTags: toolTags)

        let fields = "ImportPath,Dir,Name,GoFiles,CgoFiles,IgnoredGoFiles,InvalidGoFiles,TestGoFiles,XTestGoFiles,"
            + "SFiles,CFiles,HFiles,SysoFiles,EmbedPatterns,TestEmbedPatterns,XTestEmbedPatterns,Imports,"
            + "TestImports,XTestImports,ImportMap,Error"
        let packages = try StdListPackage.decodeStream(
            try GoToolForScanTests.run(go, ["list", "-e", "-json=\(fields)", "std"], extra: env))
        try #require(packages.count > 250, "go list std returned only \(packages.count) packages")

        var mismatches: [String] = []
        var compared = 0
        for pkg in packages {
            guard let dir = pkg.Dir else { continue }
            let fm = FileManager.default
            let entries = try fm.contentsOfDirectory(atPath: dir)
            var files: [String] = []
            for name in entries {
                var isDir: ObjCBool = false
                if fm.fileExists(atPath: dir + "/" + name, isDirectory: &isDir), !isDir.boolValue { files.append(name) }
            }
            let ours = DirectoryPackageAssembler.assemble(
                files: files, read: { [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0))) },
                context: context, directory: dir)
            compared += 1

            // Resolved → raw import paths.
            var raw: [String: String] = [:]
            for (k, v) in pkg.ImportMap ?? [:] { raw[v] = k }
            func unmap(_ list: [String]?) -> [String] {
                (list ?? []).map { raw[$0] ?? $0 }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            }
            func check(_ field: String, _ theirs: [String], _ mine: [String]) {
                if theirs != mine {
                    let missing = theirs.filter { !mine.contains($0) }
                    let extra = mine.filter { !theirs.contains($0) }
                    mismatches.append("\(pkg.ImportPath) \(field): go list \(theirs) vs ours \(mine) (missing \(missing), extra \(extra))")
                }
            }
            check("Name", [pkg.Name ?? ""], [ours.name])
            check("GoFiles", pkg.GoFiles ?? [], ours.goFiles)
            check("CgoFiles", pkg.CgoFiles ?? [], ours.cgoFiles)
            check("IgnoredGoFiles", pkg.IgnoredGoFiles ?? [], ours.ignoredGoFiles)
            check("InvalidGoFiles", pkg.InvalidGoFiles ?? [], ours.invalidGoFiles)
            check("TestGoFiles", pkg.TestGoFiles ?? [], ours.testGoFiles)
            check("XTestGoFiles", pkg.XTestGoFiles ?? [], ours.xTestGoFiles)
            check("SFiles", pkg.SFiles ?? [], ours.sFiles)
            check("CFiles", pkg.CFiles ?? [], platform.cgo ? ours.cFiles : [])
            check("HFiles", pkg.HFiles ?? [], ours.hFiles)
            check("SysoFiles", pkg.SysoFiles ?? [], ours.sysoFiles)
            check("EmbedPatterns", pkg.EmbedPatterns ?? [], ours.embedPatterns)
            check("TestEmbedPatterns", pkg.TestEmbedPatterns ?? [], ours.testEmbedPatterns)
            check("XTestEmbedPatterns", pkg.XTestEmbedPatterns ?? [], ours.xTestEmbedPatterns)
            check("Imports", unmap(pkg.Imports), ours.imports)
            // Test imports are resolved too, but ImportMap covers only Imports: a standard
            // package's vendored import "golang.org/x/..." shows as "vendor/golang.org/x/...".
            func unvendor(_ list: [String]?) -> [String] {
                (list ?? []).map { $0.hasPrefix("vendor/") ? String($0.dropFirst(7)) : (raw[$0] ?? $0) }
                    .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            }
            check("TestImports", unvendor(pkg.TestImports), ours.testImports)
            check("XTestImports", unvendor(pkg.XTestImports), ours.xTestImports)
            let theirNoGo = pkg.Error.map {
                $0.Err.contains("build constraints exclude all Go files") || $0.Err.contains("no Go files")
            } ?? false
            let ourNoGo = ours.errors.contains { $0.kind == .noBuildableGoFiles }
            if theirNoGo != ourNoGo {
                mismatches.append("\(pkg.ImportPath) no-Go error: go list \(pkg.Error?.Err ?? "none") vs ours \(ours.errors)")
            }
        }
        #expect(compared > 250)
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(mismatches.prefix(40).joined(separator: "\n"))")
    }
}
