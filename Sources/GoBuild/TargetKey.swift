public import CacheStore
import Foundation
public import GraphCore

/// A target's key: SHA-256 over everything that goes into its binary, and the material
/// it was computed from (one field per line, sorted) so two machines can diff it.
public struct TargetKey: Hashable, Sendable {
    public var dir: String
    public var importPath: String
    public var key: SHA256Digest
    /// The key's input material in readable form (`gocache hash --explain`).
    public var material: [String]
}

/// Errors computing keys.
public enum TargetKeyError: Error, CustomStringConvertible, Sendable {
    case noGraph(target: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .noGraph(let target): return "no package graph holds target \(target)"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        }
    }
}

/// The target-key recipe of DESIGN.md ("The target key"). One definition, used by
/// `gocache hash`, `gocache build` and the tests' oracle.
public enum TargetKeyRecipe {
    public static let domain = "gocache.target"

    /// Keys of `targets` of a loaded repository. File digests come from `digester`
    /// (memoised, parallel).
    public static func keys(
        for targets: [GoTarget], in repository: GoRepository, tree: any FileTree, goVersion: String,
        digester: FileDigester
    ) async throws -> [TargetKey] {
        // Collect every file to hash first, so hashing runs in parallel once.
        var closures: [(GoTarget, PackageGraph, [GoPackage])] = []
        var files = Set<String>()
        for target in targets {
            guard let graph = repository.graph(of: target) else { throw TargetKeyError.noGraph(target: target.dir) }
            let packages = graph.closure(of: target.importPath).compactMap { graph.packages[$0] }.filter { !$0.isStandard }
            for package in packages { files.formUnion(package.inputFiles) }
            files.formUnion(extraInputs(of: target, tree: tree))
            let pgo = join(target.dir == "." ? "" : target.dir, "default.pgo")
            if exists(pgo, in: tree) { files.insert(pgo) }
            closures.append((target, graph, packages))
        }
        let digests = try await digester.digests(of: Array(files))
        digester.save()

        var keys: [TargetKey] = []
        for (target, graph, packages) in closures {
            var encoder = KeyEncoder(domain: domain, version: KeyFormat.version)
            encoder.field("toolchain", goVersion)
            addSettings(target.settings, to: &encoder)

            // go, toolchain and godebug of every local module in the closure, and of go.work.
            let unit = repository.layout.units.first { $0.rootDir == target.unitRoot }
            if let work = unit?.workFile {
                encoder.field("work.go", work.goVersion)
                encoder.field("work.toolchain", work.toolchain)
                encoder.fields("work.godebug", work.godebug.map { "\($0.key)=\($0.value)" })
            }
            var localModules = Set<String>()
            for package in packages {
                guard let module = package.module else { continue }
                if module.isMain {
                    localModules.insert(module.path)
                } else if let unit, unit.localReplacement(of: module.path) != nil {
                    localModules.insert(module.path)
                }
            }
            for path in localModules.sorted() {
                let file = localModuleFile(path, unit: unit, layout: repository.layout, tree: tree)
                encoder.field("module.go " + path, file?.goVersion)
                encoder.field("module.toolchain " + path, file?.toolchain)
                encoder.fields("module.godebug " + path, file?.godebug.map { "\($0.key)=\($0.value)" } ?? [])
            }

            let pgo = join(target.dir == "." ? "" : target.dir, "default.pgo")
            encoder.field("pgo", digests[pgo].map { "\(pgo) \($0.hex)" })
            encoder.fields(
                "extra", extraInputs(of: target, tree: tree).map { "\($0) \(digests[$0]?.hex ?? "missing")" })

            for package in packages {
                var entries: [String] = []
                if let module = package.module {
                    entries.append("module=\(module.path)@\(module.version ?? "(main)")")
                    if let replacement = module.replacementPath {
                        entries.append("replace=\(replacement)@\(module.replacementVersion ?? "(dir)")")
                    }
                    entries.append("go=\(module.goVersion ?? "")")
                }
                if package.dir == nil, let module = package.module, let version = module.version {
                    // A non-vendored external module: its content is pinned by go.sum.
                    let sum = unit?.goSum.hash(module: module.replacementPath ?? module.path,
                                               version: module.replacementVersion ?? version)
                    entries.append("sum=\(sum ?? "missing")")
                }
                if let error = package.error { entries.append("error=\(error.message)") }
                for file in package.inputFiles {
                    entries.append("file=\(file) \(digests[file]?.hex ?? "missing")")
                }
                encoder.fields("package " + package.importPath, entries)
            }
            _ = graph
            let digest = try encoder.digest()
            keys.append(TargetKey(dir: target.dir, importPath: target.importPath, key: digest, material: encoder.lines))
        }
        return keys
    }

