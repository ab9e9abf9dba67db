// GoList — the differential oracle: what `go list -e -deps -json` says about a repository.
//
// Responsibilities: find the Go toolchain of the test run and give it a closed environment;
// split a repository into build units the way gocache does (a root go.work joins its `use`
// modules; every other go.mod is its own main module); run `go list` once per unit; decode
// the JSON object stream; merge the answers into one ``OracleGraph`` with repository-relative
// directories and one entry per `package main` target.
// Boundaries: reads only go list's output (and go.work/go.mod to find units); never builds.
// Invariants: every run has GOTOOLCHAIN=local, GOPROXY=off, GOFLAGS empty, GOENV=off and an
// explicit GOWORK; everything in an ``OracleGraph`` is sorted, so two runs compare equal.
public import Foundation

// MARK: - Platform and toolchain

/// The platform a graph is computed for: what `GOOS`, `GOARCH`, `CGO_ENABLED` and `-tags` say.
public struct GoPlatform: Hashable, Sendable, Codable, CustomStringConvertible {
    /// `GOOS`, e.g. `linux`.
    public var goos: String
    /// `GOARCH`, e.g. `amd64`.
    public var goarch: String
    /// `CGO_ENABLED=1` when true.
    public var cgoEnabled: Bool
    /// Custom build tags (`-tags`), in the order given.
    public var tags: [String]

    /// A platform; the default is gocache's Lambda default (linux/amd64, cgo off, no tags).
    public init(goos: String = "linux", goarch: String = "amd64", cgoEnabled: Bool = false, tags: [String] = []) {
        self.goos = goos
        self.goarch = goarch
        self.cgoEnabled = cgoEnabled
        self.tags = tags
    }

    /// gocache's built-in default: linux/amd64, cgo off, no tags.
    public static let lambda = GoPlatform()

    /// `linux/amd64 cgo=0 tags=a,b`.
    public var description: String {
        var text = "\(goos)/\(goarch) cgo=\(cgoEnabled ? 1 : 0)"
        if !tags.isEmpty { text += " tags=\(tags.joined(separator: ","))" }
        return text
    }
}

/// The Go toolchain a test run uses: `$GOCACHE_TEST_GO`, else `go` on `PATH`.
public struct GoToolchain: Hashable, Sendable {
    /// Absolute path of the `go` executable.
    public var executable: String

    /// A toolchain at an explicit path.
    public init(executable: String) {
        self.executable = executable
    }

    /// The toolchain of this test run, or `nil` when neither `$GOCACHE_TEST_GO` nor `go` on
    /// `PATH` names an executable.
    public static func current() -> GoToolchain? {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["GOCACHE_TEST_GO"], !explicit.isEmpty {
            return ChildProcess.locate(explicit).map(GoToolchain.init(executable:))
        }
        return ChildProcess.locate("go").map(GoToolchain.init(executable:))
    }

    /// Whether this run means to have a toolchain: `$GOCACHE_TEST_GO` is set (even to a bad
    /// path, so that mistake fails tests instead of skipping them) or `go` is on `PATH`.
    public static var isConfigured: Bool {
        let explicit = ProcessInfo.processInfo.environment["GOCACHE_TEST_GO"] ?? ""
        return !explicit.isEmpty || ChildProcess.locate("go") != nil
    }

    /// How a run picks its `go.work`.
    public enum Workspace: Hashable, Sendable {
        /// `GOWORK=off`: the module containing the working directory is the only main module.
        case off
        /// `GOWORK=<path>`: the workspace file at this absolute path.
        case file(String)
    }

