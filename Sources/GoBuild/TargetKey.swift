public import CacheStore
import Foundation
public import GraphCore

/// A target's key: SHA-256 over everything that goes into its binary, and the material
/// it was computed from (one field per line, sorted) so two machines can diff it.
public struct TargetKey: Hashable, Sendable {
    public var dir: String
    public var importPath: String
    public var key: SHA256Digest
    /// The encoder that produced the key (kept so the material can be shown on demand).
    let encoder: KeyEncoder
    /// What the key was computed from (its files are checked again before a build's
    /// artifact is stored under the key).
    public let inputs: TargetInputs
    /// A digest of the paths and contents of the files the closure's C and assembly sources
    /// include from outside their packages (`TargetInputs.Package.includedFiles`), or nil
    /// when there are none. The go command's build cache does not see those files: a build
    /// passes this digest in flags that enter the go command's action ids and not the binary
    /// (`GoBuildCommand.forcingRecompile`), so an edited header recompiles its packages.
    public internal(set) var includedFilesDigest: String?

    /// The key's input material in readable form (`gocache hash --explain`), one field per
    /// line, sorted. Rendered on demand: most callers only need the key.
    public var material: [String] { encoder.lines }

    public static func == (lhs: TargetKey, rhs: TargetKey) -> Bool {
        lhs.dir == rhs.dir && lhs.importPath == rhs.importPath && lhs.key == rhs.key
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dir)
        hasher.combine(key)
    }
}

/// Errors computing keys.
public enum TargetKeyError: Error, CustomStringConvertible, Sendable {
    case noGraph(target: String)

    public var description: String {
        switch self {
        case .noGraph(let target): return "no package graph holds target \(target)"
        }
    }
}

/// The target-key recipe of DESIGN.md ("The target key"): `TargetInputs` (GraphCore's one
/// definition of what goes into a binary) plus the toolchain version and the SHA-256 of
/// every input file, in the framed encoding of `KeyEncoder`.
public enum TargetKeyRecipe {
    public static let domain = "gocache.target"

    /// Keys of `targets` of a loaded repository. File digests come from `digester`
    /// (memoised, parallel over all input files at once).
    public static func keys(
        for targets: [GoTarget], in repository: GoRepository, tree: any FileTree, goVersion: String,
        digester: FileDigester, cCompiler: ((String?) -> String)? = nil, compiler: ((String) -> String)? = nil,
        pkgConfig: (([String]) -> String)? = nil
    ) async throws -> [TargetKey] {
        var trace = PhaseTrace("keys")
        defer { trace.report() }
        var inputs: [TargetInputs] = []
        let cache = TargetInputs.Cache()
        for target in targets {
            guard var collected = TargetInputs.collect(for: target, in: repository, tree: tree, cache: cache) else {
                throw TargetKeyError.noGraph(target: target.dir)
            }
            // The C compiler compiles cgo code into the binary: its identity is an input.
            if collected.settings.cgoEnabled, let cCompiler { collected.cCompiler = cCompiler(collected.settings.cc) }
            // So do the C++ and Fortran compilers, for a closure with such files (the go
            // command also links with CXX then).
            if collected.settings.cgoEnabled, let compiler {
                for variable in TargetInputs.compilerVariables(of: collected.packages) {
                    collected.compilers[variable] = compiler(variable)
                }
            }
            // And pkg-config's answer for the closure's `#cgo pkg-config:` packages.
            if collected.settings.cgoEnabled, let pkgConfig {
                let arguments = collected.pkgConfigArguments
                if !arguments.isEmpty { collected.pkgConfig = pkgConfig(arguments) }
            }
            inputs.append(collected)
        }
        var files = cache.packageFiles
        for target in inputs {
            files.formUnion(target.extraInputs)
            if let pgo = target.pgo { files.insert(pgo) }
        }
        trace.mark("collect inputs of \(inputs.count) targets")
        let digests = try await digester.digests(of: Array(files))
        trace.mark("digest \(files.count) files")
        digester.save()
        trace.mark("save digest memo")
        var keys = try await encode(inputs, goVersion: goVersion, digests: digests)
        for index in keys.indices {
            keys[index].includedFilesDigest = try includedFilesDigest(of: keys[index].inputs, digests: digests)
        }
        trace.mark("encode and hash keys")
        // Inputs collected from a revision whose blobs are not all present (a partial clone)
        // are not the commit's: no key for them.
        if let snapshot = tree as? Snapshot { try snapshot.checkObjectsPresent() }
        return keys
    }

