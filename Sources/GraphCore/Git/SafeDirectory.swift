internal import CGit2
import Foundation
import Synchronization

/// git's `safe.directory` rule, evaluated as git evaluates it where libgit2 1.5.1 does not:
/// a repository owned by another user is read when some `safe.directory` value of the system,
/// global or command-line scope (`GIT_CONFIG_COUNT` / `GIT_CONFIG_KEY_<n>` /
/// `GIT_CONFIG_VALUE_<n>`, `GIT_CONFIG_PARAMETERS`) is `*`, names its working tree (after `~/`
/// expansion; a trailing `/` is ignored), or ends in `/*` and names a directory above it —
/// and no empty value after it resets the list. libgit2 1.5.1 matches neither `*` nor the
/// command-line scope, the usual recipes for CI containers whose workspace has another owner.
/// The repository's own config does not count (git ignores it there).
enum SafeDirectory {
    /// Whether git would read the repository that `refusal` (`unsafeOwnership`) names; if so,
    /// libgit2's own owner check is turned off for this process so that the caller can open it
    /// again.
    static func overrides(_ refusal: GitAccessError, environment: [String: String]) -> Bool {
        guard case .unsafeOwnership(let path) = refusal, accepts(path, values: values(environment), environment: environment)
        else { return false }
        disableOwnerValidation()
        return true
    }

    /// Whether `values` (in configuration order) make `path` safe.
    static func accepts(_ path: String, values: [String], environment: [String: String]) -> Bool {
        let target = trimmed(path)
        var safe = false
        for value in values {
            if value.isEmpty {
                safe = false
                continue
            }
            if value == "*" {
                safe = true
                continue
            }
            var expanded = value
            if expanded.hasPrefix("~/"), let home = environment["HOME"] { expanded = home + expanded.dropFirst(1) }
            if expanded.hasSuffix("/*") {
                let prefix = String(expanded.dropLast(1))
                if target.hasPrefix(prefix) || target + "/" == prefix { safe = true }
            } else if trimmed(expanded) == target {
                safe = true
            }
        }
        return safe
    }

    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }

    /// Every `safe.directory` value git would consult, in order: system, global, command line.
    static func values(_ environment: [String: String]) -> [String] {
        var files: [String] = []
        let noSystem = environment["GIT_CONFIG_NOSYSTEM"].map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? false
        if !noSystem { files.append(environment["GIT_CONFIG_SYSTEM"] ?? "/etc/gitconfig") }
        if let global = environment["GIT_CONFIG_GLOBAL"] {
            files.append(global)
        } else {
            if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
                files.append(xdg + "/git/config")
            } else if let home = environment["HOME"] {
                files.append(home + "/.config/git/config")
            }
            if let home = environment["HOME"] { files.append(home + "/.gitconfig") }
        }
        var values: [String] = []
        for file in files where FileManager.default.isReadableFile(atPath: file) {
            values += fileValues(file)
        }
        values += commandLineValues(environment)
        return values
    }

    /// The `safe.directory` values of one config file (its includes followed, as libgit2 does).
    private static func fileValues(_ file: String) -> [String] {
        ensureLibgit2Initialized()
        var config: OpaquePointer?
        guard git_config_open_ondisk(&config, file) == 0, let config else { return [] }
        defer { git_config_free(config) }
        var iterator: OpaquePointer?
        guard git_config_multivar_iterator_new(&iterator, config, "safe.directory", nil) == 0, let iterator else { return [] }
        defer { git_config_iterator_free(iterator) }
        var values: [String] = []
        var entry: UnsafeMutablePointer<git_config_entry>?
        while git_config_next(&entry, iterator) == 0, let entry {
            values.append(entry.pointee.value.map { String(cString: $0) } ?? "")
        }
        return values
    }

    /// `safe.directory` values of the command-line scope: `GIT_CONFIG_PARAMETERS` (what
    /// `git -c` passes to child processes: `'key'='value'` items) and `GIT_CONFIG_COUNT` pairs.
    static func commandLineValues(_ environment: [String: String]) -> [String] {
        var values: [String] = []
        if let parameters = environment["GIT_CONFIG_PARAMETERS"] {
            for (key, value) in quotedPairs(parameters) where key.lowercased() == "safe.directory" { values.append(value) }
        }
        if let count = environment["GIT_CONFIG_COUNT"].flatMap({ Int($0) }), count > 0 {
            for index in 0..<count {
                guard let key = environment["GIT_CONFIG_KEY_\(index)"], key.lowercased() == "safe.directory" else { continue }
                values.append(environment["GIT_CONFIG_VALUE_\(index)"] ?? "")
            }
        }
        return values
    }

    /// `'a.b'='v' 'c.d'='w'` (shell-quoted, as git writes `GIT_CONFIG_PARAMETERS`) as pairs;
    /// an item without `=` (old style `'a.b=v'`) is split at its first `=`.
    static func quotedPairs(_ text: String) -> [(String, String)] {
        var words: [String] = []
        var current = ""
        var inQuote = false
        var inWord = false
        var characters = text.makeIterator()
        while let character = characters.next() {
            if inQuote {
                if character == "'" { inQuote = false } else { current.append(character) }
            } else if character == "'" {
                inQuote = true
                inWord = true
            } else if character == "\\", let next = characters.next() {
                current.append(next)
                inWord = true
            } else if character == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words.compactMap { word in
            guard let equals = word.firstIndex(of: "=") else { return nil }
            return (String(word[..<equals]), String(word[word.index(after: equals)...]))
        }
    }

    private static let disabled = Mutex(false)

    /// Turns libgit2's owner check off for the rest of the process (once).
    static func disableOwnerValidation() {
        disabled.withLock { done in
            guard !done else { return }
            _ = gocache_git_set_owner_validation(0)
            done = true
        }
    }
}
