// InputOracle — what goes into each target's binary, computed only from
// `go list -e -deps -json` output and file bytes: the independent definition that impact
// analysis (`affected`) and target keys are checked against.
//
// Responsibilities: per target of a repository on disk, the sorted material lines (settings;
// go.work and local go.mod directives; for every non-standard package of the closure its
// import path, module@version, replacement, module go version, error, and either its input
// files with their SHA-256 or its go.sum hash) and a digest over them.
// Boundaries: runs go list per build unit and per platform; reads gocache.yaml with
// GraphCore's `GocacheConfig` (settings resolution is tested on its own) and expands
// extra-input globs with `FileGlob`; nothing else comes from GraphCore.
// Invariants: two checkouts with the same inputs give equal digests; any change to an input
// changes the digest.
public import Foundation
import GraphCore

/// The inputs of one target as the oracle sees them.
public struct TargetInputDigest: Hashable, Sendable {
    /// Repository-relative directory (`.` for the root).
    public var dir: String
    /// The main package's import path.
    public var importPath: String
    /// The material, one field per line, sorted.
    public var material: [String]
    /// SHA-256 (hex) of the material lines.
    public var digest: String
}

/// Computes `TargetInputDigest`s from go list and file bytes.
public struct InputOracle: Sendable {
    /// The toolchain that runs go list.
    public var toolchain: GoToolchain

    /// An oracle running `toolchain`.
    public init(toolchain: GoToolchain) {
        self.toolchain = toolchain
    }

