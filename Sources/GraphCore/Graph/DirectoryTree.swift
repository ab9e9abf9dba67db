#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A `FileTree` over a plain directory on disk (no git): used for GOROOT/src.
/// Symbolic links are followed, as the go command follows them.
struct DirectoryTree: FileTree {
    let root: String

    init(root: String) { self.root = root }

    private func absolute(_ path: String) -> String {
        path.isEmpty ? root : root + "/" + path
    }

    func entries(in dir: String) throws -> [FileTreeEntry]? {
        let dirPath = absolute(dir)
        guard let handle = opendir(dirPath) else { return nil }
        defer { closedir(handle) }
        let descriptor = dirfd(handle)
        var result: [FileTreeEntry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var kind: FileTreeEntry.Kind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_REG): kind = .file
            case Int32(DT_LNK): kind = .symlink
            default:
                var info = stat()
                guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: kind = .directory
                case S_IFREG: kind = .file
                case S_IFLNK: kind = .symlink
                default: continue
                }
            }
            // Stat data (of the target, for a link) identifies unchanged content for the parse
            // memo, which keys Go files only, and never a test file of the standard library
            // (not read at all): other files need no stat (a GOROOT directory lists hundreds).
            var stamp: FileStamp?
            let memoised = name.hasSuffix(".go") && !name.hasSuffix("_test.go")
            if kind == .symlink || (kind == .file && memoised) {
                var info = stat()
                if fstatat(descriptor, name, &info, 0) == 0 {
                    if info.st_mode & S_IFMT == S_IFDIR {
                        kind = .directory
                    } else {
                        kind = .file
                        stamp = FileStamp(status: info)
                    }
                } else if kind == .symlink {
                    continue
                }
            }
            result.append(FileTreeEntry(name: name, kind: kind, size: stamp.map { Int($0.size) }, stamp: stamp))
        }
        result.sort { $0.name < $1.name }
        return result
    }

    func contents(of path: String) throws -> [UInt8] {
        try WorktreeReader.contents(of: absolute(path), relativePath: path)
    }
}
