// The Go workspace model: which modules a repository holds and which of them the go
// command builds together (cmd/go/internal/modload init.go, modfile.go, vendor.go).

/// A module of the repository: a directory holding a go.mod.
public struct GoModule: Hashable, Sendable {
    /// The module path from its `module` line.
    public var path: String
    /// Repository-relative directory of the go.mod; `""` is the repository root.
    public var dir: String
    public var file: GoModFile

    public init(path: String, dir: String, file: GoModFile) {
        self.path = path
        self.dir = dir
        self.file = file
    }

    /// Repository-relative path of the module's go.mod.
    public var goModPath: String { dir.isEmpty ? "go.mod" : dir + "/go.mod" }

    /// Whether the module's `ignore` directives hide the repository-relative directory `dir`
    /// from package patterns (cmd/go search.IgnorePatterns: `./x` is anchored at the module
    /// root, `x` matches a directory of that path anywhere in the module).
    public func isIgnored(_ dir: String) -> Bool {
        guard ModulePaths.isWithin(dir, self.dir), dir != self.dir else { return false }
        let rel = self.dir.isEmpty ? dir : String(dir.dropFirst(self.dir.count + 1))
        let normalized = "/" + rel + "/"
        for pattern in file.ignores {
            var p = pattern
            let anchored = p.hasPrefix("./")
            if anchored { p.removeFirst(2) }
            if !p.hasPrefix("/") { p = "/" + p }
            if !p.hasSuffix("/") { p += "/" }
            if anchored ? normalized.hasPrefix(p) : normalized.contains(p) { return true }
        }
        return false
    }
}

/// Where the go command looks for a go.work file, from `$GOWORK`.
public enum GoWorkMode: Hashable, Sendable {
    /// `GOWORK` unset or `auto`: the go.work at the repository root, if any.
    case auto
    /// `GOWORK=off`: no workspace; every module is its own main module.
    case off
    /// A go.work file at this repository-relative path (the caller maps `$GOWORK`, which the
    /// go command requires to be absolute, into the repository).
    case file(String)
}

/// A problem of one module or build unit: the go command would fail for builds of that
/// unit, but the rest of the repository is unaffected.
public struct WorkspaceProblem: Hashable, Sendable, CustomStringConvertible {
    /// Repository-relative directory of the unit or module concerned.
    public var dir: String
    /// Repository-relative path of the file concerned, when one is.
    public var file: String?
    public var message: String
    /// What to do about it.
    public var help: String
    /// The directory outside the repository the problem is about (a go.work `use` of one),
    /// as written, when the go command reads it and gocache does not.
    public var outside: String?

    public init(dir: String, file: String?, message: String, help: String, outside: String? = nil) {
        self.dir = dir
        self.file = file
        self.message = message
        self.help = help
        self.outside = outside
    }

    public var description: String { (file.map { "\($0): " } ?? "") + message }
}

/// Errors that stop workspace discovery as a whole.
public enum WorkspaceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No go.mod anywhere under the root (outside skipped directories).
    case noGoMod(root: String)
    /// A go.mod or go.work the go command would reject.
    case malformed(GoModFileError)
    /// `GOWORK` names a go.work that is not in the snapshot.
    case workFileNotFound(path: String)
    /// The snapshot could not be read.
    case unreadable(path: String, reason: String)
    /// A file or directory of the working tree could not be read (its own words).
    case fileTree(FileTreeError)
    /// A revision's tree or blob is not in the object database (a partial clone), or a
    /// source file of it has a name that is not UTF-8: the revision cannot be read whole.
    case objectMissing(GitAccessError)

    public var description: String {
        switch self {
        case .noGoMod(let root):
            return "no go.mod found under \(root.isEmpty ? "the repository root" : root)"
        case .malformed(let error):
            return "errors parsing \(error.file):\n\(error)"
        case .workFileNotFound(let path):
            return "go.work file \(path) (from GOWORK) does not exist"
        case .unreadable(let path, let reason):
            return "cannot read \(path.isEmpty ? "the repository root" : path): \(reason)"
        case .objectMissing(let error):
            return error.description
        case .fileTree(let error):
            return error.description
        }
    }

    /// A line saying what to do.
    public var help: String {
        switch self {
        case .noGoMod:
            return "run gocache at the root of a Go repository (one with a go.mod, e.g. from `go mod init`)"
        case .malformed(let error):
            return "fix \(error.file) (the go command rejects it too; `go mod edit -fmt` shows the same error)"
        case .workFileNotFound:
            return "set GOWORK to an existing go.work file inside the repository, or GOWORK=off"
        case .unreadable:
            return "check that the path is readable and the revision is complete"
        case .objectMissing(let error):
            return error.help
        case .fileTree(let error):
            return error.help
        }
    }
}