    /// The inputs of every target of the repository checked out at `root`, by directory.
    /// Targets are the `package main` directories with non-test files matched by a unit's
    /// patterns and selected by gocache.yaml; each is listed for its own resolved platform.
    public func digests(of root: URL) async throws -> [String: TargetInputDigest] {
        let configBytes = FileManager.default.contents(atPath: root.appendingPathComponent("gocache.yaml").path)
        let config = try configBytes.map { try GocacheConfig.parse(Array($0), file: "gocache.yaml") } ?? GocacheConfig()
        let defaults = config.defaultSettings(overrides: SettingsOverrides())
        let oracle = GoListOracle(toolchain: toolchain)
        let location = try RepositoryLocation.discover(from: root.path)
        let disk = Snapshot.worktree(location)
        var hashes: [String: String] = [:]
        func fileLine(_ path: String) -> String {
            if let known = hashes[path] { return "\(path) \(known)" }
            let bytes = FileManager.default.contents(atPath: root.appendingPathComponent(path).path).map(Array.init) ?? []
            let hex = TestSHA256.hex(bytes)
            hashes[path] = hex
            return "\(path) \(hex)"
        }

        var result: [String: TargetInputDigest] = [:]
        for unit in try GoListOracle.buildUnits(in: root) {
            var listings: [GoPlatform: [String: GoListPackage]] = [:]
            func listing(_ platform: GoPlatform) async throws -> [String: GoListPackage] {
                if let cached = listings[platform] { return cached }
                let (raw, _) = try await oracle.list(unit, in: root, platform: platform)
                var byPath: [String: GoListPackage] = [:]
                for package in raw where byPath[package.ImportPath] == nil { byPath[package.ImportPath] = package }
                listings[platform] = byPath
                return byPath
            }
            let defaultPlatform = Self.platform(defaults)
            let base = try await listing(defaultPlatform)
            for package in base.values.sorted(by: { $0.ImportPath < $1.ImportPath }) {
                let matched = !(package.Match ?? []).isEmpty && !(package.DepOnly ?? false)
                guard matched, package.Name == "main", !(package.Standard ?? false),
                    !((package.GoFiles ?? []).isEmpty && (package.CgoFiles ?? []).isEmpty),
                    let dir = package.Dir.flatMap({ Self.relative($0, root: root) })
                else { continue }
                guard config.isTarget(dir) else { continue }
                let settings = config.settings(forTarget: dir, overrides: SettingsOverrides())
                let packages = try await listing(Self.platform(settings))
                guard let main = packages[package.ImportPath] else { continue }
                var material = Self.settingsLines(settings)
                if unit.isWorkspace, let work = Self.text(root, "go.work") {
                    material.append("work " + Self.directives(work))
                }
                var modules: [String: String] = [:]
                for path in [main.ImportPath] + (main.Deps ?? []) {
                    guard let member = packages[path], !(member.Standard ?? false) else { continue }
                    var lines: [String] = []
                    if let module = member.Module {
                        var text = "module=\(module.Path)@\(module.Version ?? "(main)")"
                        if let replace = module.Replace { text += " replace=\(replace.Path)@\(replace.Version ?? "(dir)")" }
                        text += " go=\(module.GoVersion ?? "")"
                        lines.append(text)
                        let moduleDir = (module.Replace?.Dir ?? module.Dir).flatMap { Self.relative($0, root: root) }
                        if let moduleDir, modules[module.Path] == nil,
                            let goMod = Self.text(root, moduleDir == "." ? "go.mod" : moduleDir + "/go.mod")
                        {
                            modules[module.Path] = Self.directives(goMod)
                        }
                    } else {
                        lines.append("module=(none)")
                    }
                    if let error = member.Error?.Err { lines.append("error=\(error)") }
                    if let dir = member.Dir.flatMap({ Self.relative($0, root: root) }) {
                        let prefix = dir == "." ? "" : dir + "/"
                        let names =
                            (member.GoFiles ?? []) + (member.CgoFiles ?? []) + (member.CFiles ?? []) + (member.HFiles ?? [])
                            + (member.SFiles ?? []) + (member.SysoFiles ?? []) + (member.EmbedFiles ?? [])
                        lines += Set(names).sorted().map { "file=" + fileLine(prefix + $0) }
                    } else if let module = member.Module, let version = module.Version {
                        let sumModule = module.Replace?.Path ?? module.Path
                        let sumVersion = module.Replace?.Version ?? version
                        lines.append("sum=\(Self.goSum(root, unit: unit, module: sumModule, version: sumVersion) ?? "missing")")
                    }
                    material += lines.map { "package \(path) \($0)" }
                }
                material += modules.map { "local-module \($0.key) \($0.value)" }
                let pgo = dir == "." ? "default.pgo" : dir + "/default.pgo"
                if FileManager.default.fileExists(atPath: root.appendingPathComponent(pgo).path) {
                    material.append("pgo " + fileLine(pgo))
                }
                var extra = Set<String>()
                for pattern in settings.extraInputs { extra.formUnion(FileGlob.expand(pattern, in: disk)) }
                material += extra.sorted().map { "extra " + fileLine($0) }
                material.sort()
                result[dir] = TargetInputDigest(
                    dir: dir, importPath: main.ImportPath, material: material,
                    digest: TestSHA256.hex(Array(material.joined(separator: "\n").utf8)))
            }
        }
        return result
    }

    /// The oracle's answer for two revisions: directories whose digest differs (`affected`),
    /// that only the head has (`added`) and that only the base has (`removed`), each sorted.
    public static func compare(base: [String: TargetInputDigest], head: [String: TargetInputDigest]) -> (
        affected: [String], added: [String], removed: [String]
    ) {
        let affected = head.keys.filter { base[$0] != nil && base[$0]?.digest != head[$0]?.digest }.sorted()
        let added = head.keys.filter { base[$0] == nil }.sorted()
        let removed = base.keys.filter { head[$0] == nil }.sorted()
        return (affected, added, removed)
    }

    // MARK: Helpers

    static func platform(_ s: BuildSettings) -> GoPlatform {
        GoPlatform(goos: s.goos, goarch: s.goarch, cgoEnabled: s.cgoEnabled, tags: s.tags)
    }

    static func settingsLines(_ s: BuildSettings) -> [String] {
        [
            "setting goos=\(s.goos)", "setting goarch=\(s.goarch)", "setting level=\(s.goarchLevel ?? "")",
            "setting cgo=\(s.cgoEnabled)", "setting tags=\(Set(s.tags).sorted())", "setting gcflags=\(s.gcflags)",
            "setting ldflags=\(s.ldflags)", "setting trimpath=\(s.trimpath)", "setting buildvcs=\(s.buildvcs)",
            "setting goexperiment=\(s.goexperiment ?? "")", "setting gofips140=\(s.gofips140 ?? "")",
            "setting cc=\(s.cgoEnabled ? s.cc ?? "" : "")",
            "setting cgoflags=\(s.cgoEnabled ? s.cgoFlags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } : [])",
        ]
    }

