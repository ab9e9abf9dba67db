// go.sum: cmd/go/internal/modfetch readGoSum.

/// The checksums of a go.sum file (or several merged): `module version[/go.mod] h1:...`.
public struct GoSum: Hashable, Sendable {
    /// `path version` (version possibly ending in `/go.mod`) → hashes in file order.
    public private(set) var entries: [GoModuleVersion: [String]]

    public init() { entries = [:] }

    /// Parses go.sum bytes. Blank lines are skipped; a line without exactly three fields is
    /// an error (`wrong number of fields N`), as the go command reports it. The bogus hash of
    /// an empty go.mod that old go versions wrote is dropped, as the go command drops it.
    public static func parse(_ bytes: [UInt8], file: String) throws(GoModFileError) -> GoSum {
        var sum = GoSum()
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let fields = goFields(line)
            if fields.isEmpty { continue }
            guard fields.count == 3 else {
                throw GoModFileError(
                    file: file, line: lineNumber, column: 1,
                    message: "malformed go.sum: wrong number of fields \(fields.count)")
            }
            if fields[2] == "h1:G7mAYYxgmS0lVkHyy2hEOLQCFB0DlQFTMLWggykrydY=" { continue }
            sum.entries[GoModuleVersion(path: fields[0], version: fields[1]), default: []]
                .append(fields[2])
        }
        return sum
    }

    /// Adds the entries of `other` (hashes already present are not repeated).
    public mutating func merge(_ other: GoSum) {
        for (key, hashes) in other.entries.sorted(by: { ($0.key.path, $0.key.version ?? "") < ($1.key.path, $1.key.version ?? "") }) {
            for h in hashes where !(entries[key]?.contains(h) ?? false) {
                entries[key, default: []].append(h)
            }
        }
    }

    /// The `h1:` hash of the module's file tree (the zip), or nil when go.sum has none.
    public func hash(module: String, version: String) -> String? {
        entries[GoModuleVersion(path: module, version: version)]?.first { $0.hasPrefix("h1:") }
    }

    /// The `h1:` hash of the module's go.mod file, or nil when go.sum has none.
    public func goModHash(module: String, version: String) -> String? {
        entries[GoModuleVersion(path: module, version: version + "/go.mod")]?.first { $0.hasPrefix("h1:") }
    }
}
