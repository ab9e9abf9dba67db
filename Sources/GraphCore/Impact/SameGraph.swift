/// When two snapshots provably load to the same package graph, so a comparison can load
/// one of them only.
///
/// `GoRepository.load` reads, of each file, only: its name and kind (listings, embeds,
/// profiles, extra inputs), the header of a Go file (package clause, imports, build
/// constraint, embed patterns: `GoFileHeader`), the build constraint of another source
/// file, and the whole of go.mod, go.sum, go.work, go.work.sum, vendor/modules.txt and
/// gocache.yaml. So when every path that differs between the snapshots is a regular file
/// on both sides whose content changed (no add, delete, rename or kind change: every
/// listing is the same), none of them is one of those module or config files, and each
/// changed Go file has the same header result and each other source file the same
/// constraint result at both revisions, the loads see the same inputs and give the same
/// graph: only file contents differ, which the comparison checks itself.
///
/// The changed paths must be complete (a libgit2 diff with untracked and ignored files),
/// as the comparison already requires.
public enum SameGraph {
    /// Files whose whole content a load reads, wherever they are.
    static let wholeFiles: Set<String> = ["go.mod", "go.sum", "go.work", "go.work.sum", "modules.txt", GocacheConfig.fileName]

    /// Whether loading `base` would give the graph loading `head` gives, given every path
    /// that differs between them.
    ///
    /// - Complexity: reads the changed source files at both revisions (a few, for a usual
    ///   change); false at the first path that may change the graph.
    public static func provable(changes: [PathChange], base: any FileTree, head: any FileTree) -> Bool {
        for change in changes {
            guard change.kind == .modified, change.oldPath == nil else { return false }
            let path = change.path
            let name = lastElement(path)
            if wholeFiles.contains(name) { return false }
            guard isRegularFile(path, in: base), isRegularFile(path, in: head) else { return false }
            let ext = DirectoryPackageAssembler.nameExt(name)
            if ext == ".go" {
                guard let old = try? base.contents(of: path), let new = try? head.contents(of: path),
                    header(old, path) == header(new, path)
                else { return false }
            } else if let kind = DirectoryPackageAssembler.otherListKind(ext), kind != .syso {
                guard let old = try? base.contents(of: path), let new = try? head.contents(of: path),
                    constraint(old, path) == constraint(new, path)
                else { return false }
            }
        }
        return true
    }

    private static func header(_ bytes: [UInt8], _ path: String) -> Result<GoFileHeader, GoScanError> {
        Result { () throws(GoScanError) -> GoFileHeader in try GoSourceScanner.scanHeader(bytes, fileName: path) }
    }

    private static func constraint(_ bytes: [UInt8], _ path: String) -> Result<BuildConstraint?, GoScanError> {
        Result { () throws(GoScanError) -> BuildConstraint? in
            try GoSourceScanner.scanConstraint(bytes, fileName: lastElement(path))
        }
    }

    private static func isRegularFile(_ path: String, in tree: any FileTree) -> Bool {
        let name = lastElement(path)
        return ((try? tree.entries(in: parent(path))) ?? nil)?.contains { $0.name == name && $0.kind == .file } ?? false
    }
}
