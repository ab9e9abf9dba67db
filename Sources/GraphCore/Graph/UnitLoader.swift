import Foundation

/// Loads the packages of one build unit for one platform, as `go list -e -deps` does:
/// import resolution (main modules, local replacements, vendor/, external modules, the
/// standard library and its vendor directory), //go:embed resolution, the implicit
/// imports of cgo and the linker, and the errors go list reports per package.
final class UnitLoader {
    let unit: BuildUnit
    let context: BuildContext
    let ldflags: [String]
    let scans: ScanCache
    /// Module directory → the directories its `ignore` directive hides.
    let ignoredDirs: [String: Set<String>]
    /// Resolutions by importer kind and path: one lookup per distinct import in a build.
    private var resolutionMemo = ResolutionMemo()

    /// Whether standard packages are loaded as leaves (`StandardLibraryDepth.importedOnly`,
    /// and only where no standard import can resolve outside GOROOT).
    private(set) var standardLeaves = false

    /// Whether packages get their tests' imports resolved (`LoadOptions.withTests`).
    let withTests: Bool
    /// Where non-vendored modules' packages are read from, when available.
    let moduleCache: ModuleCache?

    init(
        unit: BuildUnit, context: BuildContext, ldflags: [String], scans: ScanCache, ignoredDirs: [String: Set<String>],
        standardLibrary: StandardLibraryDepth = .full, withTests: Bool = false, moduleCache: ModuleCache? = nil
    ) {
        self.withTests = withTests
        self.moduleCache = moduleCache
        self.unit = unit
        self.context = context
        self.ldflags = ldflags
        self.scans = scans
        self.ignoredDirs = ignoredDirs
        self.standardLeaves = standardLibrary == .importedOnly && standardImportsStayInGoRoot
    }

    /// Where an import path leads.
    enum Resolution: Hashable {
        case standard(String)
        case local(importPath: String, dir: String, module: GoModuleRef?)
        case external(importPath: String, module: GoModuleRef)
        case failed(importPath: String, PackageError)

        var importPath: String {
            switch self {
            case .standard(let path): return path
            case .local(let path, _, _), .external(let path, _), .failed(let path, _): return path
            }
        }
    }

    // MARK: Roots

    /// A package matched by a main module's `./...`.
    struct Root {
        var importPath: String
        var dir: String
        var module: GoModuleRef
    }

    /// The directories `./...` walks for each main module, in the go command's walk order
    /// (lexical per directory), skipping testdata, `_*`, `.*`, vendor, nested modules and
    /// directories hidden by an `ignore` directive.
    func candidateRoots() -> [Root] {
        var roots: [Root] = []
        for module in unit.mainModules {
            let ref = mainModuleRef(module)
            let ignored = ignoredDirs[module.dir] ?? []
            var stack = [module.dir]
            while let dir = stack.popLast() {
                let rel = relative(dir, to: module.dir)
                let importPath = rel.isEmpty ? module.path : module.path + "/" + rel
                roots.append(Root(importPath: importPath, dir: dir, module: ref))
                let children = (scans.entries(in: dir) ?? []).filter { $0.kind == .directory }.map(\.name)
                for name in children.reversed() {
                    if name.hasPrefix(".") || name.hasPrefix("_") || name == "testdata" || name == "vendor" { continue }
                    let child = join(dir, name)
                    if scans.hasGoMod(child) || ignored.contains(child) { continue }
                    stack.append(child)
                }
            }
        }
        return roots
    }

    /// Whether a candidate directory is matched: at least one Go file (tests included)
    /// survives the platform's constraints.
    func isMatched(_ scan: DirectoryPackage) -> Bool {
        !(scan.goFiles.isEmpty && scan.cgoFiles.isEmpty && scan.testGoFiles.isEmpty
            && scan.xTestGoFiles.isEmpty && scan.invalidGoFiles.isEmpty)
    }

    // MARK: Loading

