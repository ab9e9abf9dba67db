// Impact analysis: which targets two snapshots build differently.
//
// A target is affected exactly when its `TargetInputs` (the one definition of what goes
// into a binary, shared with the target key) differ between the snapshots, or when the
// content of one of its input files differs. So `affected` ⇔ "the key changed".

/// The paths that differ between two snapshots, and how much to trust them.
public struct ChangeSet: Hashable, Sendable {
    /// The changed paths.
    public var changes: [PathChange]
    /// Whether the base snapshot is known. Without it (`--files` and no `--base`) the base
    /// is taken to be the head, and changes to module files, gocache.yaml and files absent
    /// from the head are judged conservatively (see `ImpactAnalysis.affected`).
    public var baseKnown: Bool
    /// Whether a changed input file is compared byte for byte between the snapshots before
    /// it counts (true for a git diff, so a mode-only change does not count).
    public var verifyContents: Bool
    /// Changed paths that count without that comparison: files whose checkout conversion a
    /// `.gitattributes` change may alter (`GitHistory.conversionChanges`), whose committed
    /// bytes are equal.
    public var unverified: Set<String> = []

    /// The changes of a diff between two known snapshots; `conversions` (paths whose
    /// checkout conversion may differ, `GitHistory.conversionChanges`) count as modified
    /// without a byte comparison.
    public static func diff(_ changes: [PathChange], conversions: [String] = []) -> ChangeSet {
        var set = ChangeSet(
            changes: changes + conversions.map { PathChange(kind: .modified, path: $0) }, baseKnown: true, verifyContents: true)
        set.unverified = Set(conversions)
        return set
    }

    /// `set` with `paths` counting as changed without a byte comparison.
    public static func unverifying(_ set: ChangeSet, _ paths: [String]) -> ChangeSet {
        var result = set
        result.unverified.formUnion(paths)
        return result
    }

    /// A caller's list of changed paths (repository-relative), trusted as given.
    public static func listed(_ paths: [String], baseKnown: Bool) -> ChangeSet {
        ChangeSet(
            changes: paths.map { PathChange(kind: .modified, path: $0) }, baseKnown: baseKnown, verifyContents: false)
    }

    /// Every path named, old paths of renames included.
    var paths: Set<String> {
        var result = Set<String>()
        for change in changes {
            result.insert(change.path)
            if let old = change.oldPath { result.insert(old) }
        }
        return result
    }

    /// The change kind of a path, as reasons print it.
    func kind(of path: String) -> String? {
        for change in changes {
            if change.path == path { return ChangeSet.name(change.kind) }
            if change.oldPath == path { return "renamed" }
        }
        return nil
    }

    static func name(_ kind: PathChange.Kind) -> String {
        switch kind {
        case .added: return "added"
        case .deleted: return "deleted"
        case .modified: return "modified"
        case .renamed: return "renamed"
        case .typeChanged: return "typeChanged"
        }
    }
}

/// Compares two loaded snapshots of one repository.
public enum ImpactAnalysis {
    /// The targets whose binaries differ between `base` and `head`.
    ///
    /// A head target is `added` when no base target has its directory; a base target is
    /// `removed` when no head target has its directory. A target in both is `affected`
    /// exactly when its `TargetInputs` differ (settings, module directives, the packages of
    /// its closure with their modules, go.sum hashes, errors and input file paths, pgo,
    /// extra inputs) or when an input file named by `changes` has different bytes.
    ///
    /// With `changes.baseKnown == false` (`base` is the head itself), a listed go.mod,
    /// go.sum, go.work or vendor/modules.txt affects every target of its build unit,
    /// a listed gocache.yaml every target, and a listed path absent from the head every
    /// target whose closure holds a package in that path's directory, or an import that
    /// resolves to nothing whose package would live at or above that path
    /// (`conservativeReasons`).
    ///
    /// With `explain == false` the statuses are the same but a target proved affected
    /// without comparing its inputs (one load standing for both sides, a changed input file
    /// with other bytes in its closure) gets no reasons: for callers that print directories
    /// only.
    ///
    /// A file whose bytes cannot be read on one side counts as changed. When the trees are
    /// revisions (`Snapshot`), call `checkObjectsPresent()` on each before using the answer:
    /// a partial clone lacking a blob makes it an over-approximation, not the commits' own.
    ///
    /// - Complexity: O(T × closure) to collect inputs, plus one breadth-first search per
    ///   affected target for the reasons' chains.
    public static func affected(
        base: GoRepository, head: GoRepository, baseTree: any FileTree, headTree: any FileTree, changes: ChangeSet,
        explain: Bool = true
    ) -> ImpactReport {
        let changed = changes.paths
        var results: [TargetImpact] = []
        var unchanged: [String] = []
        let baseByDir = Dictionary(base.targets.map { ($0.dir, $0) }, uniquingKeysWith: { first, _ in first })
        let headDirs = Set(head.targets.map(\.dir))
        // One load standing for both snapshots (`SameGraph`): every target's inputs are the
        // same on both sides, so they are collected once and only file bytes can differ.
        let sameLoad = base.isSameLoad(as: head)
        let baseCache = TargetInputs.Cache()
        let headCache = sameLoad ? baseCache : TargetInputs.Cache()
        let memo = ComparisonMemo(changes: changes)
        let screen = UnchangedScreen(
            base: base, head: head, baseTree: baseTree, headTree: headTree, changed: changed, baseCache: baseCache,
            headCache: headCache, sameLoad: sameLoad, memo: memo, verifyContents: changes.verifyContents)

        for target in head.targets {
            guard let old = baseByDir[target.dir] else {
                results.append(
                    TargetImpact(
                        dir: target.dir, importPath: target.importPath, status: .added,
                        reasons: [ImpactReason(kind: .added, file: nil, change: "new target", chain: [])]))
                continue
            }
            if changes.baseKnown, let verdict = screen.verdict(target, was: old) {
                switch verdict {
                case .unchanged:
                    unchanged.append(target.dir)
                    continue
                case .affected where !explain:
                    results.append(TargetImpact(dir: target.dir, importPath: target.importPath, status: .affected, reasons: []))
                    continue
                case .affected:
                    break
                }
            }
            let newInputs = TargetInputs.collect(for: target, in: head, tree: headTree, cache: headCache)
            let oldInputs = sameLoad ? newInputs : TargetInputs.collect(for: old, in: base, tree: baseTree, cache: baseCache)
            var reasons: [ImpactReason]
            if let newInputs, let oldInputs {
                let comparison = InputComparison(
                    old: oldInputs, new: newInputs, oldGraph: base.graph(of: old), newGraph: head.graph(of: target),
                    baseTree: baseTree, headTree: headTree, changes: changes, changed: changed, memo: memo)
                reasons = comparison.reasons()
                if !changes.baseKnown {
                    reasons += conservativeReasons(
                        from: target.importPath, unitRoot: target.unitRoot, inputs: newInputs, graph: head.graph(of: target),
                        head: head, headTree: headTree, changes: changes, profile: TargetInputs.pgoPath(of: target),
                        extraInputs: target.settings.extraInputs)
                }
            } else {
                reasons = [ImpactReason(kind: .package, file: nil, change: "no package graph holds the target", chain: [])]
            }
            if reasons.isEmpty {
                unchanged.append(target.dir)
            } else {
                results.append(
                    TargetImpact(dir: target.dir, importPath: target.importPath, status: .affected, reasons: sortedUnique(reasons)))
            }
        }
        for target in base.targets where !headDirs.contains(target.dir) {
            results.append(
                TargetImpact(
                    dir: target.dir, importPath: target.importPath, status: .removed,
                    reasons: [ImpactReason(kind: .removed, file: nil, change: "target removed", chain: [])]))
        }
        return ImpactReport(targets: results.sorted { $0.dir < $1.dir }, unchanged: unchanged.sorted())
    }