/// A set of main modules the go command builds together: a go.work workspace, or one module alone.
public struct BuildUnit: Hashable, Sendable {
    /// Repository-relative directory of the go.work, or of the module.
    public var rootDir: String
    /// The go.work of a workspace; nil for a module alone.
    public var workFile: GoWorkFile?
    /// Repository-relative path of the go.work, when a workspace.
    public var workFilePath: String?
    /// The main modules, in `use` order for a workspace.
    public var mainModules: [GoModule]
    /// Repository-relative directory of the vendor directory in effect; nil when not vendoring.
    public var vendorDir: String?
    /// The parsed vendor/modules.txt when vendoring (empty when the file is missing).
    public var vendor: VendorManifest?
    /// Why a vendor directory that exists is not used (the go command's reason), or nil.
    public var vendorNotUsedReason: String?
    /// The replacements in effect, sorted by old path and version: go.work's, and the main
    /// modules' of module paths go.work does not replace; local directories are written as
    /// the go command records them (relative to the go.work directory in a workspace, as
    /// written in go.mod for a module alone).
    public var replacements: [GoReplacement]
    /// The main modules' replacements of module paths that go.work replaces too (at some
    /// version), written as in `replacements`: the go command consults them only for a
    /// version that none of go.work's replacements matches (modload replacementFrom), so a
    /// go.work `replace m v1.0.1 => …` leaves go.mod's `replace m => …` in force for v1.0.0.
    public var replacementsBehindWork: [GoReplacement]
    /// Module path → selected version: the highest version any main module requires (excluded
    /// versions skipped; main modules themselves absent), overlaid by vendor/modules.txt when
    /// vendoring. Exact for tidy go.mod files at go ≥ 1.17, where every module providing a
    /// package to the build is listed.
    public var selectedVersions: [String: String]
    /// go.sum of the main modules (and go.work.sum for a workspace), merged.
    public var goSum: GoSum
    /// Replacement targets keyed by the replaced module version (version nil = all versions).
    var targets: [GoModuleVersion: ReplacementTarget]
    /// The targets of `replacementsBehindWork`.
    var targetsBehindWork: [GoModuleVersion: ReplacementTarget] = [:]

    enum ReplacementTarget: Hashable, Sendable {
        case module(GoModuleVersion)
        case directory(String)
        case outside(String)
    }

    /// Whether this unit is a go.work workspace.
    public var isWorkspace: Bool { workFile != nil }

    /// The replacement in effect for `path` at `version` (exact version first, then a
    /// replacement of all versions; go.work's before the main modules' of the same path), or
    /// nil. A main module is never replaced at its own (version-less) position.
    public func replacement(of path: String, version: String?) -> GoReplacement? {
        resolvedReplacement(of: path, version: version)?.replacement
    }

    /// The replacement in effect for `path` at `version`, its target, and whether it is one
    /// of `replacementsBehindWork` (modload replacementFrom: go.work's map, exact version
    /// then wildcard, else the main modules' go.mod replacements).
    func resolvedReplacement(of path: String, version: String?)
        -> (replacement: GoReplacement, target: ReplacementTarget, behindWork: Bool)?
    {
        if version == nil, mainModules.contains(where: { $0.path == path }) { return nil }
        var keys = [GoModuleVersion(path: path, version: nil)]
        if let version { keys.insert(GoModuleVersion(path: path, version: version), at: 0) }
        for (behindWork, table, written) in [(false, targets, replacements), (true, targetsBehindWork, replacementsBehindWork)] {
            for key in keys {
                if let target = table[key], let replacement = written.first(where: { $0.old == key }) {
                    return (replacement, target, behindWork)
                }
            }
        }
        return nil
    }

    /// Local replacement directory (repository-relative) of a module path at its selected
    /// version, or nil when it is not replaced by a directory. A replacement directory
    /// outside the repository is nil here (`outsideReplacement(of:)`).
    public func localReplacement(of modulePath: String) -> String? {
        guard let found = resolvedReplacement(of: modulePath, version: selectedVersions[modulePath]),
            case .directory(let dir) = found.target
        else { return nil }
        return dir
    }

