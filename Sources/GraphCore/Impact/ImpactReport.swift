// The answer of impact analysis: which targets (or packages, for tests) two snapshots
// build differently, and why.

/// Why a target (or a package's tests) is affected.
public struct ImpactReason: Hashable, Sendable, Codable {
    /// What kind of difference the reason names.
    public enum Kind: String, Hashable, Sendable, Codable {
        /// An input file changed, appeared or disappeared.
        case file
        /// The target's resolved settings or declared extra inputs changed (gocache.yaml or flags).
        case config
        /// A module's selected version, replacement, go.sum hash or `go`/`toolchain`/`godebug`
        /// directive changed.
        case module
        /// A package of the closure changed its error (e.g. an import that no longer resolves).
        case package
        /// The target is new in the head snapshot.
        case added
        /// The target is gone from the head snapshot.
        case removed
    }

    public var kind: Kind
    /// The repository-relative file the reason is about (the changed input file; the go.mod,
    /// go.work, go.sum or vendor/modules.txt of a module reason; gocache.yaml for config), if any.
    public var file: String?
    /// What changed: a `PathChange` kind (`added`, `deleted`, `modified`, `renamed`,
    /// `typeChanged`), `entered build` / `left build` for a file whose own bytes did not
    /// change, or a short description for config, module and package reasons.
    public var change: String
    /// Import paths from the target to the package holding the file (one shortest chain);
    /// empty for reasons that concern the target as a whole.
    public var chain: [String]

    /// A reason.
    public init(kind: Kind, file: String?, change: String, chain: [String]) {
        self.kind = kind
        self.file = file
        self.change = change
        self.chain = chain
    }
}

/// One target whose binary differs between the two snapshots.
public struct TargetImpact: Hashable, Sendable {
    /// How the target differs.
    public enum Status: String, Hashable, Sendable, Codable {
        /// In both snapshots; its inputs differ.
        case affected
        /// Only in the head snapshot.
        case added
        /// Only in the base snapshot.
        case removed
    }

    /// Repository-relative directory (`.` for the root).
    public var dir: String
    /// The import path (the head's, or the base's for a removed target).
    public var importPath: String
    public var status: Status
    /// Sorted by kind, file and change; one shortest chain per file.
    public var reasons: [ImpactReason]

    /// An impact record.
    public init(dir: String, importPath: String, status: Status, reasons: [ImpactReason]) {
        self.dir = dir
        self.importPath = importPath
        self.status = status
        self.reasons = reasons
    }
}

/// Which targets two snapshots build differently.
public struct ImpactReport: Hashable, Sendable {
    /// Affected, added and removed targets, sorted by directory.
    public var targets: [TargetImpact]
    /// Directories of head targets whose inputs are identical, sorted.
    public var unchanged: [String]

    /// An impact report.
    public init(targets: [TargetImpact], unchanged: [String]) {
        self.targets = targets
        self.unchanged = unchanged
    }

    /// Directories of affected and added targets (what must be rebuilt), sorted.
    public var rebuild: [String] {
        targets.filter { $0.status != .removed }.map(\.dir)
    }

    /// The record of the target at `dir`, if it is affected, added or removed.
    public func impact(atDir dir: String) -> TargetImpact? {
        targets.first { $0.dir == dir }
    }
}

/// One package whose tests must run again.
public struct TestImpact: Hashable, Sendable {
    /// Repository-relative directory of the package (`.` for the root).
    public var dir: String
    public var importPath: String
    /// Repository-relative directory of the build unit (go.mod or go.work) to run `go test` in.
    public var unitRoot: String
    /// One shortest chain per changed file, from the package (its tests' imports included).
    public var reasons: [ImpactReason]

    /// A test impact record.
    public init(dir: String, importPath: String, unitRoot: String, reasons: [ImpactReason]) {
        self.dir = dir
        self.importPath = importPath
        self.unitRoot = unitRoot
        self.reasons = reasons
    }
}
