import Synchronization

/// The go command's module cache (GOMODCACHE): extracted module versions, read only to
/// learn what a non-vendored module's packages import.
///
/// A module version's files there are what its go.sum hash pins, so they are never keyed
/// (the hash is); reading them makes a target's closure exact — without them, a package of
/// such a module is a leaf whose imports are unknown, and its key carries the whole build
/// list instead (`TargetInputs.Package.unread`). A module version absent from the cache (not
/// downloaded yet) is such a leaf.
public final class ModuleCache: Sendable {
    /// Absolute path of the module cache directory.
    public let root: String
    let tree: DirectoryTree
    private let present = Mutex<[String: Bool]>([:])
    private let listings = Mutex<[String: [FileTreeEntry]?]>([:])

    /// A module cache at `root`; nil when `root` is empty.
    public init?(root: String) {
        guard !root.isEmpty else { return nil }
        self.root = root
        self.tree = DirectoryTree(root: root)
    }

    /// One instance per root for the process (its listings are shared by every load).
    public static func shared(root: String) -> ModuleCache? {
        instances.withLock { known in
            if let existing = known[root] { return existing }
            let made = ModuleCache(root: root)
            known[root] = made
            return made
        }
    }
    private static let instances = Mutex<[String: ModuleCache?]>([:])

    /// The module cache the go command uses in `environment`: `GOMODCACHE`, else the first
    /// `GOPATH` entry's `pkg/mod`, else `$HOME/go/pkg/mod` (cmd/go `cfg.GOMODCACHE`).
    public static func location(environment: [String: String]) -> String? {
        if let explicit = environment["GOMODCACHE"], explicit.hasPrefix("/") { return explicit }
        if let gopath = environment["GOPATH"], let first = gopath.split(separator: ":").first, first.hasPrefix("/") {
            return first + "/pkg/mod"
        }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/go/pkg/mod" }
        return nil
    }

    /// The directory of `module`@`version` relative to the cache root, when it is extracted
    /// there (a directory holding the module's files).
    func directory(module: String, version: String) -> String? {
        guard let escapedPath = Self.escape(module), let escapedVersion = Self.escape(version) else { return nil }
        let dir = escapedPath + "@" + escapedVersion
        if let known = present.withLock({ $0[dir] }) { return known ? dir : nil }
        let exists = entries(in: dir) != nil
        present.withLock { $0[dir] = exists }
        return exists ? dir : nil
    }

    /// What this process found in the cache so far: each module version directory looked
    /// up, and whether it was there. A load's graphs depend on exactly these (a version's
    /// files never change; only its presence can), so a memo of them stores the facts and
    /// holds only while `holds` says they are unchanged.
    public func facts() -> [ModuleCacheFact] {
        present.withLock { known in known.map { ModuleCacheFact(dir: $0.key, present: $0.value) } }.sorted { $0.dir < $1.dir }
    }

    /// Whether every fact is still so (each directory looked up once per process).
    public func holds(_ facts: [ModuleCacheFact]) -> Bool {
        facts.allSatisfy { fact in
            if let known = present.withLock({ $0[fact.dir] }) { return known == fact.present }
            let exists = entries(in: fact.dir) != nil
            present.withLock { $0[fact.dir] = exists }
            return exists == fact.present
        }
    }

    /// Whether `facts` hold for `cache`; with no module cache, whether none was present.
    public static func holds(_ facts: [ModuleCacheFact], in cache: ModuleCache?) -> Bool {
        guard let cache else { return !facts.contains { $0.present } }
        return cache.holds(facts)
    }

    /// The listing of a directory under the cache root (memoised).
    func entries(in dir: String) -> [FileTreeEntry]? {
        if let known = listings.withLock({ $0[dir] }) { return known }
        let listed = (try? tree.entries(in: dir)) ?? nil
        listings.withLock { $0[dir] = .some(listed) }
        return listed
    }

    /// Whether a directory under the cache root holds a file whose name ends in `.go`.
    func hasGoFiles(_ dir: String) -> Bool {
        entries(in: dir)?.contains { $0.kind != .directory && $0.name.hasSuffix(".go") } ?? false
    }

    /// A module path or version as the module cache spells it (golang.org/x/mod/module
    /// `EscapePath`): each upper-case letter becomes `!` and its lower-case form; nil for a
    /// string holding `!` (never valid).
    static func escape(_ text: String) -> String? {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            if character == "!" { return nil }
            if character.value >= 65 && character.value <= 90 {
                result.append("!")
                result.unicodeScalars.append(Unicode.Scalar(character.value + 32)!)
            } else {
                result.unicodeScalars.append(character)
            }
        }
        return result
    }
}

/// A module version directory of the module cache (`path@version`, escaped) and whether it
/// was there.
public struct ModuleCacheFact: Hashable, Sendable {
    public var dir: String
    public var present: Bool

    public init(dir: String, present: Bool) {
        self.dir = dir
        self.present = present
    }
}
