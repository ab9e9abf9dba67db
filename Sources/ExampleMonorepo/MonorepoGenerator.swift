public import Foundation

/// Builds example monorepos: a pure `tree(for:)` and `writeRepository(_:at:)`, which
/// writes the tree and a history of typical commits into a new git repository.
public enum MonorepoGenerator {
    /// The tree the spec describes. Pure and deterministic: equal specs give equal bytes.
    ///
    /// - Complexity: O(packages × filesPerPackage + import edges).
    public static func tree(for spec: MonorepoSpec) -> GeneratedTree {
        var builder = TreeBuilder(spec: spec)
        builder.build()
        return GeneratedTree(files: builder.files)
    }

    /// The kinds of history commits `writeRepository` makes, in order (then repeated).
    public static let historyKinds: [MonorepoEdit] = [
        .editFunction, .editSharedPackage, .addTarget, .deleteTarget, .bumpGoVersion,
        .changeEmbeddedAsset, .testOnlyChange, .renameFile,
    ]

    /// The author and committer date of commit `index` (0 is the initial commit).
    public static func commitDate(index: Int) -> Date {
        Date(timeIntervalSince1970: 1_700_000_000 + Double(index) * 3_600)
    }

    /// The trees of the history: the initial tree, then one per history commit, with the
    /// commit message and kind of each. Pure and deterministic.
    public static func history(for spec: MonorepoSpec) -> [GeneratedHistoryStep] {
        var current = tree(for: spec)
        var result = [
            GeneratedHistoryStep(
                tree: current, message: "Initial import of the generated monorepo (seed \(spec.seed))", kind: nil)
        ]
        for index in 0..<max(0, spec.historyCommits) {
            let preferred = historyKinds[index % historyKinds.count]
            let seed = SplitMix64.derive(spec.seed, "history-\(index)")
            for kind in [preferred, .editFileBody] {
                if let (next, description) = MonorepoMutator.apply(kind, to: current, spec: spec, seed: seed) {
                    current = next
                    result.append(GeneratedHistoryStep(tree: next, message: "\(kind.rawValue): \(description)", kind: kind))
                    break
                }
            }
        }
        return result
    }

    /// Creates a git repository at `path` (a missing or empty directory) holding the
    /// spec's tree as its first commit, followed by `spec.historyCommits` commits made by
    /// `MonorepoMutator`. Authors, committers and dates are fixed, so the commit ids are
    /// the same on every machine.
    public static func writeRepository(_ spec: MonorepoSpec, at path: String) throws -> GeneratedRepository {
        let writer = try GitWriter.create(at: path)
        var commits: [GeneratedCommit] = []
        var last = GeneratedTree(files: [:])
        for (index, step) in history(for: spec).enumerated() {
            let id = try writer.commitAll(tree: step.tree, message: step.message, date: commitDate(index: index))
            commits.append(GeneratedCommit(id: id, message: step.message, kind: step.kind))
            last = step.tree
        }
        return GeneratedRepository(path: path, commits: commits, spec: spec, tree: last)
    }
}

/// One step of a generated history: the tree of a commit, its message and the edit that
/// made it (`nil` for the initial import).
public struct GeneratedHistoryStep: Hashable, Sendable {
    /// The commit's whole tree.
    public var tree: GeneratedTree
    /// The commit message (`<edit>: <description>`).
    public var message: String
    /// The edit that made the commit; `nil` for the initial import.
    public var kind: MonorepoEdit?
}

/// A repository written by `MonorepoGenerator.writeRepository`.
public struct GeneratedRepository: Hashable, Sendable {
    /// The repository's working-tree directory.
    public var path: String
    /// Its commits, oldest first (the first is the initial import).
    public var commits: [GeneratedCommit]
    /// The spec the repository was generated from.
    public var spec: MonorepoSpec
    /// The tree of the last commit (also the working tree).
    public var tree: GeneratedTree
    /// The id of the last commit.
    public var head: String? { commits.last?.id }
}

/// One commit of a generated history.
public struct GeneratedCommit: Hashable, Sendable, Codable {
    /// The full commit id (hex).
    public var id: String
    /// The commit message (`<edit>: <description>`).
    public var message: String
    /// The edit that made the commit; `nil` for the initial import.
    public var kind: MonorepoEdit?
}

