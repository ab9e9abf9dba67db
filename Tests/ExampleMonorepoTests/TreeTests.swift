import Foundation
import Testing

@testable import ExampleMonorepo

/// Import edges between local packages (directories), read from the non-test Go files.
func localImportGraph(_ tree: GeneratedTree, modulePath: String, tests: Bool = false) -> [String: Set<String>] {
    var edges: [String: Set<String>] = [:]
    for path in tree.paths where path.hasSuffix(".go") && !path.hasPrefix("vendor/") {
        if !tests && path.hasSuffix("_test.go") { continue }
        let dir = (path as NSString).deletingLastPathComponent
        for imported in goImports(tree.text(path) ?? "") where imported.hasPrefix(modulePath + "/") {
            edges[dir, default: []].insert(String(imported.dropFirst(modulePath.count + 1)))
        }
    }
    return edges
}

/// The import paths of a Go file (single and grouped forms, blank and named imports).
func goImports(_ source: String) -> [String] {
    var result: [String] = []
    var inBlock = false
    for raw in source.split(separator: "\n") {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.hasPrefix("import (") { inBlock = true; continue }
        if inBlock && line == ")" { inBlock = false; continue }
        var candidate: Substring?
        if inBlock { candidate = Substring(line) } else if line.hasPrefix("import ") { candidate = line.dropFirst(7) }
        guard let candidate, let open = candidate.firstIndex(of: "\""),
            let close = candidate[candidate.index(after: open)...].firstIndex(of: "\"")
        else { continue }
        result.append(String(candidate[candidate.index(after: open)..<close]))
    }
    return result
}

/// The number of packages on the longest import chain starting at `dir` (nil on a cycle).
func longestChain(from dir: String, edges: [String: Set<String>], memo: inout [String: Int], visiting: inout Set<String>) -> Int? {
    if let known = memo[dir] { return known }
    guard visiting.insert(dir).inserted else { return nil }
    var best = 1
    for next in edges[dir, default: []].sorted() {
        guard let length = longestChain(from: next, edges: edges, memo: &memo, visiting: &visiting) else { return nil }
        best = max(best, length + 1)
    }
    visiting.remove(dir)
    memo[dir] = best
    return best
}

func isAcyclic(_ edges: [String: Set<String>]) -> Bool {
    var memo: [String: Int] = [:]
    for dir in edges.keys.sorted() {
        var visiting: Set<String> = []
        if longestChain(from: dir, edges: edges, memo: &memo, visiting: &visiting) == nil { return false }
    }
    return true
}

