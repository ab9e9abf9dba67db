#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where gocache keeps its cache: the artifact store and any memo.
public enum CacheDirectory {
    /// Resolves the cache directory: `--cache-dir` if given, else `$GOCACHE_DIR`, else
    /// `$XDG_CACHE_HOME/gocache` (only if that variable is an absolute path, as the XDG
    /// specification requires), else `$HOME/.cache/gocache`. Empty values count as unset.
    ///
    /// - Parameters:
    ///   - flag: the value of `--cache-dir`, if any.
    ///   - environment: the process environment.
    /// A relative `--cache-dir` or `$GOCACHE_DIR` is taken from the current directory and
    /// returned absolute, without `.` and `..` elements.
    public static func resolve(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return absolute(trimmed(flag)) }
        if let dir = environment["GOCACHE_DIR"], !dir.isEmpty { return absolute(trimmed(dir)) }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return trimmed(xdg) + "/gocache" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/"
        return (home == "/" ? "" : trimmed(home)) + "/.cache/gocache"
    }

    /// A relative `path` made absolute against the current directory, its `.` and `..`
    /// elements resolved by name; an absolute one as it is.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let full = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
        var parts: [Substring] = []
        for element in full.split(separator: "/", omittingEmptySubsequences: true) {
            if element == "." { continue }
            if element == ".." {
                if !parts.isEmpty { parts.removeLast() }
            } else {
                parts.append(element)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

/// Byte counts as users write them: `500M`, `2G`, `1.5GiB`, `4096`.
public enum ByteCount {
    /// Parses a size with an optional binary suffix (K, M, G, T, each optionally followed by
    /// `B` or `iB`; powers of 1024; case-insensitive). `nil` for anything else or a negative size.
    public static func parse(_ text: String) -> Int64? {
        var body = text.trimmingWhitespace().uppercased()
        if body.hasSuffix("IB") { body.removeLast(2) } else if body.hasSuffix("B") { body.removeLast() }
        var multiplier: Double = 1
        if let last = body.last, let power = "KMGT".firstIndex(of: last) {
            multiplier = pow1024("KMGT".distance(from: "KMGT".startIndex, to: power) + 1)
            body.removeLast()
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isNumber || $0 == "." }),
              let number = Double(body), number >= 0 else { return nil }
        let value = number * multiplier
        guard value < 9.2e18 else { return nil }
        return Int64(value.rounded(.down))
    }

    /// A size in the largest binary unit that keeps it at least 1, such as `1.5 GiB`.
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(bytes) B" }
        let tenths = (value * 10).rounded() / 10
        return "\(tenths) \(units[unit])"
    }

    private static func pow1024(_ exponent: Int) -> Double {
        var result: Double = 1
        for _ in 0..<exponent { result *= 1024 }
        return result
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
