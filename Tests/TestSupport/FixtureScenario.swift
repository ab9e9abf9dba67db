// FixtureScenario — one entry of the differential catalogue: a tiny repository exercising one
// rule of the go command, the platform to list it for, and facts go list must report for it.
//
// Responsibilities: ``CatalogueScenario`` (the data) and ``OracleExpectation`` (the facts, and
// checking them against an ``OracleGraph``).
// Boundaries: the scenarios themselves live in the GraphCore test target (Catalogue/).
// Invariants: an expectation names exact values (file lists, dep lists, target sets), so a
// scenario that stops exercising its rule fails its check.
public import Testing

/// A fixture repository exercising one rule of the go command.
public struct CatalogueScenario: Hashable, Sendable, CustomTestStringConvertible {
    /// A short unique name (`build-tag-and-or-not`).
    public var name: String
    /// The rule exercised, one sentence.
    public var rule: String
    /// Repository-relative path → contents.
    public var files: [String: String]
    /// The platform to list for.
    public var platform: GoPlatform
    /// Facts go list reports for this tree that show the rule is exercised.
    public var expectations: [OracleExpectation]

    /// A scenario.
    public init(
        name: String, rule: String, files: [String: String], platform: GoPlatform = .lambda,
        expectations: [OracleExpectation]
    ) {
        self.name = name
        self.rule = rule
        self.files = files
        self.platform = platform
        self.expectations = expectations
    }

    /// The name, as Swift Testing shows the argument.
    public var testDescription: String { name }

    /// Writes the scenario to a fresh fixture repository (committed with git when `commit`).
    public func materialize(commit: Bool = true) async throws -> FixtureRepository {
        try await FixtureRepository.create(files: files, commit: commit, label: name)
    }

    /// The expectations that do not hold in `graph`, as readable sentences.
    public func unmetExpectations(in graph: OracleGraph) -> [String] {
        expectations.compactMap { $0.failure(in: graph) }
    }
}

/// A fact about go list's answer for a scenario. Package facts name an import path; target
/// facts name a repository-relative directory. File lists are exact and compared sorted.
public enum OracleExpectation: Hashable, Sendable, CustomStringConvertible {
    /// The package's `GoFiles` are exactly these.
    case goFiles(String, [String])
    /// The package's `CgoFiles` are exactly these.
    case cgoFiles(String, [String])
    /// The package's `IgnoredGoFiles` are exactly these.
    case ignoredGoFiles(String, [String])
    /// The package's `TestGoFiles` are exactly these.
    case testGoFiles(String, [String])
    /// The package's `XTestGoFiles` are exactly these.
    case xTestGoFiles(String, [String])
    /// The package's `EmbedFiles` (package-relative) are exactly these.
    case embedFiles(String, [String])
    /// The package's `TestEmbedPatterns` are exactly these (go list resolves test embeds
    /// only with -test, so patterns are what it reports).
    case testEmbedPatterns(String, [String])
    /// The package's C, H, S and syso files together are exactly these.
    case otherFiles(String, [String])
    /// The package's `Imports` are exactly these.
    case imports(String, [String])
    /// The package's `Name` is this.
    case name(String, String)
    /// The package's repository-relative directory is this (`nil`: outside the repository).
    case dir(String, String?)
    /// The package's module path is this.
    case module(String, String?)
    /// The package has an `Error` whose text contains this.
    case error(String, String)
    /// The package is listed, without `Error` and without `DepsErrors`.
    case clean(String)
    /// The package is listed and standard.
    case standard(String)
    /// No unit lists this import path.
    case absent(String)
    /// go list answered this many different ways for the import path across units.
    case answers(String, Int)
    /// The targets are exactly these directories.
    case targets([String])
    /// The target in this directory has exactly these non-standard deps.
    case deps(target: String, [String])

    /// The expectation as a sentence.
    public var description: String {
        func list(_ items: [String]) -> String { "[\(items.joined(separator: " "))]" }
        switch self {
        case .goFiles(let path, let files): return "\(path) has GoFiles \(list(files))"
        case .cgoFiles(let path, let files): return "\(path) has CgoFiles \(list(files))"
        case .ignoredGoFiles(let path, let files): return "\(path) has IgnoredGoFiles \(list(files))"
        case .testGoFiles(let path, let files): return "\(path) has TestGoFiles \(list(files))"
        case .xTestGoFiles(let path, let files): return "\(path) has XTestGoFiles \(list(files))"
        case .embedFiles(let path, let files): return "\(path) has EmbedFiles \(list(files))"
        case .testEmbedPatterns(let path, let patterns): return "\(path) has TestEmbedPatterns \(list(patterns))"
        case .otherFiles(let path, let files): return "\(path) has C/H/S/syso files \(list(files))"
        case .imports(let path, let imports): return "\(path) imports \(list(imports))"
        case .name(let path, let name): return "\(path) is package \(name)"
        case .dir(let path, let dir): return "\(path) is in directory \(dir ?? "(outside the repository)")"
        case .module(let path, let module): return "\(path) is in module \(module ?? "(none)")"
        case .error(let path, let text): return "\(path) has an error containing \"\(text)\""
        case .clean(let path): return "\(path) is listed without errors"
        case .standard(let path): return "\(path) is a standard package"
        case .absent(let path): return "\(path) is not listed"
        case .answers(let path, let count): return "\(path) has \(count) different answers"
        case .targets(let dirs): return "targets are \(list(dirs))"
        case .deps(let dir, let deps): return "target \(dir) has deps \(list(deps))"
        }
    }