/// Fixed names the generator draws from.
enum Vocabulary {
    static let areas = [
        "auth", "billing", "catalog", "events", "inventory", "messaging", "orders", "payments",
        "search", "shipping", "storage", "users", "metrics", "notify", "pricing", "reports",
    ]
    static let nouns = [
        "ledger", "token", "cache", "queue", "router", "codec", "mapper", "client", "store",
        "index", "policy", "session", "ticket", "schema", "bucket", "stream", "batch", "filter",
        "signer", "limit", "retry", "audit", "quota", "cursor",
    ]
    static let verbs = [
        "create", "get", "list", "update", "delete", "sync", "process", "export", "import",
        "notify", "validate", "archive", "resize", "publish", "refund", "reconcile",
    ]
    static let things = [
        "order", "invoice", "user", "report", "payment", "image", "shipment", "coupon", "webhook",
        "session", "receipt", "product", "review", "cart", "subscription", "refund", "ticket",
        "message", "upload", "backup", "alert", "token", "profile", "address",
    ]
    static let tools = ["migrate", "seed-data", "lint-config", "gen-docs"]
}

/// Well-known directories and module paths of a generated tree.
struct Layout {
    let spec: MonorepoSpec
    var root: String { spec.modulePath }
    var testutilDir: String { "internal/testutil" }
    var sysinfoDir: String { "internal/platform/sysinfo" }
    var checksumDir: String { "internal/native/checksum" }
    var assetsDir: String { "internal/assets" }
    var nestedDir: String { "modules/geo" }
    var nestedGoVersion: String { "1.22" }
    var strutilVersion: String { "v1.2.0" }
    var strutilGoVersion: String { "1.21" }
    func importPath(_ dir: String) -> String { "\(root)/\(dir)" }
    var nestedModulePath: String { importPath(nestedDir) }
    var regionPath: String { importPath("\(nestedDir)/region") }
    var distancePath: String { importPath("\(nestedDir)/distance") }
}

struct TreeBuilder {
    let spec: MonorepoSpec
    let layout: Layout
    var rng: SplitMix64
    var files: [String: [UInt8]] = [:]

    init(spec: MonorepoSpec) {
        self.spec = spec
        layout = Layout(spec: spec)
        rng = SplitMix64(seed: spec.seed)
    }

    mutating func put(_ path: String, _ text: String) { files[path] = Array(text.utf8) }

    struct Shared {
        var dir: String
        var name: String
        var level: Int
        var imports: [Int] = []
    }

    mutating func build() {
        let shared = planShared()
        let specials = writeSpecials()
        for package in shared { writeShared(package, all: shared) }
        let functions = planNames(count: max(0, spec.targets))
        let top = shared.indices.filter { shared[$0].level == (shared.map(\.level).max() ?? 0) }
        var requiresNested: [String] = []
        for (index, name) in functions.enumerated() {
            let dir = "functions/\(name)"
            var local = pickShared(shared, preferring: top, count: rng.inRange(1...3))
            if spec.platformFiles, index % 2 == 0 { local.append(layout.importPath(layout.sysinfoDir)) }
            if spec.cgo, index % 3 == 1 { local.append(layout.importPath(layout.checksumDir)) }
            if spec.embeds, index % 4 == 2 { local.append(layout.importPath(layout.assetsDir)) }
            let usesNested = spec.nestedModule && index % 5 == 3
            if usesNested { local.append(layout.regionPath) }
            if spec.vendorsModules, spec.layout == .singleModule, index == 0 { local.append(GoSource.strutilModule) }
            put("\(dir)/main.go", GoSource.command(name: name, kind: "Lambda-style function", local: local.sorted()))
            writeParts(dir: dir, package: "main")
            if index % 3 == 0 {
                put("\(dir)/main_test.go", GoSource.commandTest(name: name, testutil: layout.importPath(layout.testutilDir)))
            }
            if spec.embeds, index % 4 == 1 {
                put("\(dir)/embed.go", GoSource.functionEmbed)
                put("\(dir)/config.json", "{\n  \"function\": \"\(name)\",\n  \"memoryMB\": \(128 << rng.below(4))\n}\n")
            }
            if spec.layout != .singleModule {
                put("\(dir)/go.mod", functionGoMod(name: name, usesNested: usesNested))
            }
            if usesNested { requiresNested.append(dir) }
        }
        for (index, tool) in Vocabulary.tools.prefix(2).enumerated() {
            let dir = "cmd/\(tool)"
            var local = pickShared(shared, preferring: [], count: 2)
            if index == 0 { local += specials }
            if index == 0, spec.nestedModule { local.append(layout.regionPath) }
            if index == 1, spec.vendorsModules { local.append(GoSource.strutilModule) }
            put("\(dir)/main.go", GoSource.command(name: tool, kind: "repository tool", local: Array(Set(local)).sorted()))
            writeParts(dir: dir, package: "main")
        }
        writeModules()
        put(
            "README.md",
            "# Example monorepo\n\nGenerated by gocache's ExampleMonorepo (seed \(spec.seed)): "
                + "\(spec.targets) functions under functions/, shared packages under internal/ and pkg/.\n")
    }

