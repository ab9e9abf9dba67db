import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The graph memo: a working tree's loaded graphs, remembered with the walk of the tree
/// they were loaded from, so that a later load of the same tree after an edit that changes
/// no package (a function body, a comment) takes them instead of scanning and resolving
/// every directory again.
///
/// A load is a function of the files it lists and reads, the toolchain, the environment and
/// the settings overrides. The caller names everything but the files in `LoadOptions.graphMemoKey`
/// (one entry per key, a file `<memo dir>/graphs/<key>`). The files are proved unchanged
/// by the walk (`WorktreeWalk`: every directory's names, kinds and modes, every file's stat
/// data), entry by entry against the stored one:
/// - every directory must list the same names with the same kinds and modes;
/// - every symbolic link must lead to the same kind of thing (nothing, a file, or a directory
///   inside the repository, named by its real path — `LinkFact`); a link's own stat data is
///   not compared, and a link the load read as a file (a `.go` or `.c` link) is read again
///   on every lookup, as a changed file is. An entry is stored only when the load read no
///   file below a linked directory (not in the walk under that path) and no link leads to a
///   directory outside the repository (not walked at all). A directory listed through a
///   link to one inside is the walk's listing of its real path, compared there;
/// - a file whose stat data differs must be one the stored load either never read; or read
///   only as a Go file whose scan result (package clause, imports, constraint, embed
///   patterns, with their positions; or the scan error) is the one stored — the file is
///   scanned again and its result compared byte for byte; or read whole with the stored
///   bytes (go.mod, gocache.yaml, a `.s` file whose constraint the load read: kept up to
///   `Snapshot.keptReadLimit`). Any other changed file makes the memo miss.
/// Equal stat data stands for equal content under git's racy-clean rule: a file whose stamp
/// is not older than the walk by more than a second (`WorktreeWalk.isRacy`) is stored without
/// its stamp, so every lookup checks it as a changed file (a fresh checkout's last files).
/// A file whose content git's index proves (`IndexedBlobs`) is stored with its blob id too,
/// and the same id later stands for the same content whatever its stat data: a fresh clone
/// of the tree at the same path is not a tree of changed files.
///
/// The stored form is binary (varints, a string table for the graphs); a damaged or
/// truncated file reads as a miss. At most `capacity` entries are kept, the least recently
/// used removed first.
struct GraphMemo: Sendable {
    let directory: String
    /// The entry's file name.
    let key: String
    /// Everything the entry stands for besides the files, in full (stored and compared:
    /// the name is a digest of it).
    let identity: String

    static let magic = Array("gocache-graph-memo 6\n".utf8)
    static let trailer = Array("\ngocache-graph-memo end\n".utf8)
    static let capacity = 16
    /// Above this many edited files checked, a hit rewrites its entry under the new stamps
    /// (fewer are scanned again on each run: cheaper than rewriting a megabyte each time).
    static let rewriteThreshold = 16
    /// The largest working tree (files, links and directories) walked for the memo (as the
    /// run memo's `walkLimit`).
    static let walkLimit = 100_000

    init?(memoDirectory: String?, key: String?, identity: String) {
        guard let memoDirectory, let key, !key.isEmpty, !key.contains("/") else { return nil }
        directory = memoDirectory + "/graphs"
        self.key = key
        self.identity = identity
    }

    var path: String { directory + "/" + key }

    /// How the stored load used a file.
    enum Use: Equatable, Sendable {
        /// Not read (listed at most).
        case unread
        /// Read whole (a go.mod, a config file, an assembly file's constraint).
        case read
        /// Read whole, these bytes (a small file other than a Go file): a change of its stat
        /// data alone (a checkout rewriting it) is compared by content.
        case readBytes([UInt8])
        /// Scanned as a Go file, with this encoded scan result.
        case header([UInt8])
    }

    /// What a target of the stored load was, besides its settings (recomputed from the
    /// configuration, which is a read file).
    struct StoredTarget: Sendable {
        var dir: String
        var importPath: String
        var module: String
        var unitRoot: String
    }

