// Working-tree files carry the blob ids of git's index exactly where git itself trusts
// them and nothing converts content between the index and the files (`IndexedBlobs`).
import Foundation
import Testing
import TestSupport

@testable import GraphCore

#if canImport(Glibc)
import Glibc
#endif

@Suite("Index blob ids")
struct IndexedBlobsTests {
    /// Committed files written an hour before the index (so no entry is racily clean), a link,
    /// an empty file.
    static func committed() throws -> GitFixture {
        let fixture = try GitFixture()
        try fixture.write("go.mod", "module example.com/m\n")
        try fixture.write("a/a.go", "package a\n")
        try fixture.write("a/data.txt", "data\n")
        try fixture.write("empty.txt", "")
        try fixture.symlink("link.txt", to: "a/data.txt")
        for path in ["go.mod", "a/a.go", "a/data.txt", "empty.txt", "link.txt"] { setModified(fixture.url(path), secondsFromNow: -3_600) }
        _ = try fixture.commit("init")
        return fixture
    }

    static let committedFiles = ["a/a.go", "a/data.txt", "empty.txt", "go.mod"]

    static func setModified(_ path: String, secondsFromNow: Int) {
        let when = timespec(tv_sec: time(nil) + secondsFromNow, tv_nsec: 0)
        var times = [when, when]
        _ = utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
    }

    /// A walk of a fresh snapshot of the working tree.
    static func walk(_ fixture: GitFixture) throws -> WorktreeWalk {
        try #require(try Snapshot.worktree(RepositoryLocation.discover(from: fixture.root)).walkWorktree())
    }

    /// Every file's and link's blob id in a fresh walk, by path.
    static func walkedIDs(_ fixture: GitFixture) throws -> [String: String?] {
        var ids: [String: String?] = [:]
        for directory in try walk(fixture).directories {
            let prefix = directory.path.isEmpty ? "" : directory.path + "/"
            for entry in directory.entries where entry.kind != .directory { ids[prefix + entry.name] = .some(entry.blobID) }
        }
        return ids
    }

    /// HEAD's blob ids of `paths`.
    static func headIDs(_ fixture: GitFixture, _ paths: [String]) throws -> [String: String] {
        let head = try Snapshot.revision("HEAD", in: RepositoryLocation.discover(from: fixture.root))
        var ids: [String: String] = [:]
        for path in paths {
            let parts = path.split(separator: "/")
            let dir = parts.dropLast().joined(separator: "/")
            let entry = try #require(try head.entries(in: dir)?.first { $0.name == String(parts.last ?? "") })
            ids[path] = try #require(entry.blobID)
        }
        return ids
    }

