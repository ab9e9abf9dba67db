/// The packages of one build (one build unit, one platform), as one
/// `go list -e -deps ./...` in the unit's root sees them, with queries over the imports.
public struct PackageGraph: Hashable, Sendable {
    /// The directory of the build unit (go.work or go.mod), relative to the repository root.
    public let unitRoot: String
    /// The platform the packages were loaded for.
    public let context: BuildContext
    /// Every package of the build, keyed by import path.
    public let packages: [String: GoPackage]
    /// The packages matched by the unit's `./...` patterns, in the go command's order.
    public let roots: [String]
    /// Packages only the roots' tests reach (through their `testImports`), keyed by import
    /// path: what `go list -test -deps` adds outside the standard library. Not part of the
    /// build (`packages`): they decide which tests must run (`ImpactAnalysis.tests`).
    public let testPackages: [String: GoPackage]

    /// Dense integer numbering of the graph for the hot queries (closures of many targets).
    let index: PackageGraphIndex

    public init(
        unitRoot: String, context: BuildContext, packages: [String: GoPackage], roots: [String],
        testPackages: [String: GoPackage] = [:]
    ) {
        self.unitRoot = unitRoot
        self.context = context
        self.packages = packages
        self.roots = roots
        self.testPackages = testPackages
        self.index = PackageGraphIndex(packages)
    }

    public static func == (lhs: PackageGraph, rhs: PackageGraph) -> Bool {
        lhs.unitRoot == rhs.unitRoot && lhs.context == rhs.context && lhs.roots == rhs.roots && lhs.packages == rhs.packages
            && lhs.testPackages == rhs.testPackages
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(unitRoot)
        hasher.combine(context)
        hasher.combine(roots)
        hasher.combine(packages)
        hasher.combine(testPackages)
    }

    /// A package of the build, or one only tests reach.
    public func packageOrTestPackage(_ importPath: String) -> GoPackage? {
        packages[importPath] ?? testPackages[importPath]
    }

    /// The direct dependencies of a package (the edges the build follows), sorted.
    public func dependencies(of importPath: String) -> [String] {
        (packages[importPath]?.dependencyEdges ?? []).sorted()
    }

    /// The packages that import `importPath` directly, sorted.
    ///
    /// - Complexity: O(E) over all edges of the graph.
    public func reverseDependencies(of importPath: String) -> [String] {
        packages.values.filter { $0.dependencyEdges.contains(importPath) }.map(\.importPath).sorted()
    }

    /// Every package reachable from `importPath`, itself included, sorted by import path.
    ///
    /// - Complexity: O(V + E) of the reachable part, iterative with an explicit stack.
    public func closure(of importPath: String) -> [String] {
        var seen: Set<String> = [importPath]
        var stack = [importPath]
        while let next = stack.popLast() {
            for dep in packages[next]?.dependencyEdges ?? [] where seen.insert(dep).inserted {
                stack.append(dep)
            }
        }
        return seen.sorted()
    }

    /// The non-standard packages reachable from `importPath`, itself included, sorted. The
    /// walk does not enter the standard library (which imports nothing outside it).
    ///
    /// - Complexity: O(V + E) of the reachable non-standard part.
    public func nonStandardClosure(of importPath: String) -> [String] {
        guard let start = index.ids[importPath] else { return [importPath] }
        return index.nonStandardClosure(of: start).map { index.paths[Int($0)] }
    }

    /// The closure of `importPath` without the standard library and without itself: the
    /// `deps` of a target.
    public func nonStandardDependencies(of importPath: String) -> [String] {
        closure(of: importPath).filter { $0 != importPath && packages[$0]?.isStandard != true }
    }

