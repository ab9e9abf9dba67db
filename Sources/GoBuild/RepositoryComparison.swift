import Foundation
public import GraphCore

/// Two snapshots of one repository loaded with one toolchain, and the paths that differ
/// between them: what `gocache affected` and `gocache why` start from.
public struct RepositoryComparison: Sendable {
    /// What the base side is.
    public enum Base: Hashable, Sendable {
        /// A revision as the user wrote it and the commit it resolved to (the merge base
        /// when `--merge-base` was given).
        case revision(String, commit: String)
        /// No base: `--files` without `--base`; the head stands in for it.
        case sameAsHead
        /// The base commit is missing from a shallow clone and the caller asked to treat
        /// everything as affected.
        case missing(String)
    }

    public let base: Base
    /// The head session (working tree or `--head` revision).
    public let head: RepositorySession
    /// The base session; nil when `base` is `.missing`.
    public let baseSession: RepositorySession?
    public let changes: ChangeSet

    /// How `open` obtains the changed paths.
    public enum ChangeSource: Hashable, Sendable {
        /// A libgit2 diff between the snapshots.
        case diff
        /// A caller's list of repository-relative paths.
        case files([String])
    }

    /// Opens the head (`headRevision`, or the working tree when nil) and the base
    /// (`baseRevision`; with `mergeBase`, the merge base of it and the head commit — the
    /// working tree uses `HEAD`), loads both with the same toolchain and settings overrides,
    /// and diffs them (or takes `source`'s list).
    ///
    /// - Parameter allowMissingBase: when the base cannot be resolved in a shallow clone,
    ///   return a comparison with `.missing` instead of throwing.
    /// - Throws: `GitAccessError` (unknown revision; `missingObject` naming the commit for a
    ///   shallow clone), `ToolchainError`, workspace and config errors.
    public static func open(
        path: String, baseRevision: String?, headRevision: String?, mergeBase: Bool, source: ChangeSource,
        overrides: SettingsOverrides, goBinary: String?, memoDirectory: String?, allowMissingBase: Bool,
        environment: [String: String]? = nil, standardLibrary: StandardLibraryDepth = .full, withTests: Bool = false
    ) async throws -> RepositoryComparison {
        let environment = environment ?? ProcessInfo.processInfo.environment
        let setup = try Setup.prepare(
            path: path, baseRevision: baseRevision, headRevision: headRevision, mergeBase: mergeBase, goBinary: goBinary,
            memoDirectory: memoDirectory, environment: environment)
        return try await open(
            setup, source: source, overrides: overrides, memoDirectory: memoDirectory, allowMissingBase: allowMissingBase,
            environment: environment, standardLibrary: standardLibrary, withTests: withTests)
    }

    /// What a comparison reads, found before anything is loaded: the repository, the head
    /// snapshot, the toolchain and the resolved base. Callers that remember results (the run
    /// memo) key on it.
    public struct Setup: Sendable {
        public let location: RepositoryLocation
        public let headSnapshot: Snapshot
        public let toolchain: GoToolchain
        /// The base revision as written; nil with `--files` alone.
        public let baseRevision: String?
        /// Whether the base is the merge base of `baseRevision` and the head.
        public let mergeBase: Bool
        /// The base snapshot and how to name it, or why it could not be resolved; nil
        /// without a base revision.
        let resolvedBase: Result<(Snapshot, String), GitAccessError>?

        /// The base snapshot, when it resolved.
        public var baseSnapshot: Snapshot? {
            guard case .success(let (snapshot, _))? = resolvedBase else { return nil }
            return snapshot
        }

        /// Opens the repository containing `path` and the head (`headRevision`, or the
        /// working tree), finds the toolchain and resolves the base (`baseRevision`; with
        /// `mergeBase`, the merge base of it and the head commit — `HEAD` for the working
        /// tree). A base that does not resolve is kept as a failure for `open` to judge.
        public static func prepare(
            path: String, baseRevision: String?, headRevision: String?, mergeBase: Bool, goBinary: String?,
            memoDirectory: String?, environment: [String: String]
        ) throws -> Setup {
            let location = try RepositoryLocation.discover(from: path, environment: environment)
            let headSnapshot = try headRevision.map { rev throws(GitAccessError) in try Snapshot.revision(rev, in: location) }
                ?? Snapshot.worktree(location)
            let toolchain = try GoToolchain(goBinary: goBinary, environment: environment, memoDirectory: memoDirectory)
            let resolved = baseRevision.map {
                RepositoryComparison.resolveBase($0, headRevision: headRevision, mergeBase: mergeBase, location: location)
            }
            return Setup(
                location: location, headSnapshot: headSnapshot, toolchain: toolchain, baseRevision: baseRevision,
                mergeBase: mergeBase, resolvedBase: resolved)
        }
    }

