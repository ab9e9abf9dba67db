/// The module a package belongs to, as the binary's build info records it.
public struct GoModuleRef: Hashable, Sendable, Codable {
    /// The module path.
    public var path: String
    /// The selected version; nil for a main module.
    public var version: String?
    /// The replacement in effect (`path` and, for a module replacement, `version`), if any.
    public var replacementPath: String?
    public var replacementVersion: String?
    /// Whether the module is one of the main modules of the build.
    public var isMain: Bool
    /// The module's `go` directive, when its go.mod is readable (main and local modules,
    /// and vendored modules through vendor/modules.txt).
    public var goVersion: String?

    public init(
        path: String, version: String? = nil, replacementPath: String? = nil,
        replacementVersion: String? = nil, isMain: Bool = false, goVersion: String? = nil
    ) {
        self.path = path
        self.version = version
        self.replacementPath = replacementPath
        self.replacementVersion = replacementVersion
        self.isMain = isMain
        self.goVersion = goVersion
    }
}

/// An error of one package, as `go list -e` reports it in the package's `Error` field.
public struct PackageError: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        /// No module or standard package provides the import path.
        case missing
        /// More than one module provides the import path.
        case ambiguous
        /// The import path is malformed.
        case invalidPath
        /// The directory has no buildable Go files, several package clauses, or unreadable files.
        case files
        /// A Go file header could not be parsed.
        case syntax
        /// An import cycle passes through this package.
        case importCycle
        /// A `//go:embed` pattern failed.
        case embed
        /// An import of an `internal` package from outside its tree, of a `package main`, …
        case importNotAllowed
        /// C sources without cgo, and similar file-set problems.
        case cgo
        /// The build unit's go.mod, go.work, go.sum or vendor/modules.txt has a problem the
        /// go command stops at for every package of the unit (`WorkspaceProblem`).
        case module
    }

    public var kind: Kind
    public var message: String
    /// For an import cycle: the packages of the cycle, first repeated at the end.
    public var cycle: [String]

    public init(kind: Kind, message: String, cycle: [String] = []) {
        self.kind = kind
        self.message = message
        self.cycle = cycle
    }

    public var description: String { message }
}

/// One Go package of a build, as the go command loads it for one platform.
public struct GoPackage: Hashable, Sendable {
    /// The import path (`vendor/…` for packages vendored into the standard library).
    public var importPath: String
    /// The package clause (empty when the package could not be loaded).
    public var name: String
    /// The directory relative to the repository root; nil for standard and for external
    /// (not vendored, not locally replaced) packages.
    public var dir: String?
    /// The module; nil for the standard library.
    public var module: GoModuleRef?
    /// Whether the package is part of the standard library.
    public var isStandard: Bool
    /// Go files compiled for the platform (not cgo, not tests).
    public var goFiles: [String]
    /// Go files that import "C" (empty when cgo is off).
    public var cgoFiles: [String]
    /// Files matched by the package's `//go:embed` patterns, relative to `dir`.
    public var embedFiles: [String]
    /// C, C++, Objective-C, Fortran, header, assembly, SWIG and syso files of the build.
    public var otherFiles: [String]
    /// Test files (`_test.go` of this package and of its external test package). Empty for
    /// a standard-library package: its tests never run and never reach a binary, so a load
    /// does not read them (nor list their imports in `testImports`).
    public var testGoFiles: [String]
    public var xTestGoFiles: [String]
    /// Files a test embeds, relative to `dir`.
    public var testEmbedFiles: [String]
    /// Resolved import paths of the non-test files, as `go list` prints `Imports` (with "C").
    public var imports: [String]
    /// Resolved imports of the package's tests (in-package and external), sorted.
    public var testImports: [String]
    /// The edges the build follows: resolved imports without "C", plus the implicit
    /// imports cgo and the linker add.
    public var dependencyEdges: [String]
    /// The package's own error, if any.
    public var error: PackageError?

    /// Whether this is a binary: a `package main` that loaded.
    public var isMain: Bool { name == "main" }

    public init(importPath: String, name: String = "", dir: String? = nil, module: GoModuleRef? = nil, isStandard: Bool = false) {
        self.importPath = importPath
        self.name = name
        self.dir = dir
        self.module = module
        self.isStandard = isStandard
        self.goFiles = []
        self.cgoFiles = []
        self.embedFiles = []
        self.otherFiles = []
        self.testGoFiles = []
        self.xTestGoFiles = []
        self.testEmbedFiles = []
        self.imports = []
        self.testImports = []
        self.dependencyEdges = []
        self.error = nil
    }

    /// Every file of the package that goes into a binary, relative to the repository
    /// root: Go and cgo files, other sources and embedded files. Empty for packages
    /// without a directory in the repository.
    public var inputFiles: [String] {
        guard let dir else { return [] }
        let prefix = dir.isEmpty || dir == "." ? "" : dir + "/"
        return (goFiles + cgoFiles + otherFiles + embedFiles).map { prefix + $0 }.sorted()
    }
}