    /// A hit: the stored graphs and targets, and the entry rewritten for this walk when
    /// more than `rewriteThreshold` files changed (nil otherwise).
    struct Hit: Sendable {
        var graphs: [PackageGraph]
        var targets: [StoredTarget]
        /// The module cache as the load found it (`ModuleCache.facts`): the graphs hold
        /// only while these do.
        var moduleFacts: [ModuleCacheFact] = []
        var rewritten: [UInt8]?
        var changedFiles: Int
    }

    // MARK: - Revisions

    static let revisionMagic = Array("gocache-graph-memo-revision 3\n".utf8)

    /// The stored graphs of a revision: its tree id is in the entry's name and identity, and
    /// a tree id stands for its content, so no walk is compared.
    func lookupRevision() -> Lookup {
        guard let data = FileManager.default.contents(atPath: path) else { return .miss("no entry") }
        guard let body = Self.unseal([UInt8](data), magic: Self.revisionMagic) else { return damaged() }
        let end = body.count
        var r = MemoCodec.Reader(bytes: body, offset: Self.revisionMagic.count)
        guard r.string() == identity else { return .miss("another identity") }
        guard let graphLength = r.int(), graphLength >= 0, r.offset + graphLength == end,
            let (graphs, targets, facts) = Self.decodeGraphs(Array(r.bytes[r.offset..<end]))
        else { return damaged() }
        // Recently used entries are kept longest (`MemoFiles.prune` goes by modification time).
        utimes(path, nil)
        return .hit(Hit(graphs: graphs, targets: targets, moduleFacts: facts, rewritten: nil, changedFiles: 0))
    }

    /// Remembers a revision's graphs and targets.
    func storeRevision(graphs: [PackageGraph], targets: [GoTarget], moduleFacts: [ModuleCacheFact]) {
        storeRevision(graphBytes: Self.encodeGraphs(graphs, targets, moduleFacts: moduleFacts))
    }

    /// Remembers a revision's graphs and targets, encoded (`encodeGraphs`).
    func storeRevision(graphBytes: [UInt8]) {
        var w = MemoCodec.Writer()
        w.bytes += Self.revisionMagic
        w.string(identity)
        w.int(graphBytes.count)
        w.bytes += graphBytes
        Self.seal(&w)
        write(w.bytes)
    }

    // MARK: - Lookup

    /// What a lookup found.
    enum Lookup: Sendable {
        case hit(Hit)
        /// Why not (for `GOCACHE_TRACE`).
        case miss(String)
    }