    /// The whole environment of a `go` run: nothing inherited except `PATH`, `HOME`, `TMPDIR`,
    /// `GOROOT`, `GOCACHE`, `GOPATH`, `GOMODCACHE` and `CC`; then `GOTOOLCHAIN=local`,
    /// `GOPROXY=off`, `GOSUMDB=off`, `GOFLAGS=`, `GOENV=off`, `GOTELEMETRY=off`,
    /// `GO111MODULE=on`, the workspace choice, and the platform's `GOOS`, `GOARCH` and
    /// `CGO_ENABLED`.
    public func environment(platform: GoPlatform, workspace: Workspace) -> [String: String] {
        let inherited = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for name in ["PATH", "HOME", "TMPDIR", "GOROOT", "GOCACHE", "GOPATH", "GOMODCACHE", "CC"] {
            if let value = inherited[name], !value.isEmpty { environment[name] = value }
        }
        environment["PATH"] = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        environment["GOTOOLCHAIN"] = "local"
        environment["GOPROXY"] = "off"
        environment["GOSUMDB"] = "off"
        environment["GOFLAGS"] = ""
        environment["GOENV"] = "off"
        environment["GOTELEMETRY"] = "off"
        environment["GO111MODULE"] = "on"
        switch workspace {
        case .off: environment["GOWORK"] = "off"
        case .file(let path): environment["GOWORK"] = path
        }
        environment["GOOS"] = platform.goos
        environment["GOARCH"] = platform.goarch
        environment["CGO_ENABLED"] = platform.cgoEnabled ? "1" : "0"
        return environment
    }

    /// The build flags of a platform: `-tags=a,b`, or nothing without tags.
    public func buildFlags(platform: GoPlatform) -> [String] {
        platform.tags.isEmpty ? [] : ["-tags=\(platform.tags.joined(separator: ","))"]
    }

    /// Runs `go <arguments>` in `directory` with ``environment(platform:workspace:)``.
    public func run(
        _ arguments: [String], in directory: URL, platform: GoPlatform = .lambda, workspace: Workspace = .off
    ) async throws -> ProcessOutput {
        try await ChildProcess.run(
            executable, arguments: arguments,
            environment: environment(platform: platform, workspace: workspace), in: directory)
    }
}

// MARK: - go list's JSON

/// One object of `go list -json` output: the fields the oracle reads, named as go list spells
/// them (see `go help list`). The full `-json` is requested, not a field list, because go list
/// skips work (and so errors, e.g. of `//go:embed`) for fields not asked for.
public struct GoListPackage: Codable, Hashable, Sendable {
    /// A module as go list describes it.
    public struct Module: Codable, Hashable, Sendable {
        /// go list's `Path`.
        public var Path: String
        /// go list's `Version`.
        public var Version: String?
        /// go list's `Dir`.
        public var Dir: String?
        /// go list's `Main`.
        public var Main: Bool?
        /// go list's `GoVersion`.
        public var GoVersion: String?
        /// go list's `Replace`.
        public var Replace: Replacement?
    }

    /// The replacement of a module (go list's `Module.Replace`).
    public struct Replacement: Codable, Hashable, Sendable {
        /// go list's `Path`.
        public var Path: String
        /// go list's `Version`.
        public var Version: String?
        /// go list's `Dir`.
        public var Dir: String?
        /// go list's `GoVersion`.
        public var GoVersion: String?
    }

    /// A package error (`Error`, `DepsErrors`).
    public struct PackageError: Codable, Hashable, Sendable {
        /// go list's `ImportStack`.
        public var ImportStack: [String]?
        /// go list's `Pos`.
        public var Pos: String?
        /// go list's `Err`.
        public var Err: String
    }

