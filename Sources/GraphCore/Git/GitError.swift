internal import CGit2

/// What went wrong reading a git repository, with the repository path, revision or object
/// involved. `description` says what failed, `help` says what to do (naming the git command).
public enum GitAccessError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `path` is not inside a git working tree.
    case notARepository(path: String)
    /// `GIT_DIR` or `GIT_WORK_TREE` names `path`, which is no git repository (or no directory).
    case environmentNotARepository(path: String)
    /// The repository at `path` is bare: there is no working tree to read.
    case bareRepository(path: String)
    /// git's `safe.directory` check refused the repository at `path` (owned by another user).
    case unsafeOwnership(path: String)
    /// `revision` names no commit; `suggestion` is a close branch or tag name, if any.
    case unknownRevision(revision: String, suggestion: String?)
    /// `revision` is an abbreviated id that names more than one commit (or tag).
    case ambiguousRevision(revision: String)
    /// `revision` is HEAD (or relative to it) in a repository without commits.
    case unbornHead(revision: String)
    /// `revision` is `NAME@{n}` and the reflog of `reference` holds only `entries` entries.
    case reflogTooShort(revision: String, reference: String, entries: Int)
    /// `revision` resolves to an object that is not (and does not peel to) a commit.
    case notACommit(revision: String)
    /// The object `id` (hex) is not in the object database: the clone is partial (the blob was
    /// filtered out) or shallow (the commit lies beyond the shallow boundary). `path` is the
    /// file the blob was read for, when known; `revision` the commit (hex) whose tree was
    /// being read, when known (`Snapshot` adds it).
    case missingObject(id: String, path: String?, partialClone: Bool, shallow: Bool, revision: String? = nil)
    /// A revision holds a source file whose name is not valid UTF-8 (shown with replacement
    /// characters): go/build would read it, gocache cannot name it.
    case nonUTF8Name(path: String)
    /// Any other libgit2 failure: its error code, the failing function and libgit2's message.
    case git(code: Int32, function: String, message: String)

    /// The same error, naming `revision` (a commit id) as the one being read when it is a
    /// `missingObject` that names none.
    public func reading(revision: String?) -> GitAccessError {
        guard case .missingObject(let id, let path, let partialClone, let shallow, nil) = self, let revision else { return self }
        return .missingObject(id: id, path: path, partialClone: partialClone, shallow: shallow, revision: revision)
    }

    /// One line saying what failed.
    public var description: String {
        switch self {
        case .notARepository(let path):
            return "not a git repository (or any parent up to the file system root): \(path)"
        case .environmentNotARepository(let path):
            return "GIT_DIR / GIT_WORK_TREE name \(path), which is not a git repository or working tree"
        case .bareRepository(let path):
            return "\(path) is a bare git repository; it has no working tree to read"
        case .unsafeOwnership(let path):
            return "git refuses to read the repository at \(path): it is owned by another user"
        case .unknownRevision(let revision, _):
            return "unknown revision '\(revision)'"
        case .ambiguousRevision(let revision):
            return "the abbreviated id '\(revision)' names more than one commit"
        case .unbornHead(let revision):
            return "'\(revision)' names no commit: the repository has no commits yet"
        case .reflogTooShort(let revision, let reference, let entries):
            return "unknown revision '\(revision)': the reflog of \(reference) has only \(entries) "
                + (entries == 1 ? "entry" : "entries")
        case .notACommit(let revision):
            return "revision '\(revision)' does not name a commit"
        case .missingObject(let id, let path, let partialClone, let shallow, _):
            let what = path.map { "blob \(id) of '\($0)'" } ?? "object \(id)"
            if partialClone {
                return "\(what) is missing from this partial clone"
            }
            if shallow {
                return "\(what) is missing: the clone is shallow and it lies beyond the shallow boundary"
            }
            return "\(what) is missing from the object database"
        case .nonUTF8Name(let path):
            return "cannot read \(path) of a revision: its name is not valid UTF-8"
        case .git(let code, let function, let message):
            return "\(function) failed (libgit2 error \(code)): \(message)"
        }
    }

    /// One line saying what to do about it, naming the git command to run.
    public var help: String {
        switch self {
        case .notARepository:
            return "run gocache inside a git working tree, or create one with `git init`"
        case .environmentNotARepository:
            return "point GIT_DIR at a git directory and GIT_WORK_TREE at its working tree, or unset both "
                + "and run gocache inside the working tree (or pass --repo)"
        case .bareRepository(let path):
            return "run gocache in a working tree of it, e.g. `git worktree add <dir>` in \(path), "
                + "or name one with GIT_WORK_TREE"
        case .unsafeOwnership(let path):
            return "if you trust it, run `git config --global --add safe.directory \(path)`"
        case .unknownRevision(let revision, let suggestion):
            if let suggestion {
                return "did you mean '\(suggestion)'? (`git branch -a` and `git tag` list the names)"
            }
            return "check the name with `git rev-parse --verify '\(revision)^{commit}'`; "
                + "fetch it first if it only exists on a remote (`git fetch`)"
        case .ambiguousRevision:
            return "give more hex digits (`git rev-parse` prints the full id)"
        case .unbornHead:
            return "commit first (`git commit`); a base must be a commit"
        case .reflogTooShort(_, let reference, _):
            return "`git reflog show \(reference)` lists its entries (a fresh clone's reflog is short)"
        case .notACommit(let revision):
            return "name a commit, branch or tag; `git cat-file -t '\(revision)'` shows what it names"
        case .missingObject(let id, _, let partialClone, let shallow, let revision):
            if partialClone {
                // A partial clone holds the checked-out commit's objects: a revision needs
                // those of its files that differ from it, which git fetches in one batch for a
                // diff (libgit2 cannot fetch).
                let just = revision.map {
                    "just what revision \($0) needs, in one batch: `git diff --stat HEAD \($0) >/dev/null` "
                        + "(git fetches the objects a diff reads)"
                } ?? "just this one: `git cat-file -p \(id)`"
                return "fetch the missing objects with `git fetch --refetch --no-filter origin` "
                    + "(or \(just)); the working tree of a partial clone is complete (`--rev` left out reads it)"
            }
            if shallow {
                return "deepen the clone with `git fetch --deepen=<N>` or fetch all history "
                    + "with `git fetch --unshallow`"
            }
            return "check the repository with `git fsck`, then `git fetch` the missing objects"
        case .nonUTF8Name:
            return "rename it to a UTF-8 name in a new commit (the go command's module rules require one too)"
        case .git(let code, _, let message):
            // libgit2 1.5 reads neither split nor sparse indexes (README, Known gaps).
            if message.contains("unsupported mandatory extension: 'link'") {
                return "the index is split (core.splitIndex), which libgit2 cannot read: "
                    + "run `git update-index --no-split-index`, or compare revisions (`--head REV`)"
            }
            if message.contains("unsupported mandatory extension: 'sdir'") {
                return "the index is sparse (index.sparse), which libgit2 cannot read: run "
                    + "`git sparse-checkout init --no-sparse-index`, or compare revisions (`--head REV`)"
            }
            switch code {
            case GIT_EAMBIGUOUS.rawValue:
                return "the abbreviated id is ambiguous; give more hex digits "
                    + "(`git rev-parse` prints the full id)"
            case GIT_ENOTFOUND.rawValue:
                return "check that the revisions share history with `git merge-base`; a shallow "
                    + "clone may need `git fetch --unshallow`"
            case GIT_ELOCKED.rawValue:
                return "another git process holds a lock; wait for it or remove the stale .lock file"
            default:
                return "check the repository with `git status` and `git fsck`"
            }
        }
    }
}

