import Foundation

/// The kinds of seeded edits `MonorepoMutator` makes. Every edit keeps the tree compiling
/// (`go build`, `go vet`) and its import graph acyclic.
public enum MonorepoEdit: String, CaseIterable, Sendable, Codable {
    /// Append a function to a non-test Go file anywhere (outside `vendor/`).
    case editFileBody
    /// Append a function to a non-test Go file of a function under `functions/`.
    case editFunction
    /// Append a function to a non-test Go file of a shared package (`internal/`, `pkg/`).
    case editSharedPackage
    /// Add a Go file to a package.
    case addFile
    /// Delete a Go file that nothing refers to (a `partN.go`, an added file, a test).
    case deleteFile
    /// Rename a Go file or an embedded template (keeping it matched by its glob).
    case renameFile
    /// Add an import of a root-module package to a primary file, keeping the graph acyclic.
    case addImport
    /// Remove one import (and its use) from a primary file.
    case removeImport
    /// Rename the tag of a `//go:build tag` / `//go:build !tag` file pair, or add a pair.
    case changeBuildTags
    /// Change the bytes of an embedded asset.
    case changeEmbeddedAsset
    /// Raise a module's `go` directive (within what its dependents and the toolchain allow).
    case bumpGoVersion
    /// Add a `require` + local `replace` of the nested module to a function module.
    case addRequire
    /// Upgrade the vendored module (`go.mod`, `vendor/modules.txt`, its source).
    case vendorChange
    /// Change a `_test.go` file or the test-only helper package.
    case testOnlyChange
    /// Create or remove `gocache.yaml` (which gives one function the tag `gocache_feature`).
    case settingsChange
    /// Add a function (with its module files in the per-function and workspace layouts).
    case addTarget
    /// Delete a function directory.
    case deleteTarget
}

/// Applies seeded edits to generated trees, for histories and property tests.
public enum MonorepoMutator {
    /// The tree after `edit`, with a one-line description, or `nil` when the edit does not
    /// apply to this tree (for example `vendorChange` without `vendor/`). Deterministic in
    /// (`edit`, `tree`, `spec`, `seed`).
    public static func apply(
        _ edit: MonorepoEdit, to tree: GeneratedTree, spec: MonorepoSpec, seed: UInt64
    ) -> (GeneratedTree, description: String)? {
        var work = MutationWork(tree: tree, spec: spec, seed: SplitMix64.derive(seed, edit.rawValue))
        guard let description = work.apply(edit) else { return nil }
        if work.files["vendor/modules.txt"] != nil { work.files = VendorSync.resync(work.files) }
        return (GeneratedTree(files: work.files), description)
    }
}

struct MutationWork {
    let tree: GeneratedTree
    let spec: MonorepoSpec
    let layout: Layout
    var rng: SplitMix64
    var files: [String: [UInt8]]
    let packageNames: [String: String]

    init(tree: GeneratedTree, spec: MonorepoSpec, seed: UInt64) {
        packageNames = Self.packageNames(of: tree)
        self.tree = tree
        self.spec = spec
        layout = Layout(spec: spec)
        rng = SplitMix64(seed: seed)
        files = tree.files
    }

    func text(_ path: String) -> String? { files[path].map { String(decoding: $0, as: UTF8.self) } }
    mutating func put(_ path: String, _ text: String) { files[path] = Array(text.utf8) }

    static func isIgnored(_ path: String) -> Bool {
        let components = path.split(separator: "/")
        return components.first == "vendor"
            || components.dropLast().contains { $0 == "testdata" || $0.hasPrefix("_") || $0.hasPrefix(".") }
    }

    func goFiles(tests: Bool?, under prefixes: [String] = [""]) -> [String] {
        tree.paths.filter { path in
            guard path.hasSuffix(".go"), !Self.isIgnored(path), prefixes.contains(where: { path.hasPrefix($0) }) else {
                return false
            }
            guard let tests else { return true }
            return path.hasSuffix("_test.go") == tests
        }
    }

    /// An identifier suffix unlikely to collide: 12 hex digits.
    mutating func token() -> String { rng.hex(12) }

