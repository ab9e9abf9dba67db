#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a snapshot of a repository looks like to the Go model: a tree of directories and
/// files addressed by repository-relative, `/`-separated paths (`""` is the root).
///
/// `Snapshot` (a git revision or the working tree) conforms; tests may use
/// `InMemoryFileTree`.
public protocol FileTree: Sendable {
    /// The entries of the directory at `dir`, sorted by name; `nil` when `dir` does not
    /// exist or is not a directory.
    func entries(in dir: String) throws -> [FileTreeEntry]?
    /// The bytes of the file at `path`, symbolic links followed (as a checkout reads them).
    func contents(of path: String) throws -> [UInt8]
    /// Whether directory `dir` was reached through a symbolic link (so its listing is the
    /// link target's, which may differ between snapshots although the path's does not).
    func isReachedThroughLink(_ dir: String) -> Bool
}

extension FileTree {
    public func isReachedThroughLink(_ dir: String) -> Bool { false }
}

/// One entry of a directory in a `FileTree`.
public struct FileTreeEntry: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case file
        case directory
        case symlink
        /// A gitlink (submodule) as a tree records it. `Snapshot.entries(in:)` reports a
        /// revision's gitlinks as directories holding the recorded commit's tree (a checkout's
        /// view); other trees may use this kind for a gitlink whose content they lack.
        case submodule
    }

    /// The entry's name (one path element).
    public var name: String
    public var kind: Kind
    /// The git blob id (hex) when the entry comes from a revision, or `nil`.
    public var blobID: String?
    /// The file's size in bytes, when known without reading it.
    public var size: Int?
    /// For working-tree files: the stat data that identifies unchanged content
    /// (git's racy-clean rule applies to its use).
    public var stamp: FileStamp?
    /// The git file mode (0o100644, 0o100755, 0o120000, 0o040000, 0o160000) when known.
    public var mode: UInt32?

    public init(
        name: String, kind: Kind, blobID: String? = nil, size: Int? = nil,
        stamp: FileStamp? = nil, mode: UInt32? = nil
    ) {
        self.name = name
        self.kind = kind
        self.blobID = blobID
        self.size = size
        self.stamp = stamp
        self.mode = mode
    }
}

/// Stat data of a working-tree file: enough to tell that its content did not change.
///
/// The change time (ctime) is recorded where it is known (0 otherwise); the parse and
/// digest memos key on size, mtime, inode and device, the run memo on all of them.
public struct FileStamp: Hashable, Sendable, Codable {
    public var size: Int64
    public var mtimeSeconds: Int64
    public var mtimeNanoseconds: Int64
    public var inode: UInt64
    public var device: UInt64
    public var ctimeSeconds: Int64
    public var ctimeNanoseconds: Int64

    public init(
        size: Int64, mtimeSeconds: Int64, mtimeNanoseconds: Int64, inode: UInt64, device: UInt64,
        ctimeSeconds: Int64 = 0, ctimeNanoseconds: Int64 = 0
    ) {
        self.size = size
        self.mtimeSeconds = mtimeSeconds
        self.mtimeNanoseconds = mtimeNanoseconds
        self.inode = inode
        self.device = device
        self.ctimeSeconds = ctimeSeconds
        self.ctimeNanoseconds = ctimeNanoseconds
    }

    /// The later of the modification and change times, in whole seconds.
    public var newestSecond: Int64 { max(mtimeSeconds, ctimeSeconds) }

    /// git's racy-clean rule, with a second of margin, for the memos keyed by stamps: a
    /// record made at second `recorded` (after reading the file) stands for the content of a
    /// file whose stamp's newest second is `stampSecond` only when that is at least two
    /// seconds older. A stamp comes from the kernel's coarse clock, which lags the clock
    /// `recorded` is read from by up to a tick: a stamp in the second just before the
    /// record's can belong to a write made after the read, within the same tick as an
    /// earlier write of the same size (the stamp would not change).
    public static func trusts(stampSecond: Int64, recorded: Int64) -> Bool {
        stampSecond < recorded - 1
    }

    /// The stamp of `stat` data.
    init(status info: stat) {
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        let changed = info.st_ctimespec
        #else
        let modified = info.st_mtim
        let changed = info.st_ctim
        #endif
        self.init(
            size: Int64(info.st_size), mtimeSeconds: Int64(modified.tv_sec), mtimeNanoseconds: Int64(modified.tv_nsec),
            inode: UInt64(info.st_ino), device: UInt64(info.st_dev), ctimeSeconds: Int64(changed.tv_sec),
            ctimeNanoseconds: Int64(changed.tv_nsec))
    }
}

/// A `FileTree` held in memory: for tests and for callers that synthesise trees.
public struct InMemoryFileTree: FileTree {
    /// Path → content. Directories are implied by the paths.
    public var files: [String: [UInt8]]

    public init(files: [String: [UInt8]]) { self.files = files }

    public init(texts: [String: String]) {
        self.files = texts.mapValues { Array($0.utf8) }
    }

    public func entries(in dir: String) throws -> [FileTreeEntry]? {
        let prefix = dir.isEmpty ? "" : dir + "/"
        var names: [String: FileTreeEntry.Kind] = [:]
        var found = dir.isEmpty
        for path in files.keys where path.hasPrefix(prefix) {
            found = true
            let rest = path.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                names[String(rest[..<slash])] = .directory
            } else {
                names[String(rest)] = .file
            }
        }
        guard found, files[dir] == nil else { return nil }
        return names.sorted { $0.key < $1.key }.map { name, kind in
            FileTreeEntry(name: name, kind: kind, size: kind == .file ? files[prefix + name]?.count : nil)
        }
    }

    public func contents(of path: String) throws -> [UInt8] {
        guard let bytes = files[path] else { throw FileTreeError.notFound(path: path) }
        return bytes
    }
}

/// Errors reading a `FileTree`.
public enum FileTreeError: Error, Hashable, Sendable, CustomStringConvertible {
    case notFound(path: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): return "\(path) does not exist"
        case .unreadable(let path, let reason): return "cannot read \(path): \(reason)"
        }
    }

    /// What to do about it.
    public var help: String {
        switch self {
        case .notFound: return "check the path (it is relative to the repository root)"
        case .unreadable(_, let reason) where reason.contains("UTF-8"):
            return "rename it to a UTF-8 name (the go command's module rules require one too)"
        case .unreadable: return "check the file's permissions and that the file system is readable"
        }
    }
}

/// go/build's source file extensions: a file so named can be an input of a package.
let sourceFileExtensions: Set<String> = [
    ".go", ".c", ".h", ".s", ".S", ".sx", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".m", ".f", ".F", ".for", ".f90",
    ".syso", ".swig", ".swigcxx",
]

/// A directory entry's name from its C string: nil for a name that is not valid UTF-8 (which
/// no input can have — the go command's embed and module rules reject such names — so the
/// entry is left out), except a source file's, which go/build would read: that throws
/// `FileTreeError.unreadable` naming it, rather than leave it out of its package unseen.
func entryName(_ cName: UnsafePointer<CChar>, in dir: String) throws(FileTreeError) -> String? {
    if let name = String(validatingCString: cName) { return name }
    let lossy = String(cString: cName)
    let ext = lossy.lastIndex(of: ".").map { String(lossy[$0...]) } ?? ""
    guard sourceFileExtensions.contains(ext) else { return nil }
    throw FileTreeError.unreadable(path: dir.isEmpty ? lossy : dir + "/" + lossy, reason: "its name is not valid UTF-8")
}
