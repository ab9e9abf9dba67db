import Foundation
import Synchronization

/// The parse memo: scanned Go file headers (or the scan error) persisted in the cache
/// directory, so a later load parses only files whose content changed.
///
/// Keys: a revision's file by git blob id and name (the name appears in error messages);
/// a working-tree file by path and stat data (size, mtime, inode, device). git's racy-clean
/// rule applies to the latter: a record made at second T is trusted only for a file whose
/// mtime is before T (a file written in the same second might change again unseen).
///
/// One instance per directory and process (`load(directory:)`), so the loads of two
/// snapshots in one run share and save one memo.
final class HeaderMemo: Sendable {
    struct Record: Codable, Sendable {
        var header: StoredHeader?
        var error: StoredScanError?
        /// Seconds since 1970 when the record was made (for the racy-clean rule).
        var recorded: Int64
    }

    /// The memo file's name; the version changes when the stored form does.
    static let fileName = "go-headers-v1.json"
    /// Above this many records, only the ones used by this process are kept.
    static let capacity = 400_000

    private static let instances = Mutex<[String: HeaderMemo]>([:])

    let path: String
    private let records: Mutex<[String: Record]>
    private let used = Mutex<Set<String>>([])
    private let dirty = Mutex(false)

    private init(path: String, records: [String: Record]) {
        self.path = path
        self.records = Mutex(records)
    }

    /// The memo kept in `directory` (read once per process; a missing or unreadable file is
    /// an empty memo).
    static func load(directory: String) -> HeaderMemo {
        let path = directory + "/" + fileName
        return instances.withLock { instances in
            if let existing = instances[path] { return existing }
            var loaded: [String: Record] = [:]
            if let data = FileManager.default.contents(atPath: path),
                let decoded = try? JSONDecoder().decode([String: Record].self, from: data)
            {
                loaded = decoded
            }
            let memo = HeaderMemo(path: path, records: loaded)
            instances[path] = memo
            return memo
        }
    }

    /// The memo key of a directory entry, or nil when the entry has no stable identity.
    static func key(for entry: FileTreeEntry, path: String) -> (key: String, mtime: Int64?)? {
        if let blob = entry.blobID { return ("b:\(blob):\(entry.name)", nil) }
        // A working-tree symbolic link's stat data is the link's, not its target's.
        if entry.kind == .symlink { return nil }
        if let s = entry.stamp {
            return ("s:\(path):\(s.size):\(s.mtimeSeconds).\(s.mtimeNanoseconds):\(s.inode):\(s.device)", s.mtimeSeconds)
        }
        return nil
    }

    /// The remembered scan result, if any and trusted.
    func lookup(_ key: String, mtime: Int64?) -> Result<GoFileHeader, GoScanError>? {
        guard let record = records.withLock({ $0[key] }) else { return nil }
        if let mtime, mtime >= record.recorded { return nil }
        used.withLock { _ = $0.insert(key) }
        if let header = record.header { return .success(header.value) }
        if let error = record.error { return .failure(error.value) }
        return nil
    }

    /// Remembers a scan result.
    func store(_ key: String, _ result: Result<GoFileHeader, GoScanError>) {
        let now = Int64(Date().timeIntervalSince1970)
        var record = Record(header: nil, error: nil, recorded: now)
        switch result {
        case .success(let header): record.header = StoredHeader(header)
        case .failure(let error): record.error = StoredScanError(error)
        }
        records.withLock { $0[key] = record }
        used.withLock { _ = $0.insert(key) }
        dirty.withLock { $0 = true }
    }

    /// Writes the memo atomically when it changed. Failures only cost speed next time.
    func save() {
        guard dirty.withLock({ let was = $0; $0 = false; return was }) else { return }
        var snapshot = records.withLock { $0 }
        if snapshot.count > HeaderMemo.capacity {
            let keep = used.withLock { $0 }
            snapshot = snapshot.filter { keep.contains($0.key) }
        }
        guard let data = try? JSONEncoder().encode(snapshot) else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = path + ".tmp.\(ProcessInfo.processInfo.processIdentifier)"
        if FileManager.default.createFile(atPath: temporary, contents: data) {
            _ = rename(temporary, path)
        }
    }
}

// MARK: - Stored forms (Codable mirrors of the scanner's values)

struct StoredHeader: Codable, Sendable {
    struct Import: Codable, Sendable {
        var p: String
        var a: String?
        var l: Int
        var c: Int
    }
    struct Embed: Codable, Sendable {
        var p: String
        var l: Int
        var c: Int
    }
    var name: String
    var imports: [Import]
    var constraint: StoredConstraint?
    var embeds: [Embed]
    var parseError: StoredScanError?

    init(_ h: GoFileHeader) {
        name = h.packageName
        imports = h.imports.map { Import(p: $0.path, a: $0.alias, l: $0.line, c: $0.column) }
        constraint = h.constraint.map(StoredConstraint.init)
        embeds = h.embeds.map { Embed(p: $0.pattern, l: $0.line, c: $0.column) }
        parseError = h.parseError.map(StoredScanError.init)
    }

    var value: GoFileHeader {
        GoFileHeader(
            packageName: name, imports: imports.map { GoImport(path: $0.p, alias: $0.a, line: $0.l, column: $0.c) },
            constraint: constraint?.value, embeds: embeds.map { GoEmbedPattern(pattern: $0.p, line: $0.l, column: $0.c) },
            parseError: parseError?.value)
    }
}

indirect enum StoredConstraint: Codable, Sendable {
    case tag(String)
    case not(StoredConstraint)
    case and(StoredConstraint, StoredConstraint)
    case or(StoredConstraint, StoredConstraint)

    init(_ c: BuildConstraint) {
        switch c {
        case .tag(let t): self = .tag(t)
        case .not(let x): self = .not(StoredConstraint(x))
        case .and(let x, let y): self = .and(StoredConstraint(x), StoredConstraint(y))
        case .or(let x, let y): self = .or(StoredConstraint(x), StoredConstraint(y))
        }
    }

    var value: BuildConstraint {
        switch self {
        case .tag(let t): return .tag(t)
        case .not(let x): return .not(x.value)
        case .and(let x, let y): return .and(x.value, y.value)
        case .or(let x, let y): return .or(x.value, y.value)
        }
    }
}

struct StoredScanError: Codable, Sendable {
    var kind: String
    var file: String
    var line: Int
    var column: Int
    var message: String

    init(_ e: GoScanError) {
        switch e.kind {
        case .syntax: kind = "syntax"
        case .invalidImportPath: kind = "invalidImportPath"
        case .read: kind = "read"
        case .buildConstraint: kind = "buildConstraint"
        }
        file = e.file
        line = e.line
        column = e.column
        message = e.message
    }

    var value: GoScanError {
        let k: GoScanError.Kind
        switch kind {
        case "syntax": k = .syntax
        case "invalidImportPath": k = .invalidImportPath
        case "read": k = .read
        default: k = .buildConstraint
        }
        return GoScanError(kind: k, file: file, line: line, column: column, message: message)
    }
}