    static func relative(_ absolute: String, root: URL) -> String? {
        for prefix in Set([root.standardizedFileURL.path, root.resolvingSymlinksInPath().path]) {
            if absolute == prefix { return "." }
            if absolute.hasPrefix(prefix + "/") { return String(absolute.dropFirst(prefix.count + 1)) }
        }
        return nil
    }

    static func text(_ root: URL, _ path: String) -> String? {
        FileManager.default.contents(atPath: root.appendingPathComponent(path).path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `go=… toolchain=… godebug=…` of a go.mod or go.work (single-line and block godebug).
    static func directives(_ text: String) -> String {
        var go = ""
        var toolchain = ""
        var godebug: [String] = []
        var inGodebug = false
        for raw in text.split(whereSeparator: \.isNewline) {
            var line = String(raw)
            if let comment = line.range(of: "//") { line = String(line[..<comment.lowerBound]) }
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = fields.first else { continue }
            if inGodebug {
                if first == ")" { inGodebug = false } else { godebug.append(fields.joined()) }
                continue
            }
            switch first {
            case "go" where fields.count >= 2: go = fields[1]
            case "toolchain" where fields.count >= 2: toolchain = fields[1]
            case "godebug":
                if fields.count >= 2, fields[1] == "(" { inGodebug = true } else { godebug.append(fields.dropFirst().joined()) }
            default: break
            }
        }
        return "go=\(go) toolchain=\(toolchain) godebug=\(godebug.joined(separator: ","))"
    }

    static func goSum(_ root: URL, unit: GoBuildUnit, module: String, version: String) -> String? {
        let file = unit.isWorkspace ? "go.work.sum" : (unit.directory == "." ? "go.sum" : unit.directory + "/go.sum")
        var candidates = [file]
        if unit.isWorkspace { candidates += unit.moduleDirectories.map { $0 == "." ? "go.sum" : $0 + "/go.sum" } }
        for candidate in candidates {
            guard let text = text(root, candidate) else { continue }
            for line in text.split(whereSeparator: \.isNewline) {
                let fields = line.split(separator: " ")
                if fields.count == 3, fields[0] == module, fields[1] == version { return String(fields[2]) }
            }
        }
        return nil
    }
}

/// SHA-256 (FIPS 180-4) for test oracles, independent of the code under test.
public enum TestSHA256 {
    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// The digest of `bytes` as 64 lowercase hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        var h: [UInt32] = [
            0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        ]
        var message = bytes
        let bitLength = UInt64(bytes.count) * 8
        message.append(0x80)
        while message.count % 64 != 56 { message.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { message.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift))) }
        var w = [UInt32](repeating: 0, count: 64)
        for chunk in stride(from: 0, to: message.count, by: 64) {
            for i in 0..<16 {
                let j = chunk + i * 4
                w[i] = UInt32(message[j]) << 24 | UInt32(message[j + 1]) << 16 | UInt32(message[j + 2]) << 8 | UInt32(message[j + 3])
            }
            for i in 16..<64 {
                let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
                let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
                w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
            for i in 0..<64 {
                let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                let ch = (e & f) ^ (~e & g)
                let t1 = hh &+ s1 &+ ch &+ k[i] &+ w[i]
                let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                let maj = (a & b) ^ (a & c) ^ (b & c)
                let t2 = s0 &+ maj
                hh = g
                g = f
                f = e
                e = d &+ t1
                d = c
                c = b
                b = a
                a = t1 &+ t2
            }
            h[0] = h[0] &+ a
            h[1] = h[1] &+ b
            h[2] = h[2] &+ c
            h[3] = h[3] &+ d
            h[4] = h[4] &+ e
            h[5] = h[5] &+ f
            h[6] = h[6] &+ g
            h[7] = h[7] &+ hh
        }
        return h.map { word in
            let s = String(word, radix: 16)
            return String(repeating: "0", count: 8 - s.count) + s
        }.joined()
    }

    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}