    /// Every target reported affected, with one reason saying why (for `--if-missing-base=all`).
    public static func everything(head: GoRepository, because explanation: String) -> ImpactReport {
        ImpactReport(
            targets: head.targets.map {
                TargetImpact(
                    dir: $0.dir, importPath: $0.importPath, status: .affected,
                    reasons: [ImpactReason(kind: .config, file: nil, change: explanation, chain: [])])
            }, unchanged: [])
    }

    /// The conservative rules for a listed change without a known base, for the binary
    /// built from `start` (a target, or a package of `ImpactAnalysis.packages`) whose
    /// inputs are `inputs`, in the build unit at `unitRoot`.
    ///
    /// - Parameter tested: the package whose test binary `inputs` describe
    ///   (`ImpactAnalysis.tests`; `start` is its import path): its test files count as
    ///   sources, its tests' imports as edges and its tests' `embed` import as embedding,
    ///   and the closure may hold packages only tests reach.
    /// - Parameters:
    ///   - profile: where a target's `default.pgo` would be; absent and listed, it may have
    ///     been deleted.
    ///   - extraInputs: a target's declared extra-input patterns; an absent listed path one
    ///     of them matches may have been a deleted extra input.
    static func conservativeReasons(
        from start: String, unitRoot: String, inputs: TargetInputs, graph: PackageGraph?, head: GoRepository,
        headTree: any FileTree, changes: ChangeSet, tested: GoPackage? = nil, profile: String? = nil,
        extraInputs: [String] = []
    ) -> [ImpactReason] {
        func package(_ importPath: String) -> GoPackage? {
            tested == nil ? graph?.packages[importPath] : graph?.packageOrTestPackage(importPath)
        }
        /// Whether a package of the closure imports "embed" (a package without it embeds
        /// nothing); for the tested package, also whether its tests do.
        func embeds(_ importPath: String) -> Bool {
            if let tested, importPath == tested.importPath, tested.testImports.contains("embed") { return true }
            return package(importPath)?.imports.contains("embed") ?? true
        }
        /// Whether go/build would consider a file of this name for the package at
        /// `importPath` (a test file for the tested package).
        func isSource(_ name: String, of importPath: String) -> Bool {
            isBuildSource(name) || (importPath == tested?.importPath && isTestSource(name))
        }
        func chain(to holder: String) -> [String] {
            guard let graph else { return [holder] }
            return shortestChain(from: start, to: holder, in: graph, extraStartEdges: tested?.testImports ?? [])
        }
        /// `dir` and every directory above it, nearest first, the root last.
        func ancestors(of dir: String) -> [String] {
            var result: [String] = []
            var current = dir
            while !current.isEmpty {
                result.append(current)
                current = parent(current)
            }
            return result + [""]
        }
        var reasons: [ImpactReason] = []
        let unit = head.layout.units.first { $0.rootDir == unitRoot }
        let packageDirs = Dictionary(
            inputs.packages.compactMap { member in package(member.importPath)?.dir.map { ($0, member.importPath) } },
            uniquingKeysWith: { first, _ in first })
        // Imports of the closure that resolve to no package at the head, by the directories
        // that would hold them: a deleted (or moved-away) package directory leaves its
        // importers with such an import, and its files, listed and absent, are there.
        var unresolvedDirs: [(dir: String, importPath: String)] = []
        if let unit {
            for member in inputs.packages {
                guard let failed = package(member.importPath) ?? graph?.packageOrTestPackage(member.importPath),
                    failed.dir == nil, !failed.isStandard, failed.error != nil
                else { continue }
                for dir in expectedDirs(of: member.importPath, in: unit) {
                    unresolvedDirs.append((dir, member.importPath))
                }
            }
        }
        for change in changes.changes {
            let path = change.path
            let name = lastElement(path)
            let dir = parent(path)
            // A deleted profile or declared extra input (a present one is an input the
            // comparison itself judges).
            if path == profile || extraInputs.contains(where: { FileGlob.matches(pattern: $0, path: path) }),
                !TargetInputs.isFile(path, in: headTree)
            {
                reasons.append(
                    ImpactReason(kind: path == profile ? .file : .config, file: path, change: "deleted", chain: [start]))
            }
            if name == "gocache.yaml" && dir.isEmpty {
                reasons.append(ImpactReason(kind: .config, file: path, change: "modified", chain: []))
            } else if ["go.mod", "go.sum", "go.work", "go.work.sum", "modules.txt"].contains(name) {
                let unitDirs = [unit?.rootDir ?? ""] + (unit?.mainModules.map(\.dir) ?? [])
                // The unit's vendor manifest: also when the head has no vendor directory (a
                // deleted vendor/ turned vendoring off).
                let vendorManifest = unit.map { join($0.vendorDir ?? join($0.rootDir, "vendor"), "modules.txt") }
                let isUnitFile =
                    (name == "modules.txt" ? path == vendorManifest : unitDirs.contains(dir))
                    || (unit.map { u in u.replacements.contains { u.localReplacement(of: $0.oldPath) == dir } } ?? false)
                if isUnitFile {
                    reasons.append(ImpactReason(kind: .module, file: path, change: "modified", chain: []))
                }
            } else if let holder = packageDirs[dir] {
                if !TargetInputs.isFile(path, in: headTree) {
                    // Deleted: it was an input if go/build could have taken it by its name on
                    // this platform, or if the package embeds (any file can be embedded).
                    if (isSource(name, of: holder) && (graph?.context.matchesFileName(name) ?? true)) || embeds(holder) {
                        reasons.append(ImpactReason(kind: .file, file: path, change: "deleted", chain: chain(to: holder)))
                    }
                } else if isSource(name, of: holder), graph?.context.matchesFileName(name) ?? true,
                    !inputs.packages.contains(where: { $0.files.contains(path) })
                {
                    // Present, named as a source file of this platform, yet not an input: its
                    // build constraint or package clause may just have taken it out of the
                    // build (an input file that changed is a reason of the comparison itself).
                    reasons.append(
                        ImpactReason(kind: .file, file: path, change: "modified; not in the build now", chain: chain(to: holder)))
                }
            } else if !TargetInputs.isFile(path, in: headTree),
                let holder = ancestors(of: dir).lazy.compactMap({ packageDirs[$0] }).first(where: embeds)
            {
                // Deleted below a package that embeds: it may have been one of its files.
                reasons.append(ImpactReason(kind: .file, file: path, change: "deleted", chain: chain(to: holder)))
            } else if !TargetInputs.isFile(path, in: headTree),
                let missing = unresolvedDirs.first(where: { $0.dir.isEmpty ? dir.isEmpty : hasPathPrefix(path, $0.dir) })
            {
                // Deleted where an import that resolves to nothing now would have found its
                // package: the package may have been deleted or moved away.
                reasons.append(
                    ImpactReason(
                        kind: .file, file: path, change: "deleted; \(missing.importPath) no longer resolves",
                        chain: chain(to: missing.importPath)))
            } else if !TargetInputs.isFile(path, in: headTree), CIncludes.mayBeIncluded(name),
                let includer = inputs.packages.first(where: { package($0.importPath).map(CIncludes.hasSources) ?? false })
            {
                // Deleted, named like a header: C or assembly sources of the closure may have
                // included it (their search path reaches any directory).
                reasons.append(
                    ImpactReason(
                        kind: .file, file: path, change: "deleted; C sources may have included it",
                        chain: chain(to: includer.importPath)))
            }
        }
        return reasons
    }