    /// go list's `ImportPath`.
    public var ImportPath: String
    /// go list's `Dir`.
    public var Dir: String?
    /// go list's `Name`.
    public var Name: String?
    /// go list's `Module`.
    public var Module: Module?
    /// go list's `Standard`.
    public var Standard: Bool?
    /// go list's `GoFiles`.
    public var GoFiles: [String]?
    /// go list's `CgoFiles`.
    public var CgoFiles: [String]?
    /// go list's `IgnoredGoFiles`.
    public var IgnoredGoFiles: [String]?
    /// go list's `InvalidGoFiles`.
    public var InvalidGoFiles: [String]?
    /// go list's `TestGoFiles`.
    public var TestGoFiles: [String]?
    /// go list's `XTestGoFiles`.
    public var XTestGoFiles: [String]?
    /// go list's `EmbedFiles`.
    public var EmbedFiles: [String]?
    /// go list's `EmbedPatterns`.
    public var EmbedPatterns: [String]?
    /// go list's `TestEmbedPatterns`.
    public var TestEmbedPatterns: [String]?
    /// go list's `XTestEmbedPatterns`.
    public var XTestEmbedPatterns: [String]?
    /// go list's `CFiles`.
    public var CFiles: [String]?
    /// go list's `HFiles`.
    public var HFiles: [String]?
    /// go list's `SFiles`.
    public var SFiles: [String]?
    /// go list's `SysoFiles`.
    public var SysoFiles: [String]?
    /// go list's `CXXFiles`, `MFiles`, `FFiles`, `SwigFiles` and `SwigCXXFiles`.
    public var CXXFiles: [String]?
    public var MFiles: [String]?
    public var FFiles: [String]?
    public var SwigFiles: [String]?
    public var SwigCXXFiles: [String]?
    /// go list's `Imports`.
    public var Imports: [String]?
    /// go list's `ImportMap`.
    public var ImportMap: [String: String]?
    /// go list's `TestImports`.
    public var TestImports: [String]?
    /// go list's `XTestImports`.
    public var XTestImports: [String]?
    /// go list's `Deps`.
    public var Deps: [String]?
    /// go list's `DepOnly`.
    public var DepOnly: Bool?
    /// go list's `Error`.
    public var Error: PackageError?
    /// go list's `DepsErrors`.
    public var DepsErrors: [PackageError]?
    /// go list's `Incomplete`.
    public var Incomplete: Bool?
    /// go list's `Match`.
    public var Match: [String]?

    /// Decodes the concatenated JSON objects go list prints.
    ///
    /// - Throws: ``GoListFailure/malformedOutput(detail:)`` when the stream does not parse.
    public static func decodeStream(_ data: Data) throws -> [GoListPackage] {
        let decoder = JSONDecoder()
        var packages: [GoListPackage] = []
        for range in try objectRanges(in: data) {
            do {
                packages.append(try decoder.decode(GoListPackage.self, from: data.subdata(in: range)))
            } catch {
                throw GoListFailure.malformedOutput(detail: "object at byte \(range.lowerBound): \(error)")
            }
        }
        return packages
    }

    /// The byte ranges of the top-level objects of a JSON object stream.
    private static func objectRanges(in data: Data) throws -> [Range<Data.Index>] {
        var ranges: [Range<Data.Index>] = []
        var depth = 0
        var inString = false
        var escaped = false
        var start = data.startIndex
        var index = data.startIndex
        while index < data.endIndex {
            let byte = data[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""):
                    inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    if depth == 0 { start = index }
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth < 0 {
                        throw GoListFailure.malformedOutput(detail: "unbalanced bracket at byte \(index)")
                    }
                    if depth == 0 { ranges.append(start..<(index + 1)) }
                default:
                    break
                }
            }
            index += 1
        }
        if depth != 0 || inString {
            throw GoListFailure.malformedOutput(detail: "stream ends inside an object")
        }
        return ranges
    }
}

/// Why the oracle could not answer.
public enum GoListFailure: Error, CustomStringConvertible, Sendable {
    /// No Go toolchain: neither `$GOCACHE_TEST_GO` nor `go` on `PATH`.
    case noToolchain
    /// go list printed something that is not a stream of package objects.
    case malformedOutput(detail: String)
    /// go list failed for a build unit and printed no packages.
    case listFailed(unit: String, output: ProcessOutput)
    /// A go.work or go.mod could not be read.
    case unreadable(path: String, detail: String)

    /// A readable account naming the unit or file involved.
    public var description: String {
        switch self {
        case .noToolchain:
            "no Go toolchain: set GOCACHE_TEST_GO or put `go` on PATH"
        case .malformedOutput(let detail):
            "go list output does not parse: \(detail)"
        case .listFailed(let unit, let output):
            "go list failed in unit \(unit) (status \(output.status)): \(output.stderr.suffix(2000))"
        case .unreadable(let path, let detail):
            "cannot read \(path): \(detail)"
        }
    }
}

// MARK: - Build units