    /// `nil` when the expectation holds in `graph`, else what was found instead.
    public func failure(in graph: OracleGraph) -> String? {
        func package(_ path: String) -> Result<OraclePackage, Unmet> {
            guard let variants = graph.packages[path] else { return .failure(Unmet("\(path) is not listed")) }
            guard variants.count == 1 else {
                return .failure(Unmet("\(path) has \(variants.count) different answers"))
            }
            return .success(variants[0])
        }
        func check(_ path: String, _ field: String, _ keyPath: KeyPath<OraclePackage, [String]>, _ expected: [String])
            -> String?
        {
            switch package(path) {
            case .failure(let unmet): return "expected \(description): \(unmet.text)"
            case .success(let found):
                let actual = found[keyPath: keyPath]
                return actual.sorted() == expected.sorted()
                    ? nil : "expected \(description), found \(field) [\(actual.joined(separator: " "))]"
            }
        }
        switch self {
        case .goFiles(let path, let files): return check(path, "GoFiles", \.goFiles, files)
        case .cgoFiles(let path, let files): return check(path, "CgoFiles", \.cgoFiles, files)
        case .ignoredGoFiles(let path, let files): return check(path, "IgnoredGoFiles", \.ignoredGoFiles, files)
        case .testGoFiles(let path, let files): return check(path, "TestGoFiles", \.testGoFiles, files)
        case .xTestGoFiles(let path, let files): return check(path, "XTestGoFiles", \.xTestGoFiles, files)
        case .embedFiles(let path, let files): return check(path, "EmbedFiles", \.embedFiles, files)
        case .testEmbedPatterns(let path, let patterns):
            return check(path, "TestEmbedPatterns", \.testEmbedPatterns, patterns)
        case .otherFiles(let path, let files): return check(path, "other files", \.otherFiles, files)
        case .imports(let path, let imports): return check(path, "Imports", \.imports, imports)
        case .name(let path, let name):
            return field(path, package(path)) { $0.name == name ? nil : "Name \($0.name ?? "(none)")" }
        case .dir(let path, let dir):
            return field(path, package(path)) { $0.dir == dir ? nil : "Dir \($0.dir ?? "(outside)")" }
        case .module(let path, let module):
            return field(path, package(path)) { $0.module == module ? nil : "Module \($0.module ?? "(none)")" }
        case .error(let path, let text):
            return field(path, package(path)) { found in
                guard let error = found.error else { return "no Error" }
                return error.contains(text) ? nil : "Error \"\(error)\""
            }
        case .clean(let path):
            return field(path, package(path)) { found in
                if let error = found.error { return "Error \"\(error)\"" }
                if !found.depsErrors.isEmpty { return "DepsErrors \(found.depsErrors)" }
                return nil
            }
        case .standard(let path):
            return field(path, package(path)) { $0.standard ? nil : "a non-standard package" }
        case .absent(let path):
            return graph.packages[path] == nil ? nil : "expected \(description), but it is listed"
        case .answers(let path, let count):
            let found = graph.packages[path]?.count ?? 0
            return found == count ? nil : "expected \(description), found \(found)"
        case .targets(let dirs):
            let found = graph.targets.map(\.dir)
            return found.sorted() == dirs.sorted()
                ? nil : "expected \(description), found [\(found.joined(separator: " "))]"
        case .deps(let dir, let deps):
            guard let target = graph.target(dir: dir) else { return "expected \(description): no such target" }
            return target.deps == deps.sorted()
                ? nil : "expected \(description), found [\(target.deps.joined(separator: " "))]"
        }
    }

    private func field(
        _ path: String, _ lookup: Result<OraclePackage, Unmet>, _ test: (OraclePackage) -> String?
    ) -> String? {
        switch lookup {
        case .failure(let unmet): return "expected \(description): \(unmet.text)"
        case .success(let found): return test(found).map { "expected \(description), found \($0)" }
        }
    }
}

/// Why a package lookup failed.
private struct Unmet: Error {
    var text: String
    init(_ text: String) { self.text = text }
}