    /// The stored graphs for the tree `walk` saw, when the stored entry's proof holds for it.
    func lookup(walk: WorktreeWalk, tree: any FileTree, root: String) -> Lookup {
        guard let data = FileManager.default.contents(atPath: path) else { return .miss("no entry") }
        guard let body = Self.unseal([UInt8](data), magic: Self.magic) else { return damaged() }
        let end = body.count
        var r = MemoCodec.Reader(bytes: body, offset: Self.magic.count)
        guard r.string() == identity else { return .miss("another identity") }
        // The walk, compared entry by entry.
        guard let directoryCount = r.int(), directoryCount == walk.directories.count else { return .miss("directories added or removed") }
        var changed: [(path: String, use: Use)] = []
        // Where each file's stored use lies, for a rewrite under this walk's stamps.
        var useRanges: [Range<Int>] = []
        useRanges.reserveCapacity(walk.fileCount)
        for directory in walk.directories {
            guard let path = r.string(), let entryCount = r.int() else { return damaged() }
            guard path == directory.path, entryCount == directory.entries.count else { return .miss("listing of \(directory.path.isEmpty ? "." : directory.path) changed") }
            let prefix = path.isEmpty ? "" : path + "/"
            for entry in directory.entries {
                guard let name = r.string(), let kind = r.byte(), let mode = r.int(), let (stamp, blob) = Self.readStamp(&r)
                else { return damaged() }
                let useStart = r.offset
                guard let use = Self.readUse(&r) else { return damaged() }
                useRanges.append(useStart..<r.offset)
                guard name == entry.name, kind == Self.kindByte(entry.kind), mode == Int(entry.mode ?? 0) else {
                    return .miss("listing of \(path.isEmpty ? "." : path) changed")
                }
                if entry.kind == .symlink {
                    // A link's own stat data says nothing about what it leads to (the link
                    // facts, compared below); a file the load read through it is read again
                    // and compared on every lookup.
                    switch use {
                    case .unread: break
                    case .read: return .miss("\(prefix + name), which the load read through a link, may have changed")
                    case .header, .readBytes: changed.append((prefix + name, use))
                    }
                    continue
                }
                // The same blob id from git's index is the same content (a fresh clone).
                if stamp != entry.stamp, blob == nil || blob != entry.blobID {
                    guard entry.kind == .file else { return .miss("\(prefix + name) changed") }
                    switch use {
                    case .unread: break
                    case .read: return .miss("\(prefix + name), which the load read, changed")
                    case .header, .readBytes: changed.append((prefix + name, use))
                    }
                }
            }
        }
        guard let storedLinks = Self.readLinkFacts(&r) else { return damaged() }
        guard let links = Self.linkFacts(walk, root: root), links == storedLinks else {
            return .miss("a symbolic link leads elsewhere")
        }
        // Files scanned as Go files: scanned again, the result must be the stored one.
        for (path, use) in changed {
            switch use {
            case .header(let stored):
                guard Self.scanResult(of: path, in: tree) == stored else {
                    return .miss("\(path): package clause, imports, constraint or embeds changed")
                }
            case .readBytes(let stored):
                guard (try? tree.contents(of: path)) == stored else { return .miss("\(path), which the load read, changed") }
            case .unread, .read:
                return .miss("\(path) changed")
            }
        }
        guard let graphLength = r.int(), graphLength >= 0, r.offset + graphLength == end else { return damaged() }
        let graphBytes = Array(r.bytes[r.offset..<end])
        guard let (graphs, targets, facts) = Self.decodeGraphs(graphBytes) else { return damaged() }
        var rewritten: [UInt8]?
        if changed.count > Self.rewriteThreshold {
            // The same entry under this walk's stamps (every use is the stored one: the
            // changed files scanned as stored): the next edit is compared with this tree,
            // and the files checked now are not scanned again.
            let stored = r.bytes
            rewritten = encode(walk: walk, links: links, graphBytes: graphBytes) { w, _, index in
                w.bytes += stored[useRanges[index]]
            }
        }
        if rewritten == nil { utimes(path, nil) }
        return .hit(Hit(graphs: graphs, targets: targets, moduleFacts: facts, rewritten: rewritten, changedFiles: changed.count))
    }

    /// A damaged entry: removed, a miss.
    private func damaged() -> Lookup {
        unlink(path)
        return .miss("damaged entry removed")
    }

    /// The encoded scan result of the Go file at `path`, as a load's scan makes it (the file
    /// named by its bare name, as `ScanCache` names it), or nil when it cannot be read.
    static func scanResult(of path: String, in tree: any FileTree) -> [UInt8]? {
        guard let bytes = try? tree.contents(of: path) else { return nil }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let result: Result<GoFileHeader, GoScanError>
        do {
            result = .success(try GoSourceScanner.scanHeader(bytes, fileName: name))
        } catch {
            result = .failure(error)
        }
        return encode(result)
    }

    static func encode(_ result: Result<GoFileHeader, GoScanError>) -> [UInt8] {
        var w = MemoCodec.Writer()
        switch result {
        case .success(let header):
            w.bytes.append(1)
            w.header(StoredHeader(header))
        case .failure(let error):
            w.bytes.append(2)
            w.error(StoredScanError(error))
        }
        return w.bytes
    }

    // MARK: - Store