    /// Loads `roots` and everything they import, depth first in the go command's order, so
    /// that import-cycle errors land on the same packages as go list's.
    func load(roots: [Root]) -> [String: GoPackage] {
        var packages: [String: GoPackage] = [:]
        var onStack = Set<String>()
        var resolutions: [String: Resolution] = [:]
        struct Frame {
            var importPath: String
            var edges: [String]
            /// The package's `imports` (an implicit edge gives no import error).
            var imports: [String]
            var next: Int
            /// The importer that reached this package first, and its imports: its checks of
            /// this import run when the package is complete (popped), as the go command checks
            /// an import only after loading the imported package and everything below it.
            var reachedFrom: (importPath: String, imports: [String])?
        }

        let shareStandard = standardLeaves || standardImportsStayInGoRoot
        let leaves = standardLeaves
        let prebuilt = prebuild(roots)
        /// A standard package as this load keeps it: whole, or a leaf.
        func kept(_ package: GoPackage) -> GoPackage {
            guard leaves, !package.dependencyEdges.isEmpty else { return package }
            var leaf = package
            leaf.dependencyEdges = []
            return leaf
        }
        func makePackage(_ resolution: Resolution) -> GoPackage {
            switch resolution {
            case .standard(let path):
                if shareStandard, let known = scans.standardPackage(path, context: context) {
                    // Built by another unit: its edges are standard packages too.
                    for edge in known.dependencyEdges { resolutions.insertIfAbsent(edge, .standard(edge)) }
                    return kept(known)
                }
                let (built, notes) = build(importPath: path, dir: path, module: nil, standard: true, memo: &resolutionMemo)
                Self.apply(notes, to: &resolutions)
                if shareStandard, built.dependencyEdges.allSatisfy({ resolutions[$0] == .standard($0) }) {
                    scans.storeStandardPackage(built, context: context)
                }
                return kept(built)
            case .local(let path, let dir, let module):
                let built: GoPackage
                let notes: [ResolutionNote]
                if let ready = prebuilt[path], ready.package.dir == dir, ready.package.module == module {
                    (built, notes) = (ready.package, ready.notes)
                } else {
                    (built, notes) = build(importPath: path, dir: dir, module: module, standard: false, memo: &resolutionMemo)
                }
                // In the walk's order, as if built here: the first resolution of a path wins.
                Self.apply(notes, to: &resolutions)
                return built
            case .external(let path, let module):
                guard let (built, notes) = buildFromModuleCache(importPath: path, module: module, memo: &resolutionMemo) else {
                    return GoPackage(importPath: path, dir: nil, module: module, isStandard: false)
                }
                Self.apply(notes, to: &resolutions)
                return built
            case .failed(let path, let error):
                var package = GoPackage(importPath: path)
                package.error = error
                return package
            }
        }

        // What `checkImport` reads of each package, kept beside the packages: reading a
        // GoPackage out of the dictionary copies it (some twenty reference counts), and an
        // import is checked per edge.
        var facts: [String: ImportFacts] = [:]
        func insert(_ package: GoPackage) {
            packages[package.importPath] = package
            facts[package.importPath] = ImportFacts(package)
        }
        func setError(_ error: PackageError, of importPath: String) {
            packages[importPath]?.error = error
            facts[importPath]?.errorKind = error.kind
        }
        /// Errors an import gives its importer (cmd/go `loadImport`, in its order): `internal`
        /// visibility (not checked when the imported package has an error), importing a
        /// program, a relative import.
        func checkImport(importer: String, importerImports: [String], imported: String) {
            guard let parent = facts[importer], parent.errorKind == nil, !parent.isStandard,
                let child = facts[imported], importerImports.contains(imported)
            else { return }
            if child.errorKind == nil || child.errorKind == .importCycle,
                let message = Self.internalViolation(
                    importer: importer, importerIsStandard: parent.isStandard, imported: imported,
                    importedIsStandard: child.isStandard)
            {
                setError(PackageError(kind: .importNotAllowed, message: message), of: importer)
                return
            }
            if child.isMain, child.dir != parent.dir {
                setError(
                    PackageError(kind: .importNotAllowed, message: "import \"\(imported)\" is a program, not an importable package"),
                    of: importer)
                return
            }
            if GoPathRules.isLocalImport(imported) {
                let message =
                    imported == "." ? ".: cannot import current directory" : "local import \"\(imported)\" in non-local package"
                setError(PackageError(kind: .importNotAllowed, message: message), of: importer)
            }
        }
        /// A package is complete: the errors cmd/go gives it after loading its imports (source
        /// files only cgo or SWIG may compile), then its importer's checks of it.
        func complete(_ frame: Frame) {
            if let package = packages[frame.importPath], package.error == nil,
                let message = Self.foreignSourcesError(package)
            {
                setError(PackageError(kind: .cgo, message: message), of: frame.importPath)
            }
            if let parent = frame.reachedFrom {
                checkImport(importer: parent.importPath, importerImports: parent.imports, imported: frame.importPath)
            }
        }

        for root in roots {
            if packages[root.importPath] != nil { continue }
            let first = makePackage(.local(importPath: root.importPath, dir: root.dir, module: root.module))
            insert(first)
            onStack.insert(root.importPath)
            var stack = [Frame(importPath: root.importPath, edges: first.dependencyEdges, imports: first.imports, next: 0)]
            while !stack.isEmpty {
                let top = stack.count - 1
                if stack[top].next >= stack[top].edges.count {
                    onStack.remove(stack[top].importPath)
                    complete(stack.removeLast())
                    continue
                }
                let edge = stack[top].edges[stack[top].next]
                stack[top].next += 1
                let importer = stack[top].importPath
                if let existing = facts[edge] {
                    if onStack.contains(edge), existing.errorKind == nil {
                        let start = stack.firstIndex { $0.importPath == edge } ?? 0
                        let cycle = stack[start...].map(\.importPath) + [edge]
                        setError(
                            PackageError(
                                kind: .importCycle, message: "import cycle not allowed: " + cycle.joined(separator: " -> "),
                                cycle: cycle),
                            of: edge)
                    }
                    checkImport(importer: importer, importerImports: stack[top].imports, imported: edge)
                    continue
                }
                guard let resolution = resolutions[edge] else { continue }
                let package = makePackage(resolution)
                insert(package)
                onStack.insert(edge)
                stack.append(
                    Frame(
                        importPath: edge, edges: package.dependencyEdges, imports: package.imports, next: 0,
                        reachedFrom: (importer, stack[top].imports)))
            }
        }
        return packages
    }

