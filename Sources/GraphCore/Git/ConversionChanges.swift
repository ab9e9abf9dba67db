import Foundation

// Checkout conversions a `.gitattributes` change alters: files whose committed bytes are
// the same at both revisions, but whose checked-out bytes may not be.

extension GitHistory {
    /// The files whose checkout conversion may differ between `base` and `head` because a
    /// `.gitattributes` file changed between them (added, deleted, modified, renamed): every
    /// file below that attributes file's directory, at either revision, that a converting
    /// line of its old or new text may match: a line naming `text`, `eol`, `crlf`, `ident`,
    /// `filter`, `working-tree-encoding` or `binary` in any state (`-text` or `eol=lf` overrides
    /// another line's `eol=crlf`), or a macro definition. A diff does not
    /// name them — their blobs did not change — yet a build of a checkout of each revision
    /// compiles different bytes. Paths `changes` already names are left out.
    ///
    /// gocache reads a revision's blobs as committed, so it cannot compare the checkout bytes
    /// of two revisions: the comparison counts these files as changed without comparing
    /// their contents (`ChangeSet.unverified`). Sorted.
    public static func conversionChanges(_ changes: [PathChange], base: Snapshot, head: Snapshot) -> [String] {
        let attributeFiles = Set(
            changes.flatMap { [$0.path] + ($0.oldPath.map { [$0] } ?? []) }.filter {
                $0 == ".gitattributes" || $0.hasSuffix("/.gitattributes")
            })
        guard !attributeFiles.isEmpty else { return [] }
        let textConverts =
            (try? head.pool.withRepository { (repository) throws(GitAccessError) in
                repository.convertingConfiguration()?.textConverts ?? false
            }) ?? false
        // Macros that convert, as either side's top-level attributes file defines them: a
        // line using one converts as if it named their attributes.
        let macros = GitAttributes.convertingMacros(
            [base, head].compactMap { side in
                guard (try? side.entries(in: ""))??.contains(where: { $0.name == ".gitattributes" }) == true else { return nil }
                return try? side.contents(of: ".gitattributes")
            })
        var rules = GitAttributes.Rules()
        for file in attributeFiles.sorted() {
            let dir = file == ".gitattributes" ? "" : String(file.dropLast("/.gitattributes".count))
            var patterns: [GitAttributes.Pattern?] = []
            var conversionLines: [[String]?] = []
            for side in [base, head] {
                // A side without the file adds nothing; one that cannot be read converts anything.
                guard (try? side.entries(in: dir))??.contains(where: { $0.name == ".gitattributes" }) == true else {
                    conversionLines.append([])
                    continue
                }
                if let text = try? side.contents(of: file) {
                    patterns += GitAttributes.convertingPatterns(text, textConverts: textConverts, anyState: true, macros: macros)
                    conversionLines.append(Self.conversionLines(text, macros: macros))
                } else {
                    patterns.append(nil)
                    conversionLines.append(nil)
                }
            }
            // The lines that decide conversions are the same on both sides (an edit of
            // `linguist-*`, `diff`, `merge` lines): nothing converts differently.
            if conversionLines.count == 2, let old = conversionLines[0], let new = conversionLines[1], old == new { continue }
            if !patterns.isEmpty { rules.add(dir, patterns) }
        }
        guard !rules.isEmpty else { return [] }
        let named = Set(changes.flatMap { [$0.path] + ($0.oldPath.map { [$0] } ?? []) })
        var found = Set<String>()
        for side in [base, head] {
            var stack = [""]
            while let dir = stack.popLast() {
                guard rules.appliesBelow(dir), let entries = (try? side.entries(in: dir)) ?? nil else { continue }
                for entry in entries {
                    let path = dir.isEmpty ? entry.name : dir + "/" + entry.name
                    switch entry.kind {
                    case .directory: stack.append(path)
                    case .file, .symlink:
                        if !named.contains(path), rules.converts(path) { found.insert(path) }
                    default: break
                    }
                }
            }
        }
        return found.sorted()
    }

    /// The lines of an attributes file that can bear on checkout conversion (setting,
    /// unsetting or defining anything about text, eol, crlf, ident, filter,
    /// working-tree-encoding or binary, or a converting macro, and macro definitions),
    /// trimmed, in order.
    static func conversionLines(_ text: [UInt8], macros: Set<Substring> = []) -> [String] {
        let names = ["text", "eol", "crlf", "ident", "filter", "working-tree-encoding", "binary"] + macros.map(String.init)
        return text.split(separator: UInt8(ascii: "\n")).compactMap { raw -> String? in
            let line = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { return nil }
            return line.hasPrefix("[attr]") || names.contains(where: { line.contains($0) }) ? line : nil
        }
    }
}

extension ChangeSet {
    /// What differs between two snapshots: the libgit2 diff (`GitHistory.changes`) and the
    /// files whose checkout conversion a `.gitattributes` change may alter
    /// (`GitHistory.conversionChanges`).
    public static func between(_ base: Snapshot, _ head: Snapshot) throws(GitAccessError) -> ChangeSet {
        let changes = try GitHistory.changes(from: base, to: head)
        return .diff(changes, conversions: GitHistory.conversionChanges(changes, base: base, head: head))
    }
}
