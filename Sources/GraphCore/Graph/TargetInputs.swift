/// Everything that goes into one target's binary, by name: the one definition that the
/// target key (GoBuild hashes it with file contents) and impact analysis (`affected`
/// compares it between two snapshots) share.
///
/// File contents are not part of it — only paths; a key adds their SHA-256, an impact
/// comparison their git identity.
public struct TargetInputs: Hashable, Sendable {
    /// The `go`, `toolchain` and `godebug` directives of a go.mod or go.work.
    public struct Directives: Hashable, Sendable {
        public var go: String?
        public var toolchain: String?
        /// `key=value`, in file order.
        public var godebug: [String]

        public init(go: String?, toolchain: String?, godebug: [String]) {
            self.go = go
            self.toolchain = toolchain
            self.godebug = godebug
        }
    }

    /// One non-standard package of the closure.
    ///
    /// An immutable class with value equality: one package is in the closures of many
    /// targets (hundreds, for a shared library), and the inputs of a repository's targets
    /// share one instance per package (`Cache`), so a closure's list costs a reference
    /// per package instead of a copy of every field, and comparing shared instances is an
    /// identity check.
    public final class Package: Hashable, Sendable {
        public let importPath: String
        public let module: GoModuleRef?
        /// For a non-vendored external module: its go.sum hash (`h1:…`), or nil when missing.
        public let sum: String?
        /// The package's error, if any (it changes what the go command does).
        public let error: String?
        /// Input files, repository-relative, sorted. For a non-vendored external package
        /// (whose own files are not read: its module's go.sum hash stands for them), the files
        /// of the unit's local replacement modules that no package of the graph belongs to —
        /// its imports, which are not read, may reach them.
        public let files: [String]
        /// For a non-vendored external package: the unit's build list (every selected module
        /// version, replacement and go.sum line), sorted. Its imports are not read (the module
        /// cache is not), so any module of the build is a possible dependency: a change of any
        /// of them changes the binaries that reach the package. Empty for other packages.
        public let unread: [String]
        /// The directory outside the repository that the package's module is replaced by
        /// (gocache does not read it: in no diff, not in the key), or nil.
        public let outside: String?
        /// With cgo: the arguments of its cgo files' `#cgo pkg-config:` lines, sorted.
        public let pkgConfig: [String]
        /// The files of `files` that its C and assembly sources include (or link) from
        /// outside the package's own file list (`CIncludes`), sorted: the go command's own
        /// cache does not see them, so a build must make it compile this package anew when
        /// they change (`TargetKey.includedFilesDigest`).
        public let includedFiles: [String]

        public init(
            importPath: String, module: GoModuleRef?, sum: String?, error: String?, files: [String], unread: [String] = [],
            outside: String? = nil, pkgConfig: [String] = [], includedFiles: [String] = []
        ) {
            self.pkgConfig = pkgConfig
            self.includedFiles = includedFiles
            self.importPath = importPath
            self.module = module
            self.sum = sum
            self.error = error
            self.files = files
            self.unread = unread
            self.outside = outside
        }

        public static func == (lhs: Package, rhs: Package) -> Bool {
            lhs === rhs
                || (lhs.importPath == rhs.importPath && lhs.module == rhs.module && lhs.sum == rhs.sum
                    && lhs.error == rhs.error && lhs.files == rhs.files && lhs.unread == rhs.unread
                    && lhs.outside == rhs.outside && lhs.pkgConfig == rhs.pkgConfig)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(importPath)
            hasher.combine(module)
            hasher.combine(sum)
            hasher.combine(error)
            hasher.combine(files)
            hasher.combine(unread.count)
            hasher.combine(outside)
            hasher.combine(pkgConfig)
        }

