internal import CGit2
import Foundation
import Synchronization

/// Where a (non-bare) git repository lives on disk.
public struct RepositoryLocation: Hashable, Sendable {
    /// Absolute path of the working tree root (no trailing `/`).
    public let workdir: String
    /// Absolute path of the `.git` directory (for a linked worktree: its private git dir).
    public let gitDir: String

    /// Whether the working tree was given apart from the git dir (`GIT_DIR`, `GIT_WORK_TREE`):
    /// the repository is then opened at `gitDir` with `workdir` set on the handle.
    let separateWorkTree: Bool
    /// Whether only the objects are read: the git dir is opened as a bare repository, its
    /// configured working tree (`core.worktree`) neither needed nor looked at.
    let objectsOnly: Bool

    init(workdir: String, gitDir: String, separateWorkTree: Bool = false, objectsOnly: Bool = false) {
        self.workdir = workdir
        self.gitDir = gitDir
        self.separateWorkTree = separateWorkTree
        self.objectsOnly = objectsOnly
    }

    /// Finds the repository containing `path`, like `git rev-parse --show-toplevel`.
    ///
    /// `GIT_DIR` and `GIT_WORK_TREE` in `environment` (default: the process's) are honoured as git honours them: with
    /// `GIT_DIR`, the repository is that git dir (no search from `path`) and the working tree
    /// `GIT_WORK_TREE`, else `core.worktree`, else the current directory; with
    /// `GIT_WORK_TREE` alone, the repository found from `path` gets that working tree.
    /// Relative values are relative to the current directory.
    ///
    /// - Throws: `notARepository` when no repository contains `path`, `bareRepository` for a
    ///   bare one, `unsafeOwnership` when git's `safe.directory` rule refuses it.
    public static func discover(
        from path: String, environment: [String: String]? = nil
    ) throws(GitAccessError) -> RepositoryLocation {
        ensureLibgit2Initialized()
        let environment = environment ?? ProcessInfo.processInfo.environment
        let gitDirVariable = environment["GIT_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        let workTreeVariable = environment["GIT_WORK_TREE"].flatMap { $0.isEmpty ? nil : $0 }
        if gitDirVariable != nil || workTreeVariable != nil {
            return try fromEnvironment(path: path, gitDir: gitDirVariable, workTree: workTreeVariable, environment: environment)
        }
        let pointer = try openOwned(path, flags: 0, named: false, environment: environment)
        defer { git_repository_free(pointer) }
        let gitDir = Repository.trimmedPath(git_repository_path(pointer)) ?? path
        guard git_repository_is_bare(pointer) == 0, let workdir = Repository.trimmedPath(git_repository_workdir(pointer))
        else {
            throw GitAccessError.bareRepository(path: gitDir)
        }
        return RepositoryLocation(workdir: workdir, gitDir: gitDir)
    }

    /// The repository at (or, without `GIT_REPOSITORY_OPEN_NO_SEARCH` in `flags`, around)
    /// `start`, opened once more with libgit2's ownership check off when git would read it:
    /// by the `safe.directory` rule for a repository it discovers, always for one `GIT_DIR`
    /// names (`named`; git checks only discovered ones). The caller frees it.
    private static func openOwned(_ start: String, flags: UInt32, named: Bool, environment: [String: String])
        throws(GitAccessError) -> OpaquePointer
    {
        var pointer: OpaquePointer?
        do {
            try check("git_repository_open_ext") { git_repository_open_ext(&pointer, start, flags, nil) }
        } catch {
            let refusal = Repository.openError(error, path: start)
            if case .notARepository = refusal, named { throw GitAccessError.environmentNotARepository(path: start) }
            if case .unsafeOwnership = refusal, named {
                SafeDirectory.disableOwnerValidation()
            } else {
                guard SafeDirectory.overrides(refusal, environment: environment) else { throw refusal }
            }
            do {
                try check("git_repository_open_ext") { git_repository_open_ext(&pointer, start, flags, nil) }
            } catch {
                throw Repository.openError(error, path: start)
            }
        }
        guard let pointer else {
            throw GitAccessError.git(code: -1, function: "git_repository_open_ext", message: "no repository returned")
        }
        return pointer
    }

    /// `discover` under `GIT_DIR` and/or `GIT_WORK_TREE` (see there).
    private static func fromEnvironment(
        path: String, gitDir: String?, workTree: String?, environment: [String: String]
    ) throws(GitAccessError)
        -> RepositoryLocation
    {
        let current = FileManager.default.currentDirectoryPath
        func absolute(_ value: String) -> String {
            let joined = value.hasPrefix("/") ? value : current + "/" + value
            return ListedPaths.resolved(URL(fileURLWithPath: joined).standardizedFileURL.path)
        }
        let start = gitDir.map(absolute) ?? path
        let flags = gitDir == nil ? 0 : GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        let pointer = try openOwned(start, flags: flags, named: gitDir != nil, environment: environment)
        defer { git_repository_free(pointer) }
        let resolvedGitDir = Repository.trimmedPath(git_repository_path(pointer)) ?? start
        let workdir: String
        if let workTree {
            workdir = absolute(workTree)
        } else if Repository.configString(pointer, "core.worktree") != nil,
            let configured = Repository.trimmedPath(git_repository_workdir(pointer))
        {
            workdir = configured
        } else if Repository.configBool(pointer, "core.bare") == true {
            throw GitAccessError.bareRepository(path: resolvedGitDir)
        } else {
            workdir = ListedPaths.resolved(current)
        }
        var info = stat()
        guard stat(workdir, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw GitAccessError.environmentNotARepository(path: workdir)
        }
        return RepositoryLocation(workdir: workdir, gitDir: resolvedGitDir, separateWorkTree: true)
    }

    /// The repository at exactly `path` (a git dir, or a working tree with a `.git` file or
    /// directory), without searching parent directories; nil when there is none. Its
    /// `workdir` is `path` itself — the location is for reading objects (a submodule's
    /// repository under `.git/modules`), not for a working tree. With `gitDir`, `path` is
    /// opened as a bare git dir (`objectsOnly`): a submodule's repository under
    /// `.git/modules` names its checkout in `core.worktree`, which libgit2 fails to open once
    /// that directory is gone (the submodule removed or moved).
    static func openExactly(_ path: String, gitDir isGitDir: Bool = false) -> RepositoryLocation? {
        ensureLibgit2Initialized()
        var pointer: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | (isGitDir ? GIT_REPOSITORY_OPEN_BARE.rawValue : 0)
        guard git_repository_open_ext(&pointer, path, flags, nil) == 0, let pointer else {
            return nil
        }
        defer { git_repository_free(pointer) }
        guard let gitDir = Repository.trimmedPath(git_repository_path(pointer)) else { return nil }
        return RepositoryLocation(workdir: path, gitDir: gitDir, objectsOnly: isGitDir)
    }

    /// Whether the clone is shallow (its common git dir holds a non-empty `shallow` file).
    public var isShallow: Bool {
        let path = commonDir + "/shallow"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let size = attributes[.size] as? NSNumber
        else { return false }
        return size.intValue > 0
    }

    /// The git dir shared by all worktrees (`gitDir` itself unless this is a linked worktree).
    public var commonDirectory: String { commonDir }

    /// The git dir shared by all worktrees (`gitDir` itself unless this is a linked worktree).
    var commonDir: String {
        guard let data = FileManager.default.contents(atPath: gitDir + "/commondir"),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        else { return gitDir }
        let url = text.hasPrefix("/") ? URL(fileURLWithPath: text) : URL(fileURLWithPath: gitDir).appendingPathComponent(text)
        return url.standardizedFileURL.path
    }
}

/// An open libgit2 repository handle. Not thread-safe: one thread uses it at a time
/// (a `RepositoryPool` lends each handle to one caller at a time).
final class Repository {
    let pointer: OpaquePointer
    let location: RepositoryLocation
    private var odbPointer: OpaquePointer?
    private var partialCloneMemo: Bool?