    /// Loads and compares what `setup` found (see `open(path:…)`); both sides load
    /// `standardLibrary` deep (`.importedOnly` answers affected targets and packages, not
    /// the tests of `ImpactAnalysis.tests`, whose test imports may name standard packages
    /// that only the full graph holds).
    public static func open(
        _ setup: Setup, source: ChangeSource, overrides: SettingsOverrides, memoDirectory: String?,
        allowMissingBase: Bool, environment: [String: String], standardLibrary: StandardLibraryDepth = .full,
        withTests: Bool = false
    ) async throws -> RepositoryComparison {
        let location = setup.location
        let headSnapshot = setup.headSnapshot
        let toolchain = setup.toolchain
        func loadHead() async throws -> RepositorySession {
            try await RepositorySession.load(
                location: location, snapshot: headSnapshot, toolchain: toolchain, overrides: overrides,
                environment: environment, memoDirectory: memoDirectory, standardLibrary: standardLibrary, withTests: withTests)
        }

        guard let baseRevision = setup.baseRevision, let resolved = setup.resolvedBase else {
            let head = try await loadHead()
            var listed: [String] = []
            if case .files(let paths) = source {
                listed = LinkedChanges.extend(
                    paths: ListedPaths.expandingDirectories(paths, in: [headSnapshot]), links: headSnapshot.listedLinks())
            }
            return RepositoryComparison(
                base: .sameAsHead, head: head, baseSession: head, changes: .listed(listed, baseKnown: false))
        }
        let baseSnapshot: Snapshot
        let spelled: String
        switch resolved {
        case .success(let (snapshot, name)):
            baseSnapshot = snapshot
            spelled = name
        case .failure(let error):
            guard location.isShallow, error.isMissingHistory else { throw error }
            if allowMissingBase {
                let head = try await loadHead()
                return RepositoryComparison(
                    base: .missing(baseRevision), head: head, baseSession: nil, changes: .listed([], baseKnown: false))
            }
            throw ComparisonError.baseMissingFromShallowClone(revision: baseRevision, mergeBase: setup.mergeBase, underlying: error)
        }
        // The head loads while the diff runs (it needs nothing from it). When only contents
        // changed that no load reads (`SameGraph`), the base's graph is the head's and is not
        // loaded; otherwise the base loads beside the rest of the head's load, reusing the
        // head's scans of every directory no changed path touches (and the standard
        // library's).
        var trace = PhaseTrace("comparison")
        defer { trace.report() }
        let sharing = ScanSharing()
        // The head's scan cache is registered before either load starts.
        sharing.offer(tree: headSnapshot, goRoot: toolchain.goRoot, memoDirectory: memoDirectory)
        async let loadedHead = RepositorySession.load(
            location: location, snapshot: headSnapshot, toolchain: toolchain, overrides: overrides,
            environment: environment, memoDirectory: memoDirectory, sharing: sharing, standardLibrary: standardLibrary,
            withTests: withTests)
        var diff: [PathChange]?
        var conversions: [String] = []
        switch source {
        case .diff:
            let changes = try GitHistory.changes(from: baseSnapshot, to: headSnapshot)
            conversions = GitHistory.conversionChanges(changes, base: baseSnapshot, head: headSnapshot)
            diff = changes + conversions.map { PathChange(kind: .modified, path: $0) }
        case .files: diff = nil
        }
        trace.mark("diff")
        if let changes = diff, SameGraph.provable(changes: changes, base: baseSnapshot, head: headSnapshot) {
            // One load; the comparison still reads the base's bytes of the changed files.
            let head = try await loadedHead
            trace.mark("load head (the base has the same graph)")
            // A changed file the head reads through a symbolic link is a changed input at the
            // link's path: the proof must hold for those paths too.
            let linked = LinkedChanges.extend(changes, links: headSnapshot.listedLinks() + baseSnapshot.listedLinks())
            if linked.count == changes.count || SameGraph.provable(changes: linked, base: baseSnapshot, head: headSnapshot) {
                let base = RepositorySession(
                    location: location, snapshot: baseSnapshot, toolchain: toolchain, repository: head.repository)
                return RepositoryComparison(
                    base: .revision(spelled, commit: baseSnapshot.commitID ?? ""), head: head, baseSession: base,
                    changes: .unverifying(.diff(linked), conversions))
            }
            diff = linked
        }
        async let loadedBase = RepositorySession.load(
            location: location, snapshot: baseSnapshot, toolchain: toolchain, overrides: overrides,
            environment: environment, memoDirectory: memoDirectory, sharing: sharing,
            changedPaths: diff.map { changes in changes.flatMap { [$0.path] + ($0.oldPath.map { [$0] } ?? []) } },
            standardLibrary: standardLibrary, withTests: withTests)
        let head = try await loadedHead
        let base = try await loadedBase
        trace.mark("load head and base")
        // Changed files as the loads read them: through the links either side followed.
        let links = headSnapshot.listedLinks() + baseSnapshot.listedLinks()
        let changes: ChangeSet
        switch source {
        case .diff: changes = .unverifying(.diff(LinkedChanges.extend(diff ?? [], links: links)), conversions)
        case .files(let paths):
            changes = .listed(
                LinkedChanges.extend(paths: ListedPaths.expandingDirectories(paths, in: [baseSnapshot, headSnapshot]), links: links),
                baseKnown: true)
        }
        return RepositoryComparison(
            base: .revision(spelled, commit: baseSnapshot.commitID ?? ""), head: head, baseSession: base, changes: changes)
    }