    /// The directory outside the repository that a module path at its selected version is
    /// replaced by, as written, or nil.
    public func outsideReplacement(of modulePath: String) -> String? {
        guard let found = resolvedReplacement(of: modulePath, version: selectedVersions[modulePath]),
            case .outside(let path) = found.target
        else { return nil }
        return path
    }

    /// The main module whose path is the longest prefix of `importPath`, or nil.
    public func mainModule(forImportPath importPath: String) -> GoModule? {
        mainModules.filter { importPath == $0.path || importPath.hasPrefix($0.path + "/") }
            .max { $0.path.count < $1.path.count }
    }
}

/// Every module of a repository and the build units the go command forms from them.
public struct ModuleLayout: Hashable, Sendable {
    /// Every go.mod under the root (not under `vendor/`, `testdata/`, `_*`, `.*` — except
    /// modules a go.work uses explicitly), sorted by directory.
    public var modules: [GoModule]
    /// The go.work's unit (its `use` modules) first, then one unit per module not in it,
    /// sorted by directory.
    public var units: [BuildUnit]
    /// Errors that belong to a module or unit, not fatal to the layout.
    public var problems: [WorkspaceProblem]

    public init(modules: [GoModule], units: [BuildUnit], problems: [WorkspaceProblem]) {
        self.modules = modules
        self.units = units
        self.problems = problems
    }

    /// The innermost module whose directory contains the repository-relative `dir`.
    public func module(containingDir dir: String) -> GoModule? {
        modules.filter { ModulePaths.isWithin(dir, $0.dir) }.max { $0.dir.count < $1.dir.count }
    }

    /// The unit that builds the innermost module containing `dir`.
    public func unit(containingDir dir: String) -> BuildUnit? {
        guard let module = module(containingDir: dir) else { return nil }
        return units.first { $0.mainModules.contains { $0.dir == module.dir } }
    }

    /// Finds the modules and build units of `tree`.
    /// - Complexity: O(directories) `entries` calls plus one read per go.mod, go.sum and modules.txt.
    public static func discover(in tree: any FileTree, workMode: GoWorkMode) throws(WorkspaceError) -> ModuleLayout {
        var discovery = Discovery(tree: tree)
        return try discovery.run(workMode: workMode)
    }
}

private struct Discovery {
    let tree: any FileTree
    var problems: [WorkspaceProblem] = []
    var modulesByDir: [String: GoModule] = [:]

    init(tree: any FileTree) { self.tree = tree }

    func entries(_ dir: String) throws(WorkspaceError) -> [FileTreeEntry]? {
        do { return try tree.entries(in: dir) } catch { throw Self.failure(error, path: dir) }
    }

    func read(_ path: String) throws(WorkspaceError) -> [UInt8] {
        do { return try tree.contents(of: path) } catch { throw Self.failure(error, path: path) }
    }

    static func failure(_ error: any Error, path: String) -> WorkspaceError {
        if let git = error as? GitAccessError, case .missingObject = git { return .objectMissing(git) }
        if let git = error as? GitAccessError, case .nonUTF8Name = git { return .objectMissing(git) }
        if let tree = error as? FileTreeError, case .unreadable = tree { return .fileTree(tree) }
        return .unreadable(path: path, reason: String(describing: error))
    }

    /// The bytes of `path` when it is a file of the tree, else nil.
    func readIfFile(_ path: String) throws(WorkspaceError) -> [UInt8]? {
        let (dir, name) = split(path)
        guard let list = try entries(dir),
            list.contains(where: { $0.name == name && ($0.kind == .file || $0.kind == .symlink) })
        else { return nil }
        return try read(path)
    }

    func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    func join(_ dir: String, _ name: String) -> String { dir.isEmpty ? name : dir + "/" + name }

    func loadModule(dir: String) throws(WorkspaceError) -> GoModule? {
        let path = join(dir, "go.mod")
        guard let bytes = try readIfFile(path) else { return nil }
        do {
            let file = try GoModFile.parse(bytes, file: path)
            return GoModule(path: file.modulePath, dir: dir, file: file)
        } catch {
            throw .malformed(error)
        }
    }