/// A set of modules listed together by one `go list` run.
public struct GoBuildUnit: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The repository-relative directory go list runs in (`.` for the root).
    public var directory: String
    /// Whether the unit is the root go.work workspace (else a single main module).
    public var isWorkspace: Bool
    /// The repository-relative directories of the unit's modules, sorted.
    public var moduleDirectories: [String]
    /// The module paths of the unit's modules, in the order of ``moduleDirectories``.
    public var modulePaths: [String]

    /// The patterns listed: `./...` for a module, `<path>/...` per module for a workspace.
    public var patterns: [String] {
        isWorkspace ? modulePaths.map { "\($0)/..." } : ["./..."]
    }

    /// `workspace(a, b)` or `module(functions/x)`.
    public var description: String {
        isWorkspace
            ? "workspace(\(moduleDirectories.joined(separator: ", ")))"
            : "module(\(directory))"
    }
}

// MARK: - The oracle's graph

/// One package as go list reports it, with directories made repository-relative.
public struct OraclePackage: Hashable, Sendable, Codable {
    /// go list's `ImportPath`.
    public var importPath: String
    /// Repository-relative directory; `nil` for standard, module-cache and unresolved packages.
    public var dir: String?
    /// The package clause name (`nil` when go list found no files).
    public var name: String?
    /// The module path (`nil` for the standard library and unresolved imports).
    public var module: String?
    /// go list's `Standard`.
    public var standard: Bool
    /// go list's `GoFiles`, sorted.
    public var goFiles: [String]
    /// go list's `CgoFiles`, sorted.
    public var cgoFiles: [String]
    /// go list's `IgnoredGoFiles`, sorted.
    public var ignoredGoFiles: [String]
    /// go list's `TestGoFiles`, sorted.
    public var testGoFiles: [String]
    /// go list's `XTestGoFiles`, sorted.
    public var xTestGoFiles: [String]
    /// go list's `EmbedPatterns`, sorted.
    public var embedPatterns: [String]
    /// Embedded files, relative to the package directory (as go list gives them).
    public var embedFiles: [String]
    /// go list's `TestEmbedPatterns`, sorted.
    public var testEmbedPatterns: [String]
    /// go list's `XTestEmbedPatterns`, sorted.
    public var xTestEmbedPatterns: [String]
    /// go list's `CFiles`, sorted.
    public var cFiles: [String]
    /// go list's `HFiles`, sorted.
    public var hFiles: [String]
    /// go list's `SFiles`, sorted.
    public var sFiles: [String]
    /// go list's `SysoFiles`, sorted.
    public var sysoFiles: [String]
    /// go list's `CXXFiles`, `MFiles`, `FFiles`, `SwigFiles` and `SwigCXXFiles`, sorted: sources
    /// only cgo or SWIG compiles (listed, and then an error, without them).
    public var foreignFiles: [String]
    /// Resolved imports (go list's `Imports`; includes the pseudo-package `C` of cgo files).
    public var imports: [String]
    /// go list's `TestImports`, sorted.
    public var testImports: [String]
    /// go list's `XTestImports`, sorted.
    public var xTestImports: [String]
    /// The transitive imports (go list's `Deps`).
    public var deps: [String]
    /// go list's `Error.Err`, when the package itself has an error.
    public var error: String?
    /// go list's `DepsErrors`, sorted.
    public var depsErrors: [String]
    /// go list's `Incomplete`.
    public var incomplete: Bool

    /// `CFiles + HFiles + SFiles + SysoFiles` and the `foreignFiles`, sorted: the non-Go
    /// inputs of the package.
    public var otherFiles: [String] { (cFiles + hFiles + sFiles + sysoFiles + foreignFiles).sorted() }

