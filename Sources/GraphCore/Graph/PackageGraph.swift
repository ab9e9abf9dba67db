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

    public init(unitRoot: String, context: BuildContext, packages: [String: GoPackage], roots: [String]) {
        self.unitRoot = unitRoot
        self.context = context
        self.packages = packages
        self.roots = roots
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
        var seen: Set<String> = [importPath]
        var stack = [importPath]
        while let next = stack.popLast() {
            for dep in packages[next]?.dependencyEdges ?? [] where packages[dep]?.isStandard != true {
                if seen.insert(dep).inserted { stack.append(dep) }
            }
        }
        return seen.sorted()
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
