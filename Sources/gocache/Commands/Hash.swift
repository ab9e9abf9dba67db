import ArgumentParser
import CacheStore
import Foundation
import GoBuild
import GraphCore

struct HashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Print each target's key: SHA-256 over everything that goes into its binary.",
        discussion: """
            Text lines are `<key>  <dir>`; --format json prints {"schemaVersion", "targets":
            [{"dir", "importPath", "key"}]}. --explain TARGET prints the key's input material,
            one field per line, sorted, so two machines' outputs can be diffed.
            """)

    @OptionGroup var snapshot: SnapshotOptions

    @Argument(help: "Target directories (default: all targets).")
    var targets: [String] = []

    @Option(name: .long, help: "text or json.")
    var format: OutputFormat = .text

    @Option(name: .long, help: "Print the input material of this target's key.")
    var explain: String?

    func validate() throws {
        if format == .dot { throw ValidationError("--format dot is for `gocache graph`; use text or json") }
    }

    func run() async throws {
        let setup = try snapshot.prepare()
        let memoized = MemoizedRun.begin(
            command: "hash", cacheDirectory: snapshot.cacheDirectory, location: setup.location, toolchain: setup.toolchain,
            revisions: setup.snapshot.commitID == nil ? [] : [("rev", setup.snapshot)],
            worktree: setup.snapshot.commitID == nil ? setup.snapshot : nil)
        if let memoized, memoized.replay() { return }
        let session = try await snapshot.load(setup, digests: true, standardLibrary: .importedOnly)
        UntilExit.keep(session)
        try await render(session)
        memoized?.finish()
    }

    private func render(_ session: RepositorySession) async throws {
        let repository = session.repository
        var selected: [GoTarget] = []
        for dir in targets + (explain.map { [$0] } ?? []) {
            guard let target = repository.target(atDir: dir) else {
                throw CommandFailure.unknownTarget(dir, known: repository.targets.map(\.dir))
            }
            if !selected.contains(target) { selected.append(target) }
        }
        if targets.isEmpty, explain == nil { selected = repository.targets }
        let cacheDirectory = snapshot.cacheDirectory
        let keys: [TargetKey]
        do {
            keys = try await TargetKeyRecipe.keys(
                for: selected, in: repository, tree: session.snapshot, goVersion: session.toolchain.version,
                digester: session.fileDigester(cacheDirectory: cacheDirectory), cCompiler: session.toolchain.cCompilerIdentity,
            compiler: session.toolchain.compilerIdentity(variable:),
            pkgConfig: session.toolchain.pkgConfigIdentity)
        } catch {
            throw CommandFailure(message: "cannot compute keys: \(error)", help: "check that the files are readable", status: 1)
        }
        // A thousand keys hold their encoders and inputs: freed by the exit, not one by one.
        UntilExit.keep(keys)
        if let explain {
            let dir = GoRepository.normalizeDir(explain)
            guard let key = keys.first(where: { $0.dir == dir }) else { return }
            Stdout.write("key = \(key.key.hex)\n" + key.material.joined(separator: "\n") + "\n")
            return
        }
        switch format {
        case .text, .dot:
            Stdout.write(keys.map { "\($0.key.hex)  \($0.dir)\n" }.joined())
        case .json:
            struct Document: Encodable {
                struct Entry: Encodable { var dir, importPath, key: String }
                var schemaVersion = 1
                var targets: [Entry]
            }
            try Stdout.writeJSON(Document(targets: keys.map { .init(dir: $0.dir, importPath: $0.importPath, key: $0.key.hex) }))
        }
    }
}
