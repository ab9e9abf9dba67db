import ArgumentParser
import GoBuild
import GraphCore

struct WhyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Explain why a change affects a target: the chains from changed files to it.",
        discussion: """
            Prints one line per reason: `<file> (<change>): target -> ... -> package`, or says
            plainly that the target is not affected. Exit status 0 either way.
            """)

    @Argument(help: "The target directory (as `gocache targets` prints it).")
    var target: String

    @OptionGroup var comparison: ComparisonOptions

    func run() async throws {
        try await comparison.run(memoizing: "why", standardLibrary: .importedOnly) { try await render($0) }
    }

    private func render(_ opened: RepositoryComparison) async throws {
        let dir = GoRepository.normalizeDir(target)
        let report = opened.affectedTargets()
        try opened.checkObjectsPresent()
        let known = opened.head.repository.targets.map(\.dir) + (opened.baseSession?.repository.targets.map(\.dir) ?? [])
        guard known.contains(dir) else { throw CommandFailure.unknownTarget(target, known: Array(Set(known)).sorted()) }
        let baseName: String
        switch opened.base {
        case .revision(let revision, _): baseName = revision
        case .sameAsHead: baseName = "the listed files"
        case .missing(let revision): baseName = revision
        }
        let headName = comparison.head ?? "the working tree"
        guard let impact = report.impact(atDir: dir) else {
            Stdout.write("\(dir) is not affected: its build inputs are the same at \(baseName) and \(headName)\n")
            return
        }
        switch impact.status {
        case .added: Stdout.write("\(dir) is a new target (not at \(baseName))\n")
        case .removed: Stdout.write("\(dir) is removed (not at \(headName))\n")
        case .affected: Stdout.write("\(dir) is affected (\(impact.reasons.count) reason\(impact.reasons.count == 1 ? "" : "s")):\n")
        }
        guard impact.status == .affected else { return }
        for reason in impact.reasons {
            var line = "  "
            switch reason.kind {
            // A name with a newline or another control character is C-quoted, as git prints it.
            case .file: line += "\(reason.file.map(ListedPaths.quoted) ?? "?") (\(reason.change))"
            case .config: line += "config\(reason.file.map { " \(ListedPaths.quoted($0))" } ?? ""): \(reason.change)"
            case .module: line += "module\(reason.file.map { " \(ListedPaths.quoted($0))" } ?? ""): \(reason.change)"
            case .package: line += "package: \(reason.change)"
            case .added, .removed: line += reason.change
            }
            if !reason.chain.isEmpty { line += ": " + reason.chain.joined(separator: " -> ") }
            Stdout.write(line + "\n")
        }
    }
}