    /// Names and the acyclic import DAG of the shared packages: package `j` is on level
    /// `j * depth / count` and imports only packages of lower levels (one of them on the
    /// level just below), so the longest import chain has `depth` packages.
    mutating func planShared() -> [Shared] {
        let count = max(0, spec.sharedPackages)
        let depth = max(1, spec.depth)
        var result: [Shared] = []
        for index in 0..<count {
            let noun = rng.pick(Vocabulary.nouns) ?? "pkg"
            let area = rng.pick(Vocabulary.areas) ?? "core"
            let prefix = rng.chance(1, in: 4) ? "pkg" : "internal"
            let name = "\(noun)\(index)"
            result.append(Shared(dir: "\(prefix)/\(area)/\(name)", name: name, level: index * depth / max(count, 1)))
        }
        var firstOfLevel: [Int: Int] = [:]
        for (index, package) in result.enumerated() where firstOfLevel[package.level] == nil {
            firstOfLevel[package.level] = index
        }
        for index in result.indices where result[index].level > 0 {
            let level = result[index].level
            let below = firstOfLevel[level - 1] ?? 0
            let levelStart = firstOfLevel[level] ?? index
            var imports: Set<Int> = [below + rng.below(levelStart - below)]
            for _ in 0..<rng.below(3) { imports.insert(rng.below(levelStart)) }
            result[index].imports = imports.sorted()
        }
        return result
    }

    mutating func pickShared(_ shared: [Shared], preferring top: [Int], count: Int) -> [String] {
        guard !shared.isEmpty else { return [] }
        var chosen: Set<Int> = []
        if let first = rng.pick(top) { chosen.insert(first) }
        while chosen.count < min(count, shared.count) {
            chosen.insert(rng.below(shared.count))
        }
        return chosen.sorted().map { layout.importPath(shared[$0].dir) }
    }

    mutating func planNames(count: Int) -> [String] {
        var taken: Set<String> = []
        var names: [String] = []
        for index in 0..<count {
            var name = "\(rng.pick(Vocabulary.verbs) ?? "run")-\(rng.pick(Vocabulary.things) ?? "job")"
            if taken.contains(name) { name += "-\(index)" }
            taken.insert(name)
            names.append(name)
        }
        return names
    }

    mutating func writeParts(dir: String, package: String) {
        for part in 1..<max(1, spec.filesPerPackage) {
            put("\(dir)/part\(part).go", GoSource.part(package: package, index: part, value: rng.next()))
        }
    }

    mutating func writeShared(_ package: Shared, all: [Shared]) {
        let area = package.dir.split(separator: "/").dropFirst().first.map(String.init) ?? ""
        let local = package.imports.map { layout.importPath(all[$0].dir) }.sorted()
        put(
            "\(package.dir)/\(package.name).go",
            GoSource.library(name: package.name, doc: "is generated shared code (area \(area)).", local: local))
        writeParts(dir: package.dir, package: package.name)
        if rng.chance(1, in: 3) {
            put(
                "\(package.dir)/\(package.name)_test.go",
                GoSource.libraryTest(package: package.name, testutil: layout.importPath(layout.testutilDir)))
        }
    }

