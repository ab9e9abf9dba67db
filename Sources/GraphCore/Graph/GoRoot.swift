import Foundation
import Synchronization

/// A Go toolchain's root directory (GOROOT): its version and its standard library sources.
///
/// GraphCore does not run the go command; callers find GOROOT (GoBuild asks `go env`) and
/// hand it in. The standard library is read from `GOROOT/src` with the same scanner as
/// the repository, so closures through the standard library equal `go list`'s.
public final class GoRoot: Sendable {
    /// Absolute path of GOROOT.
    public let path: String
    /// The toolchain version, such as `go1.27.3`.
    public let version: String
    /// The minor version (27 for go1.27.3): release tags go1.1 … go1.N are satisfied.
    public let minorVersion: Int
    /// `GOROOT/src` as a file tree.
    let sources: DirectoryTree
    private let standardCache = Mutex<[String: Bool]>([:])
    private let listingCache = Mutex<[String: [FileTreeEntry]?]>([:])

    /// Opens the GOROOT at `path`, reading its version from the `VERSION` file (first line)
    /// or, when given, from `version` (the output of `go env GOVERSION`).
    public init(path: String, version: String? = nil) throws(GoRootError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path + "/src", isDirectory: &isDir), isDir.boolValue else {
            throw .notAGoRoot(path: path)
        }
        let resolved: String
        if let version {
            resolved = version
        } else if let data = FileManager.default.contents(atPath: path + "/VERSION"),
            let text = String(data: data, encoding: .utf8),
            let first = text.split(separator: "\n").first
        {
            resolved = String(first).trimmingCharacters(in: .whitespaces)
        } else {
            throw .unknownVersion(path: path)
        }
        guard let minor = GoRoot.minorVersion(of: resolved) else { throw .unknownVersion(path: path) }
        self.path = path
        self.version = resolved
        self.minorVersion = minor
        self.sources = DirectoryTree(root: path + "/src")
    }

    /// The minor version of `go1.N[.P]` or `go1.N[rcK|betaK]`, or nil.
    static func minorVersion(of version: String) -> Int? {
        guard version.hasPrefix("go1.") else { return nil }
        let digits = version.dropFirst(4).prefix { $0.isNumber }
        return Int(digits)
    }

    /// `goroot.IsStandardPackage`: GOROOT/src/<path> holds a file ending in `.go`.
    public func isStandardPackage(_ importPath: String) -> Bool {
        if let known = standardCache.withLock({ $0[importPath] }) { return known }
        let result = entries(in: importPath)?.contains { $0.kind != .directory && $0.name.hasSuffix(".go") } ?? false
        standardCache.withLock { $0[importPath] = result }
        return result
    }

    /// The listing of GOROOT/src/<dir>, read once per process (the import check and the
    /// scan of a standard package both list its directory).
    func entries(in dir: String) -> [FileTreeEntry]? {
        if let known = listingCache.withLock({ $0[dir] }) { return known }
        let listed = (try? sources.entries(in: dir)) ?? nil
        listingCache.withLock { $0[dir] = .some(listed) }
        return listed
    }
}

/// Errors opening a GOROOT.
public enum GoRootError: Error, Hashable, Sendable, CustomStringConvertible {
    case notAGoRoot(path: String)
    case unknownVersion(path: String)

    public var description: String {
        switch self {
        case .notAGoRoot(let path): return "\(path) is not a Go root (no src directory)"
        case .unknownVersion(let path): return "cannot tell the Go version of \(path) (no readable VERSION file)"
        }
    }
}