    /// The directories of the repository where the go command would look for the package
    /// `importPath` in `unit`: below each main module and each module replaced by a local
    /// directory whose path is a prefix of it, and in the unit's vendor directory (also
    /// when vendoring is off: a deleted vendor/ turns it off).
    static func expectedDirs(of importPath: String, in unit: BuildUnit) -> [String] {
        func below(_ modulePath: String, _ moduleDir: String) -> String? {
            if importPath == modulePath { return moduleDir }
            guard importPath.hasPrefix(modulePath + "/") else { return nil }
            return join(moduleDir, String(importPath.dropFirst(modulePath.count + 1)))
        }
        var dirs = unit.mainModules.compactMap { below($0.path, $0.dir) }
        for replacement in unit.replacements {
            if let dir = unit.localReplacement(of: replacement.oldPath), let found = below(replacement.oldPath, dir) {
                dirs.append(found)
            }
        }
        dirs.append(join(unit.vendorDir ?? join(unit.rootDir, "vendor"), importPath))
        return dirs
    }

    /// Whether go/build would consider a file of this name for a package (by extension; not
    /// `_`- or `.`-prefixed, not a test file): one whose change can add it to a build.
    static func isBuildSource(_ name: String) -> Bool {
        if name.hasPrefix("_") || name.hasPrefix(".") || name.hasSuffix("_test.go") { return false }
        guard let dot = name.lastIndex(of: ".") else { return false }
        let sourceExtensions: Set<Substring> = [
            ".go", ".c", ".h", ".s", ".S", ".sx", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".m", ".f", ".F",
            ".for", ".f90", ".syso", ".swig", ".swigcxx",
        ]
        return sourceExtensions.contains(name[dot...])
    }