    /// The parts of a package that decide the errors its importers get.
    private struct ImportFacts {
        var isStandard: Bool
        var isMain: Bool
        var dir: String?
        var errorKind: PackageError.Kind?

        init(_ package: GoPackage) {
            isStandard = package.isStandard
            isMain = package.name == "main"
            dir = package.dir
            errorKind = package.error?.kind
        }
    }

    private static func internalViolation(
        importer: String, importerIsStandard: Bool, imported path: String, importedIsStandard: Bool
    ) -> String? {
        // Most imports have no `internal` element: one byte search answers them.
        guard path.utf8.count >= 8, containsInternal(path) else { return nil }
        let index: String.Index?
        if path.hasSuffix("/internal") {
            index = path.index(path.endIndex, offsetBy: -"/internal".count)
        } else if let range = lastRange(of: "/internal/", in: path) {
            index = range
        } else if path.hasPrefix("internal/") || path == "internal" {
            index = path.startIndex
        } else {
            index = nil
        }
        guard let index else { return nil }
        let parentPath = String(path[..<index])
        let allowed: Bool
        if importedIsStandard {
            allowed = importerIsStandard && hasPathPrefix(importer, parentPath)
        } else {
            allowed = hasPathPrefix(importer, parentPath)
        }
        return allowed ? nil : "use of internal package \(path) not allowed"
    }

    /// What building a package learnt about import paths, for the walk to record in its
    /// order (`apply`): a resolved import, or an implicit standard edge.
    enum ResolutionNote {
        case imported(String, Resolution)
        case implicit(String)
    }

    /// Records `notes` as the walk does: the first resolution of a path wins (two different
    /// resolutions of one path cannot both be loaded); an implicit edge resolves to the
    /// standard library unless the path already resolved.
    static func apply(_ notes: [ResolutionNote], to resolutions: inout [String: Resolution]) {
        for note in notes {
            switch note {
            case .imported(let path, let resolution):
                resolutions.insertIfAbsent(path, resolution)
            case .implicit(let path):
                resolutions.insertIfAbsent(path, .standard(path))
            }
        }
    }

    /// A package built before the walk reached it, and what building it resolved.
    private struct Prebuilt {
        var package: GoPackage
        var notes: [ResolutionNote]
    }

