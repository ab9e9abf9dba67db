internal import CGit2
import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The git blob ids of working-tree files, taken from git's index where git itself trusts
/// them, so that the memos (parse, digest, graph, run) can key an unchanged file by its
/// content instead of its stat data — which every fresh clone changes. A CI job clones
/// anew on every run; keyed by stat data, a restored cache directory parsed and hashed the
/// whole tree again.
///
/// A file's entry in the index records the blob id of its content and the stat data it had
/// when git last read or wrote it. The id stands for the file's bytes when:
/// - the file's stat data (size, modification and change times to the nanosecond, inode) and
///   mode are the ones recorded, and the recorded modification time is strictly older than
///   the index file's own (git's racy-clean rule: content written in the index's own clock
///   tick could have changed unseen; git smudges such entries when it writes the index);
/// - nothing converts content between the index and the working tree: no `.gitattributes`
///   file above the file that sets a converting attribute (`GitAttributes`: `filter`, `ident`,
///   `working-tree-encoding`, `eol=crlf`, a macro; `text` when `core.eol=crlf` — not the
///   usual `*.go text eol=lf` or `linguist-*`; such a file turns the ids off in its
///   directory's subtree), no `info/attributes`, no global or system attributes file,
///   `core.autocrlf` unset, `false` or `input` (the three leave checked-out bytes alone), no
///   `GIT_CONFIG_*` environment that could say otherwise;
/// - the index is one this reader handles (`IndexFile.read`: versions 2 to 4, not split or
///   sparse, no conflicts, no assume-valid or skip-worktree entries).
/// Anything else gives no ids, and the memos fall back to stat data.
struct IndexedBlobs: Sendable {
    private let entries: [String: IndexFile.Entry]
    /// Symbolic links' entries, by path.
    private var linkEntries: [String: IndexFile.Entry] = [:]
    /// How many entries the index holds, of any kind.
    private var entryCount = 0
    /// The index's cache-tree root (hex), when valid; nil as well when it tracks a gitlink.
    private var rootTree: String?
    private let indexModified: (seconds: Int64, nanoseconds: Int64)
    /// Whether a file marked `text` is converted on checkout (`core.eol=crlf`).
    private let textConverts: Bool
    /// Where a `.gitattributes` line sets a converting attribute: no ids for the files it matches.
    private var converting = GitAttributes.Rules()
    /// Directories where the index tracks a `.gitattributes` file (`""` is the root).
    private var trackedAttributes: [String] = []

    /// The empty blob's id: a racily clean entry that git smudged has size 0 in the index.
    private static let emptyBlob: [UInt8] = [
        0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b, 0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53,
        0x91,
    ]

    /// Environment variables through which git's configuration (or attributes) could differ
    /// from what libgit2 reads here.
    static let configEnvironment = [
        "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS",
        "GIT_ATTR_SOURCE",
    ]

    /// What the ids depend on besides the tree's own attributes files: the index, read while
    /// the walk lists the tree (`prepare`, then `load` once the walk is done).
    final class Preparation: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result: IndexedBlobs?
        private let workdir: String

        fileprivate init(_ snapshot: Snapshot) {
            workdir = snapshot.location.workdir
            DispatchQueue.global().async {
                self.result = IndexedBlobs.readIndex(snapshot)
                self.done.signal()
            }
        }