        /// The part of a package that the go command builds from what it reads: for a
        /// non-vendored external package, the unit's build list and the local replacement
        /// files nothing in `graph` holds; for a package of a module replaced by a directory
        /// outside the repository, that directory.
        static func make(
            _ package: GoPackage, files: [String], unit: BuildUnit?, graph: PackageGraph, tree: any FileTree, cache: Cache,
            includedFiles: [String] = []
        ) -> Package {
            let pkgConfig = CIncludes.pkgConfig(of: package, tree: tree, memo: cache.includes)
            var sum: String?
            var unread: [String] = []
            var outside: String?
            var files = files
            if package.dir == nil, !package.isStandard, let module = package.module, let version = module.version {
                sum = unit?.goSum.hash(
                    module: module.replacementPath ?? module.path, version: module.replacementVersion ?? version)
                // Read from the module cache (it has a package clause): its imports are edges
                // of the graph, the closure is exact. Else a leaf: any module may be below it.
                if let unit, package.name.isEmpty {
                    let completion = cache.completion(of: unit, graph: graph, tree: tree)
                    unread = completion.buildList
                    files = (files + completion.files).sorted()
                    if let replacement = module.replacementPath, module.replacementVersion == nil,
                        unit.outsideReplacement(of: module.path) != nil
                    {
                        outside = replacement
                    }
                }
            }
            // An import no module of the build list provides: below go 1.17 the go command
            // finds its module through the dependencies' go.mod files (unpruned graphs), which
            // gocache does not read — any change of the build list may make it resolve.
            if package.error?.kind == .missing, package.dir == nil, let unit, unread.isEmpty {
                unread = cache.completion(of: unit, graph: graph, tree: tree).buildList
            }
            return Package(
                importPath: package.importPath, module: package.module, sum: sum, error: package.error?.message,
                files: files, unread: unread, outside: outside, pkgConfig: pkgConfig, includedFiles: includedFiles)
        }
    }

    public var dir: String
    public var importPath: String
    public var settings: BuildSettings
    /// go.work's directives when the target is built in a workspace.
    public var workspace: Directives?
    /// Directives of every local module (main or locally replaced) in the closure.
    public var localModules: [String: Directives]
    /// `default.pgo` of the main package, when present (repository-relative).
    public var pgo: String?
    /// Declared extra inputs, expanded to files (repository-relative, sorted).
    public var extraInputs: [String]
    /// Non-standard packages of the closure, the target included, sorted by import path.
    public var packages: [Package]

    public init(
        dir: String, importPath: String, settings: BuildSettings, workspace: Directives?,
        localModules: [String: Directives], pgo: String?, extraInputs: [String], packages: [Package]
    ) {
        self.dir = dir
        self.importPath = importPath
        self.settings = settings
        self.workspace = workspace
        self.localModules = localModules
        self.pgo = pgo
        self.extraInputs = extraInputs
        self.packages = packages
    }

    /// Directories outside the repository that the build reads and gocache does not (a
    /// module replaced by one, a go.work `use` of one), sorted: such a target's key does not
    /// cover everything in its binary, so `build` never stores or restores it and `affected`
    /// always reports it.
    public var outside: [String] = []
    /// With cgo on: what the C compiler says it is (`$CC --version`), filled by the key
    /// recipe (`TargetKeyRecipe.keys`); nil otherwise.
    public var cCompiler: String?
    /// With cgo on: the identities of the other compilers the closure's sources need, by the
    /// go command's variable (`CXX` for C++ files, `FC` for Fortran); filled by the key
    /// recipe, empty otherwise.
    public var compilers: [String: String] = [:]
    /// With cgo on and `#cgo pkg-config:` lines in the closure: what pkg-config answers for
    /// them on this machine (filled by the key recipe), else nil.
    public var pkgConfig: String?

    /// The `#cgo pkg-config:` arguments of every package of the closure, sorted and unique.
    public var pkgConfigArguments: [String] {
        Array(Set(packages.flatMap(\.pkgConfig))).sorted()
    }

    /// The compiler variables (besides `CC`) that the C++ and Fortran files of `packages` need.
    public static func compilerVariables(of packages: [Package]) -> Set<String> {
        var variables = Set<String>()
        for package in packages {
            for file in package.files {
                guard let dot = file.lastIndex(of: "."), let variable = compilerVariable[String(file[file.index(after: dot)...])]
                else { continue }
                variables.insert(variable)
            }
        }
        return variables
    }

    /// The go command's compiler variable by source extension (C++ and SWIG C++ files go
    /// through CXX, Fortran through FC; C, Objective-C and assembly through CC).
    static let compilerVariable: [String: String] = [
        "cc": "CXX", "cpp": "CXX", "cxx": "CXX", "swigcxx": "CXX", "f": "FC", "F": "FC", "for": "FC", "f90": "FC",
    ]

    /// Every file whose content goes into the binary, sorted and unique.
    public var files: [String] {
        var all = Set(packages.flatMap(\.files))
        all.formUnion(extraInputs)
        if let pgo { all.insert(pgo) }
        return all.sorted()
    }

    /// The inputs of `target`, or nil when no graph holds it.
    public static func collect(for target: GoTarget, in repository: GoRepository, tree: any FileTree) -> TargetInputs? {
        collect(for: target, in: repository, tree: tree, cache: Cache())
    }

