import Foundation
import GraphCore
import Testing

/// Compares the workspace model with the go command on the same files.
@Suite("WorkspaceDifferential")
struct WorkspaceDifferentialTests {
    static var goTool: String? {
        if let go = ProcessInfo.processInfo.environment["GOCACHE_TEST_GO"], !go.isEmpty { return go }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(dir)/go"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    func run(_ go: String, _ args: [String], in dir: URL, gowork: String) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: go)
        process.arguments = args
        process.currentDirectoryURL = dir
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-diff-home").path
        var env = ["PATH": "/usr/bin:/bin", "HOME": home, "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "",
                   "GOWORK": gowork, "GOCACHE": home + "/cache", "GOPATH": home + "/gopath", "GONOSUMDB": "*"]
        if let root = ProcessInfo.processInfo.environment["GOROOT"] { env["GOROOT"] = root }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: goTool != nil))
    func mainModulesAndReplacementsMatchGoList() throws {
        let go = try #require(Self.goTool)
        let files = [
            "go.work": "go 1.22\nuse (\n\t./a\n\t./b\n)\n",
            "a/go.mod": "module example.com/a\ngo 1.22\nrequire example.com/lib v0.0.0\n",
            "a/a.go": "package a\n",
            "b/go.mod": "module example.com/b\ngo 1.22\nrequire example.com/lib v0.0.0\nreplace example.com/lib => ../shared/lib\n",
            "b/b.go": "package b\n",
            "shared/lib/go.mod": "module example.com/lib\ngo 1.22\n",
            "shared/lib/lib.go": "package lib\n",
            "fn/go.mod": "module example.com/fn\ngo 1.22\nrequire example.com/lib v0.0.0\nreplace example.com/lib => ../shared/lib\n",
            "fn/main.go": "package main\nfunc main() {}\n",
        ]
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-ws-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let layout = try ModuleLayout.discover(in: InMemoryFileTree(texts: files), workMode: .auto)
        let format = "{{.Path}}|{{.Main}}|{{if .Replace}}{{.Replace.Path}}{{end}}"
        for unit in layout.units {
            let dir = root.appendingPathComponent(unit.mainModules[0].dir)
            let gowork = unit.isWorkspace ? root.appendingPathComponent("go.work").path : "off"
            let (status, output) = try run(go, ["list", "-m", "-f", format, "all"], in: dir, gowork: gowork)
            #expect(status == 0, "\(output)")
            var mains: [String] = []
            var replaced: [String: String] = [:]
            for line in output.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 3 else { continue }
                if f[1] == "true" { mains.append(f[0]) }
                if !f[2].isEmpty { replaced[f[0]] = f[2] }
            }
            #expect(mains.sorted() == unit.mainModules.map(\.path).sorted())
            var ours: [String: String] = [:]
            for (path, version) in unit.selectedVersions {
                if let r = unit.replacement(of: path, version: version) { ours[path] = r.newPath }
            }
            #expect(ours == replaced, "unit \(unit.rootDir)")
            #expect(unit.localReplacement(of: "example.com/lib") == (unit.rootDir == "shared/lib" ? nil : "shared/lib"))
        }
    }
}