    static func resolveBase(_ revision: String, headRevision: String?, mergeBase: Bool, location: RepositoryLocation)
        -> Result<(Snapshot, String), GitAccessError>
    {
        do {
            if mergeBase {
                let commit = try GitHistory.mergeBase(revision, headRevision ?? "HEAD", in: location)
                return .success((try Snapshot.revision(commit, in: location), "merge-base(\(revision), \(headRevision ?? "HEAD"))"))
            }
            return .success((try Snapshot.revision(revision, in: location), revision))
        } catch {
            return .failure(error)
        }
    }

    /// The affected, added and removed targets.
    ///
    /// - Parameter explain: false when only the statuses are wanted (see
    ///   `ImpactAnalysis.affected`): targets proved affected by the one-load screen then
    ///   carry no reasons.
    public func affectedTargets(explain: Bool = true) -> ImpactReport {
        if case .missing(let revision) = base {
            return ImpactAnalysis.everything(
                head: head.repository, because: "base \(revision) is not in this shallow clone (--if-missing-base=all)")
        }
        let baseSession = baseSession ?? head
        var trace = PhaseTrace("impact")
        defer { trace.report() }
        let report = ImpactAnalysis.affected(
            base: baseSession.repository, head: head.repository, baseTree: baseSession.snapshot, headTree: head.snapshot,
            changes: changes, explain: explain)
        trace.mark("compare \(report.targets.count + report.unchanged.count) targets (\(report.targets.count) affected, added or removed)")
        return report
    }

    /// Throws the first `missingObject` error met reading either revision (a partial clone
    /// lacking blobs): the comparison judges an unreadable file as changed, so an answer
    /// computed from it is not the commits' own. Callers check before giving the answer.
    public func checkObjectsPresent() throws(GitAccessError) {
        try head.snapshot.checkObjectsPresent()
        try baseSession?.snapshot.checkObjectsPresent()
    }

    /// The packages whose tests must run.
    public func affectedTests() -> [TestImpact] {
        let baseSession = baseSession ?? head
        if case .missing = base {
            return ImpactAnalysis.tests(
                base: GoRepository.empty, head: head.repository, baseTree: InMemoryFileTree(files: [:]), headTree: head.snapshot,
                changes: changes)
        }
        return ImpactAnalysis.tests(
            base: baseSession.repository, head: head.repository, baseTree: baseSession.snapshot, headTree: head.snapshot,
            changes: changes)
    }