    private init(pointer: OpaquePointer, location: RepositoryLocation) {
        self.pointer = pointer
        self.location = location
    }

    deinit {
        if let odbPointer { git_odb_free(odbPointer) }
        git_repository_free(pointer)
    }

    /// Opens the repository whose working tree is `location.workdir` (no upward search), or
    /// the git dir alone for a location that reads only objects.
    static func open(_ location: RepositoryLocation) throws(GitAccessError) -> Repository {
        ensureLibgit2Initialized()
        var pointer: OpaquePointer?
        let path = location.separateWorkTree || location.objectsOnly ? location.gitDir : location.workdir
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | (location.objectsOnly ? GIT_REPOSITORY_OPEN_BARE.rawValue : 0)
        do {
            try check("git_repository_open_ext") { git_repository_open_ext(&pointer, path, flags, nil) }
            if location.separateWorkTree, let opened = pointer {
                try check("git_repository_set_workdir") { git_repository_set_workdir(opened, location.workdir, 0) }
            }
        } catch {
            if let pointer { git_repository_free(pointer) }
            throw openError(error, path: path)
        }
        guard let pointer else {
            throw GitAccessError.git(code: -1, function: "git_repository_open_ext", message: "no repository returned")
        }
        return Repository(pointer: pointer, location: location)
    }

