import ArgumentParser
import Foundation
import GoBuild
import GraphCore

struct GraphCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print the package graph: packages, imports, targets and their closures.",
        discussion: """
            --format json prints {"schemaVersion", "packages", "targets"}; --format dot draws
            the graph for Graphviz. --target DIR limits the output to one target's closure.
            """)

    @OptionGroup var snapshot: SnapshotOptions

    @Option(name: .long, help: "json, dot or text.")
    var format: GraphFormat = .json

    @Option(name: .long, help: "Only this target's closure (a directory as `gocache targets` prints it).")
    var target: String?

    func run() async throws {
        let session = try await snapshot.openSession()
        let repository = session.repository
        let document: GraphDocument
        if let target {
            guard let selected = repository.target(atDir: target) else {
                throw CommandFailure.unknownTarget(target, known: repository.targets.map(\.dir))
            }
            document = GraphDocument(repository: repository, only: selected)
        } else {
            document = GraphDocument(repository: repository, only: nil)
        }
        switch format {
        case .json: Stdout.write(document.json().serialized())
        case .dot: Stdout.write(document.dot())
        case .text:
            for package in document.packages {
                Stdout.write(package.importPath + (package.imports.isEmpty ? "" : " -> " + package.imports.joined(separator: " ")) + "\n")
            }
        }
    }
}

/// The `gocache graph --format json` document.
struct GraphDocument: Encodable {
    struct Package: Encodable, Hashable {
        var importPath: String
        var dir: String?
        var module: String?
        var standard: Bool
        var goFiles: [String]
        var cgoFiles: [String]
        var embedFiles: [String]
        var otherFiles: [String]
        var imports: [String]
        var error: String?
    }
    struct Target: Encodable {
        var dir: String
        var importPath: String
        var deps: [String]
    }

    var schemaVersion = 1
    var packages: [Package]
    var targets: [Target]

    init(repository: GoRepository, only: GoTarget?) {
        var packages = Set<Package>()
        var targets: [Target] = []
        let selected = only.map { [$0] } ?? repository.targets
        for target in selected {
            guard let graph = repository.graph(of: target) else { continue }
            targets.append(
                Target(dir: target.dir, importPath: target.importPath, deps: graph.nonStandardDependencies(of: target.importPath)))
        }
        if let only, let graph = repository.graph(of: only) {
            for path in graph.closure(of: only.importPath) {
                if let package = graph.packages[path] { packages.insert(Package(package)) }
            }
        } else {
            for graph in repository.graphs {
                for package in graph.packages.values { packages.insert(Package(package)) }
            }
        }
        self.packages = packages.sorted { ($0.importPath, $0.dir ?? "") < ($1.importPath, $1.dir ?? "") }
        self.targets = targets
    }

    /// The document as JSON (the same shape the Encodable conformance gives).
    func json() -> JSON {
        .object([
            "schemaVersion": .int(schemaVersion),
            "packages": .array(
                packages.map { p in
                    var fields: [String: JSON] = [
                        "importPath": .string(p.importPath), "standard": .bool(p.standard),
                        "goFiles": .strings(p.goFiles), "cgoFiles": .strings(p.cgoFiles),
                        "embedFiles": .strings(p.embedFiles), "otherFiles": .strings(p.otherFiles),
                        "imports": .strings(p.imports),
                    ]
                    if let dir = p.dir { fields["dir"] = .string(dir) }
                    if let module = p.module { fields["module"] = .string(module) }
                    if let error = p.error { fields["error"] = .string(error) }
                    return .object(fields)
                }),
            "targets": .array(
                targets.map {
                    .object(["dir": .string($0.dir), "importPath": .string($0.importPath), "deps": .strings($0.deps)])
                }),
        ])
    }

    func dot() -> String {
        var lines = ["digraph gocache {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
        let targetPaths = Set(targets.map(\.importPath))
        for package in packages where !package.standard {
            let style = targetPaths.contains(package.importPath) ? ", style=filled, fillcolor=lightblue" : ""
            let color = package.error != nil ? ", color=red" : ""
            lines.append("  \(quote(package.importPath)) [label=\(quote(package.importPath))\(style)\(color)];")
        }
        for package in packages where !package.standard {
            for imported in package.imports where imported != "C" && packages.contains(where: { $0.importPath == imported && !$0.standard }) {
                lines.append("  \(quote(package.importPath)) -> \(quote(imported));")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension GraphDocument.Package {
    init(_ package: GoPackage) {
        self.importPath = package.importPath
        self.dir = package.dir.map { $0.isEmpty ? "." : $0 }
        self.module = package.module?.path
        self.standard = package.isStandard
        self.goFiles = package.goFiles
        self.cgoFiles = package.cgoFiles
        self.embedFiles = package.embedFiles
        self.otherFiles = package.otherFiles
        self.imports = package.imports
        self.error = package.error?.message
    }
}

extension CommandFailure {
    /// An unknown target directory, with a did-you-mean when a close one exists.
    static func unknownTarget(_ dir: String, known: [String]) -> CommandFailure {
        let normalized = GoRepository.normalizeDir(dir)
        let close = known.min { editDistance($0, normalized) < editDistance($1, normalized) }
        if let close, editDistance(close, normalized) <= max(2, normalized.count / 3) {
            return .badInput("no target at \(dir)", help: "did you mean \(close)? `gocache targets` lists them")
        }
        return .badInput("no target at \(dir)", help: "`gocache targets` lists the target directories")
    }
}

/// Levenshtein distance, for did-you-mean suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a)
    let y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}

/// `gocache graph --format`: the other commands' formats and Graphviz `dot`.
enum GraphFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, dot
}