        /// The ids, once the walk found `directories` (every directory of the tree): nil when
        /// a `.gitattributes` file among them sets anything that converts content
        /// (`GitAttributes`), or the index's ids cannot be trusted.
        func load(directories: [(path: String, listing: DirectoryListing)]) -> IndexedBlobs? {
            done.wait()
            guard var result else { return nil }
            result.converting = GitAttributes.convertingRules(
                directories.map { ($0.path, $0.listing.entries) }, workdir: workdir, textConverts: result.textConverts)
            // A tracked attributes file gone from the disk may have converted what was checked
            // out under it (git reads the index's copy then): its subtree is not trusted.
            let listed = Dictionary(directories.map { ($0.path, $0.listing) }, uniquingKeysWith: { first, _ in first })
            for dir in result.trackedAttributes where listed[dir]?.entry(named: ".gitattributes") == nil {
                result.converting.coverAll(dir)
            }
            if result.converting.coversEverything { return nil }
            return result
        }
    }

    /// Starts reading what the ids of `snapshot`'s working tree depend on.
    static func prepare(_ snapshot: Snapshot) -> Preparation { Preparation(snapshot) }

    /// The index's entries, when everything outside the tree lets its ids stand for the
    /// files' bytes (see above).
    private static func readIndex(_ snapshot: Snapshot) -> IndexedBlobs? {
        let environment = ProcessInfo.processInfo.environment
        if environment["GOCACHE_INDEX_BLOBS"] == "off" { return nil }
        if configEnvironment.contains(where: { environment[$0] != nil }) { return nil }
        let location = snapshot.location
        var info = stat()
        for dir in Set([location.gitDir, location.commonDirectory]) where stat(dir + "/info/attributes", &info) == 0 {
            return nil
        }
        guard let configuration = try? snapshot.pool.withRepository({ (repository) throws(GitAccessError) in
            repository.convertingConfiguration()
        }), configuration.convertsNothing
        else { return nil }
        for candidate in configuration.files where stat(candidate, &info) == 0 { return nil }
        guard let index = IndexFile.read(location.gitDir + "/index") else { return nil }
        var entries: [String: IndexFile.Entry] = [:]
        entries.reserveCapacity(index.entries.count)
        for entry in index.entries where entry.mode == 0o100644 || entry.mode == 0o100755 { entries[entry.path] = entry }
        var blobs = IndexedBlobs(
            entries: entries, indexModified: (index.mtimeSeconds, index.mtimeNanoseconds),
            textConverts: configuration.textConverts)
        blobs.entryCount = index.entries.count
        for entry in index.entries where entry.mode == 0o120000 { blobs.linkEntries[entry.path] = entry }
        if !index.entries.contains(where: { $0.mode == 0o160000 }) {
            blobs.rootTree = index.rootTree.flatMap { ObjectID(rawBytes: $0)?.hex }
        }
        for entry in index.entries where entry.path == ".gitattributes" || entry.path.hasSuffix("/.gitattributes") {
            blobs.trackedAttributes.append(String(entry.path.dropLast(".gitattributes".count).dropLast(entry.path.contains("/") ? 1 : 0)))
        }
        return blobs
    }

    /// The tree (hex id) the walked working tree is, byte for byte: the index's cache-tree root,
    /// when every file of the walk carries its index entry's blob id, every link matches its
    /// entry's stat data as a file must (a link's blob is its target), the index holds no other
    /// entry (no gitlink, nothing deleted from the disk), and the walk holds no directory
    /// without a file below it (git tracks none; an empty directory changes what an import
    /// resolves to). nil otherwise.
    func provenTree(of directories: [WorktreeWalk.Directory]) -> String? {
        guard let rootTree else { return nil }
        var count = 0
        var filled = Set<String>()
        // Level by level, children after parents: backwards, a directory's subdirectories
        // are decided before it.
        for directory in directories.reversed() {
            let prefix = directory.path.isEmpty ? "" : directory.path + "/"
            var hasContent = false
            for entry in directory.entries {
                switch entry.kind {
                case .file:
                    guard entry.blobID != nil else { return nil }
                    count += 1
                    hasContent = true
                case .symlink:
                    guard let stamp = entry.stamp, let recorded = linkEntries[prefix + entry.name], matches(stamp, recorded) else {
                        return nil
                    }
                    count += 1
                    hasContent = true
                case .directory:
                    guard filled.contains(prefix + entry.name) else { return nil }
                    hasContent = true
                case .submodule:
                    return nil
                }
            }
            if hasContent { filled.insert(directory.path) }
        }
        return count == entryCount ? rootTree : nil
    }

    /// git's racy-clean check of stat data against an entry (see above).
    private func matches(_ stamp: FileStamp, _ recorded: IndexFile.Entry) -> Bool {
        UInt32(truncatingIfNeeded: stamp.size) == recorded.size
            && UInt32(truncatingIfNeeded: stamp.inode) == recorded.inode
            && stamp.mtimeSeconds == Int64(recorded.mtimeSeconds) && stamp.mtimeNanoseconds == Int64(recorded.mtimeNanoseconds)
            && stamp.ctimeSeconds == Int64(recorded.ctimeSeconds) && stamp.ctimeNanoseconds == Int64(recorded.ctimeNanoseconds)
            && (Int64(recorded.mtimeSeconds), Int64(recorded.mtimeNanoseconds)) < indexModified
    }

    /// The listing of `dir` with each file whose index entry holds (see above) carrying that
    /// entry's blob id.
    func annotate(_ listing: DirectoryListing, dir: String) -> DirectoryListing {
        let matchEach = converting.applies(inDirectory: dir)
        let prefix = dir.isEmpty ? "" : dir + "/"
        var entries = listing.entries
        var changed = false
        for position in entries.indices {
            let entry = entries[position]
            guard entry.kind == .file, entry.blobID == nil, let stamp = entry.stamp, let mode = entry.mode,
                let recorded = self.entries[prefix + entry.name], recorded.mode == mode, matches(stamp, recorded),
                recorded.size != 0 || recorded.id == Self.emptyBlob,
                !(matchEach && converting.converts(prefix + entry.name))
            else { continue }
            entries[position].blobID = ObjectID(rawBytes: recorded.id)?.hex
            changed = true
        }
        return changed ? DirectoryListing(sortedWorktreeEntries: entries) : listing
    }

}