    /// Normalises one go list object; `directoryOf` maps an absolute directory to a
    /// repository-relative one (or `nil` outside the repository).
    public init(_ raw: GoListPackage, directoryOf: (String) -> String?) {
        importPath = raw.ImportPath
        dir = raw.Dir.flatMap { $0.isEmpty ? nil : directoryOf($0) }
        name = raw.Name.flatMap { $0.isEmpty ? nil : $0 }
        module = raw.Module?.Path
        standard = raw.Standard ?? false
        goFiles = (raw.GoFiles ?? []).sorted()
        cgoFiles = (raw.CgoFiles ?? []).sorted()
        ignoredGoFiles = (raw.IgnoredGoFiles ?? []).sorted()
        testGoFiles = (raw.TestGoFiles ?? []).sorted()
        xTestGoFiles = (raw.XTestGoFiles ?? []).sorted()
        embedPatterns = (raw.EmbedPatterns ?? []).sorted()
        embedFiles = (raw.EmbedFiles ?? []).sorted()
        testEmbedPatterns = (raw.TestEmbedPatterns ?? []).sorted()
        xTestEmbedPatterns = (raw.XTestEmbedPatterns ?? []).sorted()
        cFiles = (raw.CFiles ?? []).sorted()
        hFiles = (raw.HFiles ?? []).sorted()
        sFiles = (raw.SFiles ?? []).sorted()
        sysoFiles = (raw.SysoFiles ?? []).sorted()
        foreignFiles = ((raw.CXXFiles ?? []) + (raw.MFiles ?? []) + (raw.FFiles ?? []) + (raw.SwigFiles ?? []) + (raw.SwigCXXFiles ?? [])).sorted()
        imports = (raw.Imports ?? []).sorted()
        testImports = (raw.TestImports ?? []).sorted()
        xTestImports = (raw.XTestImports ?? []).sorted()
        deps = (raw.Deps ?? []).sorted()
        error = raw.Error?.Err
        depsErrors = (raw.DepsErrors ?? []).map(\.Err).sorted()
        incomplete = raw.Incomplete ?? false
    }
}

/// A `package main` that a unit's patterns matched (not only as a dependency) and that has
/// non-test Go files: one binary gocache would build.
public struct OracleTarget: Hashable, Sendable, Codable {
    /// Repository-relative directory (`.` for the root).
    public var dir: String
    /// The import path of the main package.
    public var importPath: String
    /// The non-standard packages of the closure, sorted, the target itself excluded.
    public var deps: [String]

    /// A target.
    public init(dir: String, importPath: String, deps: [String]) {
        self.dir = dir
        self.importPath = importPath
        self.deps = deps
    }
}

/// What go list says about a repository on one platform.
public struct OracleGraph: Hashable, Sendable, Codable {
    /// The platform listed for.
    public var platform: GoPlatform
    /// The build units, each listed by one go list run.
    public var units: [GoBuildUnit]
    /// Every listed package by import path. Usually one answer; two or more when units
    /// resolved the same import path differently.
    public var packages: [String: [OraclePackage]]
    /// The targets, sorted by directory.
    public var targets: [OracleTarget]
    /// What go list printed to stderr, per unit (only units that printed something).
    public var diagnostics: [String: String]

    /// A graph from its parts (``GoListOracle/graph(of:platform:)`` makes real ones).
    public init(
        platform: GoPlatform, units: [GoBuildUnit] = [], packages: [String: [OraclePackage]],
        targets: [OracleTarget], diagnostics: [String: String] = [:]
    ) {
        self.platform = platform
        self.units = units
        self.packages = packages
        self.targets = targets
        self.diagnostics = diagnostics
    }

    /// The package at `importPath` when go list gave exactly one answer for it.
    public func package(_ importPath: String) -> OraclePackage? {
        guard let variants = packages[importPath], variants.count == 1 else { return nil }
        return variants[0]
    }

    /// The target in repository-relative directory `dir`.
    public func target(dir: String) -> OracleTarget? {
        targets.first { $0.dir == dir }
    }

    /// Import paths of the standard-library packages listed, sorted.
    public var standardPackages: [String] {
        packages.filter { $0.value.contains { $0.standard } }.keys.sorted()
    }

    /// Import paths of the non-standard packages listed, sorted.
    public var nonStandardPackages: [String] {
        packages.filter { $0.value.contains { !$0.standard } }.keys.sorted()
    }
}

// MARK: - The oracle

/// Runs `go list -e -deps -json` over a repository, unit by unit, and builds an ``OracleGraph``.
public struct GoListOracle: Sendable {
    /// The toolchain that runs go list.
    public var toolchain: GoToolchain

    /// An oracle using `toolchain`.
    public init(toolchain: GoToolchain) {
        self.toolchain = toolchain
    }