    /// Whether go/build would take a file of this name as a test file of a package
    /// (`_test.go`, not `_`- or `.`-prefixed).
    static func isTestSource(_ name: String) -> Bool {
        name.hasSuffix("_test.go") && !name.hasPrefix("_") && !name.hasPrefix(".")
    }

    /// One shortest import chain from `start` to `goal` (both included), by breadth-first
    /// search over the build's edges; `[goal]` when unreachable.
    ///
    /// - Complexity: O(V + E) of the part reachable from `start`.
    public static func shortestChain(from start: String, to goal: String, in graph: PackageGraph) -> [String] {
        shortestChain(from: start, to: goal, in: graph, extraStartEdges: [])
    }

    /// `shortestChain(from:to:in:)` where `start` also has `extraStartEdges` (a package's
    /// test imports).
    static func shortestChain(from start: String, to goal: String, in graph: PackageGraph, extraStartEdges: [String])
        -> [String]
    {
        if start == goal { return [start] }
        var previous: [String: String] = [start: start]
        var queue = [start]
        var index = 0
        while index < queue.count {
            let node = queue[index]
            index += 1
            // Past a test import, the chain may run through packages only tests reach.
            var edges = (extraStartEdges.isEmpty ? graph.packages[node] : graph.packageOrTestPackage(node))?.dependencyEdges ?? []
            if node == start { edges += extraStartEdges }
            for next in edges.sorted() where previous[next] == nil {
                previous[next] = node
                if next == goal {
                    var chain = [goal]
                    var cursor = node
                    while cursor != start {
                        chain.append(cursor)
                        cursor = previous[cursor] ?? start
                    }
                    chain.append(start)
                    return chain.reversed()
                }
                queue.append(next)
            }
        }
        return [goal]
    }

    /// One reason per (kind, file, change), with the shortest chain; sorted.
    static func sortedUnique(_ reasons: [ImpactReason]) -> [ImpactReason] {
        var best: [String: ImpactReason] = [:]
        for reason in reasons {
            let key = "\(reason.kind.rawValue)\u{0}\(reason.file ?? "")\u{0}\(reason.change)"
            if let existing = best[key], existing.chain.count <= reason.chain.count { continue }
            best[key] = reason
        }
        return best.values.sorted {
            ($0.kind.rawValue, $0.file ?? "", $0.change, $0.chain.count) < ($1.kind.rawValue, $1.file ?? "", $1.change, $1.chain.count)
        }
    }
}

/// Proves targets unaffected without collecting their inputs: a package of a head graph is
/// dirty when its part of `TargetInputs` (module, go.sum hash, error, input files), its
/// dependency edges, or its local module's directives differ from the base graph's, or
/// when one of its input files is among the changed paths; a target whose closure reaches
/// no dirty package and whose own parts (settings, workspace directives, profile) are equal
/// has equal inputs and no changed input file — what `InputComparison` would find empty.
/// Anything it cannot prove goes through the full comparison.
///
/// - Complexity: O(V + E) per pair of graphs, then O(1) per target.
final class UnchangedScreen {
    let base: GoRepository
    let head: GoRepository
    let baseTree: any FileTree
    let headTree: any FileTree
    let changed: Set<String>
    let baseCache: TargetInputs.Cache
    let headCache: TargetInputs.Cache
    /// Base and head are one load (`GoRepository.isSameLoad`): packages differ only by
    /// changed files, and a profile exists on both sides or on neither.
    let sameLoad: Bool
    /// With one load: a changed file counts only when its bytes differ (as
    /// `InputComparison` judges it), so that reaching a dirty package proves the target
    /// affected.
    let memo: ComparisonMemo
    let verifyContents: Bool
    private var reaching: [String: [Bool]] = [:]

    init(
        base: GoRepository, head: GoRepository, baseTree: any FileTree, headTree: any FileTree, changed: Set<String>,
        baseCache: TargetInputs.Cache, headCache: TargetInputs.Cache, sameLoad: Bool = false, memo: ComparisonMemo,
        verifyContents: Bool
    ) {
        self.sameLoad = sameLoad
        self.memo = memo
        self.verifyContents = verifyContents
        self.base = base
        self.head = head
        self.baseTree = baseTree
        self.headTree = headTree
        self.changed = changed
        self.baseCache = baseCache
        self.headCache = headCache
    }

    /// What the screen proves of a target.
    enum Verdict {
        /// Its inputs are equal and no input file has other bytes.
        case unchanged
        /// One load stands for both sides and a changed input file of its closure has other
        /// bytes: `InputComparison` would give at least that file as a reason.
        case affected
    }

    /// What can be proved of `target` (at the head) against `old` (at the base) without
    /// collecting its inputs; nil: nothing.
    func verdict(_ target: GoTarget, was old: GoTarget) -> Verdict? {
        guard target.importPath == old.importPath, target.unitRoot == old.unitRoot,
            target.settings.extraInputs.isEmpty, old.settings.extraInputs.isEmpty,
            InputComparison.keyView(target.settings) == InputComparison.keyView(old.settings),
            let headIndex = head.graphIndex(of: target), let baseIndex = base.graphIndex(of: old)
        else { return nil }
        let headUnit = head.layout.units.first { $0.rootDir == target.unitRoot }
        let baseUnit = base.layout.units.first { $0.rootDir == old.unitRoot }
        guard Self.workspace(headUnit) == Self.workspace(baseUnit),
            !Self.readsOutside(headUnit, layout: head.layout), !Self.readsOutside(baseUnit, layout: base.layout)
        else { return nil }
        let pgo = TargetInputs.pgoPath(of: target)
        guard !changed.contains(pgo),
            sameLoad || TargetInputs.isFile(pgo, in: headTree) == TargetInputs.isFile(pgo, in: baseTree)
        else {
            return nil
        }
        let key = "\(headIndex) \(baseIndex)"
        let reaches: [Bool]
        if let known = reaching[key] {
            reaches = known
        } else {
            reaches = dirtyReach(headIndex: headIndex, baseIndex: baseIndex, headUnit: headUnit, baseUnit: baseUnit)
            reaching[key] = reaches
        }
        guard let id = head.graphs[headIndex].index.ids[target.importPath] else { return nil }
        if !reaches[Int(id)] { return .unchanged }
        // With one load, inputs are equal on both sides: the dirty package reached is a
        // changed input file with other bytes.
        return sameLoad ? .affected : nil
    }