    /// Per-package parts shared by the targets of one repository: collecting the inputs
    /// of many targets with one cache computes each package's part once.
    public final class Cache {
        /// By graph index, then package id of that graph's index.
        fileprivate var entries: [Int: EntryTable] = [:]
        fileprivate var directives: [String: Directives?] = [:]
        /// Scanned `#include` lines and existence checks, shared by every package.
        let includes = CIncludes.Memo()
        /// What external packages' unread imports may reach, by unit root and graph.
        private var completions: [CompletionKey: (buildList: [String], files: [String])] = [:]

        private struct CompletionKey: Hashable {
            var unit: String
            var graph: ObjectIdentifier
        }

        public init() {}

        /// The build list of `unit` and the files of its local replacement modules that no
        /// package of `graph` belongs to (computed once per unit and graph).
        func completion(of unit: BuildUnit, graph: PackageGraph, tree: any FileTree) -> (buildList: [String], files: [String]) {
            // The graph's index object names the graph while the repository holding both lives.
            let key = CompletionKey(unit: unit.rootDir, graph: ObjectIdentifier(graph.index))
            if let known = completions[key] { return known }
            var lines = unit.selectedVersions.map { "require \($0.key)@\($0.value)" }
            for r in unit.replacements + unit.replacementsBehindWork {
                lines.append(
                    "replace \(r.oldPath)\(r.oldVersion.map { "@" + $0 } ?? "") => \(r.newPath)\(r.newVersion.map { "@" + $0 } ?? "")")
            }
            for (module, hashes) in unit.goSum.entries {
                lines.append("sum \(module.path) \(module.version ?? "") \(hashes.joined(separator: " "))")
            }
            var held = Set<String>()
            for package in graph.packages.values { if let module = package.module?.path { held.insert(module) } }
            var files: [String] = []
            for r in unit.replacements + unit.replacementsBehindWork where r.isLocalDirectory && !held.contains(r.oldPath) {
                guard let dir = unit.localReplacement(of: r.oldPath) else { continue }
                TargetInputs.moduleFiles(in: dir, tree: tree, root: true, into: &files)
            }
            let result = (buildList: lines.sorted(), files: Array(Set(files)).sorted())
            completions[key] = result
            return result
        }

        /// The input files of every package collected through this cache (each package
        /// once): the union of the collected targets' package files.
        public var packageFiles: Set<String> {
            var files = Set<String>()
            for table in entries.values {
                for case let entry? in table.values { files.formUnion(entry.package.files) }
            }
            return files
        }
    }

    /// The computed entries of one graph, by package id.
    fileprivate final class EntryTable {
        var values: [Entry?]
        var done: [Bool]

        init(count: Int) {
            values = [Entry?](repeating: nil, count: count)
            done = [Bool](repeating: false, count: count)
        }
    }

    /// One package's part of the inputs, with what the directives need.
    struct Entry: Hashable {
        var package: Package
        /// The module path, when the package has a module.
        var module: String?
        /// Whether the package is vendored (its module's go.mod is not read).
        var vendored: Bool
    }

    /// The inputs of `target`, reusing `cache` across the targets of one repository.
    public static func collect(for target: GoTarget, in repository: GoRepository, tree: any FileTree, cache: Cache)
        -> TargetInputs?
    {
        guard let graphIndex = repository.graphIndex(of: target) else { return nil }
        let graph = repository.graphs[graphIndex]
        let unit = repository.layout.units.first { $0.rootDir == target.unitRoot }
        var packages: [Package] = []
        var localModules: [String: Directives] = [:]
        let index = graph.index
        let closure = index.ids[target.importPath].map { index.nonStandardClosure(of: $0) } ?? []
        packages.reserveCapacity(closure.count)
        // The closure is sorted by import path, so a module's packages mostly come together:
        // only the first package of each run looks its module up.
        var previousModule: String?
        for id in closure {
            guard let entry = self.entry(id, graphIndex: graphIndex, graph: graph, unit: unit, tree: tree, cache: cache) else { continue }
            packages.append(entry.package)
            guard let modulePath = entry.module, modulePath != previousModule else { continue }
            previousModule = modulePath
            if localModules[modulePath] == nil,
                let directives = directives(of: entry, unit: unit, repository: repository, tree: tree, cache: cache)
            {
                localModules[modulePath] = directives
            }
        }
        var workspace: Directives?
        if let work = unit?.workFile {
            workspace = Directives(
                go: work.goVersion, toolchain: work.toolchain, godebug: work.godebug.map { "\($0.key)=\($0.value)" })
        }
        let pgoPath = pgoPath(of: target)
        let pgo = isFile(pgoPath, in: tree) ? pgoPath : nil
        var extra = Set<String>()
        for pattern in target.settings.extraInputs {
            extra.formUnion(FileGlob.expand(pattern, in: tree, excluding: repository.ownDirectories))
        }
        var inputs = TargetInputs(
            dir: target.dir, importPath: target.importPath, settings: target.settings, workspace: workspace,
            localModules: localModules, pgo: pgo, extraInputs: extra.sorted(), packages: packages)
        inputs.outside = outsideDirectories(of: packages, unit: unit, layout: repository.layout)
        return inputs
    }