    /// An oracle using ``GoToolchain/current()``.
    ///
    /// - Throws: ``GoListFailure/noToolchain``.
    public init() throws {
        guard let toolchain = GoToolchain.current() else { throw GoListFailure.noToolchain }
        self.toolchain = toolchain
    }

    /// The build units of the repository at `root`: the root go.work's `use` modules as one
    /// unit, and every other go.mod directory (not under `vendor/`, `testdata/`, `_*` or `.*`)
    /// as a unit of its own. Sorted by directory.
    public static func buildUnits(in root: URL) throws -> [GoBuildUnit] {
        let moduleDirectories = findModuleDirectories(in: root)
        var workspaceDirectories: [String] = []
        let goWork = root.appendingPathComponent("go.work")
        if FileManager.default.fileExists(atPath: goWork.path) {
            let text = try readText(goWork)
            let used = Set(parseUseDirectives(text).map(normalize))
            workspaceDirectories = moduleDirectories.filter { used.contains($0) }
        }
        var units: [GoBuildUnit] = []
        if !workspaceDirectories.isEmpty {
            units.append(
                GoBuildUnit(
                    directory: ".", isWorkspace: true, moduleDirectories: workspaceDirectories,
                    modulePaths: try workspaceDirectories.map { try modulePath(in: root, directory: $0) }))
        }
        for directory in moduleDirectories where !workspaceDirectories.contains(directory) {
            units.append(
                GoBuildUnit(
                    directory: directory, isWorkspace: false, moduleDirectories: [directory],
                    modulePaths: [try modulePath(in: root, directory: directory)]))
        }
        return units.sorted { ($0.directory, $0.isWorkspace ? 0 : 1) < ($1.directory, $1.isWorkspace ? 0 : 1) }
    }

    /// Runs go list for one unit and returns its raw answer and what it printed to stderr.
    ///
    /// - Throws: ``GoListFailure/listFailed(unit:output:)`` when go list fails and prints no
    ///   packages; ``GoListFailure/malformedOutput(detail:)``.
    public func list(_ unit: GoBuildUnit, in root: URL, platform: GoPlatform) async throws -> (
        packages: [GoListPackage], stderr: String
    ) {
        let directory = unit.directory == "." ? root : root.appendingPathComponent(unit.directory)
        let workspace: GoToolchain.Workspace =
            unit.isWorkspace ? .file(root.appendingPathComponent("go.work").path) : .off
        let arguments =
            ["list", "-e", "-deps", "-json"]
            + toolchain.buildFlags(platform: platform) + unit.patterns
        let output = try await toolchain.run(arguments, in: directory, platform: platform, workspace: workspace)
        let packages = try GoListPackage.decodeStream(output.stdout)
        if !output.succeeded && packages.isEmpty {
            throw GoListFailure.listFailed(unit: unit.description, output: output)
        }
        return (packages, output.stderr)
    }

    /// The graph of the repository at `root` on `platform`.
    public func graph(of root: URL, platform: GoPlatform) async throws -> OracleGraph {
        let units = try Self.buildUnits(in: root)
        let prefixes = Self.rootPrefixes(root)
        let directoryOf: (String) -> String? = { absolute in
            for prefix in prefixes {
                if absolute == prefix { return "." }
                if absolute.hasPrefix(prefix + "/") { return String(absolute.dropFirst(prefix.count + 1)) }
            }
            return nil
        }
        var packages: [String: [OraclePackage]] = [:]
        var targets: [String: OracleTarget] = [:]
        var diagnostics: [String: String] = [:]
        for unit in units {
            let (raw, stderr) = try await list(unit, in: root, platform: platform)
            if !stderr.isEmpty { diagnostics[unit.description] = stderr }
            let normalized = raw.map { OraclePackage($0, directoryOf: directoryOf) }
            let standardInUnit = Set(normalized.filter(\.standard).map(\.importPath))
            for (rawPackage, package) in zip(raw, normalized) {
                if !(packages[package.importPath]?.contains(package) ?? false) {
                    packages[package.importPath, default: []].append(package)
                }
                let matched = !(rawPackage.Match ?? []).isEmpty && !(rawPackage.DepOnly ?? false)
                let hasSources = !package.goFiles.isEmpty || !package.cgoFiles.isEmpty
                guard matched, hasSources, package.name == "main", !package.standard, let dir = package.dir
                else { continue }
                let deps = package.deps.filter { !standardInUnit.contains($0) && $0 != package.importPath }
                targets[dir] = OracleTarget(dir: dir, importPath: package.importPath, deps: deps.sorted())
            }
        }
        for key in packages.keys {
            packages[key]?.sort { Self.sortKey($0) < Self.sortKey($1) }
        }
        return OracleGraph(
            platform: platform, units: units, packages: packages,
            targets: targets.values.sorted { $0.dir < $1.dir }, diagnostics: diagnostics)
    }