    /// The resolved settings, every field written (absent ones explicitly).
    static func addSettings(_ s: BuildSettings, to encoder: inout KeyEncoder) {
        encoder.field("GOOS", s.goos)
        encoder.field("GOARCH", s.goarch)
        encoder.field("GOARCH.level", s.goarchLevel)
        encoder.field("CGO_ENABLED", s.cgoEnabled)
        if s.cgoEnabled {
            encoder.field("CC", s.cc)
            encoder.fields("CGO_FLAGS", s.cgoFlags.map { "\($0.key)=\($0.value)" })
        }
        encoder.fields("tags", Array(Set(s.tags)))
        encoder.field("gcflags", s.gcflags)
        encoder.field("ldflags", s.ldflags)
        encoder.field("trimpath", s.trimpath)
        encoder.field("buildvcs", s.buildvcs)
        encoder.field("GOEXPERIMENT", s.goexperiment)
        encoder.field("GOFIPS140", s.gofips140)
    }

    /// The extra input files of a target: its settings' paths and globs, expanded over the tree.
    static func extraInputs(of target: GoTarget, tree: any FileTree) -> [String] {
        var result = Set<String>()
        for pattern in target.settings.extraInputs {
            result.formUnion(GlobExpansion.expand(pattern, in: tree))
        }
        return result.sorted()
    }

    private static func localModuleFile(_ path: String, unit: BuildUnit?, layout: ModuleLayout, tree: any FileTree)
        -> GoModFile?
    {
        if let main = unit?.mainModules.first(where: { $0.path == path }) { return main.file }
        if let dir = unit?.localReplacement(of: path) {
            if let module = layout.modules.first(where: { $0.dir == dir }) { return module.file }
            let goMod = join(dir, "go.mod")
            if let bytes = try? tree.contents(of: goMod) { return try? GoModFile.parse(bytes, file: goMod) }
        }
        return nil
    }

    private static func exists(_ path: String, in tree: any FileTree) -> Bool {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return ((try? tree.entries(in: dir)) ?? nil)?.contains { $0.name == name && $0.kind == .file } ?? false
    }
}

/// Joins repository-relative paths.
func join(_ a: String, _ b: String) -> String {
    if a.isEmpty || a == "." { return b }
    if b.isEmpty { return a }
    return a + "/" + b
}

/// Expands `extraInputs` patterns (`*` one element, `**` any depth) over a file tree.
enum GlobExpansion {
    static func expand(_ pattern: String, in tree: any FileTree) -> [String] {
        let elements = pattern.split(separator: "/").map(String.init)
        var results: [String] = []
        walk(elements[...], dir: "", tree: tree, into: &results)
        return results.sorted()
    }

    private static func walk(_ elements: ArraySlice<String>, dir: String, tree: any FileTree, into results: inout [String]) {
        guard let first = elements.first else { return }
        let rest = elements.dropFirst()
        guard let entries = (try? tree.entries(in: dir)) ?? nil else { return }
        if first == "**" {
            walk(rest, dir: dir, tree: tree, into: &results)
            for entry in entries where entry.kind == .directory && entry.name != ".git" {
                walk(elements, dir: join(dir, entry.name), tree: tree, into: &results)
            }
            if rest.isEmpty {
                for entry in entries where entry.kind == .file { results.append(join(dir, entry.name)) }
            }
            return
        }
        for entry in entries where fnmatch(first, entry.name) {
            let path = join(dir, entry.name)
            if rest.isEmpty {
                if entry.kind == .file { results.append(path) }
            } else if entry.kind == .directory {
                walk(rest, dir: path, tree: tree, into: &results)
            }
        }
    }

    /// `*` and `?` within one path element.
    static func fnmatch(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern)
        let n = Array(name)
        var pi = 0, ni = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count, p[pi] == "?" || p[pi] == n[ni] {
                pi += 1
                ni += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi
                mark = ni
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ni = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