    /// Remembers the graphs and targets (`graphBytes`, `encodeGraphs`) as loaded from the tree `walk` saw: `reads` are the
    /// paths the load read, `headers` the scan results it used. Nothing is stored when the
    /// load read a file through a symbolic link or a link leads to a directory outside the
    /// repository (`linkFacts`). Failures only cost speed next time.
    func store(
        walk: WorktreeWalk, root: String, reads: [String: [UInt8]?], headers: [String: Result<GoFileHeader, GoScanError>],
        graphBytes: [UInt8]
    ) {
        guard let links = Self.linkFacts(walk, root: root) else { return }
        if !links.isEmpty {
            // A file read through a linked directory is not in the walk under that path. (A
            // link to a file read by its own path is: its use is stored on the link's entry.)
            let linkPaths = Set(links.map(\.path))
            func belowLink(_ path: String) -> Bool {
                var prefix = Substring(path)
                while let slash = prefix.lastIndex(of: "/") {
                    prefix = prefix[..<slash]
                    if linkPaths.contains(String(prefix)) { return true }
                }
                return false
            }
            if reads.keys.contains(where: belowLink) || headers.keys.contains(where: belowLink) { return }
        }
        let bytes = encode(walk: walk, links: links, graphBytes: graphBytes) { w, path, _ in
            let use: Use
            if let result = headers[path] {
                use = .header(Self.encode(result))
            } else if let read = reads[path] {
                use = read.map { .readBytes($0) } ?? .read
            } else {
                use = .unread
            }
            Self.writeUse(use, &w)
        }
        write(bytes)
    }

    /// The stored form of a load's graphs and targets (both kinds of entry hold it).
    static func encodeGraphs(_ graphs: [PackageGraph], _ targets: [GoTarget], moduleFacts: [ModuleCacheFact]) -> [UInt8] {
        var w = MemoCodec.Writer()
        w.int(moduleFacts.count)
        for fact in moduleFacts {
            w.string(fact.dir)
            w.bytes.append(fact.present ? 1 : 0)
        }
        return w.bytes
            + GraphMemoCodec.encode(
                graphs: graphs,
                targets: targets.map { StoredTarget(dir: $0.dir, importPath: $0.importPath, module: $0.module, unitRoot: $0.unitRoot) })
    }

    /// The graphs, targets and module-cache facts of `encodeGraphs`' bytes.
    static func decodeGraphs(_ bytes: [UInt8]) -> (graphs: [PackageGraph], targets: [StoredTarget], facts: [ModuleCacheFact])? {
        var r = MemoCodec.Reader(bytes: bytes, offset: 0)
        guard let count = r.int(), count >= 0, count <= bytes.count else { return nil }
        var facts: [ModuleCacheFact] = []
        facts.reserveCapacity(count)
        for _ in 0..<count {
            guard let dir = r.string(), let present = r.byte(), present <= 1 else { return nil }
            facts.append(ModuleCacheFact(dir: dir, present: present == 1))
        }
        guard let (graphs, targets) = GraphMemoCodec.decode(Array(bytes[r.offset...])) else { return nil }
        return (graphs, targets, facts)
    }

    /// Writes a rewritten entry (`Hit.rewritten`).
    func write(_ bytes: [UInt8]) {
        guard MemoFiles.writeAtomically(bytes, to: path) else { return }
        MemoFiles.prune(directory, capacity: Self.capacity, keeping: key)
    }

    /// The entry for `walk`: `writeUse` writes the use of each entry, given its path and
    /// its index among all entries in walk order (a directory's is `.unread`).
    private func encode(
        walk: WorktreeWalk, links: [LinkFact], graphBytes: [UInt8], writeUse: (inout MemoCodec.Writer, String, Int) -> Void
    ) -> [UInt8] {
        var w = MemoCodec.Writer()
        w.bytes.reserveCapacity(graphBytes.count + walk.directories.count * 64 + walk.fileCount * 64)
        w.bytes += Self.magic
        w.string(identity)
        w.int(walk.directories.count)
        var index = 0
        for directory in walk.directories {
            w.string(directory.path)
            w.int(directory.entries.count)
            let prefix = directory.path.isEmpty ? "" : directory.path + "/"
            for entry in directory.entries {
                w.string(entry.name)
                w.bytes.append(Self.kindByte(entry.kind))
                w.int(Int(entry.mode ?? 0))
                // A stamp within a second of the walk proves nothing (git's racy-clean
                // rule) unless git's index proved the content: stored without it.
                let racy = entry.blobID == nil && (entry.stamp?.newestSecond ?? 0) >= walk.startedAt - 1
                Self.writeStamp(racy ? nil : entry.stamp, blob: entry.blobID, &w)
                if entry.kind == .file || entry.kind == .symlink {
                    writeUse(&w, prefix + entry.name, index)
                } else {
                    Self.writeUse(.unread, &w)
                }
                index += 1
            }
        }
        Self.writeLinkFacts(links, &w)
        w.int(graphBytes.count)
        w.bytes += graphBytes
        Self.seal(&w)
        return w.bytes
    }

