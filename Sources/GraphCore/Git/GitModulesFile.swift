/// A revision's `.gitmodules` file, read for one question: which submodule names a path
/// has. Git keeps a submodule's repository at `.git/modules/<name>`; the name is the
/// `submodule "<name>"` section whose `path` is the gitlink's path (`git submodule add
/// --name`, or a submodule moved with `git mv`, whose name stays), by default the path itself.
///
/// The file is git configuration syntax: `[submodule "name"]` sections (the subsection
/// quoted, `\"` and `\\` escaped; section and variable names case-insensitive), `key = value`
/// lines with `#`/`;` comments outside quotes, quoted parts, backslash escapes and line
/// continuations.
enum GitModulesFile {
    /// The names of the submodule sections whose `path` is `path`, in file order.
    static func names(forPath path: String, in bytes: [UInt8]) -> [String] {
        var names: [String] = []
        for (name, value) in entries(bytes) where value.key == "path" && value.value == path {
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// The `path`s of the submodule sections named `name`, in file order.
    static func paths(forName name: String, in bytes: [UInt8]) -> [String] {
        var paths: [String] = []
        for (section, value) in entries(bytes) where section == name && value.key == "path" {
            if !paths.contains(value.value) { paths.append(value.value) }
        }
        return paths
    }

    /// Whether git would use `name` as a directory under `.git/modules` (git refuses names
    /// with a `..` element, or empty, absolute or backslash-separated ones).
    static func isSafeName(_ name: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("\\") else { return false }
        return !name.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0.isEmpty }
    }

    /// Every variable of a `submodule` section: (subsection name, lower-cased key and value).
    private static func entries(_ bytes: [UInt8]) -> [(String, (key: String, value: String))] {
        var result: [(String, (key: String, value: String))] = []
        var section: String?
        var index = 0
        let count = bytes.count
        func skipSpace() { while index < count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        func skipLine() {
            while index < count, bytes[index] != 0x0A { index += 1 }
            index += 1
        }
        while index < count {
            skipSpace()
            guard index < count else { break }
            switch bytes[index] {
            case 0x0A, 0x0D, UInt8(ascii: "#"), UInt8(ascii: ";"):
                skipLine()
            case UInt8(ascii: "["):
                index += 1
                section = header(bytes, &index)
                // Variables may follow the header on its line.
            default:
                var key: [UInt8] = []
                while index < count, bytes[index] == UInt8(ascii: "-") || isAlphanumeric(bytes[index]) {
                    key.append(bytes[index] | (isLetter(bytes[index]) ? 0x20 : 0))
                    index += 1
                }
                guard !key.isEmpty else {
                    skipLine()
                    continue
                }
                skipSpace()
                var value = ""
                if index < count, bytes[index] == UInt8(ascii: "=") {
                    index += 1
                    value = self.value(bytes, &index)
                } else {
                    skipLine()
                }
                if let section { result.append((section, (String(decoding: key, as: UTF8.self), value))) }
            }
        }
        return result
    }

    /// Reads a section header after its `[`; the subsection name of a `submodule` section,
    /// else nil. Leaves `index` after the `]`.
    private static func header(_ bytes: [UInt8], _ index: inout Int) -> String? {
        var name: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "]"), bytes[index] != UInt8(ascii: " "),
            bytes[index] != UInt8(ascii: "\t"), bytes[index] != 0x0A
        {
            name.append(isLetter(bytes[index]) ? bytes[index] | 0x20 : bytes[index])
            index += 1
        }
        var subsection: [UInt8]?
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            index += 1
            var text: [UInt8] = []
            while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != 0x0A {
                if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
                text.append(bytes[index])
                index += 1
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") { index += 1 }
            subsection = text
        }
        while index < bytes.count, bytes[index] != UInt8(ascii: "]"), bytes[index] != 0x0A { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "]") else { return nil }
        index += 1
        // The deprecated `[submodule.name]` form.
        let prefix = Array("submodule.".utf8)
        if subsection == nil, name.count > prefix.count, Array(name.prefix(prefix.count)) == prefix {
            return String(decoding: name.dropFirst(prefix.count), as: UTF8.self)
        }
        guard name == Array("submodule".utf8), let subsection else { return nil }
        return String(decoding: subsection, as: UTF8.self)
    }

    /// A variable's value after its `=`, up to the end of the line (continuations followed).
    private static func value(_ bytes: [UInt8], _ index: inout Int) -> String {
        var text: [UInt8] = []
        var quoted = false
        // Unquoted trailing blanks are dropped; blanks inside quotes or between words kept.
        var pendingSpace: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == 0x0A { break }
            if !quoted, byte == UInt8(ascii: "#") || byte == UInt8(ascii: ";") {
                while index < bytes.count, bytes[index] != 0x0A { index += 1 }
                continue
            }
            if !quoted, byte == 0x20 || byte == 0x09 || byte == 0x0D {
                if !text.isEmpty { pendingSpace.append(byte == 0x0D ? 0x20 : byte) }
                continue
            }
            text.append(contentsOf: pendingSpace)
            pendingSpace = []
            switch byte {
            case UInt8(ascii: "\""):
                quoted.toggle()
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let next = bytes[index]
                index += 1
                switch next {
                case 0x0A: continue
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "b"): if !text.isEmpty { text.removeLast() }
                default: text.append(next)
                }
            default:
                text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