    mutating func apply(_ edit: MonorepoEdit) -> String? {
        switch edit {
        case .editFileBody: return appendFunction(to: goFiles(tests: false))
        case .editFunction: return appendFunction(to: goFiles(tests: false, under: ["functions/"]))
        case .editSharedPackage:
            return appendFunction(to: goFiles(tests: false, under: ["internal/", "pkg/"]).filter {
                !$0.hasPrefix(layout.testutilDir + "/")
            })
        case .addFile: return addFile()
        case .deleteFile: return deleteFile()
        case .renameFile: return renameFile()
        case .addImport: return addImport()
        case .removeImport: return removeImport()
        case .changeBuildTags: return changeBuildTags()
        case .changeEmbeddedAsset: return changeAsset()
        case .bumpGoVersion: return bumpGoVersion()
        case .addRequire: return addRequire()
        case .vendorChange: return vendorChange()
        case .testOnlyChange: return testOnlyChange()
        case .settingsChange: return settingsChange()
        case .addTarget: return addTarget()
        case .deleteTarget: return deleteTarget()
        }
    }

    // MARK: File edits

    mutating func appendFunction(to candidates: [String]) -> String? {
        guard let path = rng.pick(candidates), let old = text(path) else { return nil }
        let name = "Edit\(token())"
        put(path, old + GoSource.appendedFunction(name: name, value: rng.next()))
        return "edit \(path) (add func \(name))"
    }

    func packageName(in dir: String) -> String? { packageNames[dir] }

    /// Directory → package name, from the first non-test Go file of each directory.
    static func packageNames(of tree: GeneratedTree) -> [String: String] {
        var names: [String: String] = [:]
        for path in tree.paths where path.hasSuffix(".go") && !path.hasSuffix("_test.go") {
            let dir = GeneratedTree.split(path).dir
            if names[dir] == nil, let name = tree.text(path).flatMap(GoText.packageName(in:)) { names[dir] = name }
        }
        return names
    }

    mutating func addFile() -> String? {
        let dirs = tree.packageDirs.filter { packageName(in: $0) != nil }
        guard let dir = rng.pick(dirs), let name = packageName(in: dir) else { return nil }
        let id = token()
        let path = "\(dir)/added_\(id).go"
        put(path, "package \(name)\n" + GoSource.appendedFunction(name: "Added\(id)", value: rng.next()))
        return "add \(path)"
    }

    static func isFiller(_ name: String) -> Bool {
        if name.hasPrefix("added_") || name.hasPrefix("moved_") { return name.hasSuffix(".go") }
        guard name.hasPrefix("part"), name.hasSuffix(".go") else { return false }
        let digits = name.dropFirst(4).dropLast(3)
        return !digits.isEmpty && digits.allSatisfy(\.isNumber)
    }

    mutating func deleteFile() -> String? {
        let candidates = goFiles(tests: nil).filter {
            let name = GeneratedTree.split($0).name
            return Self.isFiller(name) || name.hasSuffix("_test.go")
        }
        guard let path = rng.pick(candidates) else { return nil }
        files[path] = nil
        return "delete \(path)"
    }

    mutating func renameFile() -> String? {
        let goCandidates = goFiles(tests: false).filter { Self.isFiller(GeneratedTree.split($0).name) }
        let templates = tree.paths.filter { $0.hasSuffix(".tmpl") && !Self.isIgnored($0) }
        guard let path = rng.pick(goCandidates + templates), let bytes = files[path] else { return nil }
        let (dir, name) = GeneratedTree.split(path)
        let newName = name.hasSuffix(".tmpl") ? "\(name.dropLast(5))-\(token()).tmpl" : "moved_\(token()).go"
        files[path] = nil
        files["\(dir)/\(newName)"] = bytes
        return "rename \(path) to \(dir)/\(newName)"
    }

    // MARK: Imports

    struct Primary {
        var path: String
        var dir: String
        var isMain: Bool
        var moduleDir: String
        var imports: [String]
    }

    func primaries() -> [Primary] {
        var result: [Primary] = []
        for path in goFiles(tests: false) {
            guard let content = text(path), content.contains(GoSource.primaryMarker) else { continue }
            let dir = GeneratedTree.split(path).dir
            result.append(
                Primary(
                    path: path, dir: dir, isMain: GoText.packageName(in: content) == "main",
                    moduleDir: tree.module(containing: dir)?.dir ?? "", imports: Self.nonStandardImports(content)))
        }
        return result
    }