    // MARK: - Symbolic links

    /// Where a symbolic link of the walk leads, as far as a load that read nothing through
    /// it can depend on: nowhere (dangling, a loop), a file, or a directory inside the
    /// repository by its real repository-relative path (a load may list through the link;
    /// the walk holds that directory's listing under its real path).
    struct LinkFact: Hashable, Sendable {
        enum Kind: UInt8 { case dangling = 0, file = 1, directory = 2 }
        var path: String
        var kind: Kind
        /// The directory's real path relative to the root; empty for the others.
        var real: String
    }

    /// The walk's links as `LinkFact`s, in walk order; nil when one leads to a directory
    /// outside the repository (or into its `.git`), whose contents the walk does not hold.
    static func linkFacts(_ walk: WorktreeWalk, root: String) -> [LinkFact]? {
        guard !walk.linkTargets.isEmpty else { return [] }
        guard let realRoot = realPath(root) else { return nil }
        var facts: [LinkFact] = []
        facts.reserveCapacity(walk.linkTargets.count)
        for link in walk.linkTargets {
            guard link.stamp != nil else {
                facts.append(LinkFact(path: link.path, kind: .dangling, real: ""))
                continue
            }
            guard link.isDirectory else {
                facts.append(LinkFact(path: link.path, kind: .file, real: ""))
                continue
            }
            guard let real = realPath(root + "/" + link.path) else { return nil }
            let relative: String
            if real == realRoot {
                relative = ""
            } else if real.hasPrefix(realRoot + "/") {
                relative = String(real.dropFirst(realRoot.count + 1))
            } else {
                return nil
            }
            if relative == ".git" || relative.hasPrefix(".git/") { return nil }
            facts.append(LinkFact(path: link.path, kind: .directory, real: relative))
        }
        return facts
    }

