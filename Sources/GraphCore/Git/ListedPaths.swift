import Foundation

/// A list of changed paths as tools print them (`git diff --name-only`, changed-files
/// actions, editors), mapped to repository-relative paths: one path a line (or NUL-separated,
/// as `git diff -z` prints them, taken as they are), blanks around
/// it and a leading `./` ignored; a git C-quoted name (`"lib/\303\274.go"`, what git prints
/// for a name with non-ASCII or control characters under the default `core.quotePath`)
/// unquoted; `//`, `.` and `..` elements resolved; an absolute path inside the repository
/// (compared with symbolic links resolved, as `realpath` gives them) made relative to its
/// root. A relative path is relative to the repository root, as git prints them. What lies
/// outside the repository (`../x.go`, `/etc/passwd`) is set apart in `outside`.
public struct ListedPaths: Hashable, Sendable {
    /// Repository-relative paths, in list order, each once.
    public var paths: [String]
    /// Lines naming something outside the repository, as written.
    public var outside: [String]

    public init(_ text: String, workdir: String) {
        var paths: [String] = []
        var outside: [String] = []
        var seen = Set<String>()
        let root = Self.resolved(workdir)
        // NUL-separated (`git diff -z --name-only`): names as they are, nothing quoted or trimmed.
        let nulSeparated = text.utf8.contains(0)
        let entries = nulSeparated ? text.split(separator: "\u{0}") : text.split(whereSeparator: \.isNewline)
        for line in entries {
            let written = nulSeparated ? String(line) : line.trimmingCharacters(in: .whitespaces)
            if written.isEmpty { continue }
            let path = nulSeparated ? written : Self.unquoted(written) ?? written
            let relative: String?
            if path.hasPrefix("/") {
                relative = Self.relative(path, to: workdir) ?? Self.relative(Self.resolved(path), to: root)
            } else {
                relative = Self.normalized(path)
            }
            guard let relative, !relative.isEmpty else {
                outside.append(written)
                continue
            }
            if seen.insert(relative).inserted { paths.append(relative) }
        }
        self.paths = paths
        self.outside = outside
    }

    /// `paths` with every path that is a directory in one of `trees` followed by each file
    /// (and symbolic link) below it there, in order, no path twice: a list names a directory
    /// for all it holds — `git diff --name-only` a bumped submodule by its path alone
    /// (`third/s`), `git status --porcelain` an untracked directory (`?? dir/`). A gitlink
    /// counts as the submodule's files (a `Snapshot` lists the checkout or the recorded
    /// commit's tree); a directory absent from every tree stays the one path.
    public static func expandingDirectories(_ paths: [String], in trees: [any FileTree]) -> [String] {
        var result: [String] = []
        var seen = Set<String>()
        func add(_ path: String) {
            if seen.insert(path).inserted { result.append(path) }
        }
        func walk(_ dir: String, in tree: any FileTree) {
            guard let entries = (try? tree.entries(in: dir)) ?? nil else { return }
            for entry in entries {
                let path = dir.isEmpty ? entry.name : dir + "/" + entry.name
                switch entry.kind {
                case .directory, .submodule:
                    add(path)
                    walk(path, in: tree)
                case .file, .symlink:
                    add(path)
                }
            }
        }
        for path in paths {
            add(path)
            for tree in trees where !path.isEmpty {
                walk(path, in: tree)
            }
        }
        return result
    }

    /// `path` relative to `root` (both absolute), normalized; nil when it is not below it.
    static func relative(_ path: String, to root: String) -> String? {
        guard let path = normalized(path), let root = normalized(root) else { return nil }
        if root.isEmpty { return path }
        guard path.hasPrefix(root + "/") else { return nil }
        return String(path.dropFirst(root.count + 1))
    }

    /// `path` with empty and `.` elements dropped and `..` applied (no leading or trailing
    /// slash); nil when `..` leaves the top.
    static func normalized(_ path: String) -> String? {
        var elements: [Substring] = []
        for element in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch element {
            case ".": continue
            case "..":
                guard elements.popLast() != nil else { return nil }
            default: elements.append(element)
            }
        }
        return elements.joined(separator: "/")
    }

    /// An absolute `path` with symbolic links resolved: `realpath` of its longest existing
    /// prefix (a listed file may be deleted) plus the rest.
    static func resolved(_ path: String) -> String {
        var head = path
        var tail: [String] = []
        while !head.isEmpty, head != "/" {
            if let real = realpath(head, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return tail.isEmpty ? base : (base == "/" ? "" : base) + "/" + tail.reversed().joined(separator: "/")
            }
            let url = URL(fileURLWithPath: head)
            tail.append(url.lastPathComponent)
            head = url.deletingLastPathComponent().path
        }
        return path
    }

    /// `path` as git prints a name with control characters, `"` or `\` in it: C-quoted
    /// (`"a\nb.go"`, octal for other control bytes); other names as they are (UTF-8 is kept,
    /// as `core.quotePath=false` prints it). `unquoted` reads it back.
    public static func quoted(_ path: String) -> String {
        let bytes = Array(path.utf8)
        guard bytes.contains(where: { $0 < 0x20 || $0 == 0x7f || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            return path
        }
        var output: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            switch byte {
            case 7: output += Array("\\a".utf8)
            case 8: output += Array("\\b".utf8)
            case 9: output += Array("\\t".utf8)
            case 10: output += Array("\\n".utf8)
            case 11: output += Array("\\v".utf8)
            case 12: output += Array("\\f".utf8)
            case 13: output += Array("\\r".utf8)
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), byte]
            case 0..<0x20, 0x7f:
                output += [UInt8(ascii: "\\"), UInt8(ascii: "0") + byte >> 6, UInt8(ascii: "0") + (byte >> 3) & 7, UInt8(ascii: "0") + byte & 7]
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
        return String(decoding: output, as: UTF8.self)
    }

    /// The name a git C-quoted line (`"…"` with `\\`, `\"`, `\t`, `\n`, … and octal `\303`
    /// escapes) stands for; nil when `line` is not one.
    static func unquoted(_ line: String) -> String? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else { return nil }
        var output: [UInt8] = []
        var index = 1
        let end = bytes.count - 1
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return nil }
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < end else { return nil }
            let escaped = bytes[index]
            switch escaped {
            case UInt8(ascii: "a"): output.append(7)
            case UInt8(ascii: "b"): output.append(8)
            case UInt8(ascii: "t"): output.append(9)
            case UInt8(ascii: "n"): output.append(10)
            case UInt8(ascii: "v"): output.append(11)
            case UInt8(ascii: "f"): output.append(12)
            case UInt8(ascii: "r"): output.append(13)
            case UInt8(ascii: "\\"), UInt8(ascii: "\""): output.append(escaped)
            case UInt8(ascii: "0")...UInt8(ascii: "3"):
                guard index + 2 < end else { return nil }
                let digits = bytes[index...index + 2]
                guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) else { return nil }
                output.append(digits.reduce(0) { $0 << 3 | ($1 - UInt8(ascii: "0")) })
                index += 2
            default:
                return nil
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }
}
