public import CacheStore
import Foundation
public import GraphCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The run memo: the whole output of a command that only reads (`affected`, `hash`),
/// remembered under a digest of everything that output is a function of, so that running
/// it again on an unchanged tree prints the same bytes without loading anything.
///
/// The key (`RunMemoKey`) covers the gocache executable (its GNU build id, else its path
/// and stat data), the
/// command and its arguments, the working directory, the environment variables gocache or
/// the go command read, the toolchain (go binary, GOROOT, version), the repository's
/// location and git state (HEAD, index, config and exclude files), the commits read, and for
/// the working tree a `WorktreeWalk`: the stat data (size, mtime, ctime, inode, mode) of
/// every file and link under the root, untracked and ignored ones included. Equal stat data
/// stands for equal content only when it is older than the walk by more than a second
/// (git's racy-clean rule, `WorktreeWalk.isRacy`); a racy tree is never memoised.
///
/// Entries are files `<memo>/runs/<key>`: the output and a SHA-256 over it, written
/// atomically; a damaged entry is a miss and is removed. At most `capacity` entries are
/// kept (the least recently used go first).
public struct RunMemo: Sendable {
    /// What a command printed.
    public struct Output: Sendable, Equatable {
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// The module cache as the run found it (`ModuleCache.facts`): the output holds only
        /// while these do (a module version downloaded since makes a closure exact).
        public var moduleFacts: [ModuleCacheFact]
        /// What the run asked the machine (compilers, pkg-config): the output holds only
        /// while the answers are the same.
        public var externalFacts: [ExternalFact]

        public init(stdout: [UInt8], stderr: [UInt8], moduleFacts: [ModuleCacheFact] = [], externalFacts: [ExternalFact] = []) {
            self.stdout = stdout
            self.stderr = stderr
            self.moduleFacts = moduleFacts
            self.externalFacts = externalFacts
        }

        /// Whether the module cache and the machine still are as the run found them.
        public func holds(in moduleCache: ModuleCache?) -> Bool {
            ModuleCache.holds(moduleFacts, in: moduleCache) && externalFacts.allSatisfy { $0.holds() }
        }
    }

    /// The entries' directory.
    public let directory: String
    /// How many entries are kept.
    public let capacity: Int

    /// Changes when the entry form or the key recipe changes.
    static let formatVersion: UInt32 = 3
    static let magic = Array("GOCACHE-RUN-MEMO\n".utf8)
    /// The largest working tree (files, links and directories) the memo walks: a tree with
    /// huge ignored directories (build outputs, `node_modules`) would pay more for the walk
    /// than a load costs, so the memo is off there (the listings made stay in use).
    public static let walkLimit = 100_000
    /// The environment variable that turns the memo off (`GOCACHE_RUN_MEMO=off`).
    public static let switchVariable = "GOCACHE_RUN_MEMO"

    /// The memo under `memoDirectory` (`<cache dir>/memo`), or nil when the environment
    /// turns it off.
    public init?(memoDirectory: String, environment: [String: String], capacity: Int = 64) {
        if let value = environment[RunMemo.switchVariable]?.lowercased(), ["off", "0", "false", "no"].contains(value) {
            return nil
        }
        directory = memoDirectory + "/runs"
        self.capacity = max(1, capacity)
    }

    /// The remembered output for `key`, if any and intact.
    public func lookup(_ key: RunMemoKey) -> Output? {
        guard let digest = try? key.digest() else { return nil }
        let path = directory + "/" + digest.hex
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let output = RunMemo.decode(Array(data)) else {
            unlink(path)
            return nil
        }
        // Recently used entries are kept longest (see `store`).
        utimes(path, nil)
        return output
    }

    /// Remembers `output` under `key`. Failures only cost speed next time.
    public func store(_ output: Output, under key: RunMemoKey) {
        guard let bytes = RunMemo.encode(output), let digest = try? key.digest() else { return }
        guard MemoFiles.writeAtomically(bytes, to: directory + "/" + digest.hex) else { return }
        prune()
    }

    /// Removes the least recently used entries beyond `capacity` (a hit touches its entry),
    /// and temporary files of interrupted writes older than a minute.
    func prune() {
        MemoFiles.prune(directory, capacity: capacity)
    }

    static func encode(_ output: Output) -> [UInt8]? {
        var bytes = magic
        bytes.reserveCapacity(magic.count + 20 + output.stdout.count + output.stderr.count + 32)
        append(formatVersion, to: &bytes)
        append(UInt64(output.stdout.count), to: &bytes)
        bytes += output.stdout
        append(UInt64(output.stderr.count), to: &bytes)
        bytes += output.stderr
        append(UInt64(output.moduleFacts.count), to: &bytes)
        for fact in output.moduleFacts {
            let dir = Array(fact.dir.utf8)
            append(UInt64(dir.count), to: &bytes)
            bytes += dir
            bytes.append(fact.present ? 1 : 0)
        }
        append(UInt64(output.externalFacts.count), to: &bytes)
        for fact in output.externalFacts {
            bytes.append(fact.kind.rawValue)
            for text in [fact.query, fact.answer] {
                let utf8 = Array(text.utf8)
                append(UInt64(utf8.count), to: &bytes)
                bytes += utf8
            }
        }
        guard let digest = try? SHA256Hasher.hash(bytes) else { return nil }
        return bytes + digest.bytes
    }