/// A failed libgit2 call: its return code, the function and libgit2's per-thread message.
struct LibGit2Error: Error, Hashable, Sendable, CustomStringConvertible {
    var code: Int32
    var function: String
    var message: String

    var description: String { "\(function): \(message) (\(code))" }

    var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }

    /// The generic public form, for failures without a more specific case.
    var accessError: GitAccessError {
        .git(code: code, function: function, message: message)
    }
}

/// Calls `body` (one libgit2 function) and turns a negative return code into a
/// `LibGit2Error`, reading `git_error_last()` at once: the message is per thread, so
/// nothing may run in between (no `await`, no other libgit2 call).
@discardableResult
func check(_ function: String, _ body: () -> Int32) throws(LibGit2Error) -> Int32 {
    let code = body()
    guard code < 0 else { return code }
    var message = "no message"
    if let last = git_error_last(), let text = last.pointee.message {
        message = String(cString: text)
    }
    throw LibGit2Error(code: code, function: function, message: message)
}

/// Initialises libgit2 exactly once per process (Swift runs a global's initialiser once,
/// thread-safely) and allows the repository extensions gocache can read safely.
private let libgit2Initialization: Void = {
    git_libgit2_init()
    // A partial clone made by an older git sets `extensions.partialclone`; libgit2 refuses
    // unknown extensions unless told they are understood. Missing (filtered) objects are
    // reported as `GitAccessError.missingObject`, so reading such a clone is safe.
    // `preciousObjects` only forbids deleting objects, which a reader never does.
    _ = "partialclone".withCString { partialClone in
        "preciousobjects".withCString { preciousObjects in
            var names: [UnsafePointer<CChar>?] = [partialClone, preciousObjects]
            return names.withUnsafeMutableBufferPointer { buffer in
                gocache_git_set_extensions(buffer.baseAddress, buffer.count)
            }
        }
    }
}()

/// Call before the first libgit2 call of any entry point.
func ensureLibgit2Initialized() {
    libgit2Initialization
}