    static func nonStandardImports(_ content: String) -> [String] {
        guard let start = content.range(of: "import (\n"),
            let end = content.range(of: "\n)\n", range: start.upperBound..<content.endIndex)
        else { return [] }
        return content[start.upperBound..<end.lowerBound].split(separator: "\n").compactMap { line in
            let path = line.trimmingCharacters(in: .whitespaces).trimmingQuotes()
            return path.split(separator: "/").first?.contains(".") == true ? path : nil
        }
    }

    func dirOfImport(_ path: String) -> String? {
        path.hasPrefix(layout.root + "/") ? String(path.dropFirst(layout.root.count + 1)) : nil
    }

    mutating func addImport() -> String? {
        let all = primaries()
        var edges: [String: [String]] = [:]
        for primary in all { edges[primary.dir] = primary.imports.compactMap(dirOfImport) }
        let importers = all.filter { $0.moduleDir.isEmpty || $0.moduleDir.hasPrefix("functions/") }
        let targets = all.filter { !$0.isMain && $0.moduleDir.isEmpty }
        for _ in 0..<8 {
            guard let importer = rng.pick(importers) else { return nil }
            let choices = targets.filter { target in
                target.dir != importer.dir && !importer.imports.contains(layout.importPath(target.dir))
                    && !Self.reaches(from: target.dir, to: importer.dir, edges: edges)
            }
            guard let target = rng.pick(choices), var content = text(importer.path) else { continue }
            let importPath = layout.importPath(target.dir)
            guard let start = content.range(of: "import (\n"),
                let end = content.range(of: "\n)\n", range: start.upperBound..<content.endIndex),
                let parts = content.range(of: GoSource.partsEnd)
            else { continue }
            // Keep the import block sorted (gofmt order): insert before the first larger path.
            // A first non-standard import starts its own group, as gofmt users write it.
            var insertion = content.index(after: end.lowerBound)
            var line = importer.imports.isEmpty ? "\n" + GoSource.importLine(importPath) : GoSource.importLine(importPath)
            var lineStart = start.upperBound
            while lineStart < end.upperBound, let lineEnd = content[lineStart...].firstIndex(of: "\n") {
                let path = content[lineStart..<lineEnd].trimmingCharacters(in: .whitespaces).trimmingQuotes()
                if path.split(separator: "/").first?.contains(".") == true, path > importPath {
                    insertion = lineStart
                    line = GoSource.importLine(importPath)
                    break
                }
                lineStart = content.index(after: lineEnd)
            }
            content.insert(contentsOf: GoSource.callLine(importPath), at: parts.lowerBound)
            content.insert(contentsOf: line, at: insertion)
            put(importer.path, content)
            return "import \(importPath) from \(importer.dir)"
        }
        return nil
    }

    /// Whether `to` is reachable from `from` along `edges` (iterative depth-first search).
    static func reaches(from: String, to: String, edges: [String: [String]]) -> Bool {
        var stack = [from]
        var seen: Set<String> = [from]
        while let dir = stack.popLast() {
            if dir == to { return true }
            for next in edges[dir, default: []] where seen.insert(next).inserted { stack.append(next) }
        }
        return false
    }

    mutating func removeImport() -> String? {
        let candidates = primaries().filter { !$0.imports.isEmpty }
        guard let primary = rng.pick(candidates), let importPath = rng.pick(primary.imports),
            var content = text(primary.path),
            let importRange = content.range(of: GoSource.importLine(importPath))
        else { return nil }
        content.removeSubrange(importRange)
        // An emptied group leaves a blank line before the closing parenthesis; gofmt drops it.
        content = content.replacingOccurrences(of: "\n\n)\n", with: "\n)\n")
        if let call = content.range(of: GoSource.callLine(importPath)) { content.removeSubrange(call) }
        put(primary.path, content)
        return "remove import \(importPath) from \(primary.dir)"
    }

    // MARK: Build constraints, assets, settings