    /// The directories outside the repository that a build of `packages` in `unit` reads:
    /// replacements of their modules, and the go.work `use`s of the unit that leave it.
    static func outsideDirectories(of packages: [Package], unit: BuildUnit?, layout: ModuleLayout) -> [String] {
        var dirs = Set(packages.compactMap(\.outside))
        if let unit {
            let unitDirs = Set([unit.rootDir] + unit.mainModules.map(\.dir))
            for problem in layout.problems where unitDirs.contains(problem.dir) {
                if let outside = problem.outside { dirs.insert(outside) }
            }
        }
        return dirs.sorted()
    }

    /// Every file of the module in `dir` that a build could read: not tests, not nested
    /// modules, not `.git`.
    static func moduleFiles(in dir: String, tree: any FileTree, root: Bool, into files: inout [String]) {
        guard let entries = (try? tree.entries(in: dir)) ?? nil else { return }
        if !root, entries.contains(where: { $0.name == "go.mod" && $0.kind == .file }) { return }
        for entry in entries {
            let path = join(dir, entry.name)
            switch entry.kind {
            case .directory where entry.name != ".git":
                moduleFiles(in: path, tree: tree, root: false, into: &files)
            case .file, .symlink:
                if !entry.name.hasSuffix("_test.go") { files.append(path) }
            default:
                break
            }
        }
    }

    /// Where a target's profile would be: `default.pgo` in its directory.
    static func pgoPath(of target: GoTarget) -> String {
        target.dir == "." ? "default.pgo" : target.dir + "/default.pgo"
    }

    /// The part of package `id` of `graph` (at `graphIndex` of its repository), or nil
    /// when the id is an import without a package.
    static func entry(_ id: Int32, graphIndex: Int, graph: PackageGraph, unit: BuildUnit?, tree: any FileTree, cache: Cache)
        -> Entry?
    {
        let table: EntryTable
        if let existing = cache.entries[graphIndex] {
            table = existing
        } else {
            table = EntryTable(count: graph.index.paths.count)
            cache.entries[graphIndex] = table
        }
        if table.done[Int(id)] { return table.values[Int(id)] }
        let path = graph.index.paths[Int(id)]
        var result: Entry?
        if let package = graph.packages[path] {
            // A vendored module's `go` version is in its module reference (from
            // vendor/modules.txt); its go.mod is not read.
            let vendored = unit?.vendorDir.map { vendor in package.dir.map { hasPathPrefix($0, vendor) } ?? false } ?? false
            // Headers the package's C and assembly sources include from elsewhere are inputs
            // too (go list does not show them).
            let headers = CIncludes.files(of: package, tree: tree, memo: cache.includes)
            let files = headers.isEmpty ? package.inputFiles : (package.inputFiles + headers).sorted()
            result = Entry(
                package: Package.make(
                    package, files: files, unit: unit, graph: graph, tree: tree, cache: cache, includedFiles: headers),
                module: package.module?.path, vendored: vendored)
        }
        table.values[Int(id)] = result
        table.done[Int(id)] = true
        return result
    }

    /// The directives of the local module (main or locally replaced) holding an entry's
    /// package, or nil (no module, vendored, external).
    static func directives(of entry: Entry, unit: BuildUnit?, repository: GoRepository, tree: any FileTree, cache: Cache)
        -> Directives?
    {
        guard let modulePath = entry.module, !entry.vendored, let module = entry.package.module else { return nil }
        let key = "\(unit?.rootDir ?? "") \(modulePath)"
        if let known = cache.directives[key] { return known }
        let directives = localModuleFile(module, unit: unit, layout: repository.layout, tree: tree).map(Directives.init)
        cache.directives[key] = .some(directives)
        return directives
    }

    static func localModuleFile(_ module: GoModuleRef, unit: BuildUnit?, layout: ModuleLayout, tree: any FileTree)
        -> GoModFile?
    {
        if module.isMain { return unit?.mainModules.first { $0.path == module.path }?.file }
        guard let dir = unit?.localReplacement(of: module.path) else { return nil }
        if let known = layout.modules.first(where: { $0.dir == dir }) { return known.file }
        let goMod = dir.isEmpty ? "go.mod" : dir + "/go.mod"
        guard let bytes = try? tree.contents(of: goMod) else { return nil }
        return try? GoModFile.parse(bytes, file: goMod)
    }

