// gocache.yaml: per-repository build settings and target selection.

import Yams

/// Settings one layer of gocache.yaml sets (`defaults:` or one entry of `overrides:`); nil
/// (or an empty map/list) leaves the value of the layers below.
public struct ConfiguredSettings: Hashable, Sendable {
    public var goos: String?
    public var goarch: String?
    /// Architecture levels by variable (`GOAMD64` → `v3`); each applies when GOARCH is its architecture.
    public var archLevels: [String: String]
    public var cgoEnabled: Bool?
    public var tags: [String]?
    public var ldflags: String?
    public var gcflags: String?
    public var trimpath: Bool?
    public var buildvcs: Bool?
    public var goexperiment: String?
    public var gofips140: String?
    public var cc: String?
    public var cgoFlags: [String: String]
    /// Added to the extra inputs of the layers below.
    public var extraInputs: [String]

    public init() {
        archLevels = [:]
        cgoFlags = [:]
        extraInputs = []
    }
}

/// One `overrides:` entry: settings for the targets matching any of its globs.
public struct TargetOverride: Hashable, Sendable {
    public var match: [String]
    public var settings: ConfiguredSettings

    public init(match: [String], settings: ConfiguredSettings) {
        self.match = match
        self.settings = settings
    }
}

/// An error in gocache.yaml, at a 1-based line and column (0 when unknown).
public struct GocacheConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }

    /// What to do about it.
    public var help: String { "fix \(file); its keys are listed in gocache's README (gocache.yaml)" }
}

/// The repository's gocache.yaml.
///
/// Schema (every key optional; unknown keys are errors):
///
/// ```yaml
/// # Settings for every target, over the built-in Lambda defaults
/// # (linux/amd64, GOAMD64=v1, cgo off, -trimpath, -buildvcs=false, -ldflags="-s -w", no tags).
/// defaults:
///   goarch: arm64
///   tags: [lambda.norpc]          # or "lambda.norpc,netgo", as `go build -tags` takes them
/// # Which `package main` directories are targets (default: all). Globs over
/// # repository-relative directories: `*` matches within one path element, `**` any depth.
/// targets:
///   include: ["functions/**", "cmd/*"]
///   exclude: ["functions/legacy-*"]
/// # Per-target settings, applied in file order over `defaults` (the last match wins).
/// overrides:
///   - match: functions/image-*    # a glob or a list of globs
///     goarch: amd64
///     goamd64: v3
///     cgo: true
///     cc: gcc
///     cgoFlags: {CGO_CFLAGS: "-O2"}
///     ldflags: "-s -w -X main.mode=prod"
///     gcflags: ""
///     trimpath: true
///     buildvcs: false
///     goexperiment: ""
///     gofips140: latest
///     extraInputs: [functions/image-resize/models/*.onnx]
/// # Files every target's key includes (paths or globs, repository-relative).
/// extraInputs: [config/shared.json]
/// ```
///
/// A settings layer takes: `goos`, `goarch`, the level variables `goamd64`, `goarm64`,
/// `goarm`, `go386`, `gomips`, `gomips64`, `goppc64`, `goriscv64` (each applies when GOARCH
/// is its architecture), `cgo`, `tags`, `ldflags`, `gcflags`, `trimpath`, `buildvcs`,
/// `goexperiment`, `gofips140`, `cc`, `cgoFlags` (CGO_CFLAGS, CGO_CPPFLAGS, CGO_CXXFLAGS,
/// CGO_FFLAGS, CGO_LDFLAGS) and `extraInputs` (added to those of lower layers).
public struct GocacheConfig: Hashable, Sendable {
    /// The file's name at the repository root.
    public static let fileName = "gocache.yaml"

    public var defaults: ConfiguredSettings
    public var include: [String]
    public var exclude: [String]
    public var overrides: [TargetOverride]
    public var extraInputs: [String]

    public init(
        defaults: ConfiguredSettings = ConfiguredSettings(), include: [String] = [], exclude: [String] = [],
        overrides: [TargetOverride] = [], extraInputs: [String] = []
    ) {
        self.defaults = defaults
        self.include = include
        self.exclude = exclude
        self.overrides = overrides
        self.extraInputs = extraInputs
    }

    /// Parses gocache.yaml bytes; `file` names the file in errors.
    public static func parse(_ bytes: [UInt8], file: String) throws(GocacheConfigError) -> GocacheConfig {
        var reader = ConfigReader(file: file)
        return try reader.read(bytes)
    }

