// GraphComparison — gocache's graph (`gocache graph --format json`) against the go list oracle.
//
// Responsibilities: the Codable form of gocache's graph document (``GraphDocument``); rendering
// an ``OracleGraph`` in that form; ``compare(_:_:)``, which lists every difference readably.
// Boundaries: compares only what both sides define (see ``compare(_:_:)``); no go, no git.
// Invariants: differences come out sorted by import path / directory, so a failing test reads
// the same on every run.
public import Foundation

/// gocache's package graph as `gocache graph --format json` prints it (schema version 1).
///
/// Paths: `dir` is relative to the repository root (`.` for the root) and absent for standard
/// and module-cache packages; `goFiles`, `cgoFiles` and `otherFiles` are file names in the
/// package directory; `embedFiles` are relative to the package directory, as go list's
/// `EmbedFiles` are (`static/index.html`, `testdata/x`). `imports` are resolved import paths,
/// go list's `Imports` (including `C` for a cgo package). Absent arrays decode as empty.
public struct GraphDocument: Codable, Hashable, Sendable {
    /// One package of the graph.
    public struct Package: Codable, Hashable, Sendable {
        /// The import path.
        public var importPath: String
        /// Repository-relative directory; `nil` for standard, module-cache and unresolved packages.
        public var dir: String?
        /// The module path; `nil` for standard packages and unresolved imports.
        public var module: String?
        /// Whether the package is in the standard library.
        public var standard: Bool
        /// Go files compiled for the platform (no `_test.go`, no cgo files).
        public var goFiles: [String]
        /// Go files importing "C" (only with cgo on).
        public var cgoFiles: [String]
        /// Embedded files, relative to the package directory.
        public var embedFiles: [String]
        /// `.c`, `.h`, `.s`/`.S`, `.syso` files (go list's CFiles+HFiles+SFiles+SysoFiles).
        public var otherFiles: [String]
        /// Resolved imports of the non-test files.
        public var imports: [String]
        /// The package's own error (missing import, cycle, two packages, no files, bad embed).
        public var error: String?

        /// A package.
        public init(
            importPath: String, dir: String? = nil, module: String? = nil, standard: Bool = false,
            goFiles: [String] = [], cgoFiles: [String] = [], embedFiles: [String] = [],
            otherFiles: [String] = [], imports: [String] = [], error: String? = nil
        ) {
            self.importPath = importPath
            self.dir = dir
            self.module = module
            self.standard = standard
            self.goFiles = goFiles
            self.cgoFiles = cgoFiles
            self.embedFiles = embedFiles
            self.otherFiles = otherFiles
            self.imports = imports
            self.error = error
        }

        /// Decodes a package; absent arrays are empty and an absent `standard` is false.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            importPath = try container.decode(String.self, forKey: .importPath)
            dir = try container.decodeIfPresent(String.self, forKey: .dir)
            module = try container.decodeIfPresent(String.self, forKey: .module)
            standard = try container.decodeIfPresent(Bool.self, forKey: .standard) ?? false
            goFiles = try container.decodeIfPresent([String].self, forKey: .goFiles) ?? []
            cgoFiles = try container.decodeIfPresent([String].self, forKey: .cgoFiles) ?? []
            embedFiles = try container.decodeIfPresent([String].self, forKey: .embedFiles) ?? []
            otherFiles = try container.decodeIfPresent([String].self, forKey: .otherFiles) ?? []
            imports = try container.decodeIfPresent([String].self, forKey: .imports) ?? []
            error = try container.decodeIfPresent(String.self, forKey: .error)
        }
    }

    /// One `package main` target.
    public struct Target: Codable, Hashable, Sendable {
        /// Repository-relative directory (`.` for the root).
        public var dir: String
        /// The import path of the main package.
        public var importPath: String
        /// Sorted non-standard import paths of the closure, the target excluded.
        public var deps: [String]

        /// A target.
        public init(dir: String, importPath: String, deps: [String]) {
            self.dir = dir
            self.importPath = importPath
            self.deps = deps
        }
    }

    /// The schema version, 1.
    public var schemaVersion: Int
    /// Every package of the graph, standard ones included.
    public var packages: [Package]
    /// Every target.
    public var targets: [Target]

    /// A document.
    public init(schemaVersion: Int = 1, packages: [Package], targets: [Target]) {
        self.schemaVersion = schemaVersion
        self.packages = packages
        self.targets = targets
    }

    /// Decodes `gocache graph --format json` output.
    public init(json: Data) throws {
        self = try JSONDecoder().decode(GraphDocument.self, from: json)
    }

    /// The oracle's graph in this schema (every answer of a package that go list answered
    /// differently in different units becomes its own entry).
    public init(oracle: OracleGraph) {
        schemaVersion = 1
        packages = oracle.packages.keys.sorted().flatMap { key in
            (oracle.packages[key] ?? []).map(Package.init(oracle:))
        }
        targets = oracle.targets.map { Target(dir: $0.dir, importPath: $0.importPath, deps: $0.deps) }
    }
}