    /// Whether a build in `unit` may read a directory outside the repository (a module
    /// replaced by one, a go.work `use` of one): its targets' inputs are collected instead.
    static func readsOutside(_ unit: BuildUnit?, layout: ModuleLayout) -> Bool {
        guard let unit else { return false }
        if (unit.replacements + unit.replacementsBehindWork).contains(where: { unit.outsideReplacement(of: $0.oldPath) != nil }) {
            return true
        }
        return !TargetInputs.outsideDirectories(of: [], unit: unit, layout: layout).isEmpty
    }

    static func workspace(_ unit: BuildUnit?) -> TargetInputs.Directives? {
        unit?.workFile.map {
            TargetInputs.Directives(go: $0.goVersion, toolchain: $0.toolchain, godebug: $0.godebug.map { "\($0.key)=\($0.value)" })
        }
    }

    /// For each package id of the head graph, whether it reaches a dirty package.
    private func dirtyReach(headIndex: Int, baseIndex: Int, headUnit: BuildUnit?, baseUnit: BuildUnit?) -> [Bool] {
        let headGraph = head.graphs[headIndex]
        let baseGraph = base.graphs[baseIndex]
        let headIDs = headGraph.index
        let baseIDs = baseGraph.index
        var dirty = [Bool](repeating: false, count: headIDs.paths.count)
        if sameLoad {
            // One graph: a package is dirty exactly when one of its input files changed.
            for id in headIDs.paths.indices where !headIDs.standard[id] {
                if let entry = TargetInputs.entry(Int32(id), graphIndex: headIndex, graph: headGraph, unit: headUnit, tree: headTree, cache: headCache),
                    entry.package.files.contains(where: {
                        changed.contains($0) && (!verifyContents || memo.contentsDiffer($0, baseTree, headTree))
                    })
                {
                    dirty[id] = true
                }
            }
            return headIDs.reaches(dirty)
        }
        for (id, path) in headIDs.paths.enumerated() {
            guard let baseID = baseIDs.ids[path] else {
                dirty[id] = true
                continue
            }
            if headIDs.standard[id] || baseIDs.standard[Int(baseID)] {
                dirty[id] = headIDs.standard[id] != baseIDs.standard[Int(baseID)]
                continue
            }
            let newEntry = TargetInputs.entry(Int32(id), graphIndex: headIndex, graph: headGraph, unit: headUnit, tree: headTree, cache: headCache)
            let oldEntry = TargetInputs.entry(baseID, graphIndex: baseIndex, graph: baseGraph, unit: baseUnit, tree: baseTree, cache: baseCache)
            guard newEntry == oldEntry,
                headGraph.packages[path]?.dependencyEdges == baseGraph.packages[path]?.dependencyEdges
            else {
                dirty[id] = true
                continue
            }
            guard let entry = newEntry, let oldEntry else { continue }
            if entry.package.files.contains(where: changed.contains) {
                dirty[id] = true
                continue
            }
            let newDirectives = TargetInputs.directives(of: entry, unit: headUnit, repository: head, tree: headTree, cache: headCache)
            let oldDirectives = TargetInputs.directives(of: oldEntry, unit: baseUnit, repository: base, tree: baseTree, cache: baseCache)
            if newDirectives != oldDirectives { dirty[id] = true }
        }
        return headIDs.reaches(dirty)
    }
}

/// Whether two files differ: by git blob id when both snapshots know it for a regular file,
/// else byte for byte (a symbolic link's blob is its target text; its bytes are its target's).
func contentsDiffer(_ path: String, _ baseTree: any FileTree, _ headTree: any FileTree) -> Bool {
    let dir = parent(path)
    let name = lastElement(path)
    let oldEntry = ((try? baseTree.entries(in: dir)) ?? nil)?.first { $0.name == name }
    let newEntry = ((try? headTree.entries(in: dir)) ?? nil)?.first { $0.name == name }
    if let old = oldEntry, let new = newEntry, old.kind == .file, new.kind == .file, let oldID = old.blobID,
        let newID = new.blobID
    {
        return oldID != newID
    }
    guard let oldBytes = try? baseTree.contents(of: path), let newBytes = try? headTree.contents(of: path) else {
        return true
    }
    return oldBytes != newBytes
}

/// What the comparisons of one pair of snapshots share: the change kind of each path,
/// whether a changed file's bytes differ (a changed shared file is in many closures), and
/// the distances to each goal package that shortest chains are read from.
///
/// Not thread-safe: one analysis uses it from one task.
final class ComparisonMemo {
    let changes: ChangeSet
    private var kinds: [String: String]?
    private var differ: [String: Bool] = [:]
    /// Importers by id, per graph index.
    private var importers: [ObjectIdentifier: [[Int32]]] = [:]
    /// Distance (in edges) from each id to the goal id, per graph index and goal; -1 when
    /// the goal is unreachable.
    private var distances: [ObjectIdentifier: [Int32: [Int32]]] = [:]