    // MARK: Helpers

    private static func sortKey(_ package: OraclePackage) -> String {
        "\(package.dir ?? "")\u{0}\(package.module ?? "")\u{0}\(package.goFiles.joined(separator: ","))"
    }

    /// The spellings of `root` that go may report: as given and with symlinks resolved.
    private static func rootPrefixes(_ root: URL) -> [String] {
        let given = root.standardizedFileURL.path
        let resolved = root.resolvingSymlinksInPath().path
        return Array(Set([given, resolved])).sorted { $0.count > $1.count }
    }

    private static func readText(_ url: URL) throws -> String {
        do {
            return try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw GoListFailure.unreadable(path: url.path, detail: String(describing: error))
        }
    }

    /// Repository-relative directories holding a go.mod, skipping `vendor`, `testdata`, `_*`
    /// and `.*` directories below the root. Sorted.
    private static func findModuleDirectories(in root: URL) -> [String] {
        let fileManager = FileManager.default
        var found: [String] = []
        var stack: [String] = ["."]
        while let relative = stack.popLast() {
            let absolute = relative == "." ? root : root.appendingPathComponent(relative)
            guard let entries = try? fileManager.contentsOfDirectory(atPath: absolute.path) else { continue }
            for entry in entries {
                let child = relative == "." ? entry : "\(relative)/\(entry)"
                var isDirectory: ObjCBool = false
                guard fileManager.fileExists(atPath: root.appendingPathComponent(child).path, isDirectory: &isDirectory)
                else { continue }
                if isDirectory.boolValue {
                    if entry == "vendor" || entry == "testdata" || entry.hasPrefix("_") || entry.hasPrefix(".") {
                        continue
                    }
                    stack.append(child)
                } else if entry == "go.mod" {
                    found.append(relative)
                }
            }
        }
        return found.sorted()
    }

    /// The directories of a go.work's `use` directives, in single-line and block form.
    static func parseUseDirectives(_ text: String) -> [String] {
        var directories: [String] = []
        var inUseBlock = false
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = String(rawLine)
            if let comment = line.range(of: "//") { line = String(line[..<comment.lowerBound]) }
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = fields.first else { continue }
            if inUseBlock {
                if first == ")" { inUseBlock = false } else { directories.append(unquote(first)) }
            } else if first == "use" {
                if fields.count >= 2 {
                    if fields[1] == "(" { inUseBlock = true } else { directories.append(unquote(fields[1])) }
                }
            } else if first == "use(" {
                inUseBlock = true
            }
        }
        return directories
    }

    private static func unquote(_ text: String) -> String {
        if text.count >= 2, let first = text.first, let last = text.last, first == last, first == "\"" || first == "`" {
            return String(text.dropFirst().dropLast())
        }
        return text
    }

    /// `./a/b/` → `a/b`; `.` and `./` → `.`.
    private static func normalize(_ directory: String) -> String {
        let parts = directory.split(separator: "/").filter { $0 != "." && !$0.isEmpty }
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }

    /// The `module` path of the go.mod in repository-relative `directory`.
    private static func modulePath(in root: URL, directory: String) throws -> String {
        let url = (directory == "." ? root : root.appendingPathComponent(directory)).appendingPathComponent("go.mod")
        let text = try readText(url)
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = String(rawLine)
            if let comment = line.range(of: "//") { line = String(line[..<comment.lowerBound]) }
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            if fields.count >= 2, fields[0] == "module" { return unquote(fields[1]) }
        }
        throw GoListFailure.unreadable(path: url.path, detail: "no module directive")
    }
}