/// The configuration that decides whether git converts content on checkout.
struct ConvertingConfiguration {
    /// `core.autocrlf` is unset, `false` or `input`.
    var convertsNothing: Bool
    /// `core.eol` is `crlf`: files marked `text` get CRLF line ends on checkout.
    var textConverts: Bool
    /// Attributes files outside the tree that git would read (global and system).
    var files: [String]
}

extension Repository {
    /// `core.autocrlf` and where git would look for global and system attributes.
    func convertingConfiguration() -> ConvertingConfiguration? {
        var config: OpaquePointer?
        guard git_repository_config_snapshot(&config, pointer) == 0, let config else { return nil }
        defer { git_config_free(config) }
        var convertsNothing = true
        var value: UnsafePointer<CChar>?
        if git_config_get_string(&value, config, "core.autocrlf") == 0, let value {
            let text = String(cString: value).lowercased()
            var flag: Int32 = 0
            if text != "input", git_config_parse_bool(&flag, value) != 0 || flag != 0 { convertsNothing = false }
        }
        var textConverts = false
        var eol: UnsafePointer<CChar>?
        if git_config_get_string(&eol, config, "core.eol") == 0, let eol {
            textConverts = String(cString: eol).lowercased() == "crlf"
        }
        let environment = ProcessInfo.processInfo.environment
        var files = ["/etc/gitattributes"]
        var attributes: UnsafePointer<CChar>?
        if git_config_get_string(&attributes, config, "core.attributesFile") == 0, let attributes {
            var path = String(cString: attributes)
            if path.hasPrefix("~/"), let home = environment["HOME"] { path = home + path.dropFirst(1) }
            files.append(path.hasPrefix("/") ? path : location.workdir + "/" + path)
        } else {
            if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { files.append(xdg + "/git/attributes") }
            if let home = environment["HOME"] { files.append(home + "/.config/git/attributes") }
        }
        return ConvertingConfiguration(convertsNothing: convertsNothing, textConverts: textConverts, files: files)
    }
}