    mutating func run(workMode: GoWorkMode) throws(WorkspaceError) -> ModuleLayout {
        // Every go.mod outside vendor/, testdata/, _*, .* directories.
        var stack = [""]
        while let dir = stack.popLast() {
            guard let list = try entries(dir) else { continue }
            for entry in list.reversed() {
                if entry.kind == .directory {
                    let n = entry.name
                    if n == "vendor" || n == "testdata" || n.hasPrefix("_") || n.hasPrefix(".") { continue }
                    stack.append(join(dir, n))
                } else if entry.name == "go.mod", entry.kind == .file || entry.kind == .symlink {
                    if let module = try loadModule(dir: dir) { modulesByDir[dir] = module }
                }
            }
        }

        // The workspace, if any.
        var workPath: String?
        switch workMode {
        case .off: break
        case .auto: if try readIfFile("go.work") != nil { workPath = "go.work" }
        case .file(let path):
            guard let clean = ModulePaths.cleanRelative(path), try readIfFile(clean) != nil else {
                throw .workFileNotFound(path: path)
            }
            workPath = clean
        }
        var units: [BuildUnit] = []
        var inWorkspace: Set<String> = []
        if let workPath {
            let bytes = try read(workPath)
            let work: GoWorkFile
            do { work = try GoWorkFile.parse(bytes, file: workPath) } catch { throw .malformed(error) }
            let unit = try workspaceUnit(work: work, path: workPath)
            inWorkspace = Set(unit.mainModules.map(\.dir))
            units.append(unit)
        }
        if modulesByDir.isEmpty { throw .noGoMod(root: "") }
        for dir in modulesByDir.keys.sorted() where !inWorkspace.contains(dir) {
            if let module = modulesByDir[dir] { units.append(try singleUnit(module)) }
        }
        let modules = modulesByDir.keys.sorted().compactMap { modulesByDir[$0] }
        return ModuleLayout(modules: modules, units: units, problems: problems)
    }

    // MARK: Units

    mutating func singleUnit(_ module: GoModule) throws(WorkspaceError) -> BuildUnit {
        var unit = BuildUnit(
            rootDir: module.dir, workFile: nil, workFilePath: nil, mainModules: [module], vendorDir: nil, vendor: nil,
            vendorNotUsedReason: nil, replacements: [], replacementsBehindWork: [], selectedVersions: [:], goSum: GoSum(),
            targets: [:])
        var resolver = ReplacementResolver(unitDir: module.dir, workspace: false)
        resolver.addModuleReplaces(module, behindWork: [])
        problems += resolver.problems
        unit.replacements = resolver.replacements
        unit.targets = resolver.targets
        unit.goSum = try readGoSum(join(module.dir, "go.sum"), unitDir: module.dir)
        try decideVendoring(&unit, goVersion: module.file.goVersion, source: "go.mod")
        unit.selectedVersions = selectedVersions(unit)
        if unit.vendorDir == nil, GoVersion.compare(module.file.effectiveGoVersion, "1.17") < 0 {
            try checkUnprunedReplacements(unit)
        }
        return unit
    }

    /// Below go 1.17 the module graph is not pruned: the go command reads the go.mod of every
    /// required module before loading any package, so a local replacement directory without
    /// a go.mod fails the whole module (from 1.17 on only the packages of that module fail,
    /// UnitLoader). Only the main module's own requirements are checked: the go.mod files
    /// of modules outside the repository are not read.
    mutating func checkUnprunedReplacements(_ unit: BuildUnit) throws(WorkspaceError) {
        for (path, version) in unit.selectedVersions.sorted(by: { $0.key < $1.key }) {
            guard let dir = unit.localReplacement(of: path), try readIfFile(join(dir, "go.mod")) == nil else { continue }
            let written = unit.replacement(of: path, version: version)?.newPath ?? dir
            var short = ModulePaths.relativeDirectoryPath(from: unit.rootDir, to: dir)
            if short.hasPrefix("./") { short.removeFirst(2) }
            problems.append(
                WorkspaceProblem(
                    dir: unit.rootDir, file: join(unit.rootDir, "go.mod"),
                    message: "\(path)@\(version) (replaced by \(written)): reading \(short)/go.mod: open \(join(dir, "go.mod")): no such file or directory",
                    help: "give the replacement directory \(written) a go.mod (`go mod init \(path)` there), or drop the replace"))
            return
        }
    }