    mutating func changeBuildTags() -> String? {
        var tagged: [String: [String]] = [:]
        for path in goFiles(tests: false) {
            guard let first = text(path)?.split(separator: "\n").first, first.hasPrefix("//go:build "),
                let tag = first.split(separator: " ").last.map({ String($0.drop { $0 == "!" }) }),
                tag.hasPrefix("gocache_")
            else { continue }
            tagged["\(GeneratedTree.split(path).dir)\u{0}\(tag)", default: []].append(path)
        }
        let groups = tagged.keys.sorted()
        if !groups.isEmpty, rng.chance(1, in: 2), let group = rng.pick(groups) {
            let parts = group.split(separator: "\u{0}").map(String.init)
            let newTag = "gocache_\(token())"
            for path in tagged[group, default: []] {
                if let content = text(path) {
                    let lines = content.split(separator: "\n", omittingEmptySubsequences: false)
                    let first = lines[0].replacingOccurrences(of: parts[1], with: newTag)
                    put(path, ([first] + lines.dropFirst().map(String.init)).joined(separator: "\n"))
                }
            }
            return "rename build tag \(parts[1]) to \(newTag) in \(parts[0])"
        }
        let dirs = primaries().map(\.dir).filter { packageName(in: $0) != nil }
        guard let dir = rng.pick(dirs), let name = packageName(in: dir) else { return nil }
        let id = token()
        let function = "feature\(id)"
        put("\(dir)/feature\(id)_on.go", GoSource.constrained("gocache_\(id)", package: name, function: function, value: "on"))
        put("\(dir)/feature\(id)_off.go", GoSource.constrained("!gocache_\(id)", package: name, function: function, value: "off"))
        return "add build-tagged files gocache_\(id) in \(dir)"
    }

    mutating func changeAsset() -> String? {
        let nonAssets: Set<String> = ["go.mod", "go.sum", "go.work", "README.md", "gocache.yaml"]
        let candidates = tree.paths.filter { path in
            let name = GeneratedTree.split(path).name
            return !path.hasPrefix("vendor/") && !nonAssets.contains(name)
                && ![".go", ".c", ".h", ".s"].contains { name.hasSuffix($0) }
        }
        guard let path = rng.pick(candidates), let old = text(path) else { return nil }
        let id = token()
        if path.hasSuffix(".json"), let brace = old.range(of: "{\n") {
            put(path, old.replacingCharacters(in: brace, with: "{\n  \"edit\": \"\(id)\",\n"))
        } else {
            put(path, old + "edit \(id)\n")
        }
        return "change asset \(path)"
    }

    mutating func settingsChange() -> String? {
        if files["gocache.yaml"] != nil {
            files["gocache.yaml"] = nil
            return "remove gocache.yaml"
        }
        // One function gets the build tag (a strict subset of the targets changes settings).
        let functions = GeneratedTree(files: files).functionDirs
        guard let function = rng.pick(functions) else { return nil }
        put(
            "gocache.yaml",
            "# gocache settings for the example monorepo\noverrides:\n  - match: \"\(function)\"\n    tags: [gocache_feature]\n")
        return "add gocache.yaml (tags: gocache_feature for \(function))"
    }

    // MARK: Modules

    static func minor(_ version: String) -> Int? {
        let parts = version.split(separator: ".")
        guard parts.count >= 2, parts[0] == "1" else { return nil }
        return Int(parts[1])
    }

    mutating func bumpGoVersion() -> String? {
        let toolchainMinor = 27
        var choices: [(GeneratedModule, Int)] = []
        for module in tree.modules {
            guard let current = Self.minor(module.goVersion) else { continue }
            var cap = toolchainMinor
            for other in tree.modules where other.dir != module.dir {
                let requires = text(other.dir.isEmpty ? "go.mod" : "\(other.dir)/go.mod")?.contains("\(module.path) v") ?? false
                if requires, let otherMinor = Self.minor(other.goVersion) { cap = min(cap, otherMinor) }
            }
            if current < cap { choices.append((module, current + 1)) }
        }
        guard let (module, newMinor) = rng.pick(choices) else { return nil }
        let path = module.dir.isEmpty ? "go.mod" : "\(module.dir)/go.mod"
        guard let content = text(path) else { return nil }
        let newVersion = "1.\(newMinor)"
        put(path, content.replacingOccurrences(of: "\ngo \(module.goVersion)\n", with: "\ngo \(newVersion)\n"))
        if let work = text("go.work"), let workVersion = GoText.directive("go", in: work),
            let workMinor = Self.minor(workVersion), workMinor < newMinor
        {
            put("go.work", work.replacingOccurrences(of: "go \(workVersion)\n", with: "go \(newVersion)\n"))
        }
        return "bump \(path) to go \(newVersion)"
    }

