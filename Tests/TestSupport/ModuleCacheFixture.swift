import Foundation

/// Module versions written into a module cache directory as `go mod download` extracts them
/// (`<escaped path>@<version>/<file>`), for tests that need no go command to fill one.
public enum ModuleCacheFixture {
    /// Writes each `path@version/file` of `files` (the keys) under `root`.
    public static func extract(_ files: [String: String], into root: String) throws {
        for (path, text) in files {
            let file = root + "/" + path
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: file, atomically: true, encoding: .utf8)
        }
    }
}
