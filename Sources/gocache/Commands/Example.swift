import ArgumentParser
import ExampleMonorepo
import Foundation

struct ExampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Write a generated example monorepo (a git repository with a history) for demos and benchmarks.")

    @Option(name: .long, help: "Directory to create (must not exist or be empty).")
    var out: String

    @Option(name: .long, help: "Number of Lambda functions (the two cmd/ tools, migrate and seed-data, are targets too).")
    var targets: Int = 12

    @Option(name: .long, help: "Number of shared packages.")
    var shared: Int = 10

    @Option(name: .long, help: "A preset size: small, medium, large (>= 300 targets, >= 2,000 packages) or scaled (--targets functions, 1.5 shared packages each, the benchmarks' sizes); small, medium and large override --targets and --shared.")
    var preset: String?

    @Option(name: .long, help: "Random seed: the same seed writes the same repository.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Module layout: single (one root module), per-function (a go.mod per function, local replace) or workspace (a go.mod per function joined by go.work).")
    var layout: String = "single"

    static let layouts: [String: MonorepoSpec.Layout] = [
        "single": .singleModule, "per-function": .modulePerFunction, "workspace": .workspace,
    ]

    func validate() throws {
        if targets < 1 { throw ValidationError("--targets must be at least 1") }
        if shared < 1 { throw ValidationError("--shared must be at least 1") }
        if let preset, !["small", "medium", "large", "scaled"].contains(preset) {
            throw ValidationError("--preset takes small, medium, large or scaled, not \(preset)")
        }
        if Self.layouts[layout] == nil {
            throw ValidationError("--layout takes single, per-function or workspace, not \(layout)")
        }
    }

    func run() throws {
        var spec: MonorepoSpec
        switch preset {
        case "large": spec = .large(seed: seed)
        case "medium": spec = .medium(seed: seed)
        case "small": spec = .small(seed: seed)
        case "scaled": spec = .scaled(targets: targets, seed: seed)
        default:
            spec = .small(seed: seed)
            spec.targets = targets
            spec.sharedPackages = shared
        }
        spec.layout = Self.layouts[layout] ?? .singleModule
        let path = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: path), !existing.isEmpty {
            throw CommandFailure.badInput("\(out) exists and is not empty", help: "pass a new directory with --out")
        }
        do {
            let repository = try MonorepoGenerator.writeRepository(spec, at: path)
            Stdout.write("\(path)\n")
            // Every `package main` the generator wrote (functions and the cmd/ tools), as
            // `gocache targets` lists them.
            Stderr.write("wrote \(repository.tree.targetDirs.count) targets, \(repository.commits.count) commits\n")
        } catch {
            throw CommandFailure(message: "cannot write the example repository: \(error)", help: "check that git is installed and the directory is writable", status: 1)
        }
    }
}
