/// Whether a `.gitattributes` file could make git convert content between the index and the
/// working tree (`gitattributes(5)`, *Effects*: checking out and checking in).
///
/// Most Go repositories have one (`*.go text eol=lf`, `linguist-generated`, `merge=union`),
/// and so do many vendored modules; none of those change checked-out bytes on Linux. What
/// can: `filter` (smudge and clean, Git LFS), `ident` (`$Id$` expansion),
/// `working-tree-encoding`, `eol=crlf`, and `text` / `text=auto` / the legacy `crlf` when
/// `core.eol` is `crlf`. A macro definition (`[attr]…`) may expand to any of them, so it
/// counts as converting too; a line whose pattern cannot be read does as well. Every other
/// attribute (diff, merge, linguist-*, export-*, whitespace, delta, -text, binary, eol=lf,
/// unset or unspecified ones) leaves the bytes alone.
enum GitAttributes {
    /// The directories (`""` is the root) among `directories` whose `.gitattributes` sets a
    /// converting attribute: an attributes file applies to its directory's subtree, so files
    /// elsewhere are untouched by it. An attributes file that is not a regular file or cannot
    /// be read counts as converting.
    static func convertingDirectories(
        _ directories: [(path: String, entries: [FileTreeEntry])], workdir: String, textConverts: Bool
    ) -> [String] {
        var found: [String] = []
        for (dir, entries) in directories {
            guard let entry = entries.first(where: { $0.name == ".gitattributes" }) else { continue }
            let relative = dir.isEmpty ? ".gitattributes" : dir + "/.gitattributes"
            guard entry.kind == .file, let text = try? WorktreeReader.contents(of: workdir + "/" + relative, relativePath: relative),
                !convertsContent(text, textConverts: textConverts)
            else {
                found.append(dir)
                continue
            }
        }
        return found
    }

    /// Whether `path` lies in the subtree of one of `directories` (`""` is the root).
    static func isUnder(_ path: String, anyOf directories: [String]) -> Bool {
        directories.contains { $0.isEmpty || path.hasPrefix($0 + "/") }
    }

    /// Whether `text` (an attributes file's content) sets anything that converts content;
    /// `textConverts` says whether a file marked `text` is converted on checkout
    /// (`core.eol=crlf`).
    static func convertsContent(_ text: [UInt8], textConverts: Bool) -> Bool {
        for rawLine in text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var line = Substring(decoding: rawLine, as: UTF8.self)
            line = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            // The pattern: up to the first blank, or a quoted string (C-style escapes).
            var rest: Substring
            if line.hasPrefix("\"") {
                var index = line.index(after: line.startIndex)
                var closed = false
                while index < line.endIndex {
                    let character = line[index]
                    if character == "\\" {
                        index = line.index(after: index)
                        if index < line.endIndex { index = line.index(after: index) }
                        continue
                    }
                    if character == "\"" {
                        closed = true
                        break
                    }
                    index = line.index(after: index)
                }
                guard closed else { return true }
                rest = line[line.index(after: index)...]
            } else {
                let end = line.firstIndex { $0 == " " || $0 == "\t" } ?? line.endIndex
                if line[..<end].hasPrefix("[attr]") { return true }
                rest = line[end...]
            }
            for token in rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
                if token.hasPrefix("-") || token.hasPrefix("!") { continue }
                let name: Substring
                let value: Substring?
                if let equals = token.firstIndex(of: "=") {
                    name = token[..<equals]
                    value = token[token.index(after: equals)...]
                } else {
                    name = token
                    value = nil
                }
                switch name {
                case "filter", "ident", "working-tree-encoding":
                    return true
                case "eol":
                    if value != "lf" { return true }
                case "text", "crlf":
                    if textConverts { return true }
                default:
                    continue
                }
            }
        }
        return false
    }
}