    mutating func workspaceUnit(work: GoWorkFile, path: String) throws(WorkspaceError) -> BuildUnit {
        let workDir = split(path).0
        var mains: [GoModule] = []
        var seenDirs: Set<String> = []
        var seenPaths: Set<String> = []
        for (i, use) in work.uses.enumerated() {
            let line = i < work.useLines.count ? work.useLines[i] : 0
            guard let dir = ModulePaths.join(workDir, use) else {
                problems.append(
                    WorkspaceProblem(
                        dir: workDir, file: path, message: "\(path):\(line): use \(use) leaves the repository",
                        help: "gocache reads only the repository: vendor or copy the module into it", outside: use))
                continue
            }
            if seenDirs.contains(dir) {
                problems.append(
                    WorkspaceProblem(
                        dir: workDir, file: path,
                        message: "\(path):\(line): path \(use) appears multiple times in workspace",
                        help: "remove the duplicate use directive"))
                continue
            }
            seenDirs.insert(dir)
            var module = modulesByDir[dir]
            if module == nil, let loaded = try loadModule(dir: dir) {
                module = loaded
                modulesByDir[dir] = loaded
            }
            guard let module else {
                problems.append(
                    WorkspaceProblem(
                        dir: workDir, file: path,
                        message: "cannot load module \(use) listed in go.work file: open \(join(dir, "go.mod")): no such file or directory",
                        help: "create the module or remove it from go.work (`go work edit -dropuse=\(use)`)"))
                continue
            }
            if seenPaths.contains(module.path) {
                problems.append(
                    WorkspaceProblem(
                        dir: workDir, file: path, message: "module \(module.path) appears multiple times in workspace",
                        help: "give each module of the workspace its own module path"))
            }
            seenPaths.insert(module.path)
            let mv = module.file.effectiveGoVersion, wv = work.effectiveGoVersion
            if GoVersion.compare(mv, wv) > 0, GoVersion.compare(mv, "1.21") >= 0 {
                let verb = work.goVersion == nil ? "implicitly requires" : "lists"
                problems.append(
                    WorkspaceProblem(
                        dir: workDir, file: path,
                        message: "module \(module.dir.isEmpty ? "." : module.dir) listed in go.work file requires go >= \(mv), but go.work \(verb) go \(wv)",
                        help: "raise the go line of go.work (`go work use`)"))
            }
            mains.append(module)
        }
        for r in work.replaces where r.oldVersion == nil && seenPaths.contains(r.oldPath) {
            problems.append(
                WorkspaceProblem(
                    dir: workDir, file: path,
                    message: "workspace module \(r.oldPath) is replaced at all versions in the go.work file",
                    help: "remove the replacement from the go.work file or specify the version at which to replace the module"))
        }
        var unit = BuildUnit(
            rootDir: workDir, workFile: work, workFilePath: path, mainModules: mains, vendorDir: nil, vendor: nil,
            vendorNotUsedReason: nil, replacements: [], replacementsBehindWork: [], selectedVersions: [:], goSum: GoSum(),
            targets: [:])
        var resolver = ReplacementResolver(unitDir: workDir, workspace: true)
        resolver.addWorkReplaces(work, file: path)
        let replacedByWork = Set(work.replaces.map(\.oldPath))
        for module in mains { resolver.addModuleReplaces(module, behindWork: replacedByWork) }
        problems += resolver.problems
        unit.replacements = resolver.replacements
        unit.targets = resolver.targets
        unit.replacementsBehindWork = resolver.replacementsBehindWork
        unit.targetsBehindWork = resolver.targetsBehindWork
        for module in mains { unit.goSum.merge(try readGoSum(join(module.dir, "go.sum"), unitDir: workDir)) }
        unit.goSum.merge(try readGoSum(path + ".sum", unitDir: workDir))
        try decideVendoring(&unit, goVersion: work.goVersion, source: "go.work")
        unit.selectedVersions = selectedVersions(unit)
        return unit
    }

    mutating func readGoSum(_ path: String, unitDir: String) throws(WorkspaceError) -> GoSum {
        guard let bytes = try readIfFile(path) else { return GoSum() }
        do {
            return try GoSum.parse(bytes, file: path)
        } catch {
            problems.append(
                WorkspaceProblem(
                    dir: unitDir, file: path, message: error.description,
                    help: "fix or regenerate \(path) (`go mod tidy`)"))
            return GoSum()
        }
    }

    // MARK: Vendoring

