import ArgumentParser
import CacheStore
import Foundation
import GoBuild
import GraphCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--repo`, `--base`, `--head`, `--merge-base`, `--files`, `--if-missing-base`, the cache
/// directory and the platform flags: what `affected` and `why` compare.
struct ComparisonOptions: ParsableArguments {
    @Option(name: .long, help: "The repository (or a directory inside it).")
    var repo: String = "."

    @Option(name: .long, help: "The base revision (branch, tag, commit).")
    var base: String?

    @Option(name: .long, help: "The head revision (default: the working tree, untracked files included).")
    var head: String?

    @Flag(name: .long, help: "Compare HEAD with the merge base of BASE and HEAD (as `git diff BASE...HEAD`).")
    var mergeBase = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "A file listing changed paths, one per line (`-` for stdin): instead of a diff, or with --base added to it.",
            discussion:
                "E.g. <(git diff --name-only --no-renames origin/main...): without --no-renames git prints only a moved file's new path."
        ))
    var files: String?

    @Option(name: .long, help: "When BASE is missing from a shallow clone: fail (default) or all (everything affected).")
    var ifMissingBase: MissingBasePolicy = .fail

    @Option(name: .long, help: "The cache directory (default: $GOCACHE_DIR, $XDG_CACHE_HOME/gocache, ~/.cache/gocache).")
    var cacheDir: String?

    @OptionGroup var platform: PlatformOptions

    enum MissingBasePolicy: String, ExpressibleByArgument, CaseIterable {
        case fail, all
    }

    func validate() throws {
        if base == nil && files == nil {
            throw ValidationError("--base REV is required (or --files FILE to give the changed paths)")
        }
        if mergeBase && base == nil { throw ValidationError("--merge-base needs --base REV") }
        if mergeBase && files != nil { throw ValidationError("--merge-base compares revisions; it cannot be combined with --files") }
    }

    /// Reads the changed-path list of `--files` (mapped to repository paths by `ListedPaths`
    /// once the repository is known): any file that can be opened and read to its end — a
    /// regular file, a pipe (`<(git diff --name-only --no-renames …)` names /dev/fd/N), a FIFO,
    /// /dev/stdin, /dev/null — or stdin for `-`.
    func listedText() throws -> String? {
        guard let files else { return nil }
        switch PathListFile.contents(of: files) {
        case .success(let bytes):
            return String(decoding: bytes, as: UTF8.self)
        case .failure(let failure):
            throw CommandFailure.badInput(
                "cannot read the path list \(files): \(failure.reason)",
                help: "give a readable file (a pipe such as <(git diff --name-only --no-renames …) too), or - for stdin")
        }
    }

    /// What `prepare` found: the comparison's setup and the paths of `--files`.
    struct Prepared {
        var setup: RepositoryComparison.Setup
        var listed: [String]?
        var cacheDirectory: String
    }

    /// Opens the repository, the head and the toolchain and resolves the base (loading
    /// nothing yet), turning library errors into `error:`/`help:`.
    func prepare() throws -> Prepared {
        let text = try listedText()
        let environment = ProcessInfo.processInfo.environment
        let cacheDirectory = CacheDirectory.resolve(flag: cacheDir, environment: environment)
        do {
            let setup = try RepositoryComparison.Setup.prepare(
                path: repo, baseRevision: base, headRevision: head, mergeBase: mergeBase, goBinary: platform.go,
                memoDirectory: cacheDirectory + "/memo", environment: environment)
            prefetchToolTags(setup.toolchain, snapshot: setup.headSnapshot, overrides: platform.overrides)
            let listed = text.map { ListedPaths($0, workdir: setup.location.workdir) }
            for path in listed?.outside ?? [] {
                Stderr.write("warning: --files: \(path) is outside the repository \(setup.location.workdir); ignored\n")
            }
            return Prepared(setup: setup, listed: listed?.paths, cacheDirectory: cacheDirectory)
        } catch {
            throw CommandFailure.from(error)
        }
    }

    /// Loads both snapshots of `prepared` and compares them, turning library errors into
    /// `error:`/`help:`.
    func open(_ prepared: Prepared, standardLibrary: StandardLibraryDepth, withTests: Bool = false) async throws
        -> RepositoryComparison
    {
        do {
            return try await RepositoryComparison.open(
                prepared.setup, source: prepared.listed.map { .files($0) } ?? .diff, overrides: platform.overrides,
                memoDirectory: prepared.cacheDirectory + "/memo", allowMissingBase: ifMissingBase == .all,
                environment: ProcessInfo.processInfo.environment, standardLibrary: standardLibrary, withTests: withTests)
        } catch let error as ComparisonError {
            throw CommandFailure.badInput(error.description, help: error.help)
        } catch {
            throw CommandFailure.from(error)
        }
    }

    /// Runs `command`: prepares the comparison, prints the run memo's output when it has
    /// one, else opens the comparison, `render`s it and remembers what was printed.
    /// `standardLibrary`: how much of the standard library `render` needs (see
    /// `StandardLibraryDepth`).
    func run(
        memoizing command: String, standardLibrary: StandardLibraryDepth, withTests: Bool = false,
        _ render: (RepositoryComparison) async throws -> Void
    ) async throws {
        let prepared = try prepare()
        let memoized = memoizedRun(command, prepared)
        if let memoized, memoized.replay() { return }
        let opened = try await open(prepared, standardLibrary: standardLibrary, withTests: withTests)
        UntilExit.keep(opened)
        try await render(opened)
        memoized?.finish()
    }

    /// The run memo of `command` over `prepared`, or nil (see `MemoizedRun.begin`). A base
    /// that did not resolve is never memoised: the run reports it.
    private func memoizedRun(_ command: String, _ prepared: Prepared) -> MemoizedRun? {
        let setup = prepared.setup
        var revisions: [(String, Snapshot)] = []
        if setup.baseRevision != nil {
            guard let base = setup.baseSnapshot else { return nil }
            revisions.append(("base", base))
        }
        let worktree: Snapshot?
        if setup.headSnapshot.commitID != nil {
            revisions.append(("head", setup.headSnapshot))
            worktree = nil
        } else {
            worktree = setup.headSnapshot
        }
        return MemoizedRun.begin(
            command: command, cacheDirectory: prepared.cacheDirectory, location: setup.location, toolchain: setup.toolchain,
            revisions: revisions, worktree: worktree, extra: prepared.listed.map { ["files": $0] } ?? [:])
    }
}

struct AffectedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "affected",
        abstract: "List the targets whose binaries a change affects (rebuild, retest, redeploy).",
        discussion: """
            A target is affected exactly when its build inputs differ between BASE and HEAD:
            its resolved settings, the module versions, replacements and directives of its
            closure, and the paths and bytes of its input files. Text output: affected and
            added targets, one directory per line, sorted. --format json adds import paths,
            reasons and removed targets; --format github-matrix prints a job matrix.
            """)

    @OptionGroup var comparison: ComparisonOptions

    @Option(name: .long, help: "text, json or github-matrix.")
    var format: AffectedFormat = .text

    @Flag(name: .long, help: "List the packages whose tests must run (for `go test`) instead of targets.")
    var tests = false

    @Flag(name: .long, help: "List the affected packages instead of targets.")
    var packages = false

    enum AffectedFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json
        case githubMatrix = "github-matrix"
    }

    func validate() throws {
        if tests && packages { throw ValidationError("--tests and --packages cannot be combined") }
    }

    func run() async throws {
        // Targets and packages need no standard package beyond those imported by others;
        // the tests' imports may name any (`ImpactAnalysis.tests` reads the full graph).
        try await comparison.run(memoizing: "affected", standardLibrary: tests ? .full : .importedOnly, withTests: tests) {
            try await render($0)
        }
    }

    private func render(_ opened: RepositoryComparison) async throws {
        let header = AffectedDocument.Side.describe(opened)
        if case .missing(let revision) = opened.base {
            Stderr.write("warning: base \(revision) is not in this shallow clone; treating everything as affected (--if-missing-base=all)\n")
        }
        if tests || packages {
            let impacts = tests ? opened.affectedTests() : opened.affectedPackages()
            try opened.checkObjectsPresent()
            switch format {
            case .text:
                Stdout.write(impacts.map { ($0.dir == "." ? "." : "./" + $0.dir) + "\n" }.joined())
            case .json:
                try Stdout.writeJSON(PackagesDocument(base: header.base, head: header.head, impacts: impacts, tests: tests))
            case .githubMatrix:
                // One line: `echo "matrix=$(gocache affected …)" >> "$GITHUB_OUTPUT"` takes one.
                try Stdout.writeJSON(GitHubMatrix(dirs: impacts.map(\.dir)), oneLine: true)
            }
            return
        }
        // Text and matrix print directories only: no reasons to work out.
        let report = opened.affectedTargets(explain: format == .json)
        try opened.checkObjectsPresent()
        switch format {
        case .text:
            Stdout.write(report.rebuild.map { $0 + "\n" }.joined())
        case .json:
            try Stdout.writeJSON(AffectedDocument(base: header.base, head: header.head, report: report))
        case .githubMatrix:
            try Stdout.writeJSON(GitHubMatrix(dirs: report.rebuild), oneLine: true)
        }
    }
}

/// The `gocache affected --format json` document.
struct AffectedDocument: Encodable {
    struct Side: Encodable {
        var revision: String
        var commit: String?
        var missing: Bool?

        static func describe(_ comparison: RepositoryComparison) -> (base: Side, head: Side) {
            let head: Side
            switch comparison.head.snapshot.source {
            case .worktree: head = Side(revision: "worktree", commit: nil)
            case .revision(let rev, let commit): head = Side(revision: rev, commit: commit)
            }
            let base: Side
            switch comparison.base {
            case .revision(let rev, let commit): base = Side(revision: rev, commit: commit)
            case .sameAsHead: base = Side(revision: "(--files)", commit: nil)
            case .missing(let rev): base = Side(revision: rev, commit: nil, missing: true)
            }
            return (base, head)
        }
    }
    struct Reason: Encodable {
        var kind: String
        var file: String?
        var change: String
        var chain: [String]
    }
    struct Target: Encodable {
        var dir: String
        var importPath: String
        var status: String
        var reasons: [Reason]
    }

    var schemaVersion = 1
    var base: Side
    var head: Side
    var targets: [Target]

    init(base: Side, head: Side, report: ImpactReport) {
        self.base = base
        self.head = head
        targets = report.targets.map { impact in
            Target(
                dir: impact.dir, importPath: impact.importPath, status: impact.status.rawValue,
                reasons: impact.reasons.map(Reason.init))
        }
    }
}

extension AffectedDocument.Reason {
    init(_ reason: ImpactReason) {
        self.init(kind: reason.kind.rawValue, file: reason.file, change: reason.change, chain: reason.chain)
    }
}

/// The `gocache affected --tests|--packages --format json` document.
struct PackagesDocument: Encodable {
    struct Package: Encodable {
        var dir: String
        var importPath: String
        var unit: String
        var reasons: [AffectedDocument.Reason]
    }
    var schemaVersion = 1
    var base: AffectedDocument.Side
    var head: AffectedDocument.Side
    var kind: String
    var packages: [Package]

    init(base: AffectedDocument.Side, head: AffectedDocument.Side, impacts: [TestImpact], tests: Bool) {
        self.base = base
        self.head = head
        kind = tests ? "tests" : "packages"
        packages = impacts.map {
            Package(dir: $0.dir, importPath: $0.importPath, unit: $0.unitRoot, reasons: $0.reasons.map(AffectedDocument.Reason.init))
        }
    }
}

/// A GitHub Actions job matrix (`strategy.matrix: ${{ fromJSON(...) }}`).
///
/// GitHub rejects an empty matrix, so no directories give one entry `{"dir": "", "name":
/// "none", "skip": true}` (guard the job with `if: ${{ !matrix.skip }}`). GitHub allows at
/// most 256 jobs, so more directories are dealt round-robin into 256 groups: each entry's
/// `dir` then holds several directories separated by spaces (`for d in ${{ matrix.dir }}`),
/// and `name` is `group-K-of-256`.
struct GitHubMatrix: Encodable {
    struct Entry: Encodable {
        var dir: String
        var name: String
        var skip: Bool?
    }
    static let limit = 256
    var include: [Entry]

    init(dirs: [String]) {
        if dirs.isEmpty {
            include = [Entry(dir: "", name: "none", skip: true)]
        } else if dirs.count <= GitHubMatrix.limit {
            include = dirs.map { Entry(dir: $0, name: $0, skip: nil) }
        } else {
            var groups = Array(repeating: [String](), count: GitHubMatrix.limit)
            for (index, dir) in dirs.enumerated() { groups[index % GitHubMatrix.limit].append(dir) }
            include = groups.enumerated().map { index, group in
                Entry(dir: group.joined(separator: " "), name: "group-\(index + 1)-of-\(GitHubMatrix.limit)", skip: nil)
            }
        }
    }
}

/// Reads the file `--files` names to its end with `open` and `read`, whatever kind of file it
/// is: a regular file, a pipe (`<(git diff --name-only --no-renames …)` names /dev/fd/N), a FIFO,
/// /dev/stdin, /dev/null; `-` is stdin.
enum PathListFile {
    /// Why the file could not be read: the `errno` of `open` or `read`.
    struct Failure: Error {
        var code: Int32
        var reason: String { String(cString: strerror(code)) }
    }

    /// The bytes of `path` (stdin for `-`).
    static func contents(of path: String) -> Result<[UInt8], Failure> {
        if path == "-" { return readToEnd(descriptor: STDIN_FILENO) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(Failure(code: errno)) }
        defer { close(descriptor) }
        return readToEnd(descriptor: descriptor)
    }

    /// Everything `descriptor` gives until end of file, read in blocks as it arrives (a
    /// pipe's writer may still be running).
    static func readToEnd(descriptor: Int32) -> Result<[UInt8], Failure> {
        var bytes: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return .success(bytes) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(Failure(code: errno))
            }
            bytes.append(contentsOf: block[..<count])
        }
    }
}
