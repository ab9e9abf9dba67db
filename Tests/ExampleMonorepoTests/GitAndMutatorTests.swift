import Foundation
import Testing

@testable import ExampleMonorepo

func runGit(_ arguments: [String], in directory: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(GoToolchain.find("git")))
    process.arguments = ["-C", directory] + arguments
    process.environment = GitWriter.environment(date: Date(timeIntervalSince1970: 0))
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "git \(arguments)")
    return String(decoding: data, as: UTF8.self)
}

@Suite("ExampleMonorepo git repositories")
struct ExampleMonorepoGitTests {
    @Test func sameSpecGivesIdenticalCommitIds() throws {
        let spec = MonorepoSpec.small(seed: 42)
        let first = try Scratch.directory("git-a")
        let second = try Scratch.directory("git-b")
        let third = try Scratch.directory("git-c")
        defer { [first, second, third].forEach(Scratch.remove) }
        let a = try MonorepoGenerator.writeRepository(spec, at: first)
        let b = try MonorepoGenerator.writeRepository(spec, at: second + "/nested/repo")
        var otherSpec = spec
        otherSpec.seed = 43
        let c = try MonorepoGenerator.writeRepository(otherSpec, at: third)
        #expect(a.commits.count == spec.historyCommits + 1)
        #expect(a.commits.map(\.id) == b.commits.map(\.id))
        #expect(Set(a.commits.map(\.id)).count == a.commits.count)
        #expect(a.head != c.head)
        #expect(a.commits.allSatisfy { $0.id.count == 40 })

        // The repository's history is the generator's history, and the work tree is clean.
        let log = try runGit(["log", "--format=%H %an <%ae> %at", "main"], in: first)
        let lines = log.split(separator: "\n").map(String.init)
        #expect(lines.map { String($0.prefix(40)) } == a.commits.map(\.id).reversed())
        #expect(lines.allSatisfy { $0.contains("Example Monorepo <example-monorepo@gocache.invalid>") })
        #expect(try runGit(["status", "--porcelain", "--untracked-files=all"], in: first).isEmpty)
        let files = try runGit(["ls-files"], in: first).split(separator: "\n").map(String.init)
        #expect(files == a.tree.paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })

        // Each commit's tree equals the generator's tree of that step.
        let history = MonorepoGenerator.history(for: spec)
        for (commit, step) in zip(a.commits, history) {
            let listed = try runGit(["ls-tree", "-r", "--name-only", commit.id], in: first)
            #expect(Set(listed.split(separator: "\n").map(String.init)) == Set(step.tree.paths), "\(commit.message)")
            #expect(commit.kind == step.kind)
        }
    }

    @Test func refusesANonEmptyDestination() throws {
        let dir = try Scratch.directory("git-busy")
        defer { Scratch.remove(dir) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
        #expect(throws: ExampleMonorepoError.destinationNotEmpty(path: dir)) {
            try MonorepoGenerator.writeRepository(.small(seed: 1), at: dir)
        }
    }

    @Test func commitAllRemovesDeletedFilesAndEmptyDirectories() throws {
        let dir = try Scratch.directory("git-delete")
        defer { Scratch.remove(dir) }
        let writer = try GitWriter.create(at: dir)
        let date = Date(timeIntervalSince1970: 1_700_000_000)
        let before = GeneratedTree(files: ["a/b/c.txt": Array("c".utf8), "d.txt": Array("d".utf8)])
        let first = try writer.commitAll(tree: before, message: "one", date: date)
        let second = try writer.commitAll(tree: GeneratedTree(files: ["d.txt": Array("e".utf8)]), message: "two", date: date)
        #expect(first != second)
        #expect(!FileManager.default.fileExists(atPath: dir + "/a"))
        #expect(try runGit(["ls-files"], in: dir) == "d.txt\n")
        #expect(try String(contentsOfFile: dir + "/d.txt", encoding: .utf8) == "e")
    }
}

@Suite("ExampleMonorepo mutator")
struct ExampleMonorepoMutatorTests {
    static let notApplicable: [MonorepoSpec.Layout: Set<MonorepoEdit>] = [
        .singleModule: [.addRequire],
        .modulePerFunction: [],
        .workspace: [.addRequire, .vendorChange],
    ]

    @Test(arguments: MonorepoSpec.Layout.allCases)
    func everyEditAppliesDeterministicallyAndChangesTheTree(layout: MonorepoSpec.Layout) throws {
        let spec = MonorepoSpec.small(seed: 9, layout: layout)
        let tree = MonorepoGenerator.tree(for: spec)
        for edit in MonorepoEdit.allCases {
            for seed: UInt64 in [1, 2, 3] {
                let result = MonorepoMutator.apply(edit, to: tree, spec: spec, seed: seed)
                if Self.notApplicable[layout, default: []].contains(edit) {
                    #expect(result == nil, "\(edit) should not apply to \(layout)")
                    continue
                }
                let (next, description) = try #require(result, "\(edit) did not apply to \(layout)")
                #expect(next.files != tree.files, "\(edit): \(description)")
                #expect(!description.isEmpty)
                let again = try #require(MonorepoMutator.apply(edit, to: tree, spec: spec, seed: seed))
                #expect(again.0 == next)
                #expect(again.description == description)
                #expect(isAcyclic(localImportGraph(next, modulePath: spec.modulePath, tests: true)))
            }
        }
    }

    @Test func editsTouchWhatTheirKindSays() throws {
        let spec = MonorepoSpec.small(seed: 4)
        let tree = MonorepoGenerator.tree(for: spec)
        func changed(_ edit: MonorepoEdit, seed: UInt64 = 1) throws -> Set<String> {
            let next = try #require(MonorepoMutator.apply(edit, to: tree, spec: spec, seed: seed)).0
            return Set(tree.paths + next.paths).filter { tree.files[$0] != next.files[$0] }
        }
        for seed: UInt64 in 1...5 {
            let function = try changed(.editFunction, seed: seed)
            #expect(function.count == 1 && function.allSatisfy { $0.hasPrefix("functions/") && !$0.hasSuffix("_test.go") })
            let tests = try changed(.testOnlyChange, seed: seed)
            #expect(tests.count == 1 && tests.allSatisfy { $0.hasSuffix("_test.go") || $0.hasPrefix("internal/testutil/") })
            let rename = try changed(.renameFile, seed: seed)
            #expect(rename.count == 2)
            let asset = try changed(.changeEmbeddedAsset, seed: seed)
            #expect(asset.count == 1 && asset.allSatisfy { !$0.hasSuffix(".go") })
        }
        let vendor = try changed(.vendorChange)
        #expect(vendor == ["go.mod", "vendor/modules.txt", "vendor/example.org/strutil/strutil.go"])
        let settings = try changed(.settingsChange)
        #expect(settings == ["gocache.yaml"])
    }

    @Test func manyImportEditsKeepTheGraphAcyclic() throws {
        let spec = MonorepoSpec(seed: 77, targets: 8, sharedPackages: 30, depth: 4, filesPerPackage: 1)
        var tree = MonorepoGenerator.tree(for: spec)
        var added = 0
        for step: UInt64 in 0..<60 {
            let edit: MonorepoEdit = step % 4 == 3 ? .removeImport : .addImport
            guard let (next, _) = MonorepoMutator.apply(edit, to: tree, spec: spec, seed: step) else { continue }
            if edit == .addImport { added += 1 }
            tree = next
            #expect(isAcyclic(localImportGraph(tree, modulePath: spec.modulePath)), "after step \(step)")
        }
        #expect(added >= 40)
    }
}