    mutating func addRequire() -> String? {
        guard spec.layout == .modulePerFunction, spec.nestedModule else { return nil }
        let candidates = tree.modules.filter {
            $0.dir.hasPrefix("functions/") && !(text("\($0.dir)/go.mod")?.contains(layout.nestedModulePath) ?? true)
        }
        guard let module = rng.pick(candidates), let content = text("\(module.dir)/go.mod") else { return nil }
        let up = Array(repeating: "..", count: module.dir.split(separator: "/").count).joined(separator: "/")
        put(
            "\(module.dir)/go.mod",
            content + "\nrequire \(layout.nestedModulePath) v0.0.0\n\nreplace \(layout.nestedModulePath) => \(up)/\(layout.nestedDir)\n")
        return "require \(layout.nestedModulePath) in \(module.dir)/go.mod"
    }

    mutating func vendorChange() -> String? {
        let module = GoSource.strutilModule
        guard let modulesTxt = text("vendor/modules.txt"), let goMod = text("go.mod"),
            let version = VendorSync.requirements(in: goMod)[module],
            let patch = version.split(separator: ".").last.flatMap({ Int($0) })
        else { return nil }
        let prefix = version.split(separator: ".").dropLast().joined(separator: ".")
        let newVersion = "\(prefix).\(patch + 1)"
        put("go.mod", goMod.replacingOccurrences(of: "\(module) \(version)", with: "\(module) \(newVersion)"))
        put("vendor/modules.txt", modulesTxt.replacingOccurrences(of: "# \(module) \(version)\n", with: "# \(module) \(newVersion)\n"))
        put("vendor/\(module)/strutil.go", GoSource.strutil(version: newVersion))
        return "upgrade vendored \(module) to \(newVersion)"
    }

    mutating func testOnlyChange() -> String? {
        let tests = goFiles(tests: true)
        let helpers = goFiles(tests: false, under: [layout.testutilDir + "/"])
        guard let path = rng.pick(tests + helpers), let old = text(path) else { return nil }
        let name = path.hasSuffix("_test.go") ? "testEdit\(token())" : "Edit\(token())"
        put(path, old + GoSource.appendedFunction(name: name, value: rng.next()))
        return "test-only edit of \(path)"
    }

    // MARK: Targets

    mutating func addTarget() -> String? {
        let id = rng.hex(6)
        let name = "\(rng.pick(Vocabulary.verbs) ?? "run")-\(rng.pick(Vocabulary.things) ?? "job")-\(id)"
        let dir = "functions/\(name)"
        let targets = primaries().filter { !$0.isMain && $0.moduleDir.isEmpty }.map(\.dir)
        var chosen: Set<String> = []
        for _ in 0..<min(targets.count, rng.inRange(1...3)) {
            if let pick = rng.pick(targets) { chosen.insert(layout.importPath(pick)) }
        }
        put("\(dir)/main.go", GoSource.command(name: name, kind: "Lambda-style function", local: chosen.sorted()))
        for part in 1..<max(1, spec.filesPerPackage) {
            put("\(dir)/part\(part).go", GoSource.part(package: "main", index: part, value: rng.next()))
        }
        if spec.layout != .singleModule {
            var builder = TreeBuilder(spec: spec)
            builder.files = [:]
            var goMod = builder.functionGoMod(name: name, usesNested: false)
            // The go command refuses a main module declaring an older go than a module it
            // requires (the root, which `bumpGoVersion` may have moved on).
            if spec.layout == .modulePerFunction, let root = tree.modules.first(where: { $0.dir.isEmpty }),
                let rootMinor = Self.minor(root.goVersion), let ownMinor = Self.minor(spec.goVersion), rootMinor > ownMinor
            {
                goMod = goMod.replacingOccurrences(of: "\ngo \(spec.goVersion)\n", with: "\ngo \(root.goVersion)\n")
            }
            put("\(dir)/go.mod", goMod)
        }
        regenerateWorkspace()
        return "add function \(dir)"
    }

    mutating func deleteTarget() -> String? {
        guard let dir = rng.pick(tree.functionDirs) else { return nil }
        for path in tree.paths where path.hasPrefix(dir + "/") { files[path] = nil }
        regenerateWorkspace()
        return "delete function \(dir)"
    }

    mutating func regenerateWorkspace() {
        guard let work = text("go.work") else { return }
        let version = GoText.directive("go", in: work) ?? spec.goVersion
        put("go.work", GoSource.goWork(go: version, moduleDirs: GeneratedTree(files: files).modules.map(\.dir)))
    }
}