    /// Builds the packages of `roots` on all cores before the walk, which then takes them
    /// (in its own order, so errors and first resolutions come out as go list's). Building
    /// reads only the scans (thread-safe) and the unit; each chunk keeps its own resolution
    /// memo. A root the walk reaches with another directory or module is built again there.
    /// Few roots: nothing (the walk builds them).
    private func prebuild(_ roots: [Root]) -> [String: Prebuilt] {
        let width = ProcessInfo.processInfo.activeProcessorCount
        guard width > 1, roots.count >= 64 else { return [:] }
        let chunks = min(roots.count / 16, width * 8)
        let results = UnsafeMutableBufferPointer<[Prebuilt]>.allocate(capacity: chunks)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        // Each chunk writes only its own slot; the loader's state read here is immutable.
        nonisolated(unsafe) let slots = results
        nonisolated(unsafe) let loader = self
        let seed = resolutionMemo
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = roots.count * chunk / chunks
            let end = roots.count * (chunk + 1) / chunks
            // What the prescan already resolved, shared (not copied) by every chunk.
            var memo = ResolutionMemo(seed: seed.own)
            var built: [Prebuilt] = []
            built.reserveCapacity(end - start)
            for root in roots[start..<end] {
                let (package, notes) = loader.build(
                    importPath: root.importPath, dir: root.dir, module: root.module, standard: false, memo: &memo)
                built.append(Prebuilt(package: package, notes: notes))
            }
            slots[chunk] = built
        }
        var byPath: [String: Prebuilt] = [:]
        byPath.reserveCapacity(roots.count)
        for chunk in results {
            for entry in chunk where byPath[entry.package.importPath] == nil { byPath[entry.package.importPath] = entry }
        }
        return byPath
    }

    /// Builds one package from its directory: files, embeds, resolved imports and edges;
    /// the resolutions it made are returned as notes for the walk to `apply`.
    /// Whether the module cache's copy of `module` holds a directory with Go files for
    /// `importPath`; nil when that module version is not in the cache (or there is none).
    private func moduleCacheHolds(_ importPath: String, module: GoModuleRef) -> Bool? {
        guard let moduleCache, let version = module.replacementVersion ?? module.version,
            let root = moduleCache.directory(module: module.replacementPath ?? module.path, version: version)
        else { return nil }
        guard importPath == module.path || importPath.hasPrefix(module.path + "/") else { return false }
        let sub = importPath == module.path ? "" : String(importPath.dropFirst(module.path.count + 1))
        return moduleCache.hasGoFiles(sub.isEmpty ? root : root + "/" + sub)
    }

    /// The package `importPath` of a non-vendored module, read from the module cache; nil
    /// when the module version is not there (or the directory holds no Go file: the go
    /// command then reports the package missing, which the leaf's key covers).
    private func buildFromModuleCache(importPath: String, module: GoModuleRef, memo: inout ResolutionMemo)
        -> (GoPackage, [ResolutionNote])?
    {
        guard let moduleCache, let version = module.replacementVersion ?? module.version,
            let root = moduleCache.directory(module: module.replacementPath ?? module.path, version: version)
        else { return nil }
        let sub = importPath == module.path ? "" : String(importPath.dropFirst(module.path.count + 1))
        guard importPath == module.path || importPath.hasPrefix(module.path + "/") else { return nil }
        let dir = sub.isEmpty ? root : root + "/" + sub
        guard moduleCache.hasGoFiles(dir) else { return nil }
        return build(importPath: importPath, dir: dir, module: module, origin: .moduleCache, memo: &memo)
    }

    private func build(
        importPath: String, dir: String, module: GoModuleRef?, standard: Bool,
        memo: inout ResolutionMemo
    ) -> (GoPackage, [ResolutionNote]) {
        build(importPath: importPath, dir: dir, module: module, origin: standard ? .standard : .repository, memo: &memo)
    }

    private func build(
        importPath: String, dir: String, module: GoModuleRef?, origin: ScanCache.Origin,
        memo: inout ResolutionMemo
    ) -> (GoPackage, [ResolutionNote]) {
        var notes: [ResolutionNote] = []
        let standard = origin == .standard
        // Outside the repository: no directory of its own (the standard library, a module
        // version from the module cache), no tests, no embeds to resolve.
        let outside = origin != .repository
        // Read in place (`scanned.package.x`): a copy of the whole scan retains every field.
        let scanned =
            origin == .moduleCache
            ? scans.scan(moduleCacheDir: dir, in: moduleCache!, context: context)
            : scans.scan(dir: dir, standard: standard, context: context)
        var package = GoPackage(
            importPath: importPath, name: scanned.package.name, dir: outside ? nil : dir, module: module, isStandard: standard)
        package.goFiles = scanned.package.goFiles
        package.cgoFiles = scanned.package.cgoFiles
        package.testGoFiles = scanned.package.testGoFiles
        package.xTestGoFiles = scanned.package.xTestGoFiles
        // Without cgo the go command drops C, C++, Objective-C and SWIG files, not Fortran's
        // (cmd/go `load`; a package holding them then gets `foreignSourcesError`'s error).
        var other = scanned.package.hFiles + scanned.package.sFiles + scanned.package.sysoFiles + scanned.package.fFiles
        if context.cgoEnabled {
            other += scanned.package.cFiles + scanned.package.cxxFiles + scanned.package.mFiles + scanned.package.swigFiles + scanned.package.swigCXXFiles
        }
        package.otherFiles = other.sorted()
        if let first = scanned.package.errors.first {
            package.error = PackageError(kind: .files, message: String(describing: first))
        }

        if !scanned.package.embedPatterns.isEmpty, !outside {
            do {
                package.embedFiles = try EmbedResolver(tree: scans.tree).resolve(
                    patterns: scanned.package.embedPatterns, packageDir: dir)
            } catch {
                if package.error == nil { package.error = PackageError(kind: .embed, message: error.text) }
            }
        }
        if !scanned.package.testEmbedPatterns.isEmpty || !scanned.package.xTestEmbedPatterns.isEmpty, !outside {
            package.testEmbedFiles =
                (try? EmbedResolver(tree: scans.tree).resolve(
                    patterns: Array(Set(scanned.package.testEmbedPatterns + scanned.package.xTestEmbedPatterns)).sorted(), packageDir: dir)) ?? []
        }

        // Resolved imports, in go/build's (sorted) order; "C" stays as written.
        var edges: [String] = []
        var imports: [String] = []
        for raw in scanned.package.imports {
            if raw == "C" {
                imports.append("C")
                continue
            }
            let resolution = resolve(raw, importerIsStandard: standard, memo: &memo)
            let resolved = resolution.importPath
            notes.append(.imported(resolved, resolution))
            imports.append(resolved)
            if !edges.contains(resolved) { edges.append(resolved) }
        }
        package.imports = imports
        // The tests' imports (in-package and external), resolved: not edges of the build,
        // nor notes of this walk (a test import does not decide how `go list -deps` resolves
        // a path). A standard package's tests are not read.
        if !outside, withTests {
            var testImports = Set<String>()
            for raw in scanned.package.testImports + scanned.package.xTestImports where raw != "C" {
                testImports.insert(resolve(raw, importerIsStandard: false, memo: &memo).importPath)
            }
            package.testImports = testImports.sorted()
        }

        // Implicit imports: cgo, simd, and the linker's for a program.
        func add(_ path: String) {
            if edges.contains(path) { return }
            edges.append(path)
            notes.append(.implicit(path))
        }
        if ["wasm", "amd64", "arm64"].contains(context.goarch), scanned.package.imports.contains("simd") {
            add("simd/internal/bridge")
        }
        if !package.cgoFiles.isEmpty {
            add("unsafe")
            if !(standard && importPath == "runtime/cgo") { add("runtime/cgo") }
            if !(standard && ["runtime/cgo", "runtime/race", "runtime/msan", "runtime/asan"].contains(importPath)) {
                add("syscall")
            }
        }
        // SWIG's (whether or not cgo is enabled: the go command adds them before it drops
        // the SWIG files of a package built without cgo).
        if !scanned.package.swigFiles.isEmpty || !scanned.package.swigCXXFiles.isEmpty {
            for path in ["unsafe", "runtime/cgo", "syscall", "sync"] { add(path) }
        }
        if package.name == "main" {
            let (deps, problem) = LinkerRules.linkerDependencies(
                goos: context.goos, goarch: context.goarch, cgoEnabled: context.cgoEnabled, ldflags: ldflags)
            if let problem, package.error == nil {
                package.error = PackageError(kind: .cgo, message: problem)
            }
            deps.forEach(add)
        }
        package.dependencyEdges = edges
        return (package, notes)
    }

    /// cmd/go `load`'s last checks: C, C++, Objective-C and Fortran sources are compiled
    /// only for a package using cgo or SWIG (the go command checks them after the package's
    /// imports, so an import error comes first). Read from `otherFiles`, which holds the
    /// files the go command keeps for the platform.
    static func foreignSourcesError(_ package: GoPackage) -> String? {
        guard package.cgoFiles.isEmpty, !package.otherFiles.isEmpty else { return nil }
        var byKind: [DirectoryPackageAssembler.OtherList: [String]] = [:]
        for name in package.otherFiles {
            if let kind = DirectoryPackageAssembler.otherListKind(DirectoryPackageAssembler.nameExt(name)) {
                byKind[kind, default: []].append(name)
            }
        }
        if byKind[.swig] != nil || byKind[.swigCXX] != nil { return nil }
        for (kind, language) in [(DirectoryPackageAssembler.OtherList.c, "C"), (.cxx, "C++"), (.m, "Objective-C"), (.f, "Fortran")] {
            if let files = byKind[kind] {
                return "\(language) source files not allowed when not using cgo or SWIG: " + files.joined(separator: " ")
            }
        }
        return nil
    }

    /// The packages outside `packages` and the standard library that the tests of `roots`
    /// reach: their `testImports` and everything those import (`go list -test -deps`'s
    /// additions), built as the walk builds packages.
    func testDependencies(of packages: [String: GoPackage], roots: [Root]) -> [String: GoPackage] {
        var found: [String: GoPackage] = [:]
        var stack: [String] = []
        for root in roots.reversed() {
            for path in (packages[root.importPath]?.testImports ?? []).reversed() where packages[path] == nil {
                stack.append(path)
            }
        }
        while let path = stack.popLast() {
            guard packages[path] == nil, found[path] == nil else { continue }
            let package: GoPackage
            switch resolve(path, importerIsStandard: false, memo: &resolutionMemo) {
            case .standard:
                continue
            case .local(let importPath, let dir, let module):
                package = build(importPath: importPath, dir: dir, module: module, standard: false, memo: &resolutionMemo).0
            case .external(let importPath, let module):
                package =
                    buildFromModuleCache(importPath: importPath, module: module, memo: &resolutionMemo)?.0
                    ?? GoPackage(importPath: importPath, dir: nil, module: module, isStandard: false)
            case .failed(let importPath, let error):
                var failed = GoPackage(importPath: importPath)
                failed.error = error
                package = failed
            }
            found[path] = package
            for edge in package.dependencyEdges.reversed() where packages[edge] == nil && found[edge] == nil {
                stack.append(edge)
            }
        }
        return found
    }

    /// Whether no import made by a standard-library package can resolve outside GOROOT in
    /// this unit: no main module, required module or replacement has a path whose first
    /// element lacks a dot (as standard paths do), and no vendor directory holds such a
    /// directory. Then a standard package is built the same in every such unit of one
    /// platform, and units share them (`ScanCache.standardPackage`): repositories with a
    /// go.mod per function load the standard library once, not once per function.
    private var standardImportsStayInGoRoot: Bool {
        let paths = unit.mainModules.map(\.path) + Array(unit.selectedVersions.keys) + unit.replacements.map(\.oldPath)
        if paths.contains(where: GoPathRules.looksStandard) { return false }
        if let vendorDir = unit.vendorDir,
            (scans.entries(in: vendorDir) ?? []).contains(where: { $0.kind == .directory && GoPathRules.looksStandard($0.name) })
        {
            return false
        }
        return true
    }

    // MARK: Import resolution

    /// The repository directory a non-standard package's import of `path` resolves to, if
    /// any (for the prescan; remembered for the walk).
    func localDirectory(ofImport path: String) -> String? {
        guard case .local(_, let dir, _) = resolve(path, importerIsStandard: false, memo: &resolutionMemo) else { return nil }
        return dir
    }

    /// Resolves an import path as the go command does in module mode
    /// (cmd/go/internal/modload importFromModules).
    func resolve(_ path: String, importerIsStandard: Bool, memo: inout ResolutionMemo) -> Resolution {
        let memoKey = ResolutionMemo.Key(path: path, standardImporter: importerIsStandard)
        if let known = memo[memoKey] { return known }
        let resolution = resolveUncached(path, importerIsStandard: importerIsStandard)
        memo.own[memoKey] = resolution
        return resolution
    }

    /// Resolutions already made, by import path and importer kind: a chunk of the prebuild
    /// reads the prescan's (`seed`, shared: copying it per chunk and freeing the copies was
    /// a visible part of the walk) and adds its own.
    struct ResolutionMemo {
        struct Key: Hashable {
            var path: String
            var standardImporter: Bool
        }
        var seed: [Key: Resolution] = [:]
        var own: [Key: Resolution] = [:]

        /// No key is in both (`own` takes only what neither held).
        subscript(key: Key) -> Resolution? {
            if !seed.isEmpty, let known = seed[key] { return known }
            return own.isEmpty ? nil : own[key]
        }
    }

    private func resolveUncached(_ path: String, importerIsStandard: Bool) -> Resolution {
        // Inside the standard library, non-standard-looking paths resolve to GOROOT/src/vendor.
        if importerIsStandard, !GoPathRules.looksStandard(path) {
            let vendored = "vendor/" + path
            if scans.goRoot.isStandardPackage(vendored) { return .standard(vendored) }
        }
        if path.utf8.contains(UInt8(ascii: "@")) {
            return .failed(importPath: path, invalid(path, "import path \"\(path)\" should not have @version"))
        }
        if GoPathRules.isLocalImport(path) {
            return .failed(
                importPath: path,
                invalid(path, "\"\(path)\" is relative, but relative import paths are not supported in module mode"))
        }
        if path.hasPrefix("/") {
            return .failed(importPath: path, invalid(path, "\"\(path)\" is not a package path; see 'go help packages'"))
        }
        if let problem = GoPathRules.importPathProblem(path) {
            return .failed(importPath: path, invalid(path, "malformed import path \"\(path)\": \(problem)"))
        }

        var candidates: [Resolution] = []
        let looksStandard = GoPathRules.looksStandard(path)
        if looksStandard, scans.goRoot.isStandardPackage(path) {
            candidates.append(.standard(path))
        }
        if let vendorDir = unit.vendorDir {
            for module in unit.mainModules {
                if let dir = dirInModule(path, modulePath: module.path, moduleDir: module.dir, local: true),
                    scans.hasGoFiles(dir)
                {
                    candidates.append(.local(importPath: path, dir: dir, module: mainModuleRef(module)))
                }
            }
            let dir = join(vendorDir, path)
            if scans.hasGoFiles(dir) {
                if let vendored = vendoredModule(ofPackage: path) {
                    candidates.append(.local(importPath: path, dir: dir, module: vendored))
                } else if GoVersion.compare(mainGoVersion, "1.23") < 0 {
                    // Not listed in modules.txt: before go 1.23 (gover.ExplicitModulesTxtImportVersion)
                    // the directory still provides the package, outside any module; from
                    // 1.23 on the go command ignores it.
                    candidates.append(.local(importPath: path, dir: dir, module: nil))
                }
            }
        } else {
            // Modules of the build list that are prefixes of the path: with each one's
            // version in the module cache, those holding the package's directory are
            // candidates (two are an ambiguous import, as the go command finds them); with
            // one missing there, the longest prefix's module stands for the package.
            var external: Resolution?
            var found: [Resolution] = []
            var unknown = false
            var prefix = path
            while true {
                if let main = unit.mainModules.first(where: { $0.path == prefix }) {
                    if let dir = dirInModule(path, modulePath: main.path, moduleDir: main.dir, local: true),
                        scans.hasGoFiles(dir)
                    {
                        candidates.append(.local(importPath: path, dir: dir, module: mainModuleRef(main)))
                    }
                } else if let version = unit.selectedVersions[prefix], version != "none" {
                    if let replacementDir = unit.localReplacement(of: prefix) {
                        if let failure = unreadableReplacement(path, module: prefix, version: version, dir: replacementDir) {
                            return failure
                        }
                        if let dir = dirInModule(path, modulePath: prefix, moduleDir: replacementDir, local: true),
                            scans.hasGoFiles(dir)
                        {
                            candidates.append(
                                .local(importPath: path, dir: dir, module: replacedModuleRef(prefix, version: version)))
                        }
                    } else {
                        let module = replacedModuleRef(prefix, version: version)
                        if external == nil { external = .external(importPath: path, module: module) }
                        switch moduleCacheHolds(path, module: module) {
                        case true?: found.append(.external(importPath: path, module: module))
                        case false?: break
                        case nil: unknown = true
                        }
                    }
                }
                guard let slash = prefix.utf8.lastIndex(of: UInt8(ascii: "/")) else { break }
                prefix = String(prefix[..<slash])
            }
            if !unknown, moduleCache != nil, !found.isEmpty {
                candidates += found
            } else if candidates.isEmpty, let external {
                candidates.append(external)
            }
        }

        if candidates.count > 1 {
            let places = candidates.map { candidate -> String in
                switch candidate {
                case .standard(let p): return "GOROOT/src/" + p
                case .local(_, let dir, let module): return "\(module?.path ?? "vendor") (\(dir.isEmpty ? "." : dir))"
                case .external(_, let module): return module.path + " " + (module.version ?? "")
                case .failed(let p, _): return p
                }
            }
            return .failed(
                importPath: path,
                PackageError(
                    kind: .ambiguous,
                    message: "ambiguous import: found package \(path) in multiple modules: " + places.joined(separator: ", ")))
        }
        if let only = candidates.first { return only }
        if looksStandard {
            return .failed(
                importPath: path,
                PackageError(kind: .missing, message: "package \(path) is not in std (GOROOT/src/\(path))"))
        }
        if unit.vendorDir != nil {
            return .failed(
                importPath: path,
                PackageError(
                    kind: .missing,
                    message: "cannot find module providing package \(path): import lookup disabled by -mod=vendor"))
        }
        return .failed(
            importPath: path,
            PackageError(kind: .missing, message: "no required module provides package \(path)"))
    }

    /// The failure of an import that module `module` (replaced by the local directory `dir`)
    /// would provide when the go command cannot read that module: the directory does not
    /// exist (modload fetch: the import fails at once, whatever other modules hold), or it
    /// has no go.mod (modload rawGoModSummary: the package's module cannot be loaded, so it
    /// gets the error and no files). Nil when the replacement has a go.mod. Paths are
    /// repository-relative where go list prints absolute ones.
    private func unreadableReplacement(_ path: String, module: String, version: String, dir: String) -> Resolution? {
        if scans.hasGoMod(dir) { return nil }
        let written = unit.replacement(of: module, version: version)?.newPath ?? dir
        guard scans.entries(in: dir) != nil else {
            return .failed(
                importPath: path,
                PackageError(kind: .missing, message: "\(module)@\(version): replacement directory \(written) does not exist"))
        }
        var short = ModulePaths.relativeDirectoryPath(from: unit.rootDir, to: dir)
        if short.hasPrefix("./") { short.removeFirst(2) }
        let reading = "reading \(short)/go.mod: open \(join(dir, "go.mod")): no such file or directory"
        if let packageDir = dirInModule(path, modulePath: module, moduleDir: dir, local: true), scans.hasGoFiles(packageDir) {
            return .failed(importPath: path, PackageError(kind: .missing, message: "module \(written): \(reading)"))
        }
        return .failed(
            importPath: path, PackageError(kind: .missing, message: "\(module)@\(version) (replaced by \(written)): \(reading)"))
    }

    /// `MainModules.GoVersion`: the go.work's go version in a workspace, else the main module's.
    private var mainGoVersion: String {
        if let work = unit.workFile { return work.effectiveGoVersion }
        return unit.mainModules.first?.file.effectiveGoVersion ?? "1.16"
    }

    private func invalid(_ path: String, _ message: String) -> PackageError {
        PackageError(kind: .invalidPath, message: message)
    }

    /// `dirInModule`: the directory that would hold `path` in the module at `moduleDir`,
    /// or nil when the path is outside it or, for local modules, inside a nested module.
    private func dirInModule(_ path: String, modulePath: String, moduleDir: String, local: Bool) -> String? {
        let dir: String
        if path == modulePath {
            dir = moduleDir
        } else if path.hasPrefix(modulePath + "/") {
            dir = join(moduleDir, String(path.dropFirst(modulePath.count + 1)))
        } else {
            return nil
        }
        if local {
            var d = dir
            while d != moduleDir, d.count > moduleDir.count {
                if scans.hasGoMod(d) { return nil }
                d = parent(d)
            }
        }
        return dir
    }

    private func mainModuleRef(_ module: GoModule) -> GoModuleRef {
        GoModuleRef(path: module.path, isMain: true, goVersion: module.file.goVersion)
    }

    private func replacedModuleRef(_ path: String, version: String) -> GoModuleRef {
        var ref = GoModuleRef(path: path, version: version)
        if let replacement = unit.replacement(of: path, version: version) {
            ref.replacementPath = replacement.newPath
            ref.replacementVersion = replacement.newVersion
            if let dir = unit.localReplacement(of: path), let file = scans.goModFile(in: dir) {
                ref.goVersion = file.goVersion
            }
        }
        return ref
    }

    private func vendoredModule(ofPackage path: String) -> GoModuleRef? {
        guard let vendor = unit.vendor else { return nil }
        for module in vendor.modules where module.packages.contains(path) {
            var ref = GoModuleRef(path: module.path, version: module.version, goVersion: module.goVersion)
            if let replacement = module.replacement {
                ref.replacementPath = replacement.path
                ref.replacementVersion = replacement.version
            }
            return ref
        }
        return nil
    }
}