    /// Reads gocache.yaml at the root of `tree`; an absent file is the empty configuration.
    public static func load(from tree: any FileTree) throws(GocacheConfigError) -> GocacheConfig {
        let entries: [FileTreeEntry]?
        do { entries = try tree.entries(in: "") } catch {
            throw GocacheConfigError(file: fileName, line: 0, column: 0, message: "cannot read: \(error)")
        }
        guard let entry = entries?.first(where: { $0.name == fileName }) else { return GocacheConfig() }
        // A directory (or a submodule) by that name is no configuration gocache could read.
        guard entry.kind == .file || entry.kind == .symlink else {
            throw GocacheConfigError(file: fileName, line: 0, column: 0, message: "is a directory, not a YAML file")
        }
        let bytes: [UInt8]
        do { bytes = try tree.contents(of: fileName) } catch {
            throw GocacheConfigError(file: fileName, line: 0, column: 0, message: "cannot read: \(error)")
        }
        return try parse(bytes, file: fileName)
    }

    /// Whether the repository-relative directory `dir` (a `package main` directory) is a
    /// target: it matches an `include` glob (or there are none) and no `exclude` glob.
    public func isTarget(_ dir: String) -> Bool {
        (include.isEmpty || include.contains { Glob.matches($0, dir) }) && !exclude.contains { Glob.matches($0, dir) }
    }

    /// The resolved settings of the target at `dir`: built-in Lambda defaults, then
    /// `defaults:`, then each matching `overrides:` entry in file order, then `overrides`
    /// (the command-line flags). Cgo-only settings (CC, CGO_* flags) are dropped when cgo
    /// is off; extra inputs are the union of all layers, sorted.
    public func settings(forTarget dir: String, overrides flags: SettingsOverrides) -> BuildSettings {
        resolve(dir: dir, flags: flags)
    }

    /// The settings of a package that is not a target: built-in defaults, `defaults:` and
    /// the flags, without any per-target override.
    public func defaultSettings(overrides flags: SettingsOverrides) -> BuildSettings {
        resolve(dir: nil, flags: flags)
    }

    private func resolve(dir: String?, flags: SettingsOverrides) -> BuildSettings {
        var s = BuildSettings.lambdaDefaults
        var levels: [String: String] = [:]
        var extra = extraInputs
        func apply(_ layer: ConfiguredSettings) {
            if let v = layer.goos { s.goos = v }
            if let v = layer.goarch { s.goarch = v }
            levels.merge(layer.archLevels) { $1 }
            if let v = layer.cgoEnabled { s.cgoEnabled = v }
            if let v = layer.tags { s.tags = v }
            if let v = layer.ldflags { s.ldflags = v }
            if let v = layer.gcflags { s.gcflags = v }
            if let v = layer.trimpath { s.trimpath = v }
            if let v = layer.buildvcs { s.buildvcs = v }
            if let v = layer.goexperiment { s.goexperiment = v.isEmpty ? nil : v }
            if let v = layer.gofips140 { s.gofips140 = v.isEmpty ? nil : v }
            if let v = layer.cc { s.cc = v.isEmpty ? nil : v }
            s.cgoFlags.merge(layer.cgoFlags) { $1 }
            extra += layer.extraInputs
        }
        apply(defaults)
        if let dir {
            for o in overrides where o.match.contains(where: { Glob.matches($0, dir) }) { apply(o.settings) }
        }
        if let v = flags.goos { s.goos = v }
        if let v = flags.goarch { s.goarch = v }
        if let v = flags.cgoEnabled { s.cgoEnabled = v }
        if let v = flags.tags { s.tags = v }
        if let v = flags.ldflags { s.ldflags = v }
        if let v = flags.gcflags { s.gcflags = v }
        if let v = flags.trimpath { s.trimpath = v }
        if let v = flags.buildvcs { s.buildvcs = v }
        let variable = BuildSettings.archLevelVariable(goarch: s.goarch)
        if let variable {
            s.goarchLevel = flags.goarchLevel ?? levels[variable] ?? BuildSettings.defaultArchLevel(goarch: s.goarch)
        } else {
            s.goarchLevel = nil
        }
        if !s.cgoEnabled {
            s.cc = nil
            s.cgoFlags = [:]
        }
        s.cgoFlags = s.cgoFlags.filter { !$0.value.isEmpty }
        s.extraInputs = Array(Set(extra)).sorted()
        return s
    }
}