    init(changes: ChangeSet) {
        self.changes = changes
    }

    /// `changes.kind(of:)`, from a table built once (the first entry for a path wins, as
    /// the linear search does).
    func kind(of path: String) -> String? {
        if let kinds { return kinds[path] }
        var table: [String: String] = [:]
        for change in changes.changes {
            if table[change.path] == nil { table[change.path] = ChangeSet.name(change.kind) }
            if let old = change.oldPath, table[old] == nil { table[old] = "renamed" }
        }
        kinds = table
        return table[path]
    }

    /// `contentsDiffer`, once per path.
    func contentsDiffer(_ path: String, _ baseTree: any FileTree, _ headTree: any FileTree) -> Bool {
        if let known = differ[path] { return known }
        let result = changes.unverified.contains(path) || GraphCore.contentsDiffer(path, baseTree, headTree)
        differ[path] = result
        return result
    }

    /// `ImpactAnalysis.shortestChain(from:to:in:)`, read off the distances to `goal`: the
    /// breadth-first search from `start` over sorted edges finds, at each step, the
    /// smallest successor one edge closer to the goal (the first node of each depth that
    /// lies on a shortest path is the search-tree parent of every shortest-path successor
    /// it has), so walking that rule from `start` gives the same chain.
    func shortestChain(from start: String, to goal: String, in graph: PackageGraph) -> [String] {
        if start == goal { return [start] }
        let index = graph.index
        guard let startID = index.ids[start], let goalID = index.ids[goal] else {
            return ImpactAnalysis.shortestChain(from: start, to: goal, in: graph)
        }
        let distance = distances(to: goalID, in: index)
        guard distance[Int(startID)] > 0 else { return [goal] }
        var chain = [start]
        var node = startID
        while node != goalID {
            let wanted = distance[Int(node)] - 1
            var next: Int32 = -1
            for edge in index.edges[Int(node)] where distance[Int(edge)] == wanted && (next < 0 || edge < next) {
                next = edge
            }
            guard next >= 0 else { return ImpactAnalysis.shortestChain(from: start, to: goal, in: graph) }
            chain.append(index.paths[Int(next)])
            node = next
        }
        return chain
    }

    private func distances(to goal: Int32, in index: PackageGraphIndex) -> [Int32] {
        let id = ObjectIdentifier(index)
        if let known = distances[id]?[goal] { return known }
        let reverse: [[Int32]]
        if let known = importers[id] {
            reverse = known
        } else {
            var table = [[Int32]](repeating: [], count: index.paths.count)
            for (from, edges) in index.edges.enumerated() {
                for edge in edges { table[Int(edge)].append(Int32(from)) }
            }
            importers[id] = table
            reverse = table
        }
        var distance = [Int32](repeating: -1, count: index.paths.count)
        distance[Int(goal)] = 0
        var queue: [Int32] = [goal]
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for importer in reverse[Int(node)] where distance[Int(importer)] < 0 {
                distance[Int(importer)] = distance[Int(node)] + 1
                queue.append(importer)
            }
        }
        distances[id, default: [:]][goal] = distance
        return distance
    }
}

/// The differences between one target's inputs at the base and at the head, as reasons.
struct InputComparison {
    let old: TargetInputs
    let new: TargetInputs
    let oldGraph: PackageGraph?
    let newGraph: PackageGraph?
    let baseTree: any FileTree
    let headTree: any FileTree
    let changes: ChangeSet
    let changed: Set<String>
    /// Edges added to the start package (its tests' imports, for test impact).
    var startEdges: [String] = []
    let memo: ComparisonMemo

    init(
        old: TargetInputs, new: TargetInputs, oldGraph: PackageGraph?, newGraph: PackageGraph?, baseTree: any FileTree,
        headTree: any FileTree, changes: ChangeSet, changed: Set<String>, memo: ComparisonMemo? = nil
    ) {
        self.memo = memo ?? ComparisonMemo(changes: changes)
        var old = old
        var new = new
        old.settings = InputComparison.keyView(old.settings)
        new.settings = InputComparison.keyView(new.settings)
        self.old = old
        self.new = new
        self.oldGraph = oldGraph
        self.newGraph = newGraph
        self.baseTree = baseTree
        self.headTree = headTree
        self.changes = changes
        self.changed = changed
    }

    /// Settings as the target key sees them: tags as a set, the C toolchain only with cgo
    /// on, extra-input patterns left out (the files they expand to are compared instead).
    static func keyView(_ settings: BuildSettings) -> BuildSettings {
        var s = settings
        s.tags = Array(Set(s.tags)).sorted()
        s.extraInputs = []
        if !s.cgoEnabled {
            s.cc = nil
            s.cgoFlags = [:]
        }
        return s
    }

