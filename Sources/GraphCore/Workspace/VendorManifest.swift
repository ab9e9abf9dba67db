import Foundation

// vendor/modules.txt: cmd/go/internal/modload vendor.go readVendorList.

/// One module of vendor/modules.txt.
public struct VendoredModule: Hashable, Sendable {
    public var path: String
    /// The version, or nil for a wildcard replacement line (`# path => dir`).
    public var version: String?
    /// The replacement recorded after `=>` (a directory when its version is nil).
    public var replacement: GoModuleVersion?
    /// `## explicit`: the module is required by a main module's go.mod.
    public var explicit: Bool
    /// `## go 1.x`: the go version the module declares.
    public var goVersion: String?
    /// Import paths of the packages vendored from the module, in file order.
    public var packages: [String]

    public init(
        path: String, version: String?, replacement: GoModuleVersion? = nil, explicit: Bool = false,
        goVersion: String? = nil, packages: [String] = []
    ) {
        self.path = path
        self.version = version
        self.replacement = replacement
        self.explicit = explicit
        self.goVersion = goVersion
        self.packages = packages
    }
}

/// The parsed vendor/modules.txt. Lines the go command does not understand are ignored,
/// as the go command ignores them.
public struct VendorManifest: Hashable, Sendable {
    /// Modules in order of first appearance (a module listed twice is merged).
    public var modules: [VendoredModule]
    /// The first line is `## workspace`: written by `go work vendor`.
    public var isWorkspace: Bool

    public init(modules: [VendoredModule] = [], isWorkspace: Bool = false) {
        self.modules = modules
        self.isWorkspace = isWorkspace
    }

    /// Parses modules.txt. Lines the go command cannot interpret (a module line with neither
    /// a version nor `=>`, a package line before any module line) are skipped, as the go
    /// command skips them, so a readable file always parses; `file` is kept for callers
    /// that report on it.
    public static func parse(_ bytes: [UInt8], file: String) throws(GoModFileError) -> VendorManifest {
        var manifest = VendorManifest()
        var index: [GoModuleVersion: Int] = [:]
        var current: Int?
        // Lines as the go command splits them (on "\n" alone: a "\r" stays on its line, where
        // it is white space between fields).
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        func starts(_ line: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
            let count = prefix.utf8CodeUnitCount
            guard line.count >= count else { return false }
            return prefix.withUTF8Buffer { p in line.prefix(count).elementsEqual(p) }
        }
        func annotations(_ line: ArraySlice<UInt8>) -> [String] {
            String(decoding: line.dropFirst(3), as: UTF8.self).split(separator: ";", omittingEmptySubsequences: false)
                .map { goTrimmed($0) }
        }
        if let first = lines.first, starts(first, "## ") {
            manifest.isWorkspace = annotations(first).contains("workspace")
        }
        func module(_ key: GoModuleVersion) -> Int {
            if let i = index[key] { return i }
            manifest.modules.append(VendoredModule(path: key.path, version: key.version))
            index[key] = manifest.modules.count - 1
            return manifest.modules.count - 1
        }
        for line in lines {
            if starts(line, "# ") {
                var f = goFields(line)
                current = nil
                guard f.count >= 3 else { continue }
                let key: GoModuleVersion
                if SemVer.isValid(f[2]) {
                    key = GoModuleVersion(path: f[1], version: f[2])
                    f = Array(f.dropFirst(3))
                } else if f[2] == "=>" {
                    key = GoModuleVersion(path: f[1], version: nil)
                    f = Array(f.dropFirst(2))
                } else {
                    continue
                }
                let i = module(key)
                current = i
                if f.count >= 2, f[0] == "=>" {
                    if f.count == 2 {
                        manifest.modules[i].replacement = GoModuleVersion(path: f[1], version: nil)
                    } else if f.count == 3, SemVer.isValid(f[2]) {
                        manifest.modules[i].replacement = GoModuleVersion(path: f[1], version: f[2])
                    }
                }
                continue
            }
            guard let i = current else { continue }
            if starts(line, "## ") {
                for entry in annotations(line) {
                    if entry == "explicit" { manifest.modules[i].explicit = true }
                    if entry.hasPrefix("go ") {
                        manifest.modules[i].goVersion = String(entry.dropFirst(3))
                    }
                }
                continue
            }
            let fields = goFields(line)
            if fields.count == 1, ModulePaths.checkImportPath(fields[0]) == nil {
                manifest.modules[i].packages.append(fields[0])
            }
        }
        return manifest
    }

    /// The module that provides `importPath`, by the package lists.
    public func module(providing importPath: String) -> VendoredModule? {
        modules.first { $0.packages.contains(importPath) }
    }
}