    /// modload.setDefaultBuildMod for a command without -mod: vendor mode when vendor/ exists
    /// beside the go.mod (or go.work), the go version there is at least 1.14, and
    /// modules.txt was written in the same mode (`## workspace` for a workspace).
    mutating func decideVendoring(_ unit: inout BuildUnit, goVersion: String?, source: String) throws(WorkspaceError) {
        let vendorDir = join(unit.rootDir, "vendor")
        guard try entries(vendorDir) != nil else { return }
        guard let goVersion else {
            unit.vendorNotUsedReason = "Go version in \(source) is unspecified, so vendor directory was not used."
            return
        }
        if GoVersion.compare(goVersion, "1.14") < 0 {
            unit.vendorNotUsedReason = "Go version in \(source) is \(goVersion), so vendor directory was not used."
            return
        }
        let manifestPath = join(vendorDir, "modules.txt")
        var manifest = VendorManifest()
        if let bytes = try readIfFile(manifestPath) {
            do { manifest = try VendorManifest.parse(bytes, file: manifestPath) } catch { throw .malformed(error) }
        }
        if manifest.isWorkspace != unit.isWorkspace {
            unit.vendorNotUsedReason =
                manifest.isWorkspace
                ? "Outside workspace mode, but vendor directory is for a workspace."
                : "In workspace mode, but vendor directory is not for a workspace"
            return
        }
        unit.vendorDir = vendorDir
        unit.vendor = manifest
        checkVendorConsistency(unit, manifest: manifest)
    }

    /// modload.checkVendorConsistency (go ≥ 1.14 rules).
    mutating func checkVendorConsistency(_ unit: BuildUnit, manifest: VendorManifest) {
        var meta: [GoModuleVersion: VendoredModule] = [:]
        for m in manifest.modules { meta[GoModuleVersion(path: m.path, version: m.version)] = m }
        var details: [String] = []
        func describe(_ m: GoModuleVersion) -> String { m.description }
        for module in unit.mainModules {
            for r in module.file.requires where !(meta[GoModuleVersion(path: r.path, version: r.version)]?.explicit ?? false) {
                details.append("\(r.path)@\(r.version): is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt")
            }
        }
        var seen: Set<GoModuleVersion> = []
        var declared: [(GoReplacement, String)] = unit.mainModules.flatMap { m in m.file.replaces.map { ($0, m.goModPath) } }
        if let work = unit.workFile, let path = unit.workFilePath { declared += work.replaces.map { ($0, path) } }
        for (r, _) in declared {
            let old = r.old
            guard seen.insert(old).inserted else { continue }
            let resolved = unit.resolvedReplacement(of: old.path, version: old.version)
            let effective = resolved?.replacement
            let source = effectiveSource(unit, old: old, behindWork: resolved?.behindWork ?? false)
            let vr = meta[old]?.replacement
            if vr == nil {
                if effective != nil {
                    details.append("\(describe(old)): is replaced in \(source), but not marked as replaced in vendor/modules.txt")
                }
            } else if let vr, let effective, vr != effective.new {
                details.append(
                    "\(describe(old)): is replaced by \(describe(effective.new)) in \(source), but marked as replaced by \(describe(vr)) in vendor/modules.txt"
                )
            }
        }
        var listed: Set<String> = []
        for m in manifest.modules where !m.packages.isEmpty {
            guard let version = m.version, listed.insert(m.path).inserted, m.explicit else { continue }
            let required = unit.mainModules.contains { $0.file.requires.contains { $0.path == m.path && $0.version == version } }
            if !required {
                details.append(
                    "\(m.path)@\(version): is marked as explicit in vendor/modules.txt, but not explicitly required in \(unit.isWorkspace ? "a " : "")go.mod")
            }
        }
        for m in manifest.modules where m.replacement != nil {
            if unit.resolvedReplacement(of: m.path, version: m.version) == nil {
                details.append(
                    "\(describe(GoModuleVersion(path: m.path, version: m.version))): is marked as replaced in vendor/modules.txt, but not replaced in \(unit.isWorkspace ? "the workspace" : "go.mod")"
                )
            }
        }
        guard let vendorDir = unit.vendorDir else { return }
        guard !details.isEmpty else {
            checkVendoredModulesAreRoots(unit, manifest: manifest, vendorDir: vendorDir)
            return
        }
        let tool = unit.isWorkspace ? "go work vendor" : "go mod vendor"
        problems.append(
            WorkspaceProblem(
                dir: unit.rootDir, file: join(vendorDir, "modules.txt"),
                message: "inconsistent vendoring in \(unit.rootDir.isEmpty ? "." : unit.rootDir):"
                    + details.map { "\n\t" + $0 }.joined(),
                help: "run `\(tool)` to sync the vendor directory, or remove it"))
    }