    /// SHA-256 (hex) over the sorted `path digest` lines of the closure's included files (and
    /// pkg-config's answer), or nil when it has none.
    static func includedFilesDigest(of inputs: TargetInputs, digests: [String: SHA256Digest]) throws -> String? {
        var lines = Set<String>()
        for package in inputs.packages where !package.includedFiles.isEmpty {
            for path in package.includedFiles { lines.insert("\(path) \(digests[path]?.hex ?? "missing")") }
        }
        // pkg-config's answer too: the go command asks it only after its cache lookup, so a
        // changed .pc file would reuse objects compiled with the old flags.
        if let pkgConfig = inputs.pkgConfig { lines.insert("pkg-config " + pkgConfig) }
        guard !lines.isEmpty else { return nil }
        return try SHA256Hasher.hash(Array(lines.sorted().joined(separator: "\n").utf8)).hex
    }

    /// Keys of many targets' inputs, in order, on all cores: contiguous chunks, each with
    /// its own `EntryCache` (a package shared by two chunks is encoded twice, which costs far
    /// less than encoding every key on one core).
    static func encode(_ inputs: [TargetInputs], goVersion: String, digests: [String: SHA256Digest]) async throws
        -> [TargetKey]
    {
        let width = min(ProcessInfo.processInfo.activeProcessorCount, max(1, inputs.count / 64))
        guard width > 1 else {
            var entries = EntryCache()
            return try inputs.map { try key(of: $0, goVersion: goVersion, digests: digests, cache: &entries) }
        }
        let size = (inputs.count + width - 1) / width
        return try await withThrowingTaskGroup(of: (Int, [TargetKey]).self) { group in
            for start in stride(from: 0, to: inputs.count, by: size) {
                let chunk = Array(inputs[start..<min(start + size, inputs.count)])
                group.addTask {
                    var entries = EntryCache()
                    return (start, try chunk.map { try key(of: $0, goVersion: goVersion, digests: digests, cache: &entries) })
                }
            }
            var parts: [(Int, [TargetKey])] = []
            for try await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    /// The key of one target's inputs, given the digest of every input file.
    public static func key(of inputs: TargetInputs, goVersion: String, digests: [String: SHA256Digest]) throws -> TargetKey {
        var cache = EntryCache()
        return try key(of: inputs, goVersion: goVersion, digests: digests, cache: &cache)
    }

    /// Encoded per-package fields, shared by the targets whose closures hold the package:
    /// by package instance (the inputs collected with one `TargetInputs.Cache` share one
    /// instance per package; an equal package in another instance is encoded again, to the
    /// same field). The entry keeps its package alive, so an identifier is never reused.
    struct EntryCache {
        var packages: [ObjectIdentifier: (package: TargetInputs.Package, field: KeyEncoder.Field)] = [:]
        /// The fields of settings, workspace and local-module directives, which most
        /// targets of a repository share.
        var common: [Common: [KeyEncoder.Field]] = [:]
    }

    struct Common: Hashable {
        var settings: BuildSettings
        var cCompiler: String?
        var compilers: [String: String]
        var pkgConfig: String?
        var workspace: TargetInputs.Directives?
        var localModules: [String: TargetInputs.Directives]
    }

    static func key(
        of inputs: TargetInputs, goVersion: String, digests: [String: SHA256Digest], cache: inout EntryCache
    ) throws -> TargetKey {
        var encoder = KeyEncoder(domain: domain, version: KeyFormat.version)
        let common = Common(
            settings: inputs.settings, cCompiler: inputs.cCompiler, compilers: inputs.compilers, pkgConfig: inputs.pkgConfig,
            workspace: inputs.workspace, localModules: inputs.localModules)
        // Fields go in encoding order, so the encoder does not sort each key: the common
        // fields sorted once, merged with the rest (packages come sorted by import path).
        let commonFields: [KeyEncoder.Field]
        if let known = cache.common[common] {
            commonFields = known
        } else {
            var part = KeyEncoder(domain: domain, version: KeyFormat.version)
            part.field("toolchain", goVersion)
            // The artifacts a key names include the Lambda zip: its compressor is an input.
            part.field("packaging", LambdaZip.compressorIdentity)
            addSettings(inputs.settings, to: &part, compilerKnown: inputs.cCompiler != nil)
            if let cCompiler = inputs.cCompiler { part.field("CC.version", cCompiler) }
            for (variable, identity) in inputs.compilers { part.field(variable + ".version", identity) }
            if let pkgConfig = inputs.pkgConfig { part.field("pkg-config", pkgConfig) }
            if let work = inputs.workspace {
                part.field("work.go", work.go)
                part.field("work.toolchain", work.toolchain)
                part.fields("work.godebug", work.godebug)
            }
            for (path, directives) in inputs.localModules {
                part.field("module.go " + path, directives.go)
                part.field("module.toolchain " + path, directives.toolchain)
                part.fields("module.godebug " + path, directives.godebug)
            }
            commonFields = KeyEncoder.encodingOrder(part.fields)
            cache.common[common] = commonFields
        }
        func fileEntry(_ path: String) -> String { "\(path) \(digests[path]?.hex ?? "missing")" }
        var rest: [KeyEncoder.Field] = []
        rest.reserveCapacity(inputs.packages.count + 2)
        // "extra" < "package …" < "pgo": with packages sorted by import path, `rest` is
        // usually in order already (`encodingOrder` checks, and sorts when not).
        rest.append(.list("extra", inputs.extraInputs.map(fileEntry)))
        for package in inputs.packages {
            if let known = cache.packages[ObjectIdentifier(package)] {
                rest.append(known.field)
                continue
            }
            var entries: [String] = []
            if let module = package.module {
                entries.append("module=\(module.path)@\(module.version ?? "(main)")")
                if let replacement = module.replacementPath {
                    entries.append("replace=\(replacement)@\(module.replacementVersion ?? "(dir)")")
                }
                entries.append("go=\(module.goVersion ?? "")")
            } else {
                entries.append("module=(none)")
            }
            if package.module?.version != nil, package.files.isEmpty {
                entries.append("sum=\(package.sum ?? "missing")")
            }
            if let error = package.error { entries.append("error=\(error)") }
            if let outside = package.outside { entries.append("outside=\(outside)") }
            entries += package.files.map { "file=" + fileEntry($0) }
            entries += package.unread.map { "unread=" + $0 }
            let field = try KeyEncoder.Field.digestedList("package " + package.importPath, entries)
            cache.packages[ObjectIdentifier(package)] = (package, field)
            rest.append(field)
        }
        rest.append(.text("pgo", inputs.pgo.map(fileEntry)))
        encoder.append(contentsOf: KeyEncoder.merge(commonFields, KeyEncoder.encodingOrder(rest)))
        return TargetKey(
            dir: inputs.dir, importPath: inputs.importPath, key: try encoder.digest(), encoder: encoder, inputs: inputs)
    }

    /// The resolved settings, every field written (absent ones explicitly).
    /// With `compilerKnown`, the `cc` setting is left to `CC.version` (the identity of the
    /// compiler the build runs, which names its command): `cc: gcc` spelled out where gcc is
    /// the default builds the same binary and has the same key.
    static func addSettings(_ s: BuildSettings, to encoder: inout KeyEncoder, compilerKnown: Bool = false) {
        encoder.field("GOOS", s.goos)
        encoder.field("GOARCH", s.goarch)
        encoder.field("GOARCH.level", s.goarchLevel)
        encoder.field("CGO_ENABLED", s.cgoEnabled)
        if s.cgoEnabled {
            if !compilerKnown { encoder.field("CC", s.cc) }
            encoder.fields("CGO_FLAGS", s.cgoFlags.map { "\($0.key)=\($0.value)" })
        }
        encoder.fields("tags", Array(Set(s.tags)))
        encoder.field("gcflags", s.gcflags)
        encoder.field("ldflags", s.ldflags)
        encoder.field("trimpath", s.trimpath)
        encoder.field("buildvcs", s.buildvcs)
        encoder.field("GOEXPERIMENT", s.goexperiment)
        encoder.field("GOFIPS140", s.gofips140)
    }
}