    static func decode(_ bytes: [UInt8]) -> Output? {
        let body = bytes.count - SHA256Digest.byteCount
        guard body >= magic.count + 12, bytes.starts(with: magic),
            let digest = try? SHA256Hasher.hash(bytes[0..<body]), digest.bytes[...] == bytes[body...]
        else { return nil }
        var offset = magic.count
        func read(_ width: Int) -> UInt64? {
            guard offset + width <= body else { return nil }
            var value: UInt64 = 0
            for index in 0..<width { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            offset += width
            return value
        }
        func take(_ count: UInt64?) -> [UInt8]? {
            guard let count, count <= UInt64(body - offset) else { return nil }
            let slice = Array(bytes[offset..<offset + Int(count)])
            offset += Int(count)
            return slice
        }
        guard read(4) == UInt64(formatVersion), let stdout = take(read(8)), let stderr = take(read(8)), let count = read(8),
            count <= UInt64(body)
        else { return nil }
        var facts: [ModuleCacheFact] = []
        for _ in 0..<count {
            guard let dir = take(read(8)), let present = take(1), present[0] <= 1 else { return nil }
            facts.append(ModuleCacheFact(dir: String(decoding: dir, as: UTF8.self), present: present[0] == 1))
        }
        guard let externalCount = read(8), externalCount <= UInt64(body) else { return nil }
        var external: [ExternalFact] = []
        for _ in 0..<externalCount {
            guard let kindByte = take(1), let kind = ExternalFact.Kind(rawValue: kindByte[0]), let query = take(read(8)),
                let answer = take(read(8))
            else { return nil }
            external.append(
                ExternalFact(kind: kind, query: String(decoding: query, as: UTF8.self), answer: String(decoding: answer, as: UTF8.self)))
        }
        guard offset == body else { return nil }
        return Output(stdout: stdout, stderr: stderr, moduleFacts: facts, externalFacts: external)
    }

    @inline(__always)
    static func append<Value: FixedWidthInteger>(_ value: Value, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// A digest of everything a command's output is a function of, built field by field (each
/// framed by a label and its length, so no two different field lists give the same bytes).
public struct RunMemoKey: Sendable {
    private var material: [UInt8] = []

    public init(command: String) {
        add("memo", String(RunMemo.formatVersion))
        add("command", command)
    }

    /// Adds one labelled field.
    public mutating func add(_ label: String, _ value: String) {
        add(label, bytes: Array(value.utf8))
    }

    /// Adds one labelled field of raw bytes.
    public mutating func add(_ label: String, bytes: [UInt8]) {
        RunMemo.append(UInt32(label.utf8.count), to: &material)
        material += label.utf8
        RunMemo.append(UInt64(bytes.count), to: &material)
        material += bytes
    }

    /// Adds a list of strings (each framed).
    public mutating func add(_ label: String, list: [String]) {
        var bytes: [UInt8] = []
        for item in list {
            RunMemo.append(UInt64(item.utf8.count), to: &bytes)
            bytes += item.utf8
        }
        add(label, bytes: bytes)
    }

    /// The key: SHA-256 of the framed fields.
    public func digest() throws(CryptoError) -> SHA256Digest {
        try SHA256Hasher.hash(material)
    }

    // MARK: - Standard fields

    /// The running gocache executable: the GNU build id its linker wrote, a digest of the
    /// linked output (`ExecutableIdentity`: the same build installed anew, as each CI job
    /// does, keeps its entries); without one, its path and stat data (a rebuilt binary never
    /// reuses an older one's entries). False when it cannot be identified.
    public mutating func addExecutable() -> Bool {
        guard let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return false }
        if let buildID = ExecutableIdentity.gnuBuildID(path) {
            add("executable-build-id", bytes: buildID)
            return true
        }
        guard let stamp = RunMemoKey.stamp(path) else { return false }
        add("executable", path)
        add("executable-stat", bytes: stamp)
        return true
    }

    /// The environment variables that gocache, libgit2 or the go command read: every `GO*`,
    /// `CGO_*` and `GIT_*` variable, and `HOME`, `TMPDIR`, `XDG_CACHE_HOME`,
    /// `XDG_CONFIG_HOME`. Not `GOCACHE_TRACE` and `GOCACHE_RUN_MEMO` (they change no output),
    /// nor `PATH`: the go binary found on it is part of the key (`addToolchain`), and
    /// wrappers that prepend to PATH would otherwise defeat the memo.
    public mutating func addEnvironment(_ environment: [String: String]) {
        let named: Set<String> = ["HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"]
        let unrelated: Set<String> = ["GOCACHE_TRACE", RunMemo.switchVariable]
        let relevant = environment.filter { name, _ in
            !unrelated.contains(name)
                && (named.contains(name) || name.hasPrefix("GO") || name.hasPrefix("CGO_") || name.hasPrefix("GIT_")
                    || name.hasPrefix("PKG_CONFIG"))
        }
        add("environment", list: relevant.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
    }

    /// The toolchain: the go binary's path and build id (GNU, else Go; else its stat data: a
    /// toolchain installed anew keeps its memos when its linker wrote an id), GOROOT and
    /// version.
    public mutating func addToolchain(_ toolchain: GoToolchain) {
        add("go", toolchain.goBinary)
        if let buildID = ExecutableIdentity.buildID(toolchain.goBinary) {
            add("go-build-id", bytes: buildID)
        } else {
            add("go-stat", bytes: RunMemoKey.stamp(toolchain.goBinary) ?? [])
        }
        add("goroot", toolchain.goRoot.path)
        add("goversion", toolchain.version)
    }

    /// The repository and its git state: the work tree and git directories, HEAD's commit,
    /// and the stat data of the files that change what a diff or a revision means (HEAD,
    /// index, config, info/exclude, shallow, packed-refs, the user's and the system's git
    /// configuration).
    public mutating func addRepository(_ location: RepositoryLocation, environment: [String: String]) {
        add("workdir", location.workdir)
        add("gitdir", location.gitDir)
        let head = (try? Snapshot.revision("HEAD", in: location))?.commitID ?? "(no commit)"
        add("head-commit", head)
        let common = location.commonDirectory
        var files = [
            location.gitDir + "/HEAD", location.gitDir + "/index", common + "/config", common + "/info/exclude",
            common + "/shallow", common + "/packed-refs", "/etc/gitconfig",
        ]
        if let home = environment["HOME"], !home.isEmpty { files.append(home + "/.gitconfig") }
        let xdg = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["HOME"].map { $0 + "/.config" }
        if let xdg { files.append(xdg + "/git/config") }
        for file in files {
            add("git-file", file)
            add("git-file-stat", bytes: RunMemoKey.stamp(file) ?? [])
        }
    }

    /// A revision read: as written and the commit it resolved to.
    public mutating func addRevision(_ label: String, snapshot: Snapshot) {
        add(label, snapshot.commitID ?? "(working tree)")
    }

    /// The working tree's listing and stat data. False (and nothing added) when the tree is
    /// racy: some file changed too recently for its stat data to stand for its content.
    public mutating func addWorktree(_ walk: WorktreeWalk) -> Bool {
        guard !walk.isRacy else { return false }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(walk.directories.reduce(0) { $0 + 64 + $1.entries.count * 96 })
        func put(_ text: String) {
            RunMemo.append(UInt32(text.utf8.count), to: &bytes)
            bytes += text.utf8
        }
        func put(_ stamp: FileStamp?) {
            guard let stamp else {
                bytes.append(0)
                return
            }
            bytes.append(1)
            RunMemo.append(stamp.size, to: &bytes)
            RunMemo.append(stamp.mtimeSeconds, to: &bytes)
            RunMemo.append(stamp.mtimeNanoseconds, to: &bytes)
            RunMemo.append(stamp.ctimeSeconds, to: &bytes)
            RunMemo.append(stamp.ctimeNanoseconds, to: &bytes)
            RunMemo.append(stamp.inode, to: &bytes)
            RunMemo.append(stamp.device, to: &bytes)
        }
        for directory in walk.directories {
            bytes.append(UInt8(ascii: "D"))
            put(directory.path)
            RunMemo.append(UInt32(directory.entries.count), to: &bytes)
            for entry in directory.entries {
                switch entry.kind {
                case .file: bytes.append(UInt8(ascii: "f"))
                case .directory: bytes.append(UInt8(ascii: "d"))
                case .symlink: bytes.append(UInt8(ascii: "l"))
                case .submodule: bytes.append(UInt8(ascii: "s"))
                }
                put(entry.name)
                RunMemo.append(entry.mode ?? 0, to: &bytes)
                if let blob = entry.blobID {
                    // Content proven by git's index (`IndexedBlobs`): keyed by it, so a
                    // fresh clone of the same tree at the same path hits.
                    bytes.append(2)
                    put(blob)
                } else {
                    put(entry.stamp)
                }
            }
        }
        for link in walk.linkTargets {
            bytes.append(UInt8(ascii: "L"))
            put(link.path)
            bytes.append(link.isDirectory ? 1 : 0)
            put(link.stamp)
        }
        add("worktree", bytes: Array((try? SHA256Hasher.hash(bytes))?.bytes ?? bytes))
        return true
    }

    /// Stat data of `path` (following links) as bytes; nil when it does not exist.
    static func stamp(_ path: String) -> [UInt8]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        var bytes: [UInt8] = []
        for value in [
            Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec), Int64(info.st_ctim.tv_sec),
            Int64(info.st_ctim.tv_nsec), Int64(bitPattern: UInt64(info.st_ino)), Int64(bitPattern: UInt64(info.st_dev)),
            Int64(info.st_mode),
        ] {
            RunMemo.append(value, to: &bytes)
        }
        return bytes
    }
}