    func reasons() -> [ImpactReason] {
        // Files outside the repository are in no diff: such a target is always affected.
        if !new.outside.isEmpty {
            return [
                ImpactReason(
                    kind: .module, file: nil,
                    change: "reads \(new.outside.joined(separator: ", ")) outside the repository (in no diff): always affected",
                    chain: [])
            ]
        }
        // Fast path (most targets of most changes): equal inputs and no changed input file.
        if old == new, !new.packages.contains(where: { $0.files.contains(where: changed.contains) }),
            !(new.pgo.map(changed.contains) ?? false), !new.extraInputs.contains(where: changed.contains)
        {
            return []
        }
        // Equal inputs (a changed file's bytes, the usual case): only changed input files can
        // give a reason — what the general pass below finds, without building file sets.
        if old == new { return changedFileReasons() }
        var reasons: [ImpactReason] = []
        reasons += configReasons()
        reasons += directiveReasons()

        // Both package lists are sorted by import path: one merge pass pairs them.
        var common: [(old: TargetInputs.Package, new: TargetInputs.Package)] = []
        var onlyOld: [TargetInputs.Package] = []
        var onlyNew: [TargetInputs.Package] = []
        var i = 0
        var j = 0
        func byPath(_ list: [TargetInputs.Package]) -> [TargetInputs.Package] {
            zip(list, list.dropFirst()).allSatisfy({ $0.importPath < $1.importPath })
                ? list : list.sorted { $0.importPath < $1.importPath }
        }
        let oldList = byPath(old.packages)
        let newList = byPath(new.packages)
        while i < oldList.count || j < newList.count {
            if j == newList.count || (i < oldList.count && oldList[i].importPath < newList[j].importPath) {
                onlyOld.append(oldList[i])
                i += 1
            } else if i == oldList.count || newList[j].importPath < oldList[i].importPath {
                onlyNew.append(newList[j])
                j += 1
            } else {
                common.append((oldList[i], newList[j]))
                i += 1
                j += 1
            }
        }

        // Module versions, replacements, go.sum hashes and package errors.
        for (before, package) in common where before != package {
            let path = package.importPath
            if before.module != package.module {
                reasons.append(
                    ImpactReason(
                        kind: .module, file: moduleFile(for: package.module ?? before.module),
                        change: "\(describe(before.module)) → \(describe(package.module))", chain: chain(to: path, atHead: true)))
            } else if before.sum != package.sum {
                reasons.append(
                    ImpactReason(
                        kind: .module, file: sumFile(), change: "go.sum hash of \(describe(package.module)) changed",
                        chain: chain(to: path, atHead: true)))
            } else if before.unread.isEmpty != package.unread.isEmpty {
                let side = package.unread.isEmpty ? "head" : "base"
                reasons.append(
                    ImpactReason(
                        kind: .module, file: nil,
                        change: "the imports of \(describe(package.module)) were read from the module cache only at the \(side) "
                            + "(the version is not in the module cache for the other side)",
                        chain: chain(to: path, atHead: true)))
            } else if before.unread != package.unread {
                let gone = Set(before.unread).subtracting(package.unread).sorted()
                let new = Set(package.unread).subtracting(before.unread).sorted()
                let change = (gone.prefix(2).map { "-" + $0 } + new.prefix(2).map { "+" + $0 }).joined(separator: ", ")
                reasons.append(
                    ImpactReason(
                        kind: .module, file: moduleFile(for: package.module) ?? sumFile(),
                        change: "the build list changed (\(change)); the imports of \(describe(package.module)) are not read "
                            + "(module cache), so any module may be among its dependencies",
                        chain: chain(to: path, atHead: true)))
            }
            if before.error != package.error {
                reasons.append(
                    ImpactReason(
                        kind: .package, file: nil, change: "package error changed: \(package.error ?? "none")",
                        chain: chain(to: path, atHead: true)))
            }
        }

        // Input files: entered, left, or changed bytes. Only files that are in one side's
        // set and not the other's, or among the changed paths, can give a reason.
        var oldFiles = Set<String>()
        var newFiles = Set<String>()
        for package in oldList { oldFiles.formUnion(package.files) }
        for package in newList { newFiles.formUnion(package.files) }
        oldFiles.formUnion(old.extraInputs)
        newFiles.formUnion(new.extraInputs)
        if let pgo = old.pgo { oldFiles.insert(pgo) }
        if let pgo = new.pgo { newFiles.insert(pgo) }
        var candidates = oldFiles.symmetricDifference(newFiles)
        for file in changed where oldFiles.contains(file) && newFiles.contains(file) { candidates.insert(file) }
        // The package holding a file (the last in import-path order, as a map filled in
        // order would say); a profile belongs to the target.
        func holder(_ file: String, in inputs: TargetInputs) -> String? {
            if file == inputs.pgo { return inputs.importPath }
            return inputs.packages.last { $0.files.contains(file) }?.importPath
        }
        var fileReasons: [ImpactReason] = []
        for file in candidates.sorted() {
            let atHead = newFiles.contains(file)
            let wasAtBase = oldFiles.contains(file)
            let listedChange = memo.kind(of: file)
            if atHead && wasAtBase {
                guard changed.contains(file) else { continue }
                if changes.verifyContents && !memo.contentsDiffer(file, baseTree, headTree) { continue }
            }
            let holder = holder(file, in: atHead ? new : old)
            // A file that entered or left the build says so, even when its bytes changed too
            // (a "modified" there would suggest the edit matters to the target).
            let membership = atHead ? "entered build" : "left build"
            let change: String
            if atHead && wasAtBase {
                change = listedChange ?? "modified"
            } else if let listedChange, listedChange != "modified" {
                change = listedChange
            } else {
                change = membership
            }
            let extra = new.extraInputs.contains(file) || old.extraInputs.contains(file)
            fileReasons.append(
                ImpactReason(
                    kind: extra && holder == nil ? .config : .file, file: file, change: change,
                    chain: holder.map { chain(to: $0, atHead: atHead) } ?? []))
        }
        reasons += fileReasons

        // Packages that entered or left the closure without a file reason of their own
        // (e.g. an empty package): name the package.
        let explained = Set(reasons.compactMap { $0.chain.last })
        let reportedFiles = Set(fileReasons.compactMap(\.file))
        let moved = (onlyNew.map { ($0, true) } + onlyOld.map { ($0, false) }).sorted { $0.0.importPath < $1.0.importPath }
        for (package, atHead) in moved where !explained.contains(package.importPath) {
            if package.files.contains(where: reportedFiles.contains) { continue }
            reasons.append(
                ImpactReason(
                    kind: .package, file: nil, change: atHead ? "package entered the closure" : "package left the closure",
                    chain: chain(to: package.importPath, atHead: atHead)))
        }
        // Anything else TargetInputs holds (import path of the target itself) is covered by
        // a final equality check, so no difference goes unreported.
        if reasons.isEmpty, old != new {
            reasons.append(ImpactReason(kind: .package, file: nil, change: "inputs changed", chain: [new.importPath]))
        }
        return reasons
    }