    /// Whether every link of the walk leads to something inside the repository (none dangling,
    /// none into `.git`): a revision's load follows links through its own tree and reads from
    /// disk what leaves it, so only then is a working tree's load the revision's.
    static func linksStayInside(_ walk: WorktreeWalk, root: String) -> Bool {
        guard !walk.linkTargets.isEmpty else { return true }
        guard let realRoot = realPath(root) else { return false }
        for link in walk.linkTargets {
            guard link.stamp != nil, let real = realPath(root + "/" + link.path), real.hasPrefix(realRoot + "/") else {
                return false
            }
            // The target as written must stay inside too (a relative path that does not climb
            // above the root): a path through the outside that comes back is read from disk
            // by a revision's load.
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(root + "/" + link.path, &buffer, buffer.count - 1)
            guard length > 0 else { return false }
            let target = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard !target.hasPrefix("/") else { return false }
            var depth = link.path.split(separator: "/").count - 1
            for part in target.split(separator: "/") {
                if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
                if depth < 0 { return false }
            }
            let relative = real.dropFirst(realRoot.count + 1)
            if relative == ".git" || relative.hasPrefix(".git/") { return false }
        }
        return true
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func writeLinkFacts(_ links: [LinkFact], _ w: inout MemoCodec.Writer) {
        w.int(links.count)
        for link in links {
            w.string(link.path)
            w.bytes.append(link.kind.rawValue)
            w.string(link.real)
        }
    }

    static func readLinkFacts(_ r: inout MemoCodec.Reader) -> [LinkFact]? {
        guard let count = r.int(), count >= 0 else { return nil }
        var links: [LinkFact] = []
        for _ in 0..<count {
            guard let path = r.string(), let raw = r.byte(), let kind = LinkFact.Kind(rawValue: raw), let real = r.string()
            else { return nil }
            links.append(LinkFact(path: path, kind: kind, real: real))
        }
        return links
    }

    /// Ends an entry: its checksum (8 bytes, little-endian) and the trailer.
    static func seal(_ w: inout MemoCodec.Writer) {
        let sum = checksum(w.bytes[...])
        for shift in stride(from: 0, to: 64, by: 8) { w.bytes.append(UInt8(truncatingIfNeeded: sum >> UInt64(shift))) }
        w.bytes += trailer
    }

    /// An entry's bytes before its checksum, when it starts with `magic`, ends with the
    /// trailer and the checksum holds; nil for a damaged or cut entry.
    static func unseal(_ bytes: [UInt8], magic: [UInt8]) -> [UInt8]? {
        guard bytes.count > magic.count + trailer.count + 8, bytes.starts(with: magic),
            bytes.suffix(trailer.count).elementsEqual(trailer)
        else { return nil }
        let end = bytes.count - trailer.count - 8
        let sum = bytes[end..<end + 8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard sum == checksum(bytes[..<end]) else { return nil }
        return Array(bytes[..<end])
    }

    /// A 64-bit checksum of an entry (a multiply-xorshift over 8-byte words): a damaged
    /// entry must not decode into other graphs. Not a defence against deliberate edits —
    /// whoever can write the memo directory can write any entry.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                offset += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < raw.count {
                tail |= UInt64(raw[offset]) << shift
                shift += 8
                offset += 1
            }
            h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        }
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }

    static func kindByte(_ kind: FileTreeEntry.Kind) -> UInt8 {
        switch kind {
        case .file: return 1
        case .directory: return 2
        case .symlink: return 3
        case .submodule: return 4
        }
    }

    /// Writes an entry's stamp, and the blob id git's index proves for it (`IndexedBlobs`)
    /// when there is one.
    static func writeStamp(_ stamp: FileStamp?, blob: String? = nil, _ w: inout MemoCodec.Writer) {
        guard let s = stamp else {
            w.bytes.append(0)
            return
        }
        w.bytes.append(blob == nil ? 1 : 2)
        for value in [s.size, s.mtimeSeconds, s.mtimeNanoseconds, s.ctimeSeconds, s.ctimeNanoseconds] { w.int(Int(value)) }
        w.int(Int(Int64(bitPattern: s.inode)))
        w.int(Int(Int64(bitPattern: s.device)))
        if let blob { w.string(blob) }
    }

    /// A stored stamp and blob id: `(nil, nil)` for an entry without a stamp, nil when
    /// malformed.
    static func readStamp(_ r: inout MemoCodec.Reader) -> (FileStamp?, String?)? {
        guard let tag = r.byte() else { return nil }
        if tag == 0 { return (nil, nil) }
        guard tag == 1 || tag == 2, let size = r.int(), let ms = r.int(), let mn = r.int(), let cs = r.int(),
            let cn = r.int(), let inode = r.int(), let device = r.int()
        else { return nil }
        var blob: String?
        if tag == 2 {
            guard let id = r.string() else { return nil }
            blob = id
        }
        let stamp = FileStamp(
            size: Int64(size), mtimeSeconds: Int64(ms), mtimeNanoseconds: Int64(mn),
            inode: UInt64(bitPattern: Int64(inode)), device: UInt64(bitPattern: Int64(device)),
            ctimeSeconds: Int64(cs), ctimeNanoseconds: Int64(cn))
        return (stamp, blob)
    }

    static func writeUse(_ use: Use, _ w: inout MemoCodec.Writer) {
        switch use {
        case .unread: w.bytes.append(0)
        case .read: w.bytes.append(1)
        case .header(let bytes):
            w.bytes.append(2)
            w.int(bytes.count)
            w.bytes += bytes
        case .readBytes(let bytes):
            w.bytes.append(3)
            w.int(bytes.count)
            w.bytes += bytes
        }
    }

    static func readUse(_ r: inout MemoCodec.Reader) -> Use? {
        guard let tag = r.byte() else { return nil }
        switch tag {
        case 0: return .unread
        case 1: return .read
        case 2, 3:
            guard let count = r.int(), count >= 0, r.offset + count <= r.bytes.count else { return nil }
            defer { r.offset += count }
            let bytes = Array(r.bytes[r.offset..<r.offset + count])
            return tag == 2 ? .header(bytes) : .readBytes(bytes)
        default: return nil
        }
    }

    // MARK: - Writes finished before exit

    private static let pending = Mutex<[BesideWork]>([])
    private static let exitHook: Void = {
        atexit { GraphMemo.finishWrites() }
    }()

    /// Runs `work` (a store) beside the caller; the process waits for it at exit.
    static func beside(_ work: @escaping @Sendable () -> Void) {
        _ = exitHook
        let started = BesideWork(work)
        pending.withLock { $0.append(started) }
    }

    /// Waits for the stores started with `beside`.
    static func finishWrites() {
        let works = pending.withLock { works -> [BesideWork] in
            defer { works = [] }
            return works
        }
        for work in works { work.wait() }
    }
}