@Suite("ExampleMonorepo tree")
struct ExampleMonorepoTreeTests {
    @Test func splitMix64MatchesTheReferenceSequence() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.next() == 0x06C4_5D18_8009_454F)
    }

    @Test(arguments: MonorepoSpec.Layout.allCases)
    func sameSeedGivesIdenticalBytesAndDifferentSeedsDiffer(layout: MonorepoSpec.Layout) {
        let first = MonorepoGenerator.tree(for: .small(seed: 7, layout: layout))
        let second = MonorepoGenerator.tree(for: .small(seed: 7, layout: layout))
        let other = MonorepoGenerator.tree(for: .small(seed: 8, layout: layout))
        #expect(first.files == second.files)
        #expect(first.paths == second.paths)
        #expect(first.files != other.files)
    }

    @Test(arguments: MonorepoSpec.Layout.allCases)
    func smallSpecHasTheRequestedShape(layout: MonorepoSpec.Layout) {
        let spec = MonorepoSpec.small(seed: 3, layout: layout)
        let tree = MonorepoGenerator.tree(for: spec)
        #expect(tree.functionDirs.count == spec.targets)
        #expect(tree.targetDirs.count == spec.targets + 2)  // + two tools under cmd/
        #expect(tree.targetDirs.filter { $0.hasPrefix("cmd/") }.count == 2)
        let shared = tree.packageDirs.filter {
            ($0.hasPrefix("internal/") || $0.hasPrefix("pkg/"))
                && !["internal/testutil", "internal/platform/sysinfo", "internal/native/checksum", "internal/assets"].contains($0)
        }
        #expect(shared.count == spec.sharedPackages)
        // functions + tools + shared + testutil, sysinfo, checksum, assets + geo/region, geo/distance
        #expect(tree.packageDirs.count == spec.targets + 2 + spec.sharedPackages + 4 + 2)
        for dir in shared {
            #expect(tree.paths.filter { $0.hasPrefix(dir + "/") && $0.hasSuffix(".go") && !$0.hasSuffix("_test.go") }.count == spec.filesPerPackage)
        }
        let moduleDirs = tree.modules.map(\.dir)
        switch layout {
        case .singleModule:
            #expect(moduleDirs == ["", "modules/geo"])
            #expect(!tree.hasWorkspace)
            #expect(tree.hasVendor)
        case .modulePerFunction:
            #expect(moduleDirs.count == spec.targets + 2)
            #expect(Set(tree.functionDirs).isSubset(of: Set(moduleDirs)))
            #expect(!tree.hasWorkspace)
            #expect(tree.hasVendor)
            for dir in tree.functionDirs {
                #expect(tree.text("\(dir)/go.mod")?.contains("\(spec.modulePath) => ../..") == true)
            }
        case .workspace:
            #expect(moduleDirs.count == spec.targets + 2)
            #expect(tree.hasWorkspace)
            #expect(!tree.hasVendor)
            for dir in moduleDirs {
                #expect(tree.text("go.work")?.contains(dir.isEmpty ? "\t.\n" : "\t./\(dir)\n") == true)
            }
        }
        #expect(tree.modules.first?.path == spec.modulePath)
    }

    @Test func largeSpecMeetsTheBenchmarkSize() {
        let spec = MonorepoSpec.large(seed: 1)
        let tree = MonorepoGenerator.tree(for: spec)
        #expect(spec.targets >= 300)
        #expect(tree.functionDirs.count >= 300)
        #expect(tree.packageDirs.count >= 2_000)
        #expect(isAcyclic(localImportGraph(tree, modulePath: spec.modulePath)))
    }

    @Test(arguments: [1, 3, 6])
    func sharedImportGraphIsAcyclicWithTheRequestedDepth(depth: Int) {
        let spec = MonorepoSpec(seed: UInt64(depth) * 11, targets: 5, sharedPackages: 24, depth: depth, filesPerPackage: 1)
        let tree = MonorepoGenerator.tree(for: spec)
        let edges = localImportGraph(tree, modulePath: spec.modulePath)
        let sharedEdges = edges.filter { $0.key.hasPrefix("internal/") || $0.key.hasPrefix("pkg/") }
        var memo: [String: Int] = [:]
        var longest = 0
        for dir in tree.packageDirs where dir.hasPrefix("internal/") || dir.hasPrefix("pkg/") {
            var visiting: Set<String> = []
            let length = longestChain(from: dir, edges: sharedEdges, memo: &memo, visiting: &visiting)
            #expect(length != nil, "cycle through \(dir)")
            longest = max(longest, length ?? 0)
        }
        #expect(longest == depth)
        #expect(isAcyclic(edges))
    }

    @Test(arguments: [50, 200, 1_000])
    func scaledSpecsHaveTheRequestedTargets(targets: Int) {
        let spec = MonorepoSpec.scaled(targets: targets)
        let tree = MonorepoGenerator.tree(for: spec)
        #expect(tree.functionDirs.count == targets)
        #expect(tree.packageDirs.count > targets + spec.sharedPackages)
    }

    @Test func degenerateSpecsStillGenerate() {
        let empty = MonorepoSpec(
            seed: 0, targets: 0, sharedPackages: 0, depth: 0, filesPerPackage: 0, historyCommits: 4)
        let tree = MonorepoGenerator.tree(for: empty)
        #expect(tree.functionDirs.isEmpty)
        #expect(tree.targetDirs == ["cmd/migrate", "cmd/seed-data"])
        let history = MonorepoGenerator.history(for: empty)
        #expect(history.count == 5)
        let tiny = MonorepoSpec(seed: 1, targets: 2, sharedPackages: 2, depth: 5, filesPerPackage: 1)
        #expect(isAcyclic(localImportGraph(MonorepoGenerator.tree(for: tiny), modulePath: tiny.modulePath)))
    }

    @Test func featureFilesFollowTheGoRules() throws {
        let spec = MonorepoSpec.small(seed: 5)
        let tree = MonorepoGenerator.tree(for: spec)
        let goFiles = tree.paths.filter { $0.hasSuffix(".go") }
        // cgo: every file importing "C" is guarded by cgo, and has a !cgo fallback beside it.
        let cgoFiles = goFiles.filter { goImports(tree.text($0) ?? "").contains("C") }
        #expect(!cgoFiles.isEmpty)
        for path in cgoFiles {
            #expect(tree.text(path)?.hasPrefix("//go:build cgo\n") == true)
            let dir = (path as NSString).deletingLastPathComponent
            #expect(goFiles.contains { $0.hasPrefix(dir + "/") && tree.text($0)?.hasPrefix("//go:build !cgo\n") == true })
        }
        let cFiles = tree.paths.filter { $0.hasSuffix(".c") }
        #expect(!cFiles.isEmpty)
        for path in cFiles { #expect(tree.text(path)?.hasPrefix("//go:build cgo\n") == true) }
        // Platform files in all three forms.
        #expect(goFiles.contains { $0.hasSuffix("_linux.go") })
        #expect(goFiles.contains { $0.hasSuffix("_windows.go") })
        #expect(goFiles.contains { $0.hasSuffix("_arm64.go") })
        // Embeds: file, glob, directory and testdata forms, each matching existing files.
        let embedLines = goFiles.flatMap { path in
            (tree.text(path) ?? "").split(separator: "\n").filter { $0.hasPrefix("//go:embed ") }.map {
                ((path as NSString).deletingLastPathComponent, String($0.dropFirst("//go:embed ".count)))
            }
        }
        let patterns = Set(embedLines.map(\.1))
        #expect(patterns.contains("templates/*.tmpl"))
        #expect(patterns.contains("static"))
        #expect(patterns.contains("testdata/golden.txt"))
        #expect(patterns.contains("config.json"))
        for (dir, pattern) in embedLines {
            let prefix = dir + "/" + pattern.replacingOccurrences(of: "*.tmpl", with: "")
            #expect(tree.paths.contains { $0.hasPrefix(prefix) }, "\(dir): \(pattern) matches nothing")
        }
        // The test-only helper is imported from _test.go files only.
        let testutil = "\(spec.modulePath)/internal/testutil"
        let importers = goFiles.filter { goImports(tree.text($0) ?? "").contains(testutil) }
        #expect(!importers.isEmpty)
        #expect(importers.allSatisfy { $0.hasSuffix("_test.go") })
        // Vendoring: explicit requirements with go versions, the local replacement recorded.
        let modulesTxt = try #require(tree.text("vendor/modules.txt"))
        #expect(modulesTxt.contains("# example.org/strutil v1.2.0\n## explicit; go 1.21\nexample.org/strutil\n"))
        #expect(modulesTxt.contains("# \(spec.modulePath)/modules/geo v0.0.0 => ./modules/geo\n## explicit; go 1.22\n"))
        #expect(modulesTxt.hasSuffix("# \(spec.modulePath)/modules/geo => ./modules/geo\n"))
        #expect(tree.files["vendor/\(spec.modulePath)/modules/geo/region/region.go"] == tree.files["modules/geo/region/region.go"])
        #expect(tree.text("go.mod")?.contains("example.org/strutil v1.2.0") == true)
    }

    @Test func historyIsDeterministicAndCoversTheTypicalCommits() {
        let spec = MonorepoSpec.small(seed: 21)
        let history = MonorepoGenerator.history(for: spec)
        #expect(history == MonorepoGenerator.history(for: spec))
        #expect(history.count == spec.historyCommits + 1)
        #expect(history.compactMap(\.kind) == MonorepoGenerator.historyKinds)
        for (previous, next) in zip(history, history.dropFirst()) {
            #expect(previous.tree.files != next.tree.files, "\(next.message) changed nothing")
        }
        #expect(history[3].tree.functionDirs.count == spec.targets + 1)  // addTarget
        #expect(history[4].tree.functionDirs.count == spec.targets)  // deleteTarget
    }
}