    /// Reverse closure: every package from which one of `importPaths` is reachable,
    /// those included, sorted.
    ///
    /// - Complexity: O(V + E), iterative.
    public func reverseClosure(of importPaths: some Sequence<String>) -> [String] {
        var importers: [String: [String]] = [:]
        for package in packages.values {
            for dep in package.dependencyEdges { importers[dep, default: []].append(package.importPath) }
        }
        var seen = Set(importPaths)
        var stack = Array(seen)
        while let next = stack.popLast() {
            for importer in importers[next] ?? [] where seen.insert(importer).inserted {
                stack.append(importer)
            }
        }
        return seen.sorted()
    }

    /// Packages ordered so that every package comes after its dependencies; packages on
    /// a cycle are placed when first completed (the cycle is reported by their error).
    ///
    /// - Complexity: O(V + E), iterative depth-first search.
    public func topologicalOrder() -> [String] {
        var order: [String] = []
        var state: [String: Bool] = [:]  // false: on stack, true: done
        for root in packages.keys.sorted() where state[root] == nil {
            var stack: [(String, Int)] = [(root, 0)]
            state[root] = false
            while let (node, index) = stack.last {
                let edges = packages[node]?.dependencyEdges.sorted() ?? []
                if index < edges.count {
                    stack[stack.count - 1].1 += 1
                    let dep = edges[index]
                    if state[dep] == nil, packages[dep] != nil {
                        state[dep] = false
                        stack.append((dep, 0))
                    }
                } else {
                    stack.removeLast()
                    state[node] = true
                    order.append(node)
                }
            }
        }
        return order
    }
}

/// A package graph numbered densely: every import path (packages and edge targets without
/// a package) gets an id in sorted path order, so sorting ids sorts paths.
final class PackageGraphIndex: Sendable {
    /// Import paths by id, sorted.
    let paths: [String]
    let ids: [String: Int32]
    /// Dependency edges by id (a package's `dependencyEdges`).
    let edges: [[Int32]]
    /// Whether the path is a standard-library package of the graph.
    let standard: [Bool]

    init(_ packages: [String: GoPackage]) {
        // Packages are read in place through the dictionary's indices (`values[i].x` copies
        // one field; a package copied out of the dictionary retains some twenty).
        var names = Set(packages.keys)
        for i in packages.indices { names.formUnion(packages.values[i].dependencyEdges) }
        let paths = names.sorted()
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(paths.count)
        for (id, path) in paths.enumerated() { ids[path] = Int32(id) }
        var edges = [[Int32]](repeating: [], count: paths.count)
        var standard = [Bool](repeating: false, count: paths.count)
        for i in packages.indices {
            let id = Int(ids[packages.keys[i]]!)
            edges[id] = packages.values[i].dependencyEdges.map { ids[$0]! }
            standard[id] = packages.values[i].isStandard
        }
        self.paths = paths
        self.ids = ids
        self.edges = edges
        self.standard = standard
    }

    /// The non-standard ids reachable from `start` (itself included), sorted: the walk does
    /// not enter the standard library.
    func nonStandardClosure(of start: Int32) -> [Int32] {
        var seen = [Bool](repeating: false, count: paths.count)
        seen[Int(start)] = true
        var result: [Int32] = [start]
        var stack: [Int32] = [start]
        while let next = stack.popLast() {
            for dep in edges[Int(next)] where !standard[Int(dep)] && !seen[Int(dep)] {
                seen[Int(dep)] = true
                result.append(dep)
                stack.append(dep)
            }
        }
        result.sort()
        return result
    }

    /// For each id, whether a package in `dirty` is reachable from it (itself included),
    /// over non-standard edges.
    func reaches(_ dirty: [Bool]) -> [Bool] {
        var importers = [[Int32]](repeating: [], count: paths.count)
        for (id, deps) in edges.enumerated() where !standard[id] {
            for dep in deps { importers[Int(dep)].append(Int32(id)) }
        }
        var result = dirty
        var stack = dirty.indices.filter { dirty[$0] }.map(Int32.init)
        while let next = stack.popLast() {
            for importer in importers[Int(next)] where !result[Int(importer)] {
                result[Int(importer)] = true
                stack.append(importer)
            }
        }
        return result
    }
}