    /// modload Requirements.initVendor, once checkVendorConsistency found nothing: a single
    /// main module at go ≥ 1.17 (a pruned module graph) must require every module that
    /// vendor/modules.txt lists packages of, at exactly the listed version (modules.txt's
    /// vendorList: a module's first listing with packages, then any higher version of its
    /// path), else the go command refuses the module ("updates to go.mod needed"). Below
    /// 1.17 (unpruned) modules.txt completes the graph, and only a requirement lower than
    /// the version vendored for its path needs go.mod updated (the roots are raised to the
    /// selected versions), which vendor mode refuses too.
    mutating func checkVendoredModulesAreRoots(_ unit: BuildUnit, manifest: VendorManifest, vendorDir: String) {
        guard !unit.isWorkspace, unit.mainModules.count == 1, let main = unit.mainModules.first else { return }
        let pruned = GoVersion.compare(main.file.effectiveGoVersion, "1.17") >= 0
        // rs.maxRootVersion: go.mod's requirements that are not excluded (the go and
        // toolchain roots are no module paths of modules.txt).
        let excluded = Set(main.file.excludes)
        var roots: [String: String] = [main.path: ""]
        for r in main.file.requires where !excluded.contains(GoModuleVersion(path: r.path, version: r.version)) {
            if r.path == main.path { continue }
            if let have = roots[r.path], SemVer.compare(have, r.version) >= 0 { continue }
            roots[r.path] = r.version
        }
        var listed: [String: String] = [:]
        var lines: [String] = []
        for m in manifest.modules where !m.packages.isEmpty {
            let version = m.version ?? ""
            if let have = listed[m.path], SemVer.compare(have, version) >= 0 { continue }
            listed[m.path] = version
            guard pruned else {
                if let root = roots[m.path], !root.isEmpty, SemVer.compare(root, version) < 0, lines.isEmpty {
                    lines.append("updates to go.mod needed, disabled by -mod=vendor")
                }
                continue
            }
            if roots[m.path] != version {
                let described = version.isEmpty ? m.path : "\(m.path)@\(version)"
                lines.append("vendored module \(described) should be required explicitly in go.mod")
            }
        }
        guard !lines.isEmpty else { return }
        if pruned { lines.append("updates to go.mod needed, disabled by -mod=vendor") }
        problems.append(
            WorkspaceProblem(
                dir: unit.rootDir, file: join(vendorDir, "modules.txt"),
                message: lines.joined(separator: "\n"),
                help: "require those modules in go.mod and run `go mod vendor`, or run `go mod vendor` to drop them from vendor/modules.txt"))
    }

    func effectiveSource(_ unit: BuildUnit, old: GoModuleVersion, behindWork: Bool) -> String {
        if !behindWork, let work = unit.workFile, let path = unit.workFilePath,
            work.replaces.contains(where: { $0.oldPath == old.path && ($0.oldVersion == old.version || $0.oldVersion == nil) })
        {
            return path
        }
        for m in unit.mainModules where m.file.replaces.contains(where: { $0.oldPath == old.path }) {
            return m.goModPath
        }
        return unit.isWorkspace ? (unit.workFilePath ?? "go.work") : "go.mod"
    }

    // MARK: Selected versions

    mutating func selectedVersions(_ unit: BuildUnit) -> [String: String] {
        let mainPaths = Set(unit.mainModules.map(\.path))
        let excluded = Set(unit.mainModules.flatMap(\.file.excludes))
        var selected: [String: String] = [:]
        for module in unit.mainModules {
            for r in module.file.requires where !mainPaths.contains(r.path) {
                if excluded.contains(GoModuleVersion(path: r.path, version: r.version)) {
                    problems.append(
                        WorkspaceProblem(
                            dir: module.dir, file: module.goModPath,
                            message: "\(r.path)@\(r.version) is required but excluded",
                            help: "require a version that is not excluded (`go get \(r.path)@latest` finds one)"))
                    continue
                }
                if let have = selected[r.path], SemVer.compare(have, r.version) >= 0 { continue }
                selected[r.path] = r.version
            }
        }
        if let vendor = unit.vendor {
            for m in vendor.modules where !m.packages.isEmpty {
                if let version = m.version, !mainPaths.contains(m.path) { selected[m.path] = version }
            }
        }
        return selected
    }
}

