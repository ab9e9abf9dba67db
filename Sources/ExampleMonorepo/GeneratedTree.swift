import Foundation

/// A Go module of a generated tree.
public struct GeneratedModule: Hashable, Sendable, Codable {
    /// The module's directory relative to the repository root (`""` for the root).
    public var dir: String
    /// The module path from its `module` directive.
    public var path: String
    /// The version from its `go` directive (`""` when absent).
    public var goVersion: String
}

/// A generated repository's content: repository-relative, `/`-separated paths and their
/// bytes, plus facts derived from them (modules, packages, targets).
///
/// The derived facts are computed from `files` by `init(files:)`, so a mutated tree
/// describes itself correctly.
public struct GeneratedTree: Hashable, Sendable {
    /// Path → bytes. Iterate in `paths` order for a deterministic walk.
    public private(set) var files: [String: [UInt8]]
    /// Every path, sorted.
    public private(set) var paths: [String]
    /// Directories of `package main` packages (functions and tools), sorted.
    public private(set) var targetDirs: [String]
    /// The `targetDirs` under `functions/`.
    public private(set) var functionDirs: [String]
    /// Directories holding `.go` files outside `vendor/`, `testdata/`, `_*` and `.*`, sorted.
    public private(set) var packageDirs: [String]
    /// Every module (a `go.mod` outside `vendor/` and `testdata/`), sorted by directory.
    public private(set) var modules: [GeneratedModule]
    /// The module paths of `modules`, in the same order.
    public var modulePaths: [String] { modules.map(\.path) }
    /// Whether the tree has a root `go.work`.
    public var hasWorkspace: Bool { files["go.work"] != nil }
    /// Whether the tree has a `vendor/modules.txt` at its root.
    public var hasVendor: Bool { files["vendor/modules.txt"] != nil }

    /// A tree of `files` (path → bytes); derives modules, packages and targets from them.
    public init(files: [String: [UInt8]]) {
        self.files = files
        paths = files.keys.sorted()
        var packages = Set<String>()
        var mains = Set<String>()
        var modules: [GeneratedModule] = []
        for path in paths {
            let (dir, name) = GeneratedTree.split(path)
            let components = dir.split(separator: "/").map(String.init)
            let ignored = components.contains { $0 == "testdata" || $0.hasPrefix("_") || $0.hasPrefix(".") }
            if ignored || components.first == "vendor" { continue }
            if name == "go.mod", let bytes = files[path] {
                let text = String(decoding: bytes, as: UTF8.self)
                modules.append(
                    GeneratedModule(
                        dir: dir, path: GoText.directive("module", in: text) ?? "",
                        goVersion: GoText.directive("go", in: text) ?? ""))
            }
            guard name.hasSuffix(".go"), !name.hasPrefix("_"), !name.hasPrefix(".") else { continue }
            packages.insert(dir)
            if !name.hasSuffix("_test.go"), let bytes = files[path],
                GoText.packageName(in: String(decoding: bytes, as: UTF8.self)) == "main"
            {
                mains.insert(dir)
            }
        }
        packageDirs = packages.sorted()
        targetDirs = mains.sorted()
        functionDirs = targetDirs.filter { $0.hasPrefix("functions/") }
        self.modules = modules.sorted { $0.dir < $1.dir }
    }

    /// Writes every file under `directory` (creating directories as needed); files already
    /// there and not in the tree are left alone. Throws `ExampleMonorepoError.fileSystem`.
    public func write(to directory: String) throws {
        let manager = FileManager.default
        for path in paths {
            guard let bytes = files[path] else { continue }
            let full = "\(directory)/\(path)"
            try ExampleMonorepoError.io(full) {
                try manager.createDirectory(atPath: GeneratedTree.split(full).dir, withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: full))
            }
        }
    }

    /// The file's text (UTF-8), or `nil` when absent.
    public func text(_ path: String) -> String? {
        files[path].map { String(decoding: $0, as: UTF8.self) }
    }

    /// The number of bytes in all files.
    public var byteCount: Int { files.values.reduce(0) { $0 + $1.count } }

    /// The module that owns `dir`: the one with the longest directory prefix.
    public func module(containing dir: String) -> GeneratedModule? {
        modules.filter { $0.dir.isEmpty || dir == $0.dir || dir.hasPrefix($0.dir + "/") }
            .max { $0.dir.count < $1.dir.count }
    }

    static func split(_ path: String) -> (dir: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }
}

/// Small textual readers for the Go files this library writes.
enum GoText {
    /// The first argument of a `go.mod`/`go.work` directive line (`module x`, `go 1.24`).
    static func directive(_ keyword: String, in text: String) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, fields[0] == keyword {
                return String(fields[1]).trimmingQuotes()
            }
        }
        return nil
    }

    /// The package clause's name of a Go file.
    static func packageName(in text: String) -> String? {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) where line.hasPrefix("package ") {
            return line.dropFirst("package ".count).split(separator: " ").first.map(String.init)
        }
        return nil
    }
}

extension String {
    func trimmingQuotes() -> String {
        if count >= 2, hasPrefix("\""), hasSuffix("\"") { return String(dropFirst().dropLast()) }
        return self
    }
}