    static func isFile(_ path: String, in tree: any FileTree) -> Bool {
        let name = lastElement(path)
        guard let entry = ((try? tree.entries(in: parent(path))) ?? nil)?.first(where: { $0.name == name }) else {
            return false
        }
        return entry.kind == .file || (entry.kind == .symlink && followsToFile(path, in: tree))
    }

    /// Whether a symbolic link points to a regular file (in the working tree or a revision's
    /// tree): the go command follows links (pgo=auto stats `default.pgo`), and the digest of
    /// a link is its target's.
    static func followsToFile(_ path: String, in tree: any FileTree) -> Bool {
        guard let snapshot = tree as? Snapshot else { return false }
        return snapshot.isRegularFileFollowingLinks(path)
    }
}

extension TargetInputs.Directives {
    /// The directives of a go.mod.
    public init(_ file: GoModFile) {
        self.init(go: file.goVersion, toolchain: file.toolchain, godebug: file.godebug.map { "\($0.key)=\($0.value)" })
    }
}

/// Expands path patterns (`*` and `?` within one element, `**` any depth) over a file tree,
/// as `extraInputs` in gocache.yaml are written.
public enum FileGlob {
    /// The file `gocache build` keeps in an output directory: a directory holding it is
    /// gocache's own output (zips, binaries, a manifest with timings) and never an input.
    public static let outputMarker = ".gocache-output"

    /// The files matching `pattern`, repository-relative, sorted. Nothing in a directory
    /// holding `outputMarker` (or below it) matches.
    /// Nothing in `excluding` (repository-relative directories: gocache's cache directory
    /// when it is inside the tree) matches either.
    public static func expand(_ pattern: String, in tree: any FileTree, excluding: Set<String> = []) -> [String] {
        let elements = pattern.split(separator: "/").map(String.init)
        var results = Set<String>()
        walk(elements[...], dir: "", tree: tree, excluding: excluding, into: &results)
        return results.sorted()
    }

    private static func walk(
        _ elements: ArraySlice<String>, dir: String, tree: any FileTree, excluding: Set<String>, into results: inout Set<String>
    ) {
        guard let first = elements.first, !excluding.contains(dir) else { return }
        let rest = elements.dropFirst()
        guard let entries = (try? tree.entries(in: dir)) ?? nil,
            !entries.contains(where: { $0.name == outputMarker && $0.kind == .file })
        else { return }
        if first == "**" {
            if rest.isEmpty {
                for entry in entries where isFileEntry(entry, dir: dir, tree: tree) { results.insert(join(dir, entry.name)) }
            } else {
                walk(rest, dir: dir, tree: tree, excluding: excluding, into: &results)
            }
            for entry in entries where entry.kind == .directory && entry.name != ".git" {
                walk(elements, dir: join(dir, entry.name), tree: tree, excluding: excluding, into: &results)
            }
            return
        }
        for entry in entries where matches(first, entry.name) {
            let path = join(dir, entry.name)
            if rest.isEmpty {
                if isFileEntry(entry, dir: dir, tree: tree) { results.insert(path) }
            } else if entry.kind == .directory {
                walk(rest, dir: path, tree: tree, excluding: excluding, into: &results)
            }
        }
    }

    /// A regular file, or a working-tree link to one (followed, as its digest is).
    private static func isFileEntry(_ entry: FileTreeEntry, dir: String, tree: any FileTree) -> Bool {
        entry.kind == .file || (entry.kind == .symlink && TargetInputs.followsToFile(join(dir, entry.name), in: tree))
    }

    /// Whether the repository-relative `path` is one `pattern` could expand to, whether or
    /// not the file exists (`**` stands for any number of directories, or at the end for
    /// any file below).
    static func matches(pattern: String, path: String) -> Bool {
        let patternElements = pattern.split(separator: "/").map(String.init)
        let pathElements = path.split(separator: "/").map(String.init)
        func match(_ p: ArraySlice<String>, _ n: ArraySlice<String>) -> Bool {
            guard let first = p.first else { return n.isEmpty }
            if first == "**" {
                if p.count == 1 { return !n.isEmpty }
                // Zero directories, or one more (never the file's own name).
                return match(p.dropFirst(), n) || (n.count > 1 && match(p, n.dropFirst()))
            }
            guard let name = n.first, matches(first, name) else { return false }
            return match(p.dropFirst(), n.dropFirst())
        }
        return match(patternElements[...], pathElements[...])
    }

    /// `*` and `?` within one path element.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern)
        let n = Array(name)
        var pi = 0
        var ni = 0
        var star = -1
        var mark = 0
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