extension GraphDocument.Package {
    /// The compared fields of an oracle package.
    public init(oracle package: OraclePackage) {
        self.init(
            importPath: package.importPath, dir: package.dir, module: package.module, standard: package.standard,
            goFiles: package.goFiles, cgoFiles: package.cgoFiles, embedFiles: package.embedFiles,
            otherFiles: package.otherFiles, imports: package.imports, error: package.error)
    }
}

/// Every difference between gocache's graph and go list's, readably, sorted; empty when equal.
///
/// Compared:
/// - the non-standard packages by import path; for each: `dir`, `module`, `goFiles`,
///   `cgoFiles`, `embedFiles` (package-relative), `otherFiles`, `imports` (all as sorted lists)
///   and whether it has an error (not the text). A package go list answered differently in
///   different units must appear once per answer. An unresolved import is a package with an
///   error on both sides (go list lists it so);
/// - the set of standard packages by import path (their files are not compared);
/// - the targets by directory: the same import path and the same sorted non-standard deps.
public func compare(_ ours: GraphDocument, _ oracle: OracleGraph) -> [String] {
    var differences: [String] = []
    if ours.schemaVersion != 1 {
        differences.append("schemaVersion: ours \(ours.schemaVersion), expected 1")
    }

    // Non-standard packages.
    let oursByPath = Dictionary(grouping: ours.packages.filter { !$0.standard }, by: \.importPath)
    var theirsByPath: [String: [GraphDocument.Package]] = [:]
    for (path, variants) in oracle.packages {
        let nonStandard = variants.filter { !$0.standard }.map(GraphDocument.Package.init(oracle:))
        if !nonStandard.isEmpty { theirsByPath[path] = nonStandard }
    }
    for path in Set(oursByPath.keys).union(theirsByPath.keys).sorted() {
        let mine = oursByPath[path] ?? []
        let theirs = theirsByPath[path] ?? []
        if mine.isEmpty {
            differences.append("package \(path): missing in ours (go list: \(summary(theirs[0])))")
            continue
        }
        if theirs.isEmpty {
            differences.append("package \(path): only in ours, not listed by go list")
            continue
        }
        if mine.count == 1 && theirs.count == 1 {
            differences += packageDifferences(mine[0], theirs[0]).map { "package \(path): \($0)" }
            continue
        }
        // Several answers: match each of ours to an equal one of go list's.
        var unmatched = theirs
        var extra: [GraphDocument.Package] = []
        for package in mine {
            if let index = unmatched.firstIndex(where: { packageDifferences(package, $0).isEmpty }) {
                unmatched.remove(at: index)
            } else {
                extra.append(package)
            }
        }
        for package in extra {
            differences.append("package \(path): ours has an answer go list did not give: \(summary(package))")
        }
        for package in unmatched {
            differences.append("package \(path): go list's answer missing in ours: \(summary(package))")
        }
    }

    // Standard packages.
    let ourStandard = Set(ours.packages.filter(\.standard).map(\.importPath))
    let theirStandard = Set(oracle.standardPackages)
    let missingStandard = theirStandard.subtracting(ourStandard).sorted()
    let extraStandard = ourStandard.subtracting(theirStandard).sorted()
    if !missingStandard.isEmpty {
        differences.append("standard packages missing in ours: \(missingStandard.joined(separator: " "))")
    }
    if !extraStandard.isEmpty {
        differences.append("standard packages only in ours: \(extraStandard.joined(separator: " "))")
    }

    // Targets.
    var ourTargets: [String: GraphDocument.Target] = [:]
    for target in ours.targets {
        if ourTargets[target.dir] != nil {
            differences.append("target \(target.dir): listed twice in ours")
        }
        ourTargets[target.dir] = target
    }
    let theirTargets = Dictionary(oracle.targets.map { ($0.dir, $0) }, uniquingKeysWith: { first, _ in first })
    for dir in Set(ourTargets.keys).union(theirTargets.keys).sorted() {
        guard let mine = ourTargets[dir] else {
            differences.append("target \(dir): missing in ours")
            continue
        }
        guard let theirs = theirTargets[dir] else {
            differences.append("target \(dir): only in ours, not a target for go list")
            continue
        }
        if mine.importPath != theirs.importPath {
            differences.append("target \(dir): importPath ours \(mine.importPath), go list \(theirs.importPath)")
        }
        if let difference = listDifference(mine.deps, theirs.deps) {
            differences.append("target \(dir): deps \(difference)")
        }
    }
    return differences
}