/// Builds the replacement table of a unit (modload makeMainModules / replacementFrom).
private struct ReplacementResolver {
    let unitDir: String
    let workspace: Bool
    var targets: [GoModuleVersion: BuildUnit.ReplacementTarget] = [:]
    var written: [GoModuleVersion: GoReplacement] = [:]
    /// go.mod replacements of paths go.work replaces too (BuildUnit.replacementsBehindWork).
    var targetsBehindWork: [GoModuleVersion: BuildUnit.ReplacementTarget] = [:]
    var writtenBehindWork: [GoModuleVersion: GoReplacement] = [:]
    var problems: [WorkspaceProblem] = []

    init(unitDir: String, workspace: Bool) {
        self.unitDir = unitDir
        self.workspace = workspace
    }

    var replacements: [GoReplacement] { Self.sorted(written) }
    var replacementsBehindWork: [GoReplacement] { Self.sorted(writtenBehindWork) }

    static func sorted(_ written: [GoModuleVersion: GoReplacement]) -> [GoReplacement] {
        written.values.sorted { ($0.oldPath, $0.oldVersion ?? "") < ($1.oldPath, $1.oldVersion ?? "") }
    }

    func target(_ r: GoReplacement, baseDir: String) -> BuildUnit.ReplacementTarget {
        guard r.isLocalDirectory else { return .module(r.new) }
        guard let dir = ModulePaths.join(baseDir, r.newPath) else { return .outside(r.newPath) }
        return .directory(dir)
    }

    mutating func add(_ r: GoReplacement, baseDir: String, file: String, canonical: GoReplacement) {
        let t = target(r, baseDir: baseDir)
        if let previous = targets[r.old], previous != t {
            let prev = written[r.old].map { $0.new.description } ?? ""
            problems.append(
                WorkspaceProblem(
                    dir: unitDir, file: file,
                    message: "conflicting replacements for \(r.old):\n\t\(prev)\n\t\(canonical.new)",
                    help: workspace
                        ? "use \"go work edit -replace \(r.old)=[override]\" to resolve"
                        : "keep one replace directive for \(r.old)"))
            return
        }
        // A replacement directory outside the repository is no error (the go command builds
        // it); its packages are keyed without their files, and targets reaching them are
        // never cached and always affected (`TargetInputs.outside`).
        targets[r.old] = t
        written[r.old] = canonical
    }

    mutating func addWorkReplaces(_ work: GoWorkFile, file: String) {
        for r in work.replaces { add(r, baseDir: unitDir, file: file, canonical: r) }
    }

    /// Adds a main module's replacements; those of a path in `behindWork` (replaced by
    /// go.work too) go behind go.work's, without the conflict check among modules (cmd/go
    /// makeMainModules skips them there).
    mutating func addModuleReplaces(_ module: GoModule, behindWork: Set<String>) {
        for r in module.file.replaces {
            var canonical = r
            if workspace, r.isLocalDirectory, !r.newPath.hasPrefix("/"), let dir = ModulePaths.join(module.dir, r.newPath) {
                canonical.newPath = ModulePaths.relativeDirectoryPath(from: unitDir, to: dir)
            }
            guard behindWork.contains(r.oldPath) else {
                add(r, baseDir: module.dir, file: module.goModPath, canonical: canonical)
                continue
            }
            guard targetsBehindWork[r.old] == nil else { continue }
            // Outside the repository: no problem either (see `add`).
            let t = target(r, baseDir: module.dir)
            targetsBehindWork[r.old] = t
            writtenBehindWork[r.old] = canonical
        }
    }
}

extension ModuleLayout {
    /// The first go.mod or go.work (repository-relative path, the units' main modules and
    /// workspace files in order) whose `go` line asks for a newer Go than `toolchainVersion`
    /// (`go1.27.3`), and the version it asks for: the go command, run with
    /// `GOTOOLCHAIN=local` as gocache runs it, refuses that unit ("go.mod requires go >= …").
    /// Nil when every unit is satisfied, or when the toolchain's version is not a release.
    public func goRequirement(exceeding toolchainVersion: String) -> (file: String, required: String)? {
        guard toolchainVersion.hasPrefix("go") else { return nil }
        let have = String(toolchainVersion.dropFirst(2))
        guard GoVersion.isValid(have) else { return nil }
        for unit in units {
            for module in unit.mainModules {
                guard let wanted = module.file.goVersion, GoVersion.compare(wanted, have) > 0 else { continue }
                return (module.dir.isEmpty ? "go.mod" : module.dir + "/go.mod", wanted)
            }
            if let work = unit.workFile, let wanted = work.goVersion, GoVersion.compare(wanted, have) > 0 {
                return (unit.workFilePath ?? "go.work", wanted)
            }
        }
        return nil
    }
}
