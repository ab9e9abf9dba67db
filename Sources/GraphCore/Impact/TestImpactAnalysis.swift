// Which packages' tests must run again: the test binary of a package is built from the
// package's closure, its `_test.go` files (and what they embed) and the closures of its
// tests' imports. A package's tests are affected exactly when those inputs differ.

extension ImpactAnalysis {
    /// The packages (with test files, matched by a build unit's `./...`, at the head) whose
    /// test inputs differ between `base` and `head`: test-only changes included, through the
    /// tests' imports. Sorted by directory; a directory is listed once (the first unit that
    /// finds its tests affected).
    ///
    /// With `changes.baseKnown == false` the listed paths are also judged by the
    /// conservative rules of `affected` (`conservativeReasons`), the package's own test
    /// files counting as sources: the answer holds every package the known base would give.
    ///
    /// Packages are judged on each unit's default platform (the settings of a package that
    /// is not a target). Both repositories must be loaded with `LoadOptions.withTests` (the
    /// tests' imports and the packages only tests reach); without it a test's imports are
    /// not followed.
    public static func tests(
        base: GoRepository, head: GoRepository, baseTree: any FileTree, headTree: any FileTree, changes: ChangeSet
    ) -> [TestImpact] {
        let changed = changes.paths
        let headCache = TargetInputs.Cache()
        let baseCache = TargetInputs.Cache()
        var results: [String: TestImpact] = [:]
        for graph in defaultGraphs(of: head) {
            let baseGraph = defaultGraphs(of: base).first { $0.unitRoot == graph.unitRoot }
            for root in graph.roots {
                guard let package = graph.packages[root], let dir = package.dir, results[dir] == nil,
                    !(package.testGoFiles.isEmpty && package.xTestGoFiles.isEmpty)
                else { continue }
                let newInputs = testInputs(of: package, in: graph, repository: head, tree: headTree, cache: headCache)
                var reasons: [ImpactReason]
                if let baseGraph, let oldPackage = baseGraph.packages[root], oldPackage.dir != nil {
                    let oldInputs = testInputs(of: oldPackage, in: baseGraph, repository: base, tree: baseTree, cache: baseCache)
                    var comparison = InputComparison(
                        old: oldInputs, new: newInputs, oldGraph: baseGraph, newGraph: graph, baseTree: baseTree,
                        headTree: headTree, changes: changes, changed: changed)
                    comparison.startEdges = package.testImports
                    reasons = comparison.reasons()
                    if !changes.baseKnown {
                        reasons += conservativeReasons(
                            from: root, unitRoot: graph.unitRoot, inputs: newInputs, graph: graph, head: head,
                            headTree: headTree, changes: changes, tested: package)
                    }
                    reasons += testdataReasons(of: root, dir: dir, changes: changes)
                } else {
                    reasons = [ImpactReason(kind: .added, file: nil, change: "new package", chain: [])]
                }
                guard !reasons.isEmpty else { continue }
                results[dir] = TestImpact(
                    dir: dir.isEmpty ? "." : dir, importPath: root, unitRoot: graph.unitRoot.isEmpty ? "." : graph.unitRoot,
                    reasons: sortedUnique(reasons))
            }
        }
        return results.values.sorted { ($0.dir, $0.importPath) < ($1.dir, $1.importPath) }
    }

    /// The repository's packages (every package with a directory in the repository, in
    /// every build and platform) whose compiled form differs between `base` and `head`:
    /// their own inputs or those of a dependency differ. Sorted by directory; a directory is
    /// listed once (a vendored copy and the module's own directory are two packages of one
    /// import path). Without a known base, judged conservatively as in `tests`.
    public static func packages(
        base: GoRepository, head: GoRepository, baseTree: any FileTree, headTree: any FileTree, changes: ChangeSet
    ) -> [TestImpact] {
        let changed = changes.paths
        let headCache = TargetInputs.Cache()
        let baseCache = TargetInputs.Cache()
        var results: [String: TestImpact] = [:]
        var judged = Set<String>()
        for graph in head.graphs {
            let baseGraph = base.graphs.first { $0.unitRoot == graph.unitRoot && $0.context == graph.context }
            for (path, package) in graph.packages.sorted(by: { $0.key < $1.key }) {
                guard let dir = package.dir, results[dir] == nil,
                    judged.insert("\(graph.unitRoot)\u{0}\(graph.context)\u{0}\(path)").inserted
                else { continue }
                let newInputs = testInputs(
                    of: package, in: graph, repository: head, tree: headTree, includeTests: false, cache: headCache)
                var reasons: [ImpactReason]
                if let baseGraph, let oldPackage = baseGraph.packages[path], oldPackage.dir != nil {
                    let oldInputs = testInputs(
                        of: oldPackage, in: baseGraph, repository: base, tree: baseTree, includeTests: false, cache: baseCache)
                    reasons = InputComparison(
                        old: oldInputs, new: newInputs, oldGraph: baseGraph, newGraph: graph, baseTree: baseTree,
                        headTree: headTree, changes: changes, changed: changed
                    ).reasons()
                    if !changes.baseKnown {
                        reasons += conservativeReasons(
                            from: path, unitRoot: graph.unitRoot, inputs: newInputs, graph: graph, head: head,
                            headTree: headTree, changes: changes)
                    }
                } else {
                    reasons = [ImpactReason(kind: .added, file: nil, change: "new package", chain: [])]
                }
                guard !reasons.isEmpty else { continue }
                results[dir] = TestImpact(
                    dir: dir.isEmpty ? "." : dir, importPath: path, unitRoot: graph.unitRoot.isEmpty ? "." : graph.unitRoot,
                    reasons: sortedUnique(reasons))
            }
        }
        return results.values.sorted { ($0.dir, $0.importPath) < ($1.dir, $1.importPath) }
    }