    /// The feature packages (test helper, platform files, cgo, embeds); returns the import
    /// paths of the importable ones.
    mutating func writeSpecials() -> [String] {
        var imports: [String] = []
        put("\(layout.testutilDir)/testutil.go", GoSource.testutil)
        if spec.platformFiles {
            let dir = layout.sysinfoDir
            put(
                "\(dir)/sysinfo.go",
                GoSource.library(
                    name: "sysinfo", doc: "reports values chosen by platform-specific files.", local: [],
                    extraParts: ["platformName()", "archName()", "featureName()"]))
            put("\(dir)/sysinfo_linux.go", GoSource.constrained(nil, package: "sysinfo", function: "platformName", value: "linux"))
            put("\(dir)/sysinfo_windows.go", GoSource.constrained(nil, package: "sysinfo", function: "platformName", value: "windows"))
            put(
                "\(dir)/sysinfo_other.go",
                GoSource.constrained("!linux && !windows", package: "sysinfo", function: "platformName", value: "other"))
            put("\(dir)/arch_arm64.go", GoSource.constrained(nil, package: "sysinfo", function: "archName", value: "arm64"))
            put("\(dir)/arch_other.go", GoSource.constrained("!arm64", package: "sysinfo", function: "archName", value: "other"))
            put(
                "\(dir)/feature_on.go",
                GoSource.constrained("gocache_feature", package: "sysinfo", function: "featureName", value: "feature-on"))
            put(
                "\(dir)/feature_off.go",
                GoSource.constrained("!gocache_feature", package: "sysinfo", function: "featureName", value: "feature-off"))
            imports.append(layout.importPath(dir))
        }
        if spec.cgo {
            let dir = layout.checksumDir
            put(
                "\(dir)/checksum.go",
                GoSource.library(
                    name: "checksum", doc: "checksums bytes in C when cgo is enabled, in Go otherwise.",
                    std: ["strconv"], local: [], extraParts: ["strconv.FormatUint(uint64(sum(\"gocache\")), 16)"]))
            put("\(dir)/checksum_cgo.go", GoSource.checksumCgo)
            put("\(dir)/checksum_nocgo.go", GoSource.checksumPureGo)
            put("\(dir)/checksum.c", GoSource.checksumC)
            imports.append(layout.importPath(dir))
        }
        if spec.embeds {
            let dir = layout.assetsDir
            put(
                "\(dir)/assets.go",
                GoSource.library(
                    name: "assets", doc: "embeds files in the file, glob, directory and testdata forms.",
                    std: ["embed", "strconv"], local: [], extraParts: ["summary()"],
                    declarations: GoSource.assetsDeclarations))
            let stamp = rng.hex(8)
            put("\(dir)/config.json", "{\n  \"region\": \"eu-west-1\",\n  \"stamp\": \"\(stamp)\"\n}\n")
            put("\(dir)/templates/page.tmpl", "<h1>{{.Title}}</h1>\n")
            put("\(dir)/templates/email.tmpl", "Hello {{.Name}},\n")
            put("\(dir)/static/index.html", "<!doctype html>\n<title>\(stamp)</title>\n")
            put("\(dir)/static/css/site.css", "body { margin: 0; }\n")
            put("\(dir)/testdata/golden.txt", "golden \(stamp)\n")
            imports.append(layout.importPath(dir))
        }
        if spec.nestedModule {
            let dir = layout.nestedDir
            put("\(dir)/go.mod", GoSource.goMod(module: layout.nestedModulePath, go: layout.nestedGoVersion, requires: [], replaces: []))
            put(
                "\(dir)/region/region.go",
                GoSource.library(name: "region", doc: "names regions (nested module).", local: [layout.distancePath]))
            put(
                "\(dir)/distance/distance.go",
                GoSource.library(name: "distance", doc: "measures distances (nested module).", local: []))
        }
        return imports
    }

    func functionGoMod(name: String, usesNested: Bool) -> String {
        let module = layout.importPath("functions/\(name)")
        if spec.layout == .workspace {
            return GoSource.goMod(module: module, go: spec.goVersion, requires: [], replaces: [])
        }
        var requires = [(layout.root, "v0.0.0")]
        var replaces = [(layout.root, "../..")]
        if spec.nestedModule, usesNested {
            requires.append((layout.nestedModulePath, "v0.0.0"))
            replaces.append((layout.nestedModulePath, "../../\(layout.nestedDir)"))
        }
        return GoSource.goMod(module: module, go: spec.goVersion, requires: requires, replaces: replaces)
    }

    mutating func writeModules() {
        var requires: [(String, String)] = []
        var replaces: [(String, String)] = []
        if spec.nestedModule, !spec.usesWorkspace {
            requires.append((layout.nestedModulePath, "v0.0.0"))
            replaces.append((layout.nestedModulePath, "./\(layout.nestedDir)"))
        }
        if spec.vendorsModules {
            requires.append((GoSource.strutilModule, layout.strutilVersion))
            put(
                "vendor/\(GoSource.strutilModule)/strutil.go",
                GoSource.strutil(version: layout.strutilVersion))
            put(
                "vendor/modules.txt",
                "# \(GoSource.strutilModule) \(layout.strutilVersion)\n## explicit; go \(layout.strutilGoVersion)\n\(GoSource.strutilModule)\n")
        }
        put("go.mod", GoSource.goMod(module: layout.root, go: spec.goVersion, requires: requires, replaces: replaces))
        if spec.usesWorkspace {
            let dirs = GeneratedTree(files: files).modules.map(\.dir)
            put("go.work", GoSource.goWork(go: spec.goVersion, moduleDirs: dirs))
        }
        if spec.vendorsModules {
            files = VendorSync.resync(files)
        }
    }
}
