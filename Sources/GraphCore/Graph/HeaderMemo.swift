import Foundation
import Synchronization

/// The parse memo: scanned Go file headers (or the scan error) persisted in the cache
/// directory, so a later load parses only files whose content changed.
///
/// Keys: a revision's file by git blob id and name (the name appears in error messages);
/// a working-tree file by path and stat data (size, mtime, ctime, inode, device). git's
/// racy-clean rule applies to the latter: a record made at second T is trusted only for a
/// file whose mtime and ctime are before T (a file written in the same second might change
/// again unseen; `isTrusted` keeps a second of margin). The ctime catches an edit that keeps
/// size and mtime (`touch -r`, tools that restore timestamps).
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

    /// What a record is remembered by: a revision's file by blob id and name, a working-tree
    /// file by path and stat data. A struct, not a formatted string: building the string
    /// (seven integers) twice per file cost a cold load ~25 ms of CPU at 1,000 targets.
    struct Key: Hashable, Sendable {
        enum Identity: Hashable, Sendable {
            case blob(String)
            case stamp(FileStamp)
        }
        /// The file name for a blob, the path (`goroot:`-prefixed for GOROOT) for a stamp.
        var path: String
        var identity: Identity
    }

    /// The memo file's name; the version changes when the stored form does.
    static let fileName = "go-headers-v4.bin"
    /// Earlier versions' files, removed when the memo is saved.
    static let olderFileNames = ["go-headers-v2.bin", "go-headers-v3.bin"]
    /// Above this many records, only the ones used by this process are kept.
    static let capacity = 400_000

    private static let instances = Mutex<[String: HeaderMemo]>([:])

    let path: String
    /// Records, the keys this process used, whether anything was stored: one lock, taken
    /// once per directory for its lookups and once for its stores (the scan runs on every
    /// core at once; three locks per stored file made the lock's futex the third-largest
    /// cost of storing, one per file still showed as contention in a cold load).
    private struct State {
        var records: [Key: Record]
        var used: Set<Key> = []
        var dirty = false
    }
    private let state: Mutex<State>

    private init(path: String, records: [Key: Record]) {
        self.path = path
        self.state = Mutex(State(records: records))
    }

    /// The memo kept in `directory` (read once per process; a missing or unreadable file is
    /// an empty memo).
    static func load(directory: String) -> HeaderMemo {
        let path = directory + "/" + fileName
        return instances.withLock { instances in
            if let existing = instances[path] { return existing }
            var loaded: [Key: Record] = [:]
            if let data = FileManager.default.contents(atPath: path), let decoded = MemoCodec.decode(Array(data)) {
                loaded = decoded
            }
            let memo = HeaderMemo(path: path, records: loaded)
            instances[path] = memo
            return memo
        }
    }

    /// The memo key of a directory entry, or nil when the entry has no stable identity;
    /// `mtime` is the stamp's newest second (for the racy-clean rule).
    static func key(for entry: FileTreeEntry, path: @autoclosure () -> String) -> (key: Key, mtime: Int64?)? {
        // A symbolic link's blob id and stat data are the link's, not its target's.
        if entry.kind == .symlink { return nil }
        if let blob = entry.blobID { return (Key(path: entry.name, identity: .blob(blob)), nil) }
        if let stamp = entry.stamp { return (Key(path: path(), identity: .stamp(stamp)), stamp.newestSecond) }
        return nil
    }

    /// The remembered scan results of one directory's files, by name: one lock for the
    /// directory (the scan looks up and stores from every core at once; a lock per file made
    /// the lock's futex a visible part of a cold load). `keys` holds each file's key and its
    /// stamp's newest second (nil for a blob); a result is trusted only when recorded after
    /// that second (the racy-clean rule).
    func lookup(_ keys: [String: (key: Key, mtime: Int64?)]) -> [String: Result<GoFileHeader, GoScanError>] {
        if keys.isEmpty { return [:] }
        let found: [(String, Record)] = state.withLock { state in
            if state.records.isEmpty { return [] }
            var found: [(String, Record)] = []
            for (name, (key, mtime)) in keys {
                guard let record = state.records[key] else { continue }
                if let mtime, !HeaderMemo.isTrusted(mtime: mtime, recorded: record.recorded) { continue }
                state.used.insert(key)
                found.append((name, record))
            }
            return found
        }
        var results: [String: Result<GoFileHeader, GoScanError>] = [:]
        for (name, record) in found {
            if let header = record.header {
                results[name] = .success(header.value)
            } else if let error = record.error {
                results[name] = .failure(error.value)
            }
        }
        return results
    }

    /// `FileStamp.trusts`: the racy-clean rule with a second of margin.
    static func isTrusted(mtime: Int64, recorded: Int64) -> Bool {
        FileStamp.trusts(stampSecond: mtime, recorded: recorded)
    }

    /// Remembers scan results (one directory's, under one lock).
    func store(_ results: [(key: Key, result: Result<GoFileHeader, GoScanError>)]) {
        if results.isEmpty { return }
        let now = Int64(Date().timeIntervalSince1970)
        let records = results.map { item -> (Key, Record) in
            var record = Record(header: nil, error: nil, recorded: now)
            switch item.result {
            case .success(let header): record.header = StoredHeader(header)
            case .failure(let error): record.error = StoredScanError(error)
            }
            return (item.key, record)
        }
        pending.withLock { $0.append(records) }
    }

    /// Results stored since the last `publish`, one array per directory. A store only
    /// appends its directory's array here (both cores store at once, and inserting into the
    /// records under their lock made the lock's futex a tenth of the scan's CPU in a cold
    /// load); the inserts happen in `publish`, which the load runs in the save it starts on
    /// another thread once every unit's scans are done, beside the graph walks.
    private let pending = Mutex<[[(Key, Record)]]>([])

    /// Makes the stored results visible to lookups. Until then a lookup does not see them:
    /// a file scanned twice before (another platform's scan of the same directory in the
    /// same unit) is parsed twice, with the same result.
    func publish() {
        let batches = pending.withLock { pending -> [[(Key, Record)]] in
            let taken = pending
            pending = []
            return taken
        }
        if batches.isEmpty { return }
        state.withLock { state in
            state.records.reserveCapacity(state.records.count + batches.reduce(0) { $0 + $1.count })
            for batch in batches {
                for (key, record) in batch {
                    state.records[key] = record
                    state.used.insert(key)
                }
            }
            state.dirty = true
        }
    }

    /// Held while a save takes its snapshot and writes it, so saves from two loads (or a
    /// load's early and final save) land in the order of their snapshots.
    private let saving = Mutex<Void>(())

    /// Writes the memo atomically when it changed. Failures only cost speed next time.
    func save() {
        saving.withLock { _ in saveLocked() }
    }

    private func saveLocked() {
        publish()
        let taken: [Key: Record]? = state.withLock { state in
            guard state.dirty else { return nil }
            state.dirty = false
            if state.records.count > HeaderMemo.capacity {
                let keep = state.used
                return state.records.filter { keep.contains($0.key) }
            }
            return state.records
        }
        guard let snapshot = taken else { return }
        MemoFiles.writeAtomically(MemoCodec.encode(snapshot), to: path)
        let directory = (path as NSString).deletingLastPathComponent
        for older in HeaderMemo.olderFileNames { unlink(directory + "/" + older) }
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

    init(name: String, imports: [Import], constraint: StoredConstraint?, embeds: [Embed], parseError: StoredScanError?) {
        self.name = name
        self.imports = imports
        self.constraint = constraint
        self.embeds = embeds
        self.parseError = parseError
    }

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

    init(kind: String, file: String, line: Int, column: Int, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

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

// MARK: - Binary form
//
// JSON decoding of a memo of a few thousand files cost more than parsing the files again,
// so the memo is stored in a compact binary form: a magic line, a record count, then per
// record its key (path, then 1 and the blob id, or 2 and the seven stat numbers), time and
// either a header or a scan error. Varint integers, length-prefixed UTF-8 strings; records
// in no particular order (the file is a cache, read whole). Anything malformed reads as an
// empty memo.

enum MemoCodec {
    static let magic = Array("gocache-header-memo 3\n".utf8)

    static func encode(_ records: [HeaderMemo.Key: HeaderMemo.Record]) -> [UInt8] {
        var w = Writer()
        w.bytes.append(contentsOf: magic)
        w.int(records.count)
        for (key, record) in records {
            w.key(key)
            w.int(Int(record.recorded))
            if let header = record.header {
                w.bytes.append(1)
                w.header(header)
            } else if let error = record.error {
                w.bytes.append(2)
                w.error(error)
            } else {
                w.bytes.append(0)
            }
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) -> [HeaderMemo.Key: HeaderMemo.Record]? {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else { return nil }
        var r = Reader(bytes: bytes, offset: magic.count)
        guard let count = r.int(), count >= 0, count < 50_000_000 else { return nil }
        var records: [HeaderMemo.Key: HeaderMemo.Record] = [:]
        records.reserveCapacity(count)
        for _ in 0..<count {
            guard let key = r.key(), let recorded = r.int(), let tag = r.byte() else { return nil }
            var record = HeaderMemo.Record(header: nil, error: nil, recorded: Int64(recorded))
            switch tag {
            case 0: break
            case 1:
                guard let header = r.header() else { return nil }
                record.header = header
            case 2:
                guard let error = r.error() else { return nil }
                record.error = error
            default: return nil
            }
            records[key] = record
        }
        return records
    }

    struct Writer {
        var bytes: [UInt8] = []

        mutating func int(_ value: Int) {
            var v = UInt64(bitPattern: Int64(value))
            while v >= 0x80 {
                bytes.append(UInt8(v & 0x7F) | 0x80)
                v >>= 7
            }
            bytes.append(UInt8(v))
        }

        mutating func string(_ s: String) {
            int(s.utf8.count)
            bytes.append(contentsOf: s.utf8)
        }

        mutating func key(_ key: HeaderMemo.Key) {
            string(key.path)
            switch key.identity {
            case .blob(let id):
                bytes.append(1)
                string(id)
            case .stamp(let s):
                bytes.append(2)
                for value in [s.size, s.mtimeSeconds, s.mtimeNanoseconds, s.ctimeSeconds, s.ctimeNanoseconds] { int(Int(value)) }
                int(Int(Int64(bitPattern: s.inode)))
                int(Int(Int64(bitPattern: s.device)))
            }
        }

        mutating func optionalString(_ s: String?) {
            if let s {
                bytes.append(1)
                string(s)
            } else {
                bytes.append(0)
            }
        }

        mutating func header(_ h: StoredHeader) {
            string(h.name)
            int(h.imports.count)
            for i in h.imports {
                string(i.p)
                optionalString(i.a)
                int(i.l)
                int(i.c)
            }
            constraint(h.constraint)
            int(h.embeds.count)
            for e in h.embeds {
                string(e.p)
                int(e.l)
                int(e.c)
            }
            if let e = h.parseError {
                bytes.append(1)
                error(e)
            } else {
                bytes.append(0)
            }
        }

        mutating func constraint(_ c: StoredConstraint?) {
            guard let c else {
                bytes.append(0)
                return
            }
            switch c {
            case .tag(let t):
                bytes.append(1)
                string(t)
            case .not(let x):
                bytes.append(2)
                constraint(x)
            case .and(let x, let y):
                bytes.append(3)
                constraint(x)
                constraint(y)
            case .or(let x, let y):
                bytes.append(4)
                constraint(x)
                constraint(y)
            }
        }

        mutating func error(_ e: StoredScanError) {
            string(e.kind)
            string(e.file)
            int(e.line)
            int(e.column)
            string(e.message)
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func int() -> Int? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let b = byte() {
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return Int(Int64(bitPattern: result)) }
                shift += 7
                if shift > 63 { return nil }
            }
            return nil
        }

        mutating func string() -> String? {
            guard let n = int(), n >= 0, offset + n <= bytes.count else { return nil }
            defer { offset += n }
            return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
        }

        mutating func key() -> HeaderMemo.Key? {
            guard let path = string(), let tag = byte() else { return nil }
            switch tag {
            case 1:
                guard let id = string() else { return nil }
                return HeaderMemo.Key(path: path, identity: .blob(id))
            case 2:
                var values: [Int64] = []
                for _ in 0..<7 {
                    guard let value = int() else { return nil }
                    values.append(Int64(value))
                }
                let stamp = FileStamp(
                    size: values[0], mtimeSeconds: values[1], mtimeNanoseconds: values[2],
                    inode: UInt64(bitPattern: values[5]), device: UInt64(bitPattern: values[6]),
                    ctimeSeconds: values[3], ctimeNanoseconds: values[4])
                return HeaderMemo.Key(path: path, identity: .stamp(stamp))
            default:
                return nil
            }
        }

        mutating func optionalString() -> String?? {
            guard let flag = byte() else { return nil }
            if flag == 0 { return .some(nil) }
            guard let s = string() else { return nil }
            return .some(s)
        }

        mutating func header() -> StoredHeader? {
            guard let name = string(), let importCount = int(), importCount >= 0 else { return nil }
            var imports: [StoredHeader.Import] = []
            imports.reserveCapacity(importCount)
            for _ in 0..<importCount {
                guard let p = string(), let a = optionalString(), let l = int(), let c = int() else { return nil }
                imports.append(StoredHeader.Import(p: p, a: a, l: l, c: c))
            }
            guard let constraint = constraint(), let embedCount = int(), embedCount >= 0 else { return nil }
            var embeds: [StoredHeader.Embed] = []
            for _ in 0..<embedCount {
                guard let p = string(), let l = int(), let c = int() else { return nil }
                embeds.append(StoredHeader.Embed(p: p, l: l, c: c))
            }
            guard let flag = byte() else { return nil }
            var parseError: StoredScanError?
            if flag == 1 {
                guard let e = error() else { return nil }
                parseError = e
            }
            return StoredHeader(name: name, imports: imports, constraint: constraint, embeds: embeds, parseError: parseError)
        }

        /// `.some(nil)` for an absent constraint, nil when malformed.
        mutating func constraint() -> StoredConstraint?? {
            guard let tag = byte() else { return nil }
            switch tag {
            case 0: return .some(nil)
            case 1:
                guard let t = string() else { return nil }
                return .some(.tag(t))
            case 2:
                guard let x = constraint(), let x else { return nil }
                return .some(.not(x))
            case 3, 4:
                guard let x = constraint(), let x, let y = constraint(), let y else { return nil }
                return .some(tag == 3 ? .and(x, y) : .or(x, y))
            default: return nil
            }
        }

        mutating func error() -> StoredScanError? {
            guard let kind = string(), let file = string(), let line = int(), let column = int(), let message = string()
            else { return nil }
            return StoredScanError(kind: kind, file: file, line: line, column: column, message: message)
        }
    }
}