    @Test("committed files carry HEAD's blob ids; links, untracked, edited and racily clean files do not")
    func proof() throws {
        let fixture = try Self.committed()
        defer { fixture.cleanup() }
        let head = try Self.headIDs(fixture, Self.committedFiles)
        var ids = try Self.walkedIDs(fixture)
        for path in Self.committedFiles { #expect(ids[path] == .some(head[path]), "\(path)") }
        #expect(ids["link.txt"] == .some(nil))

        // Untracked, edited (new size; same size and times but a new change time): no id.
        try fixture.write("new.txt", "new\n")
        Self.setModified(fixture.url("new.txt"), secondsFromNow: -3_600)
        try fixture.write("a/data.txt", "data, edited\n")
        Self.setModified(fixture.url("a/data.txt"), secondsFromNow: -3_600)
        try fixture.overwriteKeepingTimes("a/a.go", "package b\n")
        ids = try Self.walkedIDs(fixture)
        #expect(ids["new.txt"] == .some(nil))
        #expect(ids["a/data.txt"] == .some(nil))
        #expect(ids["a/a.go"] == .some(nil))
        #expect(ids["go.mod"] == .some(head["go.mod"]))
        try fixture.remove("new.txt")

        // The index's own stamp no newer than an entry's: racily clean, no id (git compares
        // content there).
        // (New modification times: git compares change times by the second, so an index entry
        // of a file whose size and modification time are as recorded would keep its change
        // time — which this proof compares to the nanosecond.)
        try fixture.write("a/a.go", "package a\n")
        try fixture.write("a/data.txt", "data\n")
        for path in Self.committedFiles { Self.setModified(fixture.url(path), secondsFromNow: -1_800) }
        _ = try fixture.git("add", "-A")
        _ = try fixture.git("update-index", "--really-refresh")
        ids = try Self.walkedIDs(fixture)
        for path in Self.committedFiles { #expect(ids[path] == .some(head[path]), "\(path)") }
        let index = fixture.url(".git/index")
        var info = stat()
        #expect(stat(fixture.url("go.mod"), &info) == 0)
        var times = [info.st_mtim, info.st_mtim]
        #expect(utimensat(AT_FDCWD, index, &times, 0) == 0)
        ids = try Self.walkedIDs(fixture)
        #expect(ids["go.mod"] == .some(nil), "an entry as new as the index")

        // Files written just now, with an index written after them: proven, so the walk is not
        // racy (a fresh checkout needs no second of margin). A link is never proven: gone.
        try fixture.remove("link.txt")
        for path in Self.committedFiles { Self.setModified(fixture.url(path), secondsFromNow: 0) }
        _ = try fixture.git("add", "-A")
        _ = try fixture.git("update-index", "--really-refresh")
        Self.setModified(index, secondsFromNow: 10)
        ids = try Self.walkedIDs(fixture)
        for path in Self.committedFiles { #expect(ids[path] == .some(head[path]), "\(path)") }
        #expect(try !Self.walk(fixture).isRacy)
        try fixture.write("b.go", "package b\n")
        #expect(try Self.walk(fixture).isRacy, "an untracked file written just now")
    }

    @Test("indexes of versions 2, 3 and 4 (paths compressed), with a gitlink entry, give the same ids")
    func indexVersions() throws {
        let fixture = try Self.committed()
        defer { fixture.cleanup() }
        // More files sharing prefixes, for version 4's path compression.
        for name in ["a/ab.go", "a/abc.go", "a/b/c.go", "b.go", "a/a_test.go"] {
            try fixture.write(name, "package x // \(name)\n")
            Self.setModified(fixture.url(name), secondsFromNow: -3_600)
        }
        _ = try fixture.commit("more")
        let files = Self.committedFiles + ["a/ab.go", "a/abc.go", "a/b/c.go", "b.go", "a/a_test.go"]
        let head = try Self.headIDs(fixture, files)
        let commit = try fixture.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        for version in ["2", "3", "4"] {
            _ = try fixture.git("update-index", "--index-version", version)
            let ids = try Self.walkedIDs(fixture)
            for path in files { #expect(ids[path] == .some(head[path]), "version \(version): \(path)") }
        }
        // A submodule's entry (a gitlink) is skipped, not a reason to trust nothing.
        _ = try fixture.git("update-index", "--add", "--cacheinfo", "160000,\(commit),vendor/sub")
        let ids = try Self.walkedIDs(fixture)
        for path in files { #expect(ids[path] == .some(head[path]), "with a gitlink: \(path)") }
    }

    @Test("anything that converts content turns the ids off: attributes anywhere, core.autocrlf=true")
    func conversions() throws {
        let fixture = try Self.committed()
        defer { fixture.cleanup() }
        func proven() throws -> Bool {
            let ids = try Self.walkedIDs(fixture)
            let known = Self.committedFiles.filter { ids[$0] != .some(nil) }
            #expect(known.isEmpty || known.count == Self.committedFiles.count, "all or nothing: \(known)")
            return known.count == Self.committedFiles.count
        }
        /// The committed files without an id.
        func unproven() throws -> Set<String> {
            let ids = try Self.walkedIDs(fixture)
            return Set(Self.committedFiles.filter { ids[$0] == .some(nil) })
        }
        #expect(try proven())
        // An attributes file, tracked or not, that sets a converting attribute: no ids for the
        // files its line's pattern matches in its directory's subtree; the usual Go
        // repository's attributes convert nothing.
        try fixture.write("a/.gitattributes", "*.txt text eol=crlf\n")
        #expect(try unproven() == ["a/data.txt"], "only what the pattern matches, only below a/")
        try fixture.write("a/.gitattributes", "*.{cmd,[cC][mM][dD]} text eol=crlf\n")
        #expect(try proven(), "no brace expansion in git's patterns: matches nothing here")
        try fixture.write("a/.gitattributes", "\"a.go\" text eol=crlf\n")
        #expect(try unproven() == ["a/a.go", "a/data.txt"], "a quoted pattern: its whole subtree")
        try fixture.write("a/.gitattributes", "*.go text eol=lf\n*.pb.go linguist-generated\nCHANGELOG merge=union\n")
        #expect(try proven())
        // Tracked, then deleted from the disk: git may have converted what it checked out.
        try fixture.write("a/.gitattributes", "*.txt ident\n")
        _ = try fixture.commit("attributes in a/")
        try fixture.remove("a/.gitattributes")
        let afterRemoval = try Self.walkedIDs(fixture)
        #expect(afterRemoval["a/a.go"] == .some(nil) && afterRemoval["go.mod"] != .some(nil))
        _ = try fixture.git("rm", "-q", "--cached", "a/.gitattributes")
        _ = try fixture.commit("no attributes in a/")
        try fixture.write("a/.gitattributes", "*.go text eol=lf\n")
        #expect(try proven())
        try fixture.write(".gitattributes", "*.bin filter=lfs diff=lfs merge=lfs -text\n")
        #expect(try proven(), "LFS for files that are not there")
        try fixture.write(".gitattributes", "*.go filter=lfs diff=lfs merge=lfs -text\n")
        #expect(try unproven() == ["a/a.go"])
        try fixture.write(".gitattributes", "[attr]lfs filter=lfs\n*.bin lfs\n")
        #expect(try !proven(), "a macro: everywhere")
        try fixture.write(".gitattributes", "*.go text\n")
        #expect(try proven(), "text, with core.eol unset: LF on checkout")
        _ = try fixture.git("config", "core.eol", "crlf")
        #expect(try unproven() == ["a/a.go"], "text, with core.eol=crlf")
        _ = try fixture.git("config", "--unset", "core.eol")
        try fixture.remove(".gitattributes")
        try fixture.remove("a/.gitattributes")
        #expect(try proven())
        try fixture.write(".git/info/attributes", "*.go ident\n")
        #expect(try !proven())
        try fixture.remove(".git/info/attributes")
        // core.autocrlf: true converts on checkout; input and false do not.
        for (value, converts) in [("true", true), ("input", false), ("false", false), ("yes", true)] {
            _ = try fixture.git("config", "core.autocrlf", value)
            #expect(try proven() == !converts, "core.autocrlf=\(value)")
        }
        _ = try fixture.git("config", "--unset", "core.autocrlf")
        // A global attributes file named by core.attributesFile, when it exists.
        let attributes = fixture.root + "-attributes"
        _ = try fixture.git("config", "core.attributesFile", attributes)
        #expect(try proven(), "named, absent")
        try "*.go filter=lfs\n".write(toFile: attributes, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: attributes) }
        #expect(try !proven(), "named, present")
    }

    @Test(
        "attributes that convert content, and those that do not",
        arguments: [
            ("*.go text eol=lf\n", false, false), ("* text=auto eol=lf\nvendor/** -text\n", false, false),
            ("# a comment\n\n*.pb.* linguist-generated\ninternal/sys/types.go linguist-generated=false\n", false, false),
            ("*.go -filter -ident !working-tree-encoding\n", false, false), ("*.png binary\n", false, false),
            ("\"a b.go\" diff=golang\n", false, false), ("*.txt text eol=crlf\n", false, true),
            ("*.bin filter=lfs\n", false, true), ("*.go ident\n", false, true),
            ("*.txt working-tree-encoding=UTF-16\n", false, true), ("[attr]lfs filter=lfs\n*.bin lfs\n", false, true),
            ("\"unterminated text\n", false, true), ("*.go text\n", false, false), ("*.go text\n", true, true),
            ("*.go crlf\n", true, true), ("*.go text=auto\r\n", true, true), ("*.go -text\n", true, false),
        ] as [(String, Bool, Bool)])
    func attributes(text: String, textConverts: Bool, converts: Bool) {
        #expect(GitAttributes.convertsContent(Array(text.utf8), textConverts: textConverts) == converts)
    }

    @Test("converting lines reach exactly the paths git check-attr says they reach")
    func patternsAgreeWithGit() throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let rootPatterns = [
            "*.cmd", "*.{cmd,[cc][mm][dd]}", "docs/*.txt", "/top.txt", "**/gen/*.go", "a/**/b.go", "deep/**", "x?.md",
            "[a-c]*.h", "[!a-c]*.s", "*/mid/*.c", "dir/", "\\#hash.txt", "[]]x.txt", "[x-]y.txt", "**/z.go", "q/**/",
            "*.g[^o]", "sub/*/leaf.go",
        ]
        let subPatterns = ["*.bat", "inner/*.go", "/anchored.go", "**/any.go"]
        try fixture.write(".gitattributes", rootPatterns.map { $0 + " eol=crlf\n" }.joined())
        try fixture.write("sub/.gitattributes", subPatterns.map { $0 + " text eol=crlf\n" }.joined())
        let paths = [
            "run.cmd", "a/run.cmd", "x.{cmd,cmd}", "docs/a.txt", "docs/b/a.txt", "a/docs/a.txt", "top.txt", "a/top.txt",
            "gen/a.go", "x/gen/a.go", "x/y/gen/a.go", "gen/x/a.go", "a/b.go", "a/x/b.go", "a/x/y/b.go", "ab.go",
            "deep/f", "deep/x/y/f", "deepx/f", "x1.md", "x12.md", "a/x1.md", "a1.h", "d1.h", "a1.s", "d1.s", "p/mid/f.c",
            "p/q/mid/f.c", "mid/f.c", "dir/f", "dir", "#hash.txt", "]x.txt", "xy.txt", "-y.txt", "z.go", "a/b/z.go",
            "q/f", "q/r/f", "f.gp", "f.go", "sub/a/leaf.go", "sub/a/b/leaf.go", "sub/x.bat", "sub/y/x.bat",
            "sub/inner/a.go", "sub/y/inner/a.go", "sub/anchored.go", "sub/y/anchored.go", "anchored.go",
            "sub/any.go", "sub/y/any.go", "any.go",
        ]
        for path in paths { try fixture.write(path, "x\n") }
        let output = try fixture.git(["check-attr", "eol", "--"] + paths)
        var expected: [String: Bool] = [:]
        for line in output.split(separator: "\n") {
            // "<path>: eol: <value>"
            guard let range = line.range(of: ": eol: ") else { continue }
            expected[String(line[..<range.lowerBound])] = line[range.upperBound...] == "crlf"
        }
        #expect(expected.count == paths.count, "\(output)")
        let directories = try Self.walkDirectories(fixture)
        let rules = GitAttributes.convertingRules(directories, workdir: fixture.root, textConverts: false)
        var matched = 0
        for path in paths {
            #expect(rules.converts(path) == expected[path], "\(path): git says \(expected[path].map(String.init) ?? "nothing")")
            if expected[path] == true { matched += 1 }
        }
        #expect(matched >= 20, "the patterns reach enough of the paths to mean something: \(matched)")
    }

    static func walkDirectories(_ fixture: GitFixture) throws -> [(path: String, entries: [FileTreeEntry])] {
        let location = try RepositoryLocation.discover(from: fixture.root)
        let walk = try #require(try Snapshot.worktree(location).walkWorktree())
        return walk.directories.map { ($0.path, $0.entries) }
    }
}
