import Foundation
public import GraphCore

/// `manifest.json` of an output directory: what one `gocache build` produced.
///
/// Schema (version 1): `{"schemaVersion", "targets": [Target], "totals": Totals,
/// "toolchain": {"version"}, "platform": "goos/goarch"}`; keys sorted.
public struct BuildManifest: Codable, Hashable, Sendable {
    /// The manifest's name in an output directory.
    public static let fileName = "manifest.json"

    /// The version of this document's format.
    public static let currentSchemaVersion = 1

    /// What happened to one target.
    public enum Status: String, Codable, Hashable, Sendable {
        /// Restored from the local or remote store.
        case hit
        /// Compiled in this run.
        case built
        /// Did not compile; nothing was stored for it.
        case failed
        /// Not attempted because `--fail-fast` stopped the build first.
        case skipped
    }

    /// One target's outcome and artifacts (artifact fields are absent unless hit or built).
    public struct Target: Codable, Hashable, Sendable {
        /// Directory relative to the repository root.
        public var dir: String
        /// Output name: `<name>.zip` and `<name>/bootstrap` in the output directory.
        public var name: String
        public var importPath: String
        public var goos: String
        public var goarch: String
        /// The target key (hex).
        public var key: String
        public var status: Status
        /// The zip, relative to the output directory.
        public var zip: String?
        public var binarySha256: String?
        public var zipSha256: String?
        /// base64 of the zip's raw SHA-256, as AWS Lambda reports `CodeSha256`.
        public var codeSha256: String?
        /// Size of the zip in bytes.
        public var bytes: Int64?
        /// Seconds spent on the target in this run (compile share, packaging, store; or restore).
        public var seconds: Double
        /// The compiler's output, for a failed target.
        public var error: String?
    }

    /// Counts over all targets.
    public struct Totals: Codable, Hashable, Sendable {
        public var targets: Int
        public var hits: Int
        public var built: Int
        public var failed: Int
        public var skipped: Int
        /// Wall-clock seconds of the whole build.
        public var seconds: Double
    }

    /// The toolchain that built the misses.
    public struct Toolchain: Codable, Hashable, Sendable {
        /// `go version`, such as `go1.27.3`.
        public var version: String
    }

    public var schemaVersion: Int
    /// Targets sorted by directory.
    public var targets: [Target]
    public var totals: Totals
    public var toolchain: Toolchain
    /// The default platform of the repository (`goos/goarch`); each target carries its own.
    public var platform: String

    /// Creates a document.
    public init(targets: [Target], seconds: Double, toolchainVersion: String, platform: String) {
        self.schemaVersion = Self.currentSchemaVersion
        self.targets = targets.sorted { $0.dir < $1.dir }
        self.totals = Totals(
            targets: targets.count, hits: targets.count { $0.status == .hit }, built: targets.count { $0.status == .built },
            failed: targets.count { $0.status == .failed }, skipped: targets.count { $0.status == .skipped },
            seconds: seconds)
        self.toolchain = Toolchain(version: toolchainVersion)
        self.platform = platform
    }

    /// Pretty JSON with sorted keys and a final newline.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }

    /// Reads a document written by `encoded()`.
    public static func decode(_ bytes: [UInt8]) throws -> BuildManifest {
        try JSONDecoder().decode(BuildManifest.self, from: Data(bytes))
    }
}

/// Output names of targets: the directory's last element, or the whole directory with `/`
/// turned into `-` when two targets would share a name; a root target takes its module's
/// last element.
public enum OutputNames {
    /// Names for every target of `targets` (decided over all of them, so a name does not
    /// depend on which targets one build selects).
    public static func names(for targets: [GoTarget]) -> [String: String] {
        names(dirs: targets.map { (dir: $0.dir, module: $0.module) })
    }

    /// The targets whose name is not the one the rule gives them, because another target
    /// has it (`a/api` → `a-api` beside a directory `a-api`): one sentence each, naming
    /// both. Such a name changes when the other target comes or goes.
    public static func conflicts(for targets: [GoTarget]) -> [(dir: String, message: String)] {
        conflicts(dirs: targets.map { (dir: $0.dir, module: $0.module) })
    }

    static func conflicts(dirs targets: [(dir: String, module: String)]) -> [(dir: String, message: String)] {
        let given = names(dirs: targets)
        let wanted = wantedNames(targets)
        var holders: [String: String] = [:]
        for (dir, name) in given { holders[name] = dir }
        return targets.sorted { $0.dir < $1.dir }.compactMap { target in
            guard let name = given[target.dir], let want = wanted[target.dir], name != want else { return nil }
            let holder = holders[want].map { " (target \($0))" } ?? ""
            return (
                target.dir,
                "\(target.dir) is named \(name): \(want) is taken\(holder); rename a directory to keep names that do not "
                    + "change when targets come and go"
            )
        }
    }

    /// The rule's name per directory: the last element, or the directory with `/` turned
    /// into `-` when another target has the same last element.
    static func wantedNames(_ targets: [(dir: String, module: String)]) -> [String: String] {
        var counts: [String: Int] = [:]
        for target in targets { counts[short(target), default: 0] += 1 }
        var result: [String: String] = [:]
        for target in targets { result[target.dir] = counts[short(target), default: 0] > 1 ? long(target) : short(target) }
        return result
    }

    private static func short(_ target: (dir: String, module: String)) -> String {
        if target.dir == "." { return target.module.split(separator: "/").last.map(String.init) ?? "root" }
        return target.dir.split(separator: "/").last.map(String.init) ?? target.dir
    }

    private static func long(_ target: (dir: String, module: String)) -> String {
        target.dir == "." ? short(target) : target.dir.replacingOccurrences(of: "/", with: "-")
    }

    /// Names for (directory, module path) pairs.
    static func names(dirs targets: [(dir: String, module: String)]) -> [String: String] {
        let wanted = wantedNames(targets)
        var result: [String: String] = [:]
        var used = Set<String>()
        for target in targets.sorted(by: { $0.dir < $1.dir }) {
            // A name holds the output directory `<name>` and the file `<name>.zip`: a candidate
            // is free when neither is taken by another target's outputs or the manifest.
            func taken(_ candidate: String) -> Bool {
                used.contains(candidate) || used.contains(candidate + ".zip") || candidate == BuildManifest.fileName
                    || candidate + ".zip" == BuildManifest.fileName
            }
            var name = wanted[target.dir] ?? long(target)
            if taken(name) { name = long(target) }
            var candidate = name
            var index = 2
            while taken(candidate) {
                candidate = "\(name)-\(index)"
                index += 1
            }
            used.insert(candidate)
            used.insert(candidate + ".zip")
            result[target.dir] = candidate
        }
        return result
    }
}