/// The binary form of a memo's graphs and targets: a string table, then each graph's unit,
/// build context, roots and packages, then the targets, every string an index into the table.
enum GraphMemoCodec {
    static func encode(graphs: [PackageGraph], targets: [GraphMemo.StoredTarget]) -> [UInt8] {
        var table: [String: Int] = [:]
        var strings: [String] = []
        var body = MemoCodec.Writer()
        func s(_ value: String) {
            if let index = table[value] {
                body.int(index)
                return
            }
            table[value] = strings.count
            body.int(strings.count)
            strings.append(value)
        }
        func optional(_ value: String?) {
            if let value {
                body.bytes.append(1)
                s(value)
            } else {
                body.bytes.append(0)
            }
        }
        func list(_ values: [String]) {
            body.int(values.count)
            for value in values { s(value) }
        }
        func packages(_ packages: [String: GoPackage]) {
            body.int(packages.count)
            for (_, p) in packages.sorted(by: { $0.key < $1.key }) {
                s(p.importPath)
                s(p.name)
                optional(p.dir)
                if let m = p.module {
                    body.bytes.append(1)
                    s(m.path)
                    optional(m.version)
                    optional(m.replacementPath)
                    optional(m.replacementVersion)
                    body.bytes.append(m.isMain ? 1 : 0)
                    optional(m.goVersion)
                } else {
                    body.bytes.append(0)
                }
                body.bytes.append(p.isStandard ? 1 : 0)
                for files in [
                    p.goFiles, p.cgoFiles, p.embedFiles, p.otherFiles, p.testGoFiles, p.xTestGoFiles, p.testEmbedFiles,
                    p.imports, p.testImports, p.dependencyEdges,
                ] {
                    list(files)
                }
                if let e = p.error {
                    body.bytes.append(1)
                    s(e.kind.rawValue)
                    s(e.message)
                    list(e.cycle)
                } else {
                    body.bytes.append(0)
                }
            }
        }
        body.int(graphs.count)
        for graph in graphs {
            s(graph.unitRoot)
            let c = graph.context
            s(c.goos)
            s(c.goarch)
            body.bytes.append(c.cgoEnabled ? 1 : 0)
            list(c.buildTags)
            list(c.toolTags)
            body.int(c.releaseTags.count)
            s(c.compiler)
            list(graph.roots)
            packages(graph.packages)
            packages(graph.testPackages)
        }
        body.int(targets.count)
        for t in targets {
            s(t.dir)
            s(t.importPath)
            s(t.module)
            s(t.unitRoot)
        }
        var out = MemoCodec.Writer()
        out.int(strings.count)
        for value in strings { out.string(value) }
        out.bytes += body.bytes
        return out.bytes
    }

