import Foundation

/// Keeps `vendor/` consistent the way `go mod vendor` would for the parts this library
/// changes: modules the root `go.mod` replaces by a directory inside the repository are
/// copied (non-test Go, C and assembly files of every package) and listed in
/// `vendor/modules.txt` with `## explicit; go X` and a trailing wildcard-replacement line;
/// other module blocks are kept as they are.
enum VendorSync {
    struct Replacement {
        var module: String
        var dir: String
        var wildcard: Bool
    }

    static func resync(_ files: [String: [UInt8]]) -> [String: [UInt8]] {
        guard let modulesTxt = files["vendor/modules.txt"], let goMod = files["go.mod"] else { return files }
        var files = files
        let goModText = String(decoding: goMod, as: UTF8.self)
        let replacements = localReplacements(in: goModText)
        let required = requirements(in: goModText)
        let replacedModules = Set(replacements.map(\.module))

        // Keep the blocks of modules that are not replaced by a local directory.
        var blocks: [String: String] = [:]
        var current: String?
        for line in String(decoding: modulesTxt, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# ") {
                let fields = line.split(separator: " ")
                let module = fields.count > 1 ? String(fields[1]) : ""
                let isWildcardLine = fields.count > 2 && fields[2] == "=>"
                current = (replacedModules.contains(module) || isWildcardLine) ? nil : module
                if let current { blocks[current, default: ""] += line + "\n" }
            } else if let current {
                blocks[current, default: ""] += line + "\n"
            }
        }
        for replacement in replacements {
            let vendorRoot = "vendor/\(replacement.module)/"
            for path in files.keys where path.hasPrefix(vendorRoot) { files[path] = nil }
            guard let version = required[replacement.module] else { continue }
            var block = "# \(replacement.module) \(version) => ./\(replacement.dir)\n"
            let goVersion = files["\(replacement.dir)/go.mod"].flatMap {
                GoText.directive("go", in: String(decoding: $0, as: UTF8.self))
            }
            block += goVersion.map { "## explicit; go \($0)\n" } ?? "## explicit\n"
            var packages = Set<String>()
            for path in files.keys.sorted() where path.hasPrefix(replacement.dir + "/") {
                let relative = String(path.dropFirst(replacement.dir.count + 1))
                let (dir, name) = GeneratedTree.split(relative)
                let components = dir.split(separator: "/")
                if components.contains(where: { $0 == "testdata" || $0 == "vendor" || $0.hasPrefix("_") || $0.hasPrefix(".") }) {
                    continue
                }
                let source = [".go", ".c", ".h", ".s"].contains { name.hasSuffix($0) } && !name.hasSuffix("_test.go")
                guard source else { continue }
                files[vendorRoot + relative] = files[path]
                if name.hasSuffix(".go") { packages.insert(dir.isEmpty ? replacement.module : "\(replacement.module)/\(dir)") }
            }
            for package in packages.sorted() { block += package + "\n" }
            blocks[replacement.module] = block
        }
        var text = blocks.keys.sorted().compactMap { blocks[$0] }.joined()
        for replacement in replacements where replacement.wildcard {
            text += "# \(replacement.module) => ./\(replacement.dir)\n"
        }
        files["vendor/modules.txt"] = Array(text.utf8)
        return files
    }

    /// `replace` directives of a go.mod whose target is a directory inside the module.
    static func localReplacements(in goMod: String) -> [Replacement] {
        var result: [Replacement] = []
        var inBlock = false
        for raw in goMod.split(separator: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("replace (") { inBlock = true; continue }
            if inBlock, line == ")" { inBlock = false; continue }
            if line.hasPrefix("replace ") { line = String(line.dropFirst("replace ".count)) } else if !inBlock { continue }
            let parts = line.components(separatedBy: "=>")
            guard parts.count == 2 else { continue }
            let old = parts[0].split(separator: " ").map(String.init)
            let new = parts[1].split(separator: " ").map(String.init)
            guard let module = old.first, let target = new.first, target.hasPrefix("./") else { continue }
            result.append(Replacement(module: module, dir: String(target.dropFirst(2)), wildcard: old.count == 1))
        }
        return result
    }

    /// Module path → version of a go.mod's `require` directives.
    static func requirements(in goMod: String) -> [String: String] {
        var result: [String: String] = [:]
        var inBlock = false
        for raw in goMod.split(separator: "\n") {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("require (") { inBlock = true; continue }
            if inBlock, line == ")" { inBlock = false; continue }
            if line.hasPrefix("require ") { line = String(line.dropFirst("require ".count)) } else if !inBlock { continue }
            let fields = line.split(separator: " ").map(String.init)
            if fields.count >= 2 { result[fields[0]] = fields[1] }
        }
        return result
    }
}