/// Field-by-field differences of two packages with the same import path.
private func packageDifferences(_ mine: GraphDocument.Package, _ theirs: GraphDocument.Package) -> [String] {
    var differences: [String] = []
    if mine.dir != theirs.dir {
        differences.append("dir ours \(mine.dir ?? "(none)"), go list \(theirs.dir ?? "(none)")")
    }
    if mine.module != theirs.module {
        differences.append("module ours \(mine.module ?? "(none)"), go list \(theirs.module ?? "(none)")")
    }
    let lists: [(String, [String], [String])] = [
        ("goFiles", mine.goFiles, theirs.goFiles),
        ("cgoFiles", mine.cgoFiles, theirs.cgoFiles),
        ("embedFiles", mine.embedFiles, theirs.embedFiles),
        ("otherFiles", mine.otherFiles, theirs.otherFiles),
        ("imports", mine.imports, theirs.imports),
    ]
    for (name, a, b) in lists {
        if let difference = listDifference(a, b) { differences.append("\(name) \(difference)") }
    }
    switch (mine.error, theirs.error) {
    case (nil, let theirs?):
        differences.append("error: go list reports \"\(theirs)\", ours has none")
    case (let mine?, nil):
        differences.append("error: ours reports \"\(mine)\", go list has none")
    default:
        break
    }
    return differences
}

/// `nil` when the two lists hold the same elements; else what each side has alone.
private func listDifference(_ mine: [String], _ theirs: [String]) -> String? {
    if mine.sorted() == theirs.sorted() { return nil }
    let onlyMine = subtractingMultiset(mine, theirs)
    let onlyTheirs = subtractingMultiset(theirs, mine)
    return "differ: only in ours [\(onlyMine.joined(separator: " "))], only in go list [\(onlyTheirs.joined(separator: " "))]"
}

private func subtractingMultiset(_ a: [String], _ b: [String]) -> [String] {
    var remaining = Dictionary(b.map { ($0, 1) }, uniquingKeysWith: +)
    var result: [String] = []
    for element in a.sorted() {
        if let count = remaining[element], count > 0 {
            remaining[element] = count - 1
        } else {
            result.append(element)
        }
    }
    return result
}

private func summary(_ package: GraphDocument.Package) -> String {
    var parts = ["dir=\(package.dir ?? "(none)")", "module=\(package.module ?? "(none)")"]
    if !package.goFiles.isEmpty { parts.append("goFiles=[\(package.goFiles.joined(separator: " "))]") }
    if !package.cgoFiles.isEmpty { parts.append("cgoFiles=[\(package.cgoFiles.joined(separator: " "))]") }
    if !package.embedFiles.isEmpty { parts.append("embedFiles=[\(package.embedFiles.joined(separator: " "))]") }
    if !package.otherFiles.isEmpty { parts.append("otherFiles=[\(package.otherFiles.joined(separator: " "))]") }
    if !package.imports.isEmpty { parts.append("imports=[\(package.imports.joined(separator: " "))]") }
    if let error = package.error { parts.append("error=\"\(error)\"") }
    return parts.joined(separator: " ")
}
