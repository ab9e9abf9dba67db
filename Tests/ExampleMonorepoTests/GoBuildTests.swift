import Foundation
import Testing

@testable import ExampleMonorepo

/// Builds generated trees with the real Go toolchain: every module root, cgo off and (when
/// gcc exists) on, vendoring on. Skipped when no Go toolchain is found.
@Suite("ExampleMonorepo go build", .enabled(if: GoToolchain.executable != nil), .serialized)
struct ExampleMonorepoGoBuildTests {
    /// Runs `go <arguments>` in every module root of `tree` written to a fresh directory.
    static func goInEveryModule(
        _ tree: GeneratedTree, label: String, cgo: Bool, arguments: [String] = ["build", "./..."]
    ) throws {
        let root = try Scratch.directory(label)
        defer { Scratch.remove(root) }
        try Scratch.write(tree, to: root)
        // `./...` covers one module only, in a workspace too.
        for dir in tree.modules.map(\.dir) {
            let result = try GoToolchain.run(arguments, in: dir.isEmpty ? root : "\(root)/\(dir)", cgo: cgo)
            #expect(
                result.status == 0,
                "go \(arguments.joined(separator: " ")) in \(dir.isEmpty ? "." : dir) (\(label), cgo=\(cgo)):\n\(result.output)")
        }
    }

    /// `gofmt -l` (from the toolchain's GOROOT) lists no file under `root`.
    static func expectGofmtClean(_ root: String) throws {
        let goroot = try GoToolchain.run(["env", "GOROOT"], in: root, cgo: false)
        let gofmt = goroot.output.trimmingCharacters(in: .whitespacesAndNewlines) + "/bin/gofmt"
        #expect(FileManager.default.isExecutableFile(atPath: gofmt), "\(gofmt)")
        let unformatted = try GoToolchain.run(["-l", "."], in: root, cgo: false, executable: gofmt)
        #expect(unformatted.status == 0 && unformatted.output.isEmpty, "gofmt -l: \(unformatted.output)")
    }

    static var cgoModes: [Bool] { GoToolchain.hasGCC ? [false, true] : [false] }

    @Test(arguments: MonorepoSpec.Layout.allCases)
    func smallSpecsBuildInEveryLayout(layout: MonorepoSpec.Layout) throws {
        let tree = MonorepoGenerator.tree(for: .small(seed: 11, layout: layout))
        for cgo in Self.cgoModes {
            try Self.goInEveryModule(tree, label: "build-\(layout)", cgo: cgo)
        }
    }

    @Test func vetIsCleanAndVendorModeIsExplicit() throws {
        let tree = MonorepoGenerator.tree(for: .small(seed: 12))
        try Self.goInEveryModule(tree, label: "vet", cgo: GoToolchain.hasGCC, arguments: ["vet", "./..."])
        let root = try Scratch.directory("vendor")
        defer { Scratch.remove(root) }
        try Scratch.write(tree, to: root)
        try Self.expectGofmtClean(root)
        // -mod=vendor explicitly (the default already vendors with go >= 1.14 and vendor/).
        let result = try GoToolchain.run(["build", "-mod=vendor", "./..."], in: root, cgo: false)
        #expect(result.status == 0, "\(result.output)")
        // The function that imports the vendored module really resolves it from vendor/.
        let list = try GoToolchain.run(["list", "-deps", "-f", "{{.ImportPath}} {{.Dir}}", "./functions/..."], in: root, cgo: false)
        #expect(list.status == 0, "\(list.output)")
        #expect(list.output.contains("example.org/strutil \(root)/vendor/example.org/strutil"))
        #expect(list.output.contains("example.com/monorepo/modules/geo/region \(root)/vendor/example.com/monorepo/modules/geo/region"))
    }

    @Test func featureVariantsBuild() throws {
        var spec = MonorepoSpec.small(seed: 13)
        spec.nestedModuleViaWorkspace = true
        spec.filesPerPackage = 1
        try Self.goInEveryModule(MonorepoGenerator.tree(for: spec), label: "nested-work", cgo: false)
        let bare = MonorepoSpec(
            seed: 14, targets: 3, sharedPackages: 4, depth: 2, filesPerPackage: 3, layout: .modulePerFunction,
            vendor: false, nestedModule: false, cgo: false, embeds: false, platformFiles: false)
        try Self.goInEveryModule(MonorepoGenerator.tree(for: bare), label: "bare", cgo: false)
        let empty = MonorepoSpec(seed: 0, targets: 1, sharedPackages: 0, depth: 0, filesPerPackage: 0, layout: .workspace)
        try Self.goInEveryModule(MonorepoGenerator.tree(for: empty), label: "empty", cgo: false)
    }

    /// A sample of edits applied one after another still builds, vets and keeps vendoring
    /// consistent, in every layout.
    @Test(arguments: MonorepoSpec.Layout.allCases)
    func mutatedTreesStillBuild(layout: MonorepoSpec.Layout) throws {
        let spec = MonorepoSpec.small(seed: 15, layout: layout)
        var tree = MonorepoGenerator.tree(for: spec)
        var applied: [String] = []
        for (index, edit) in (MonorepoEdit.allCases + MonorepoEdit.allCases.reversed()).enumerated() {
            guard let (next, description) = MonorepoMutator.apply(edit, to: tree, spec: spec, seed: UInt64(index)) else {
                continue
            }
            tree = next
            applied.append(description)
        }
        #expect(applied.count >= MonorepoEdit.allCases.count)
        try Self.goInEveryModule(tree, label: "mutated-\(layout)", cgo: false)
        if layout == .singleModule {
            try Self.goInEveryModule(tree, label: "mutated-vet", cgo: GoToolchain.hasGCC, arguments: ["vet", "./..."])
        }
        let root = try Scratch.directory("mutated-fmt")
        defer { Scratch.remove(root) }
        try Scratch.write(tree, to: root)
        try Self.expectGofmtClean(root)
    }
}