    /// The reasons of `reasons()` when `old == new`: every changed path among the input
    /// files whose bytes differ, with the package holding it (the last in import-path
    /// order; a profile belongs to the target).
    private func changedFileReasons() -> [ImpactReason] {
        var holders: [String: String?] = [:]
        for package in new.packages {
            for file in package.files where changed.contains(file) { holders[file] = .some(package.importPath) }
        }
        if let pgo = new.pgo, changed.contains(pgo) { holders[pgo] = .some(new.importPath) }
        for file in new.extraInputs where changed.contains(file) && holders[file] == nil { holders[file] = .some(nil) }
        var reasons: [ImpactReason] = []
        for file in holders.keys.sorted() {
            if changes.verifyContents && !memo.contentsDiffer(file, baseTree, headTree) { continue }
            let holder = holders[file] ?? nil
            let extra = new.extraInputs.contains(file)
            reasons.append(
                ImpactReason(
                    kind: extra && holder == nil ? .config : .file, file: file,
                    change: memo.kind(of: file) ?? "entered build", chain: holder.map { chain(to: $0, atHead: true) } ?? []))
        }
        return reasons
    }

    func configReasons() -> [ImpactReason] {
        var differences: [String] = []
        let a = old.settings
        let b = new.settings
        func note<T: Equatable>(_ name: String, _ x: T, _ y: T) {
            if x != y { differences.append("\(name): \(x) → \(y)") }
        }
        note("goos", a.goos, b.goos)
        note("goarch", a.goarch, b.goarch)
        note("goarchLevel", a.goarchLevel ?? "default", b.goarchLevel ?? "default")
        note("cgo", a.cgoEnabled, b.cgoEnabled)
        note("tags", a.tags, b.tags)
        note("gcflags", a.gcflags, b.gcflags)
        note("ldflags", a.ldflags, b.ldflags)
        note("trimpath", a.trimpath, b.trimpath)
        note("buildvcs", a.buildvcs, b.buildvcs)
        note("goexperiment", a.goexperiment ?? "", b.goexperiment ?? "")
        note("gofips140", a.gofips140 ?? "", b.gofips140 ?? "")
        note("cc", a.cc ?? "", b.cc ?? "")
        note("cgoFlags", a.cgoFlags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            b.cgoFlags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        guard !differences.isEmpty else { return [] }
        return [ImpactReason(kind: .config, file: "gocache.yaml", change: differences.joined(separator: "; "), chain: [])]
    }

    func directiveReasons() -> [ImpactReason] {
        var reasons: [ImpactReason] = []
        if old.workspace != new.workspace {
            reasons.append(
                ImpactReason(
                    kind: .module, file: "go.work", change: "\(describe(old.workspace)) → \(describe(new.workspace))", chain: []))
        }
        for path in Set(old.localModules.keys).union(new.localModules.keys).sorted() {
            let before = old.localModules[path]
            let after = new.localModules[path]
            // A module that entered or left the closure is reported through its packages.
            guard let before, let after, before != after else { continue }
            let holder = new.packages.first { $0.module?.path == path }?.importPath
            reasons.append(
                ImpactReason(
                    kind: .module, file: moduleFile(for: new.packages.first { $0.module?.path == path }?.module),
                    change: "\(path): \(describe(before)) → \(describe(after))",
                    chain: holder.map { chain(to: $0, atHead: true) } ?? []))
        }
        return reasons
    }

    func describe(_ directives: TargetInputs.Directives?) -> String {
        guard let d = directives else { return "none" }
        var parts = ["go \(d.go ?? "-")"]
        if let toolchain = d.toolchain { parts.append("toolchain \(toolchain)") }
        if !d.godebug.isEmpty { parts.append("godebug \(d.godebug.joined(separator: ","))") }
        return parts.joined(separator: " ")
    }

    func describe(_ module: GoModuleRef?) -> String {
        guard let module else { return "(none)" }
        var text = module.path + (module.version.map { "@" + $0 } ?? "")
        if let replacement = module.replacementPath {
            text += " => " + replacement + (module.replacementVersion.map { "@" + $0 } ?? "")
        }
        if let go = module.goVersion { text += " (go \(go))" }
        return text
    }

    /// The module file among the changes that most likely holds a module's change.
    func moduleFile(for module: GoModuleRef?) -> String? {
        let candidates = changes.changes.map(\.path).filter {
            let name = lastElement($0)
            return name == "go.mod" || name == "go.work" || $0.hasSuffix("vendor/modules.txt")
        }
        return candidates.first { $0.hasSuffix("vendor/modules.txt") && module?.isMain == false }
            ?? candidates.first { $0 == join(parent(new.dir == "." ? "" : new.dir), "go.mod") }
            ?? candidates.first
    }

    func sumFile() -> String? {
        changes.changes.map(\.path).first { lastElement($0) == "go.sum" }
    }

    func chain(to importPath: String, atHead: Bool) -> [String] {
        guard let graph = atHead ? newGraph : oldGraph else { return [importPath] }
        if startEdges.isEmpty {
            return memo.shortestChain(from: atHead ? new.importPath : old.importPath, to: importPath, in: graph)
        }
        return ImpactAnalysis.shortestChain(
            from: atHead ? new.importPath : old.importPath, to: importPath, in: graph, extraStartEdges: startEdges)
    }
}
