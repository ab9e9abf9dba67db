/// Changed paths seen through symbolic links.
///
/// A diff names the files whose bytes changed where they live; a package may read such a
/// file through a link elsewhere (`pkg/gen.go -> ../templates/gen.go.in`, or a linked
/// directory `internal/lib -> ../third_party/lib`). The go command on a checkout follows
/// those links, so for it the link's path changed too. `extend` adds, for every link of
/// either snapshot whose target is a changed path or contains one, the path as seen through
/// the link (a `modified` change; the comparison then reads both sides' bytes through their
/// links and judges them as any other changed file).
public enum LinkedChanges {
    /// `changes` plus the paths reached through `links` (each a link's path and the
    /// repository-relative path it leads to, `Snapshot.listedLinks()`), in order, no path
    /// twice. Unchanged when no link leads to a changed path.
    public static func extend(_ changes: [PathChange], links: [(path: String, target: String?)]) -> [PathChange] {
        let targets = links.compactMap { link in link.target.map { (path: link.path, target: $0) } }
        guard !targets.isEmpty, !changes.isEmpty else { return changes }
        var named = Set<String>()
        for change in changes {
            named.insert(change.path)
            if let old = change.oldPath { named.insert(old) }
        }
        var added: [PathChange] = []
        var seen = named
        for changed in named.sorted() {
            for link in targets {
                let through: String
                if changed == link.target {
                    through = link.path
                } else if link.target.isEmpty || changed.hasPrefix(link.target + "/") {
                    let rest = link.target.isEmpty ? changed : String(changed.dropFirst(link.target.count + 1))
                    through = link.path + "/" + rest
                } else {
                    continue
                }
                if seen.insert(through).inserted { added.append(PathChange(kind: .modified, path: through)) }
            }
        }
        return changes + added
    }

    /// The paths of a listed change set plus those reached through `links` (see `extend`).
    public static func extend(paths: [String], links: [(path: String, target: String?)]) -> [String] {
        extend(paths.map { PathChange(kind: .modified, path: $0) }, links: links).map(\.path)
    }
}