    /// The packages whose compiled form differs.
    public func affectedPackages() -> [TestImpact] {
        let baseSession = baseSession ?? head
        if case .missing = base {
            return ImpactAnalysis.packages(
                base: GoRepository.empty, head: head.repository, baseTree: InMemoryFileTree(files: [:]), headTree: head.snapshot,
                changes: changes)
        }
        return ImpactAnalysis.packages(
            base: baseSession.repository, head: head.repository, baseTree: baseSession.snapshot, headTree: head.snapshot,
            changes: changes)
    }
}

/// Why two snapshots could not be compared.
public enum ComparisonError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The base revision is not in the object database of a shallow clone.
    case baseMissingFromShallowClone(revision: String, mergeBase: Bool, underlying: GitAccessError)

    public var description: String {
        switch self {
        case .baseMissingFromShallowClone(let revision, _, let underlying):
            return "base commit '\(revision)' is not in this shallow clone (\(underlying.description))"
        }
    }

    /// What to do, naming the git command that fetches enough history.
    public var help: String {
        switch self {
        case .baseMissingFromShallowClone(let revision, let mergeBase, _):
            if mergeBase {
                return "fetch the history back to the merge base: `git fetch --unshallow` (or `git fetch --deepen=<N>`), "
                    + "or pass --if-missing-base=all to treat every target as affected"
            }
            return "fetch the commit: \(Self.fetchCommand(for: revision)), "
                + "or pass --if-missing-base=all to treat every target as affected"
        }
    }

    /// A git command that brings `revision` into a shallow clone. A remote serves names and
    /// full commit ids, not revision expressions (`git fetch origin HEAD~1` is an invalid
    /// refspec): `X~N`, `X^`, `X^N` (X present) need N generations more (`--deepen`, which
    /// deepens every boundary commit); a branch or tag name, or a full id, is fetched itself;
    /// anything else (reflog and date expressions, `^{/text}`) needs all history.
    static func fetchCommand(for revision: String) -> String {
        var rest = Substring(revision)
        if rest.hasSuffix("^{commit}") { rest = rest.dropLast("^{commit}".count) }
        var generations = 0
        while let last = rest.lastIndex(where: { $0 == "~" || $0 == "^" }) {
            let digits = rest[rest.index(after: last)...]
            guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count < 6 else { break }
            let number = digits.isEmpty ? 1 : Int(digits) ?? 1
            // `~N` is N first parents; `^N` the N-th parent, one generation (`^0` none).
            generations += rest[last] == "~" ? number : min(number, 1)
            rest = rest[..<last]
        }
        let name = String(rest)
        let plainName =
            !name.isEmpty && !name.hasPrefix("-") && !name.contains("@{") && !name.contains("..")
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._/-+".contains($0)) }
        if generations > 0, plainName {
            return "`git fetch --deepen=\(generations)` (or `git fetch --unshallow`)"
        }
        guard plainName, generations == 0, name != "HEAD" else { return "`git fetch --unshallow`" }
        // A remote-tracking name is fetched by the remote's own name for it.
        var remoteName = name
        for prefix in ["refs/remotes/origin/", "origin/"] where remoteName.hasPrefix(prefix) {
            remoteName = String(remoteName.dropFirst(prefix.count))
            break
        }
        let isID = remoteName.count == 40 && remoteName.allSatisfy(\.isHexDigit)
        // An abbreviated commit id (4–39 hex digits) is no name a remote serves.
        if !isID, (4..<40).contains(remoteName.count), remoteName.allSatisfy(\.isHexDigit) {
            return "`git fetch --unshallow` (a remote fetches a commit by its full id only)"
        }
        let arrival = isID || remoteName != name ? "" : "; a branch arrives as origin/\(name)"
        return "`git fetch --depth=1 origin \(remoteName)` (or `git fetch --unshallow`\(arrival))"
    }
}

extension GitAccessError {
    /// Whether the error is what a revision beyond a shallow clone's boundary gives.
    var isMissingHistory: Bool {
        switch self {
        case .unknownRevision, .missingObject, .git: return true
        default: return false
        }
    }
}