    /// The changed paths in the `testdata` directory of the package at `dir` (a test reads
    /// them at run time, `os.ReadFile("testdata/…")`, as golden files; `go test`'s own
    /// cache records what a test opens). Never inputs of a binary, so only tests count them.
    static func testdataReasons(of importPath: String, dir: String, changes: ChangeSet) -> [ImpactReason] {
        let testdata = join(dir, "testdata")
        var reasons: [ImpactReason] = []
        for path in changes.paths.sorted() where hasPathPrefix(path, testdata) && path != testdata {
            reasons.append(ImpactReason(kind: .file, file: path, change: changes.kind(of: path) ?? "modified", chain: [importPath]))
        }
        return reasons
    }

    /// The first (default-platform) graph of every build unit.
    static func defaultGraphs(of repository: GoRepository) -> [PackageGraph] {
        var seen = Set<String>()
        return repository.graphs.filter { seen.insert($0.unitRoot).inserted }
    }

    /// The inputs of a package's test binary, in the shape of `TargetInputs` (the package's
    /// own entry lists its test files and test embeds beside its input files).
    static func testInputs(
        of package: GoPackage, in graph: PackageGraph, repository: GoRepository, tree: any FileTree, includeTests: Bool = true,
        cache: TargetInputs.Cache
    ) -> TargetInputs {
        let unit = repository.layout.units.first { $0.rootDir == graph.unitRoot }
        var seen: Set<String> = [package.importPath]
        var stack = [package.importPath]
        for imported in (includeTests ? package.testImports : []) where imported != "C" && seen.insert(imported).inserted {
            stack.append(imported)
        }
        while let next = stack.popLast() {
            for dep in graph.packageOrTestPackage(next)?.dependencyEdges ?? [] where seen.insert(dep).inserted {
                stack.append(dep)
            }
        }
        var packages: [TargetInputs.Package] = []
        var localModules: [String: TargetInputs.Directives] = [:]
        for path in seen.sorted() {
            // A package only tests reach is in `testPackages`; the standard library is not
            // loaded there (the toolchain's version stands for it).
            guard let member = graph.packageOrTestPackage(path) else { continue }
            guard !member.isStandard else { continue }
            var files = member.inputFiles
            let headers = CIncludes.files(of: member, tree: tree, memo: cache.includes)
            if !headers.isEmpty { files = (files + headers).sorted() }
            if includeTests, path == package.importPath, let dir = member.dir {
                let prefix = dir.isEmpty ? "" : dir + "/"
                files += (member.testGoFiles + member.xTestGoFiles + member.testEmbedFiles).map { prefix + $0 }
                files = Array(Set(files)).sorted()
            }
            packages.append(TargetInputs.Package.make(member, files: files, unit: unit, graph: graph, tree: tree, cache: cache))
            // A vendored module's `go` version is in its module reference (from
            // vendor/modules.txt); the go.mod of a directory it is replaced by is not read
            // (as `TargetInputs.directives`).
            let vendored = unit?.vendorDir.map { vendor in member.dir.map { hasPathPrefix($0, vendor) } ?? false } ?? false
            if !vendored, let module = member.module, localModules[module.path] == nil,
                let file = TargetInputs.localModuleFile(module, unit: unit, layout: repository.layout, tree: tree)
            {
                localModules[module.path] = TargetInputs.Directives(file)
            }
        }
        var workspace: TargetInputs.Directives?
        if let work = unit?.workFile {
            workspace = TargetInputs.Directives(
                go: work.goVersion, toolchain: work.toolchain, godebug: work.godebug.map { "\($0.key)=\($0.value)" })
        }
        var inputs = TargetInputs(
            dir: package.dir ?? "", importPath: package.importPath, settings: compileSettings(repository.defaultSettings),
            workspace: workspace, localModules: localModules, pgo: nil, extraInputs: [], packages: packages)
        inputs.outside = TargetInputs.outsideDirectories(of: packages, unit: unit, layout: repository.layout)
        return inputs
    }

    /// `settings` without those that only the link of a binary reads (`ldflags`, `buildvcs`):
    /// they change no package's compiled form, and `go test` is not given them, so a version
    /// stamp in gocache.yaml's defaults re-runs no test.
    static func compileSettings(_ settings: BuildSettings) -> BuildSettings {
        var result = settings
        result.ldflags = ""
        result.buildvcs = false
        return result
    }
}