/// Globs over repository-relative paths: `*` and `?` within one element, `**` any number of
/// elements (including none), everything else literal.
enum Glob {
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let p = pattern.split(separator: "/", omittingEmptySubsequences: true)
        let s = path.split(separator: "/", omittingEmptySubsequences: true)
        return match(p[...], s[...])
    }

    private static func match(_ p: ArraySlice<Substring>, _ s: ArraySlice<Substring>) -> Bool {
        guard let first = p.first else { return s.isEmpty }
        if first == "**" {
            var rest = s
            while true {
                if match(p.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let element = s.first, matchElement(Array(first.unicodeScalars)[...], Array(element.unicodeScalars)[...])
        else { return false }
        return match(p.dropFirst(), s.dropFirst())
    }

    private static func matchElement(_ p: ArraySlice<Unicode.Scalar>, _ s: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let c = p.first else { return s.isEmpty }
        switch c {
        case "*":
            var rest = s
            while true {
                if matchElement(p.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case "?":
            return !s.isEmpty && matchElement(p.dropFirst(), s.dropFirst())
        default:
            return s.first == c && matchElement(p.dropFirst(), s.dropFirst())
        }
    }

    /// Whether `pattern` is a well-formed glob (no empty `**` mix like `a**`).
    static func problem(_ pattern: String) -> String? {
        if pattern.isEmpty { return "empty glob" }
        if pattern.hasPrefix("/") { return "glob \(goQuote(pattern)) must be relative to the repository root" }
        if pattern.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) {
            return "glob \(goQuote(pattern)) must name paths inside the repository, without . or .. elements"
        }
        for element in pattern.split(separator: "/") where element.contains("**") && element != "**" {
            return "glob \(goQuote(pattern)): `**` must be a whole path element"
        }
        return nil
    }
}

private struct ConfigReader {
    let file: String

    static let topKeys = ["defaults", "targets", "overrides", "extraInputs"]
    static let targetKeys = ["include", "exclude"]
    static let levelKeys: [String: String] = [
        "goamd64": "GOAMD64", "goarm64": "GOARM64", "goarm": "GOARM", "go386": "GO386", "gomips": "GOMIPS",
        "gomips64": "GOMIPS64", "goppc64": "GOPPC64", "goriscv64": "GORISCV64",
    ]
    static let layerKeys =
        [
            "goos", "goarch", "cgo", "tags", "ldflags", "gcflags", "trimpath", "buildvcs", "goexperiment", "gofips140",
            "cc", "cgoFlags", "extraInputs",
        ] + levelKeys.keys.sorted()

    func error(_ node: Node?, _ message: String) -> GocacheConfigError {
        GocacheConfigError(file: file, line: node?.mark?.line ?? 0, column: node?.mark?.column ?? 0, message: message)
    }

    mutating func read(_ bytes: [UInt8]) throws(GocacheConfigError) -> GocacheConfig {
        let text = String(decoding: bytes, as: UTF8.self)
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch let e as YamlError {
            throw yamlError(e)
        } catch {
            throw GocacheConfigError(file: file, line: 0, column: 0, message: "\(error)")
        }
        var config = GocacheConfig()
        guard let root, !isNull(root) else { return config }
        for (key, value) in try mapping(root, what: "the top level", allowed: Self.topKeys) {
            switch key {
            case "defaults": config.defaults = try layer(value, allowMatch: false).1
            case "targets":
                for (k, v) in try mapping(value, what: "targets", allowed: Self.targetKeys) {
                    let globs = try globList(v, key: k)
                    if k == "include" { config.include = globs } else { config.exclude = globs }
                }
            case "overrides":
                guard case .sequence(let seq) = value else {
                    throw error(value, "overrides must be a list of {match: ..., <settings>} entries")
                }
                for entry in seq {
                    let (match, settings) = try layer(entry, allowMatch: true)
                    config.overrides.append(TargetOverride(match: match, settings: settings))
                }
            default: config.extraInputs = try globList(value, key: key)
            }
        }
        return config
    }

    func yamlError(_ e: YamlError) -> GocacheConfigError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return GocacheConfigError(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return GocacheConfigError(
                file: file, line: context.mark.line, column: context.mark.column,
                message: "duplicate key \(duplicates.joined(separator: ", "))")
        default:
            return GocacheConfigError(file: file, line: 0, column: 0, message: "invalid YAML: \(e)")
        }
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let s) = node else { return false }
        return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
    }

    func mapping(_ node: Node, what: String, allowed: [String]) throws(GocacheConfigError) -> [(String, Node)] {
        if isNull(node) { return [] }
        guard case .mapping(let m) = node else { throw error(node, "\(what) must be a mapping") }
        var out: [(String, Node)] = []
        for (k, v) in m {
            guard case .scalar(let s) = k else { throw error(k, "keys must be plain strings") }
            guard allowed.contains(s.string) else {
                var message = "unknown key \(goQuote(s.string)) in \(what)"
                if let near = didYouMean(s.string, allowed) { message += " (did you mean \(goQuote(near))?)" }
                throw error(k, message)
            }
            out.append((s.string, v))
        }
        return out
    }

    func scalar(_ node: Node, key: String) throws(GocacheConfigError) -> String {
        guard case .scalar(let s) = node else { throw error(node, "\(key) must be a string") }
        return isNull(node) ? "" : s.string
    }

    func bool(_ node: Node, key: String) throws(GocacheConfigError) -> Bool {
        guard case .scalar(let s) = node else { throw error(node, "\(key) must be true or false") }
        switch s.string {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error(node, "\(key) must be true or false, not \(goQuote(s.string))")
        }
    }

    func stringList(_ node: Node, key: String) throws(GocacheConfigError) -> [String] {
        switch node {
        case .scalar: return [try scalar(node, key: key)].filter { !$0.isEmpty }
        case .sequence(let seq):
            var out: [String] = []
            for item in seq { out.append(try scalar(item, key: key)) }
            return out
        default: throw error(node, "\(key) must be a string or a list of strings")
        }
    }

    func globList(_ node: Node, key: String) throws(GocacheConfigError) -> [String] {
        let globs = try stringList(node, key: key)
        for g in globs {
            if let problem = Glob.problem(g) { throw error(node, problem) }
        }
        return globs
    }

    func layer(_ node: Node, allowMatch: Bool) throws(GocacheConfigError) -> ([String], ConfiguredSettings) {
        let what = allowMatch ? "an overrides entry" : "defaults"
        var s = ConfiguredSettings()
        var match: [String]?
        for (key, value) in try mapping(node, what: what, allowed: Self.layerKeys + (allowMatch ? ["match"] : [])) {
            switch key {
            case "match": match = try globList(value, key: key)
            case "goos": s.goos = try nonEmpty(value, key: key)
            case "goarch": s.goarch = try nonEmpty(value, key: key)
            case "cgo": s.cgoEnabled = try bool(value, key: key)
            case "trimpath": s.trimpath = try bool(value, key: key)
            case "buildvcs": s.buildvcs = try bool(value, key: key)
            case "tags":
                if case .scalar = value {
                    s.tags = SettingsOverrides.parseTags(try scalar(value, key: key))
                } else {
                    // Each element as the go command's -tags reads it: "a,b" or "a b" is two tags.
                    s.tags = try stringList(value, key: key).flatMap { SettingsOverrides.parseTags($0) }
                }
            case "ldflags": s.ldflags = try scalar(value, key: key)
            case "gcflags": s.gcflags = try scalar(value, key: key)
            case "goexperiment": s.goexperiment = try scalar(value, key: key)
            case "gofips140": s.gofips140 = try scalar(value, key: key)
            case "cc": s.cc = try scalar(value, key: key)
            case "extraInputs": s.extraInputs = try globList(value, key: key)
            case "cgoFlags":
                for (name, v) in try mapping(value, what: "cgoFlags", allowed: BuildSettings.cgoFlagNames.sorted()) {
                    s.cgoFlags[name] = try scalar(v, key: name)
                }
            default:
                guard let variable = Self.levelKeys[key] else { continue }
                let level = try scalar(value, key: key)
                guard BuildSettings.isValidArchLevel(level, variable: variable) else {
                    throw error(value, "invalid \(variable) \(goQuote(level))")
                }
                s.archLevels[variable] = level
            }
        }
        if allowMatch {
            guard let match, !match.isEmpty else { throw error(node, "an overrides entry needs `match:` (a glob or a list of globs)") }
            return (match, s)
        }
        return ([], s)
    }

    func nonEmpty(_ node: Node, key: String) throws(GocacheConfigError) -> String {
        let v = try scalar(node, key: key)
        guard !v.isEmpty, v.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw error(node, "\(key) must be a name like linux or arm64, not \(goQuote(v))")
        }
        return v
    }
}

/// The allowed word closest to `word` when it is close enough to be a likely typo.
func didYouMean(_ word: String, _ candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var prev = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return a.isEmpty ? b.count : prev[b.count]
    }
    let lower = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(lower, Array($0.lowercased()))) }
    guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
    return best.1 <= max(2, word.count / 3) ? best.0 : nil
}