    /// A boolean configuration value of the repository `pointer` (all scopes), or nil.
    static func configBool(_ pointer: OpaquePointer, _ name: String) -> Bool? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var value: Int32 = 0
        guard git_config_get_bool(&value, config, name) == 0 else { return nil }
        return value != 0
    }

    /// A configuration value of the repository `pointer` (all scopes), or nil.
    static func configString(_ pointer: OpaquePointer, _ name: String) -> String? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, name) == 0, let value else { return nil }
        return String(cString: value)
    }

    /// Maps a failure to open a repository at `path`.
    ///
    /// libgit2 1.5.1 reports a failed ownership check as `GIT_ENOTFOUND` ("config value
    /// 'safe.directory' was not found") when no `safe.directory` is configured at all, and as
    /// `GIT_EOWNER` otherwise. So a not-found whose path `git_repository_discover` (which does
    /// not check ownership) does find is an ownership refusal when the owner differs.
    static func openError(_ error: LibGit2Error, path: String) -> GitAccessError {
        switch error.code {
        case GIT_ENOTFOUND.rawValue:
            guard let found = discoveredRepositoryRoot(path) else { return .notARepository(path: path) }
            return ownedByCurrentUser(found) ? error.accessError : .unsafeOwnership(path: found)
        case GIT_EOWNER.rawValue:
            return .unsafeOwnership(path: discoveredRepositoryRoot(path) ?? path)
        default:
            return error.accessError
        }
    }

    /// The working tree root (or, for a bare repository, the git dir) that contains `path`,
    /// found without opening the repository.
    private static func discoveredRepositoryRoot(_ path: String) -> String? {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        guard git_repository_discover(&buffer, path, 0, nil) == 0, let found = trimmedPath(buffer.ptr) else {
            return nil
        }
        return found.hasSuffix("/.git") ? String(found.dropLast(5)) : found
    }

    private static func ownedByCurrentUser(_ path: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let owner = attributes[.ownerAccountID] as? NSNumber
        else { return true }
        return owner.uint32Value == geteuid()
    }

    static func trimmedPath(_ cString: UnsafePointer<CChar>?) -> String? {
        guard let cString else { return nil }
        let path = String(cString: cString)
        return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The object database, opened once per handle.
    func odb() throws(LibGit2Error) -> OpaquePointer {
        if let odbPointer { return odbPointer }
        var odb: OpaquePointer?
        try check("git_repository_odb") { git_repository_odb(&odb, pointer) }
        guard let odb else {
            throw LibGit2Error(code: -1, function: "git_repository_odb", message: "no object database returned")
        }
        odbPointer = odb
        return odb
    }

    var isShallow: Bool { git_repository_is_shallow(pointer) == 1 }

    /// Whether objects may be missing because a filter left them out: `extensions.partialclone`
    /// or some `remote.<name>.promisor` is set.
    var isPartialClone: Bool {
        if let partialCloneMemo { return partialCloneMemo }
        let answer = readPartialClone()
        partialCloneMemo = answer
        return answer
    }

    private func readPartialClone() -> Bool {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return false }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        if git_config_get_string(&value, config, "extensions.partialclone") == 0, let value, value.pointee != 0 {
            return true
        }
        var iterator: OpaquePointer?
        guard git_config_iterator_glob_new(&iterator, config, "^remote\\..*\\.promisor$") == 0, let iterator else {
            return false
        }
        defer { git_config_iterator_free(iterator) }
        var entry: UnsafeMutablePointer<git_config_entry>?
        while git_config_next(&entry, iterator) == 0, let entry {
            var enabled: Int32 = 0
            if git_config_parse_bool(&enabled, entry.pointee.value) == 0, enabled != 0 { return true }
        }
        return false
    }

    /// Whether the object database holds `id` (without reading it).
    func contains(_ id: ObjectID) -> Bool {
        guard let odb = try? odb() else { return false }
        return id.withPointer { git_odb_exists(odb, $0) } == 1
    }

    /// A missing-object error for `id`, flagged with why this clone may lack it.
    func missingObject(_ id: String, path: String?) -> GitAccessError {
        .missingObject(id: id, path: path, partialClone: isPartialClone, shallow: isShallow)
    }

    /// A `missingObject` error when `error`'s message names an object id (libgit2's "object
    /// not found - no match for id (…)") that the object database indeed lacks.
    func missingObjectNamed(in error: LibGit2Error) -> GitAccessError? {
        guard let named = ObjectID.firstFullHex(in: error.message), let id = ObjectID(hex: named), !contains(id) else {
            return nil
        }
        return missingObject(named, path: nil)
    }

    /// Resolves `revision` (any `git rev-parse` syntax libgit2 supports: branches, tags,
    /// `HEAD~2`, abbreviated ids) and peels it to a commit.
    func resolveCommit(_ revision: String) throws(GitAccessError) -> (commit: ObjectID, tree: ObjectID) {
        var object: OpaquePointer?
        var spec = revision
        if let rewritten = try reflogResolved(revision) {
            spec = rewritten
        } else if let rewritten = try perWorktreeResolved(revision) {
            spec = rewritten
        }
        // `@` alone is HEAD in git; libgit2 reads it only by itself (not `@~1`, `@^`).
        if spec.hasPrefix("@~") || spec.hasPrefix("@^") { spec = "HEAD" + spec.dropFirst() }
        do throws(LibGit2Error) {
            do throws(LibGit2Error) {
                try check("git_revparse_single") { git_revparse_single(&object, pointer, spec) }
            } catch where error.code == GIT_EAMBIGUOUS.rawValue {
                // git reads an abbreviated id where a commit is expected as the one commit (or
                // tag) it abbreviates, when blobs or trees share the prefix (`4562^{commit}`),
                // also with a suffix (`4562~1`).
                let abbreviation = spec.prefix { $0.isHexDigit }
                guard let unique = uniqueCommitish(abbreviating: String(abbreviation)) else { throw error }
                spec = unique.hex + spec.dropFirst(abbreviation.count)
                try check("git_revparse_single") { git_revparse_single(&object, pointer, spec) }
            }
        } catch {
            throw revisionError(error, revision: revision)
        }
        guard let object else { throw GitAccessError.unknownRevision(revision: revision, suggestion: nil) }
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        do {
            try check("git_object_peel") { git_object_peel(&commit, object, GIT_OBJECT_COMMIT) }
        } catch {
            switch error.code {
            case GIT_EPEEL.rawValue, GIT_EINVALIDSPEC.rawValue, GIT_EINVALID.rawValue:
                throw GitAccessError.notACommit(revision: revision)
            case GIT_ENOTFOUND.rawValue:
                throw missingAfterNotFound(error, revision: revision)
            default:
                throw error.accessError
            }
        }
        guard let commit else { throw GitAccessError.notACommit(revision: revision) }
        defer { git_object_free(commit) }
        guard let commitID = git_object_id(commit), let treeID = git_commit_tree_id(commit) else {
            throw GitAccessError.notACommit(revision: revision)
        }
        return (ObjectID(commitID), ObjectID(treeID))
    }

    /// `NAME@{n}`, `HEAD@{n}` and `@{n}` (with any suffix, `HEAD@{1}~2`) as git reads them,
    /// rewritten to the commit id the reflog names plus the suffix; nil for any other revision
    /// (dates, `@{-1}`, `@{upstream}` are libgit2's).
    ///
    /// libgit2 1.5 reads `HEAD@{n}` from the reflog of the branch HEAD points to (libgit2
    /// issue #6156); git reads HEAD's own (`logs/HEAD`: checkouts, resets, pulls), the idiom of
    /// post-checkout and post-merge hooks. `@{n}` without a name is the current branch's reflog
    /// in git (HEAD's when detached). Entry n is the n-th newest; n equal to the count names
    /// the oldest entry's old value (git's `read_ref_at`).
    func reflogResolved(_ revision: String) throws(GitAccessError) -> String? {
        guard let at = revision.range(of: "@{") else { return nil }
        var rest = revision[at.upperBound...]
        // git reads `@{+1}` and `@{ 1}` as dates; libgit2 as entry 1 — refused, not guessed.
        if rest.first == "+" || rest.first == " " || rest.first == "\t" {
            throw GitAccessError.unknownRevision(revision: revision, suggestion: nil)
        }
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, rest.dropFirst(digits.count).first == "}", let nth = Int(digits) else { return nil }
        rest = rest.dropFirst(digits.count + 1)
        let given = String(revision[..<at.lowerBound])
        let name: String
        if given == "HEAD" {
            name = "HEAD"
        } else if given.isEmpty {
            var head: OpaquePointer?
            guard git_reference_lookup(&head, pointer, "HEAD") == 0, let head else { return nil }
            defer { git_reference_free(head) }
            name = git_reference_symbolic_target(head).map { String(cString: $0) } ?? "HEAD"
        } else {
            // `main@{1}`: the reference git's rules find for the name (`refs/heads/main`).
            var reference: OpaquePointer?
            guard git_reference_dwim(&reference, pointer, given) == 0, let reference else { return nil }
            defer { git_reference_free(reference) }
            name = String(cString: git_reference_name(reference))
        }
        var reflog: OpaquePointer?
        guard git_reflog_read(&reflog, pointer, name) == 0, let reflog else {
            throw GitAccessError.unknownRevision(revision: revision, suggestion: nil)
        }
        defer { git_reflog_free(reflog) }
        let count = git_reflog_entrycount(reflog)
        var id: ObjectID?
        if nth < count, let entry = git_reflog_entry_byindex(reflog, nth), let new = git_reflog_entry_id_new(entry) {
            id = ObjectID(new.pointee)
        } else if nth == count, count > 0, let entry = git_reflog_entry_byindex(reflog, count - 1),
            let old = git_reflog_entry_id_old(entry), git_oid_is_zero(old) == 0
        {
            id = ObjectID(old.pointee)
        }
        guard let id else { throw GitAccessError.reflogTooShort(revision: revision, reference: name, entries: count) }
        return id.hex + rest
    }

    /// Per-worktree references as git reads them, rewritten to the commit id they name plus
    /// any suffix (`refs/worktree/mark~1`); nil for any other revision. libgit2 1.5 keeps only
    /// HEAD per worktree: in a linked worktree it looks `refs/worktree/NAME` up in the common
    /// git dir (git keeps it in the worktree's own, `.git/worktrees/<wt>/refs/worktree/`), and
    /// knows neither `main-worktree/REF` (the main worktree's HEAD or per-worktree ref) nor
    /// `worktrees/<wt>/refs/worktree/NAME`. These are loose files (git never packs them).
    func perWorktreeResolved(_ revision: String) throws(GitAccessError) -> String? {
        let end = [revision.range(of: "@{")?.lowerBound, revision.firstIndex { "~^:".contains($0) }]
            .compactMap { $0 }.min() ?? revision.endIndex
        let name = String(revision[..<end])
        let common = location.commonDir
        // The git dir holding the reference, and its name there.
        let holder: (dir: String, name: String)
        if name.hasPrefix("refs/worktree/") {
            guard location.gitDir != common else { return nil }
            holder = (location.gitDir, name)
        } else if name.hasPrefix("main-worktree/") {
            let rest = String(name.dropFirst("main-worktree/".count))
            guard rest == "HEAD" || rest.hasPrefix("refs/worktree/") || rest.hasPrefix("refs/bisect/") else { return nil }
            holder = (common, rest)
        } else if name.hasPrefix("worktrees/"), let at = name.range(of: "/refs/worktree/") {
            holder = (common + "/" + name[..<at.lowerBound], String(name[name.index(after: at.lowerBound)...]))
        } else {
            return nil
        }
        guard !name.split(separator: "/").contains(".."), let id = looseReference(holder.name, in: holder.dir, depth: 0) else {
            throw GitAccessError.unknownRevision(revision: revision, suggestion: nil)
        }
        return id.hex + revision[end...]
    }

    /// The commit id the loose reference `name` of git dir `dir` holds, following `ref: NAME`
    /// (a per-worktree name in the same git dir, any other through libgit2).
    private func looseReference(_ name: String, in dir: String, depth: Int) -> ObjectID? {
        guard depth < 5, let data = FileManager.default.contents(atPath: dir + "/" + name) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("ref:") else { return ObjectID(hex: text) }
        let target = text.dropFirst(4).trimmingCharacters(in: .whitespaces)
        if target.hasPrefix("refs/worktree/") || target.hasPrefix("refs/bisect/") {
            return looseReference(target, in: dir, depth: depth + 1)
        }
        var oid = git_oid()
        guard git_reference_name_to_id(&oid, pointer, target) == 0 else { return nil }
        return ObjectID(oid)
    }

    private func revisionError(_ error: LibGit2Error, revision: String) -> GitAccessError {
        if (revision == "HEAD" || revision.hasPrefix("HEAD~") || revision.hasPrefix("HEAD^") || revision == "@"),
            git_repository_head_unborn(pointer) == 1
        {
            return .unbornHead(revision: revision)
        }
        switch error.code {
        case GIT_EAMBIGUOUS.rawValue:
            return .ambiguousRevision(revision: revision)
        case GIT_ENOTFOUND.rawValue, GIT_EINVALIDSPEC.rawValue, GIT_EUNBORNBRANCH.rawValue:
            return missingAfterNotFound(error, revision: revision)
        default:
            return error.accessError
        }
    }

    /// A revision did not resolve. When the clone is shallow or partial and libgit2 names an
    /// object the database lacks (`HEAD~3` past the shallow boundary) or the revision is a full
    /// id, the object is missing rather than unknown.
    private func missingAfterNotFound(_ error: LibGit2Error, revision: String) -> GitAccessError {
        if isShallow || isPartialClone {
            if let missing = missingObjectNamed(in: error) { return missing }
            if ObjectID.isFullHex(revision) {
                return missingObject(revision.lowercased(), path: nil)
            }
        }
        return .unknownRevision(revision: revision, suggestion: suggestion(for: revision))
    }

    /// The one commit or tag whose id starts with `prefix` (4 to 39 hex digits), when other
    /// objects share the prefix; nil when there is none or more than one. Lists the object
    /// database: only for an abbreviation libgit2 found ambiguous.
    func uniqueCommitish(abbreviating prefix: String) -> ObjectID? {
        let hex = prefix.lowercased()
        guard (4..<40).contains(hex.count), hex.allSatisfy(\.isHexDigit), let odb = try? odb() else { return nil }
        final class Search {
            let prefix: String
            var found: [ObjectID] = []
            init(_ prefix: String) { self.prefix = prefix }
        }
        let search = Search(hex)
        let callback: git_odb_foreach_cb = { oid, payload in
            guard let oid, let payload else { return 0 }
            let search = Unmanaged<Search>.fromOpaque(payload).takeUnretainedValue()
            let id = ObjectID(oid)
            if id.hex.hasPrefix(search.prefix) { search.found.append(id) }
            return 0
        }
        let status = withExtendedLifetime(search) {
            git_odb_foreach(odb, callback, Unmanaged.passUnretained(search).toOpaque())
        }
        guard status == 0 else { return nil }
        var commitish: Set<ObjectID> = []
        for id in search.found {
            var size = 0
            var type = GIT_OBJECT_INVALID
            let read = id.withPointer { git_odb_read_header(&size, &type, odb, $0) }
            if read == 0, type == GIT_OBJECT_COMMIT || type == GIT_OBJECT_TAG { commitish.insert(id) }
        }
        return commitish.count == 1 ? commitish.first : nil
    }

    /// The short names of all references: local and remote-tracking branches and tags.
    func referenceNames() -> [String] {
        var iterator: OpaquePointer?
        guard git_reference_iterator_new(&iterator, pointer) == 0, let iterator else { return [] }
        defer { git_reference_iterator_free(iterator) }
        var names: [String] = []
        var reference: OpaquePointer?
        while git_reference_next(&reference, iterator) == 0, let current = reference {
            if let name = git_reference_name(current), String(cString: name).hasPrefix("refs/stash") == false,
                let short = git_reference_shorthand(current)
            {
                names.append(String(cString: short))
            }
            git_reference_free(current)
            reference = nil
        }
        return names.sorted()
    }

    /// A branch or tag name close to `revision` (keeping any `~N`, `^N` or `:path` suffix).
    func suggestion(for revision: String) -> String? {
        let suffixStart = revision.firstIndex { "~^:@".contains($0) } ?? revision.endIndex
        let base = String(revision[..<suffixStart])
        let suffix = String(revision[suffixStart...])
        guard !base.isEmpty, let name = closestName(to: base, among: referenceNames()) else { return nil }
        return name + suffix
    }
}

