import ArgumentParser
import Foundation
import GoBuild
import GraphCore

struct TargetsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "targets",
        abstract: "List the binaries (package main directories) of the repository.",
        discussion: """
            Prints target directories relative to the repository root, one per line, sorted
            (`.` for the root). --format json adds import path, module and platform.
            """)

    @OptionGroup var snapshot: SnapshotOptions

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if format == .dot { throw ValidationError("--format dot is for `gocache graph`; use text or json") }
    }

    func run() async throws {
        // Targets are the repository's own main packages: no standard package's imports matter.
        let session = try await snapshot.load(try snapshot.prepare(), standardLibrary: .importedOnly)
        let targets = session.repository.targets
        switch format {
        case .text, .dot:
            Stdout.write(targets.map { $0.dir + "\n" }.joined())
        case .json:
            let document = TargetsDocument(
                targets: targets.map {
                    .init(dir: $0.dir, importPath: $0.importPath, module: $0.module, goos: $0.settings.goos, goarch: $0.settings.goarch)
                })
            try Stdout.writeJSON(document)
        }
    }
}

struct TargetsDocument: Encodable {
    struct Target: Encodable {
        var dir: String
        var importPath: String
        var module: String
        var goos: String
        var goarch: String
    }
    var schemaVersion = 1
    var targets: [Target]
}

extension Stdout {
    /// Writes a value as pretty (or, with `oneLine`, compact), key-sorted JSON and a newline.
    static func writeJSON(_ value: some Encodable, oneLine: Bool = false) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = oneLine ? [.sortedKeys, .withoutEscapingSlashes] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        write(String(decoding: data, as: UTF8.self) + "\n")
    }
}