    static func decode(_ bytes: [UInt8]) -> (graphs: [PackageGraph], targets: [GraphMemo.StoredTarget])? {
        var r = MemoCodec.Reader(bytes: bytes, offset: 0)
        guard let count = r.int(), count >= 0, count <= bytes.count else { return nil }
        var strings: [String] = []
        strings.reserveCapacity(count)
        for _ in 0..<count {
            guard let value = r.string() else { return nil }
            strings.append(value)
        }
        var failed = false
        func s() -> String {
            guard let index = r.int(), index >= 0, index < strings.count else {
                failed = true
                return ""
            }
            return strings[index]
        }
        func flag() -> Bool? {
            guard let b = r.byte(), b <= 1 else { return nil }
            return b == 1
        }
        func optional() -> String? {
            guard let present = flag() else {
                failed = true
                return nil
            }
            return present ? s() : nil
        }
        func list() -> [String] {
            guard let n = r.int(), n >= 0, n <= bytes.count else {
                failed = true
                return []
            }
            var values: [String] = []
            values.reserveCapacity(n)
            for _ in 0..<n { values.append(s()) }
            return values
        }
        func readPackages() -> [String: GoPackage]? {
            guard let packageCount = r.int(), packageCount >= 0, packageCount <= bytes.count, !failed else { return nil }
            var packages: [String: GoPackage] = [:]
            packages.reserveCapacity(packageCount)
            for _ in 0..<packageCount {
                var p = GoPackage(importPath: s(), name: s(), dir: optional())
                guard let hasModule = flag() else { return nil }
                if hasModule {
                    let path = s()
                    let version = optional()
                    let replacementPath = optional()
                    let replacementVersion = optional()
                    guard let isMain = flag() else { return nil }
                    p.module = GoModuleRef(
                        path: path, version: version, replacementPath: replacementPath,
                        replacementVersion: replacementVersion, isMain: isMain, goVersion: optional())
                }
                guard let standard = flag() else { return nil }
                p.isStandard = standard
                p.goFiles = list()
                p.cgoFiles = list()
                p.embedFiles = list()
                p.otherFiles = list()
                p.testGoFiles = list()
                p.xTestGoFiles = list()
                p.testEmbedFiles = list()
                p.imports = list()
                p.testImports = list()
                p.dependencyEdges = list()
                guard let hasError = flag() else { return nil }
                if hasError {
                    guard let kind = PackageError.Kind(rawValue: s()) else { return nil }
                    p.error = PackageError(kind: kind, message: s(), cycle: list())
                }
                guard !failed else { return nil }
                packages[p.importPath] = p
            }
            guard packages.count == packageCount else { return nil }
            return packages
        }
        guard let graphCount = r.int(), graphCount >= 0, graphCount <= bytes.count else { return nil }
        var graphs: [PackageGraph] = []
        for _ in 0..<graphCount {
            let unitRoot = s()
            let goos = s()
            let goarch = s()
            guard let cgo = flag() else { return nil }
            let buildTags = list()
            let toolTags = list()
            guard let minor = r.int(), minor >= 0, minor < 1000 else { return nil }
            let compiler = s()
            let roots = list()
            guard !failed else { return nil }
            var context = BuildContext(
                goos: goos, goarch: goarch, cgoEnabled: cgo, buildTags: buildTags, goMinorVersion: minor, toolTags: toolTags)
            context.compiler = compiler
            guard let packages = readPackages(), let testPackages = readPackages() else { return nil }
            graphs.append(
                PackageGraph(unitRoot: unitRoot, context: context, packages: packages, roots: roots, testPackages: testPackages))
        }
        guard let targetCount = r.int(), targetCount >= 0, targetCount <= bytes.count else { return nil }
        var targets: [GraphMemo.StoredTarget] = []
        targets.reserveCapacity(targetCount)
        for _ in 0..<targetCount {
            targets.append(GraphMemo.StoredTarget(dir: s(), importPath: s(), module: s(), unitRoot: s()))
        }
        guard !failed, r.offset == bytes.count else { return nil }
        return (graphs, targets)
    }
}