/// The closest of `names` to `word` by edit distance (adjacent transpositions count once),
/// when it is close enough to be a likely typo; ties go to the alphabetically first name.
func closestName(to word: String, among names: [String]) -> String? {
    let target = Array(word.lowercased().unicodeScalars)
    let limit = max(1, target.count / 3)
    var best: (name: String, distance: Int)?
    for name in names.sorted() where name != word {
        let candidate = Array(name.lowercased().unicodeScalars)
        guard abs(candidate.count - target.count) <= limit else { continue }
        let distance = editDistance(target, candidate)
        if distance <= limit, distance < (best?.distance ?? Int.max) {
            best = (name, distance)
        }
    }
    return best?.name
}

/// Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent
/// transpositions each cost one.
/// - Complexity: O(a.count × b.count).
func editDistance<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previousPrevious = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                value = min(value, previousPrevious[j - 2] + 1)
            }
            current[j] = value
        }
        (previousPrevious, previous, current) = (previous, current, previousPrevious)
    }
    return previous[b.count]
}

/// A small pool of `Repository` handles for one repository, so that concurrent readers never
/// share a handle and reading a blob never reopens the repository.
final class RepositoryPool: Sendable {
    /// A handle in transit between the pool and one borrower.
    ///
    /// `@unchecked Sendable` is sound here because of how the pool moves it: a lease is either
    /// stored in `idle` (touched only under the lock) or held by exactly one `withRepository`
    /// call, never both, so its `Repository` is used by one thread at a time.
    private struct Lease: @unchecked Sendable {
        let repository: Repository
    }

    let location: RepositoryLocation
    private let idle = Mutex<[Lease]>([])
    private let maximumIdle: Int

    init(location: RepositoryLocation, maximumIdle: Int = max(2, ProcessInfo.processInfo.activeProcessorCount)) {
        self.location = location
        self.maximumIdle = maximumIdle
    }

    /// Lends a handle to `body`, opening one when none is idle, and takes it back afterwards.
    func withRepository<R>(_ body: (Repository) throws(GitAccessError) -> R) throws(GitAccessError) -> R {
        let lease: Lease
        if let idleLease = idle.withLock({ $0.popLast() }) {
            lease = idleLease
        } else {
            lease = Lease(repository: try Repository.open(location))
        }
        defer {
            idle.withLock { handles in
                if handles.count < maximumIdle { handles.append(lease) }
            }
        }
        return try body(lease.repository)
    }
}