/// The start of the last occurrence of `needle` (ASCII) in `haystack`, by bytes.
private func lastRange(of needle: String, in haystack: String) -> String.Index? {
    let h = Array(haystack.utf8)
    let n = Array(needle.utf8)
    guard h.count >= n.count, !n.isEmpty else { return nil }
    var i = h.count - n.count
    while i >= 0 {
        if h[i] == n[0], h[i..<(i + n.count)].elementsEqual(n) {
            return haystack.utf8.index(haystack.utf8.startIndex, offsetBy: i)
        }
        i -= 1
    }
    return nil
}

/// `str.HasPathPrefix`: `s` is `prefix` or starts with `prefix/`.
func hasPathPrefix(_ s: String, _ prefix: String) -> Bool {
    if prefix.isEmpty { return true }
    return s == prefix || s.hasPrefix(prefix + "/")
}

/// `dir` relative to `base` (both repository-relative), `""` when equal.
func relative(_ dir: String, to base: String) -> String {
    if dir == base { return "" }
    if base.isEmpty { return dir }
    return String(dir.dropFirst(base.count + 1))
}

private let internalWord: [UInt8] = Array("internal".utf8)

/// Whether `path` contains the bytes `internal` anywhere.
private func containsInternal(_ path: String) -> Bool {
    let word = internalWord
    var path = path
    return path.withUTF8 { bytes in
        guard bytes.count >= word.count else { return false }
        var i = 0
        let last = bytes.count - word.count
        while i <= last {
            if bytes[i] == UInt8(ascii: "i"), bytes[i + 1] == UInt8(ascii: "n"), bytes[i + 2] == UInt8(ascii: "t") {
                var k = 3
                while k < word.count, bytes[i + k] == word[k] { k += 1 }
                if k == word.count { return true }
            }
            i += 1
        }
        return false
    }
}

extension Dictionary {
    /// Inserts `value` under `key` unless the key is present, hashing the key once (the
    /// `default:` subscript's modify accessor inserts the default when absent).
    mutating func insertIfAbsent(_ key: Key, _ value: @autoclosure () -> Value) {
        func touch(_: inout Value) {}
        touch(&self[key, default: value()])
    }
}
