// End-to-end tests of `gocache affected` and `gocache why`, running the built binary.
import Foundation
import Testing
import TestSupport

@Suite("gocache affected and why", .enabled(if: GoToolchain.isConfigured))
struct AffectedCLITests {
    static let files: [String: String] = [
        "go.mod": "module example.com/m\n\ngo 1.24\n",
        "functions/one/main.go": "package main\n\nimport \"example.com/m/internal/lib\"\n\nfunc main() { println(lib.V) }\n",
        "functions/two/main.go": "package main\n\nfunc main() {}\n",
        "internal/lib/lib.go": "package lib\n\nconst V = 1\n",
    ]

    /// A repository with two commits: the second edits internal/lib. Returns (fixture, base, head).
    static func repository() throws -> (GitFixture, String, String) {
        let fixture = try GitFixture()
        for (path, text) in files { try fixture.write(path, text) }
        let base = try fixture.commit("base")
        try fixture.write("internal/lib/lib.go", "package lib\n\nconst V = 2\n")
        let head = try fixture.commit("edit lib")
        return (fixture, base, head)
    }

    static func run(_ arguments: [String], in fixture: GitFixture, stdin: String? = nil) throws -> CacheCLITests.Result {
        let go = try #require(GoToolchain.current()).executable
        let cache = fixture.root + "-cache"
        var environment = ["GOCACHE_DIR": cache]
        environment["PATH"] = (go as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        if let stdin {
            let listFile = fixture.root + "-list.txt"
            try stdin.write(toFile: listFile, atomically: true, encoding: .utf8)
            return try CacheCLITests.gocache(arguments.map { $0 == "@LIST" ? listFile : $0 }, environment: environment)
        }
        return try CacheCLITests.gocache(arguments, environment: environment)
    }

    /// `gocache hash` of `fixture` with `arguments` (e.g. `--rev`): directory → key.
    static func keys(_ fixture: GitFixture, _ arguments: [String]) throws -> [String: String] {
        let result = try run(["hash", "--repo", fixture.root] + arguments, in: fixture)
        #expect(result.status == 0, "\(result.stderr)")
        var keys: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2 { keys[String(parts[1])] = String(parts[0]) }
        }
        return keys
    }

    @Test("text, json and github-matrix output")
    func outputs() throws {
        let (fixture, base, head) = try Self.repository()
        defer { fixture.cleanup() }
        let text = try Self.run(["affected", "--repo", fixture.root, "--base", base, "--head", head], in: fixture)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == "functions/one\n")

        let json = try Self.run(["affected", "--repo", fixture.root, "--base", base, "--head", head, "--format", "json"], in: fixture)
        #expect(json.status == 0, "\(json.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == 1)
        let targets = try #require(document["targets"] as? [[String: Any]])
        #expect(targets.map { $0["dir"] as? String } == ["functions/one"])
        #expect(targets.first?["status"] as? String == "affected")
        let reason = try #require((targets.first?["reasons"] as? [[String: Any]])?.first)
        #expect(reason["file"] as? String == "internal/lib/lib.go")
        #expect(reason["chain"] as? [String] == ["example.com/m/functions/one", "example.com/m/internal/lib"])

        let matrix = try Self.run(
            ["affected", "--repo", fixture.root, "--base", base, "--head", head, "--format", "github-matrix"], in: fixture)
        let include = try #require(
            (try JSONSerialization.jsonObject(with: Data(matrix.stdout.utf8)) as? [String: Any])?["include"] as? [[String: Any]])
        #expect(include.map { $0["dir"] as? String } == ["functions/one"])
        // One line, for `echo "matrix=$(…)" >> "$GITHUB_OUTPUT"`.
        #expect(matrix.stdout.split(separator: "\n").count == 1, "\(matrix.stdout)")

        let empty = try Self.run(
            ["affected", "--repo", fixture.root, "--base", head, "--head", head, "--format", "github-matrix"], in: fixture)
        let emptyInclude = try #require(
            (try JSONSerialization.jsonObject(with: Data(empty.stdout.utf8)) as? [String: Any])?["include"] as? [[String: Any]])
        #expect(emptyInclude.count == 1)
        #expect(emptyInclude.first?["skip"] as? Bool == true)
    }

    @Test("--files, --tests, --merge-base and the working tree")
    func variants() throws {
        let (fixture, base, head) = try Self.repository()
        defer { fixture.cleanup() }
        let listed = try Self.run(["affected", "--repo", fixture.root, "--files", "@LIST"], in: fixture, stdin: "functions/two/main.go\n")
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout == "functions/two\n")
        // A pipe has no size (`--files <(git diff --name-only …)`, a FIFO): read to its end.
        let fifo = fixture.root + "-fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { try? FileManager.default.removeItem(atPath: fifo) }
        DispatchQueue.global().async {
            guard let writer = FileHandle(forWritingAtPath: fifo) else { return }
            writer.write(Data("functions/two/main.go\n".utf8))
            try? writer.close()
        }
        let piped = try Self.run(["affected", "--repo", fixture.root, "--files", fifo], in: fixture)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == "functions/two\n")

        try fixture.write("internal/lib/lib_test.go", "package lib\n\nimport \"testing\"\n\nfunc TestV(t *testing.T) {}\n")
        let worktree = try Self.run(["affected", "--repo", fixture.root, "--base", head], in: fixture)
        #expect(worktree.status == 0, "\(worktree.stderr)")
        #expect(worktree.stdout == "")
        let tests = try Self.run(["affected", "--repo", fixture.root, "--base", head, "--tests"], in: fixture)
        #expect(tests.stdout == "./internal/lib\n")
        // A package whose tests alone import the edited one: its tests run too.
        try fixture.write("tools/check/check.go", "package check\n")
        try fixture.write(
            "tools/check/check_test.go",
            "package check_test\n\nimport (\n\t\"testing\"\n\n\t\"example.com/m/internal/lib\"\n)\n\nfunc TestV(t *testing.T) { _ = lib.V }\n")
        let withChecker = try fixture.commit("checker")
        try fixture.write("internal/lib/lib.go", "package lib\n\nconst V = 3\n")
        let edited = try fixture.commit("edit lib again")
        let throughImports = try Self.run(["affected", "--repo", fixture.root, "--base", withChecker, "--head", edited, "--tests"], in: fixture)
        #expect(throughImports.status == 0, "\(throughImports.stderr)")
        #expect(throughImports.stdout == "./internal/lib\n./tools/check\n", "\(throughImports.stdout)")

        let merged = try Self.run(["affected", "--repo", fixture.root, "--base", base, "--head", head, "--merge-base"], in: fixture)
        #expect(merged.status == 0, "\(merged.stderr)")
        #expect(merged.stdout == "functions/one\n")
    }

    /// A listed path is mapped as git and changed-files tools print it: C-quoted names,
    /// absolute paths (through a link to the root too), `//`, `.` and `..`; what lies outside
    /// the repository is warned about and ignored.
    /// `git diff --name-only` detects renames and then prints only the destination: the
    /// package a file left is not named. The documented list (`--help`, README) asks git for
    /// `--no-renames`, which names both sides.
    @Test("--files: the documented git diff list names both sides of a move (--no-renames)")
    func listedMoveNeedsNoRenames() throws {
        let (fixture, _, _) = try Self.repository()
        defer { fixture.cleanup() }
        try fixture.write("internal/lib/init.go", "package lib\n\nfunc init() { println(\"init\") }\n")
        let before = try fixture.commit("init")
        try fixture.rename("internal/lib/init.go", to: "internal/other/init.go")
        try fixture.write("internal/other/init.go", "package other\n\nfunc init() { println(\"init\") }\n")
        _ = try fixture.commit("move init")
        let help = try CacheCLITests.gocache(["affected", "--help"])
        #expect(help.stdout.contains("git diff --name-only --no-renames"), "\(help.stdout)")
        let list = try fixture.git("diff", "--name-only", "--no-renames", before, "HEAD")
        #expect(list.split(separator: "\n").sorted() == ["internal/lib/init.go", "internal/other/init.go"])
        let listed = try Self.run(["affected", "--repo", fixture.root, "--files", "@LIST"], in: fixture, stdin: list + "\n")
        let known = try Self.run(["affected", "--repo", fixture.root, "--base", before], in: fixture)
        #expect(known.stdout == "functions/one\n", "\(known.stderr)")
        #expect(listed.stdout == known.stdout, "\(listed.stderr)")
    }

    @Test("--files maps quoted, absolute and unnormalized paths; warns about paths outside the repository")
    func filesMapping() throws {
        let (fixture, _, _) = try Self.repository()
        defer { fixture.cleanup() }
        try fixture.write("internal/lib/\u{fc}n\u{ef}.go", "package lib\n")
        try fixture.commit("unicode name")
        let quoted = try fixture.git("-c", "core.quotePath=true", "ls-files", "internal/lib/")
        #expect(quoted.contains("\"internal/lib/\\303\\274n\\303\\257.go\""), "\(quoted)")
        let link = fixture.root + "-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: fixture.root)
        let lines = [
            "\"internal/lib/\\303\\274n\\303\\257.go\"", fixture.root + "/internal/lib/lib.go", link + "/internal/lib/lib.go",
            "internal//lib/lib.go", "internal/lib/../lib/lib.go", "./internal/./lib/lib.go", "  internal/lib/lib.go\r",
        ]
        for line in lines {
            let result = try Self.run(["affected", "--repo", fixture.root, "--files", "@LIST"], in: fixture, stdin: line + "\n")
            #expect(result.status == 0, "\(line): \(result.stderr)")
            #expect(result.stdout == "functions/one\n", "\(line)")
            #expect(result.stderr.isEmpty, "\(line): \(result.stderr)")
        }
        let outside = try Self.run(
            ["affected", "--repo", fixture.root, "--files", "@LIST"], in: fixture,
            stdin: "../elsewhere.go\n/etc/passwd\nfunctions/two/main.go\n")
        #expect(outside.status == 0, "\(outside.stderr)")
        #expect(outside.stdout == "functions/two\n")
        #expect(outside.stderr.contains("warning: --files: ../elsewhere.go is outside the repository"), "\(outside.stderr)")
        #expect(outside.stderr.contains("warning: --files: /etc/passwd is outside the repository"), "\(outside.stderr)")
    }

    /// `--files` reads any file it can open to its end, as `cat` would: a pipe of bash's
    /// process substitution (/dev/fd/N), a named FIFO, /dev/stdin, /dev/null (an empty list);
    /// only a file it cannot read is bad input, with the system's reason.
    @Test("--files reads pipes, FIFOs, /dev/stdin and /dev/null; an unreadable path is bad input with its reason")
    func filesFromPipes() throws {
        let (fixture, _, _) = try Self.repository()
        defer { fixture.cleanup() }
        let binary = try CacheCLITests.binary()
        let go = try #require(GoToolchain.current()).executable
        let environment = [
            "GOCACHE_DIR": fixture.root + "-cache",
            "PATH": (go as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "BIN": binary, "REPO": fixture.root, "FIFO": fixture.root + "-fifo",
        ]
        /// Runs `script` with bash: `$BIN` is the gocache binary, `$REPO` the repository.
        func shell(_ script: String) throws -> CacheCLITests.Result {
            try CacheCLITests.gocache(["-c", script], environment: environment, executable: "/bin/bash")
        }
        let substituted = try shell(#"exec "$BIN" affected --repo "$REPO" --files <(printf 'internal/lib/lib.go\n')"#)
        #expect(substituted.status == 0, "\(substituted.stderr)")
        #expect(substituted.stdout == "functions/one\n")
        let tests = try shell(#"printf 'internal/lib/lib.go\n' | "$BIN" affected --repo "$REPO" --packages --files /dev/stdin"#)
        #expect(tests.status == 0, "\(tests.stderr)")
        #expect(tests.stdout == "./functions/one\n./internal/lib\n")
        let fifo = try shell(
            #"mkfifo "$FIFO" && { printf 'functions/two/main.go\n' > "$FIFO" & } && "$BIN" why functions/two --repo "$REPO" --files "$FIFO"; status=$?; rm -f "$FIFO"; exit $status"#)
        #expect(fifo.status == 0, "\(fifo.stderr)")
        #expect(fifo.stdout.hasPrefix("functions/two is affected"), "\(fifo.stdout)")
        let empty = try Self.run(["affected", "--repo", fixture.root, "--files", "/dev/null"], in: fixture)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout == "")

        for (path, reason) in [(fixture.root + "-absent", "No such file or directory"), (fixture.root, "Is a directory")] {
            let result = try Self.run(["affected", "--repo", fixture.root, "--files", path], in: fixture)
            #expect(result.status == 2)
            #expect(result.stderr.contains("error: cannot read the path list \(path): \(reason)"), "\(result.stderr)")
            #expect(result.stderr.contains("help:"), "\(result.stderr)")
        }
    }

    /// git reads the repository GIT_DIR names and the working tree GIT_WORK_TREE names (the
    /// current directory without it), wherever it runs; so does gocache.
    @Test("GIT_DIR and GIT_WORK_TREE are honoured as git honours them")
    func gitDirEnvironment() throws {
        let (fixture, _, _) = try Self.repository()
        defer { fixture.cleanup() }
        try fixture.write("functions/two/main.go", "package main\n\nfunc main() { println(2) }\n")
        let other = try GitFixture()
        defer { other.cleanup() }
        try other.write("README", "another repository\n")
        try other.commit("other")
        let outside = try GitFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let go = try #require(GoToolchain.current()).executable
        var environment = ["GOCACHE_DIR": fixture.root + "-cache"]
        environment["PATH"] = (go as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let arguments = ["affected", "--base", "HEAD"]
        // Both variables, from outside any repository and from inside another one.
        for directory in [outside, other.root] {
            let both = environment.merging(["GIT_DIR": fixture.root + "/.git", "GIT_WORK_TREE": fixture.root]) { $1 }
            let result = try CacheCLITests.gocache(arguments, environment: both, in: directory)
            #expect(result.status == 0, "\(directory): \(result.stderr)")
            #expect(result.stdout == "functions/two\n", "\(directory)")
        }
        // GIT_DIR alone, relative: the current directory is the working tree.
        let relative = try CacheCLITests.gocache(arguments, environment: environment.merging(["GIT_DIR": ".git"]) { $1 }, in: fixture.root)
        #expect(relative.status == 0, "\(relative.stderr)")
        #expect(relative.stdout == "functions/two\n")
        // A bare repository with a separate working tree.
        let bare = outside + "/bare.git"
        try GitFixture(existing: outside).git("clone", "-q", "--bare", fixture.root, bare)
        let separate = environment.merging(["GIT_DIR": bare, "GIT_WORK_TREE": fixture.root]) { $1 }
        let fromBare = try CacheCLITests.gocache(arguments, environment: separate, in: outside)
        #expect(fromBare.status == 0, "\(fromBare.stderr)")
        #expect(fromBare.stdout == "functions/two\n")
        // A GIT_DIR that is no repository is bad input naming it.
        let wrong = try CacheCLITests.gocache(arguments, environment: environment.merging(["GIT_DIR": outside]) { $1 }, in: fixture.root)
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("error: GIT_DIR / GIT_WORK_TREE name \(outside)"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("git init"))
    }

    /// A repository owned by another user is read when git would read it: `safe.directory`
    /// `*`, a `/*` prefix or the path, in the global config or the command-line scope
    /// (`GIT_CONFIG_COUNT`, `GIT_CONFIG_PARAMETERS`); an empty value resets the list. Root can
    /// hand a repository to another user, so the test runs as root only.
    @Test("safe.directory is evaluated as git evaluates it", .enabled(if: geteuid() == 0))
    func safeDirectory() throws {
        let (fixture, base, head) = try Self.repository()
        defer { fixture.cleanup() }
        let home = try GitFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let chown = Process()
        chown.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        chown.arguments = ["chown", "-R", "65534", fixture.root]
        try chown.run()
        chown.waitUntilExit()
        try #require(chown.terminationStatus == 0)
        let go = try #require(GoToolchain.current()).executable
        let plain = [
            "GOCACHE_DIR": home + "/cache", "HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": home + "/gitconfig",
            "PATH": (go as NSString).deletingLastPathComponent + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        ]
        let arguments = ["affected", "--repo", fixture.root, "--base", base, "--head", head]
        func run(global: String, _ extra: [String: String] = [:]) throws -> CacheCLITests.Result {
            try global.write(toFile: home + "/gitconfig", atomically: true, encoding: .utf8)
            return try CacheCLITests.gocache(arguments, environment: plain.merging(extra) { $1 })
        }
        let refused = try run(global: "")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("owned by another user"), "\(refused.stderr)")
        let parent = (fixture.root as NSString).deletingLastPathComponent
        let accepted: [(String, [String: String])] = [
            ("[safe]\n\tdirectory = *\n", [:]),
            ("[safe]\n\tdirectory = \(parent)/*\n", [:]),
            ("[safe]\n\tdirectory = \(fixture.root)/\n", [:]),
            ("", ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*"]),
            ("", ["GIT_CONFIG_PARAMETERS": "'safe.directory'='\(fixture.root)'"]),
            // A repository GIT_DIR names is not discovered: git checks no ownership there.
            ("", ["GIT_DIR": fixture.root + "/.git", "GIT_WORK_TREE": fixture.root]),
        ]
        for (global, extra) in accepted {
            let result = try run(global: global, extra)
            #expect(result.status == 0, "\(global) \(extra): \(result.stderr)")
            #expect(result.stdout == "functions/one\n", "\(global) \(extra)")
        }
        // An empty value resets what came before it.
        let reset = try run(global: "[safe]\n\tdirectory = *\n\tdirectory =\n")
        #expect(reset.status == 2, "\(reset.stdout)")
        let resetByCommandLine = try run(
            global: "[safe]\n\tdirectory = *\n", ["GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": ""])
        #expect(resetByCommandLine.status == 2)
    }

    @Test("why prints the chain, or says the target is not affected")
    func why() throws {
        let (fixture, base, head) = try Self.repository()
        defer { fixture.cleanup() }
        let affected = try Self.run(["why", "functions/one", "--repo", fixture.root, "--base", base, "--head", head], in: fixture)
        #expect(affected.status == 0, "\(affected.stderr)")
        #expect(affected.stdout.contains("internal/lib/lib.go (modified): example.com/m/functions/one -> example.com/m/internal/lib"))
        let unaffected = try Self.run(["why", "functions/two", "--repo", fixture.root, "--base", base, "--head", head], in: fixture)
        #expect(unaffected.status == 0)
        #expect(unaffected.stdout.contains("functions/two is not affected"))
        // A name with a newline is C-quoted, as git prints it: one reason, one line.
        try fixture.write("internal/lib/new\nline.go", "package lib\n")
        let oddName = try fixture.commit("odd name")
        let quoted = try Self.run(["why", "functions/one", "--repo", fixture.root, "--base", head, "--head", oddName], in: fixture)
        #expect(quoted.status == 0, "\(quoted.stderr)")
        #expect(quoted.stdout.contains("  \"internal/lib/new\\nline.go\" (added): example.com/m/functions/one"), "\(quoted.stdout)")
        let unknown = try Self.run(["why", "functions/tow", "--repo", fixture.root, "--base", base], in: fixture)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean functions/two"))
    }

    @Test("bad input: error and help lines, exit status 2")
    func badInput() throws {
        let (fixture, _, head) = try Self.repository()
        defer { fixture.cleanup() }
        let unknown = try Self.run(["affected", "--repo", fixture.root, "--base", "no-such-branch"], in: fixture)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("error: unknown revision 'no-such-branch'"))
        #expect(unknown.stderr.contains("help:"))

        let notRepository = try GitFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: notRepository) }
        let outside = try Self.run(["affected", "--repo", notRepository, "--base", "HEAD"], in: fixture)
        #expect(outside.status == 2)
        #expect(outside.stderr.contains("error: not a git repository"))
        #expect(outside.stderr.contains("help:"))

        try fixture.write("gocache.yaml", "overrides: [[[\n")
        let config = try Self.run(["affected", "--repo", fixture.root, "--base", head], in: fixture)
        #expect(config.status == 2)
        #expect(config.stderr.contains("error:") && config.stderr.contains("gocache.yaml"))
        #expect(config.stderr.contains("help:"))

        let missingBase = try Self.run(["affected", "--repo", fixture.root], in: fixture)
        #expect(missingBase.status == 2)
        #expect(missingBase.stderr.contains("--base"))
    }

    @Test("a platform the go command cannot build (flags or gocache.yaml) is bad input naming the targets")
    func unsupportedPlatform() throws {
        let (fixture, base, _) = try Self.repository()
        defer { fixture.cleanup() }
        let flag = try Self.run(["hash", "--repo", fixture.root, "--goos", "foo"], in: fixture)
        #expect(flag.status == 2, "\(flag.stdout)")
        #expect(flag.stdout.isEmpty)
        #expect(flag.stderr.contains("error: the go command rejects the platform foo/amd64"), "\(flag.stderr)")
        #expect(flag.stderr.contains("help:") && flag.stderr.contains("go tool dist list"))
        let pair = try Self.run(["targets", "--repo", fixture.root, "--goos", "openbsd", "--goarch", "mips64"], in: fixture)
        #expect(pair.status == 2, "\(pair.stdout)")
        #expect(pair.stderr.contains("unsupported GOOS/GOARCH pair openbsd/mips64"), "\(pair.stderr)")
        let supported = try Self.run(["hash", "--repo", fixture.root, "--goos", "freebsd", "--goarch", "arm64"], in: fixture)
        #expect(supported.status == 0, "\(supported.stderr)")

        try fixture.write("gocache.yaml", "overrides:\n  - match: \"functions/two\"\n    goarch: bogus\n")
        let config = try Self.run(["affected", "--repo", fixture.root, "--base", base], in: fixture)
        #expect(config.status == 2, "\(config.stdout)")
        #expect(config.stderr.contains("linux/bogus of functions/two:"), "\(config.stderr)")
        try fixture.write("gocache.yaml", "defaults:\n  goexperiment: nosuchexperiment\n")
        let experiment = try Self.run(["targets", "--repo", fixture.root], in: fixture)
        #expect(experiment.status == 2, "\(experiment.stdout)")
        #expect(experiment.stderr.contains("unknown GOEXPERIMENT"), "\(experiment.stderr)")
        try fixture.write("gocache.yaml", "defaults:\n  gofips140: bogus\n")
        let fips = try Self.run(["hash", "--repo", fixture.root], in: fixture)
        #expect(fips.status == 2, "\(fips.stdout)")
        #expect(fips.stderr.contains("invalid GOFIPS140"), "\(fips.stderr)")
        // A directory named gocache.yaml is no configuration.
        try FileManager.default.removeItem(atPath: fixture.root + "/gocache.yaml")
        try FileManager.default.createDirectory(atPath: fixture.root + "/gocache.yaml", withIntermediateDirectories: true)
        let directory = try Self.run(["targets", "--repo", fixture.root], in: fixture)
        #expect(directory.status == 2, "\(directory.stdout)")
        #expect(directory.stderr.contains("gocache.yaml: is a directory"), "\(directory.stderr)")
    }

    @Test("a go.mod asking for a newer Go than the toolchain, and a source file whose name is not UTF-8, are bad input")
    func toolchainTooOldAndNonUTF8Names() throws {
        let (fixture, _, _) = try Self.repository()
        defer { fixture.cleanup() }
        try fixture.write("go.mod", "module example.com/m\n\ngo 1.99\n")
        let old = try Self.run(["targets", "--repo", fixture.root], in: fixture)
        #expect(old.status == 2, "\(old.stdout)")
        #expect(old.stderr.contains("error: go.mod requires go >= 1.99, but the Go toolchain at"), "\(old.stderr)")
        #expect(old.stderr.contains("help: install go1.99 or newer"), "\(old.stderr)")
        try fixture.write("go.mod", Self.files["go.mod", default: ""])

        func create(_ directory: String, _ name: [UInt8]) {
            let path = Array((fixture.root + "/" + directory + "/").utf8) + name + [0]
            let fd = path.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY | O_TRUNC, 0o644) }
            }
            #expect(fd >= 0)
            let text = Array("package lib\n".utf8)
            _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        // A file no build can take (embed rejects such names): left out.
        create("internal/lib", [0xFF] + Array(".txt".utf8))
        let other = try Self.run(["targets", "--repo", fixture.root], in: fixture)
        #expect(other.status == 0, "\(other.stderr)")
        // A Go file, which go/build would read: named in the error, not silently dropped.
        create("internal/lib", [0xFF] + Array(".go".utf8))
        let source = try Self.run(["targets", "--repo", fixture.root], in: fixture)
        #expect(source.status == 2, "\(source.stdout)")
        #expect(source.stderr.contains("error: cannot read internal/lib/"), "\(source.stderr)")
        #expect(source.stderr.contains("its name is not valid UTF-8"), "\(source.stderr)")
        // Committed, a revision holding it is refused the same way.
        _ = try fixture.commit("non-UTF-8 names")
        let revision = try Self.run(["hash", "--rev", "HEAD", "--repo", fixture.root], in: fixture)
        #expect(revision.status == 2, "\(revision.stdout)")
        #expect(revision.stderr.contains("of a revision: its name is not valid UTF-8"), "\(revision.stderr)")
        #expect(revision.stderr.contains("help: rename it"), "\(revision.stderr)")
    }

    @Test("bad input writes nothing to the cache directory, even after loading both revisions; a good run does")
    func badInputWritesNothing() throws {
        let (fixture, base, head) = try Self.repository()
        defer { fixture.cleanup() }
        let cache = fixture.root + "-fresh-cache"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        func written() -> [String] {
            ((try? FileManager.default.subpathsOfDirectory(atPath: cache)) ?? []).sorted()
        }
        // Fails before loading (unknown revision), after loading both revisions (unknown
        // target), and while loading (malformed go.mod).
        for arguments in [
            ["affected", "--base", "no-such-branch"], ["why", "functions/none", "--base", base],
            ["why", "internal/lib", "--base", base, "--head", head],
        ] {
            let failed = try Self.run(arguments + ["--repo", fixture.root, "--cache-dir", cache], in: fixture)
            #expect(failed.status == 2, "\(arguments): \(failed.stderr)")
            #expect(!FileManager.default.fileExists(atPath: cache), "\(arguments): \(written())")
        }
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        try fixture.write("go.mod", "module\n")
        let malformed = try Self.run(["affected", "--base", base, "--repo", fixture.root, "--cache-dir", cache], in: fixture)
        #expect(malformed.status == 2, "\(malformed.stderr)")
        #expect(written() == [], "the cache directory given stays, empty")
        try fixture.write("go.mod", Self.files["go.mod", default: ""])
        let good = try Self.run(["why", "functions/one", "--base", base, "--repo", fixture.root, "--cache-dir", cache], in: fixture)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(written().contains { $0.hasPrefix("memo/graphs/") }, "\(written())")
        #expect(!written().contains { $0.contains(".tmp.") }, "\(written())")
    }

    @Test("a base beyond a shallow clone: exit 2 naming the commit and the fetch, or everything with --if-missing-base=all")
    func shallow() throws {
        let (fixture, base, _) = try Self.repository()
        defer { fixture.cleanup() }
        let clone = try GitFixture(cloning: fixture, options: ["--depth", "1"])
        defer { clone.cleanup() }
        let failed = try Self.run(["affected", "--repo", clone.root, "--base", base], in: clone)
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("error: base commit '\(base)' is not in this shallow clone"))
        #expect(failed.stderr.contains("help: fetch the commit: `git fetch --depth=1 origin \(base)`"))

        let all = try Self.run(["affected", "--repo", clone.root, "--base", base, "--if-missing-base=all"], in: clone)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout == "functions/one\nfunctions/two\n")
        #expect(all.stderr.contains("treating everything as affected"))

        // A revision expression is no refspec: HEAD~1 needs one generation more, which the
        // suggested command fetches.
        let parent = try Self.run(["affected", "--repo", clone.root, "--base", "HEAD~1"], in: clone)
        #expect(parent.status == 2)
        #expect(parent.stderr.contains("help: fetch the commit: `git fetch --deepen=1` (or `git fetch --unshallow`)"), "\(parent.stderr)")
        for (revision, command) in [
            ("HEAD~3", "`git fetch --deepen=3`"), ("main^2~2", "`git fetch --deepen=3`"), ("v1.2^", "`git fetch --deepen=1`"),
            ("origin/gone", "`git fetch --depth=1 origin gone`"), ("release", "`git fetch --depth=1 origin release`"),
            ("main^{/fix}", "`git fetch --unshallow`"),
        ] {
            let missing = try Self.run(["affected", "--repo", clone.root, "--base", revision], in: clone)
            #expect(missing.status == 2, "\(revision)")
            #expect(missing.stderr.contains("help: fetch the commit: \(command)"), "\(revision): \(missing.stderr)")
        }
        try clone.git("fetch", "-q", "--deepen=1")
        let deepened = try Self.run(["affected", "--repo", clone.root, "--base", "HEAD~1"], in: clone)
        #expect(deepened.status == 0, "\(deepened.stderr)")
        #expect(deepened.stdout == "functions/one\n")
    }

    @Test("a partial clone lacking the base's blobs: exit 2 naming the blob and the fetch, nothing stored; after the fetch, the full clone's answers")
    func partialClone() throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        try fixture.git("config", "uploadpack.allowFilter", "true")
        for (path, text) in Self.files { try fixture.write(path, text) }
        // A C file: a scan reads it only for its build constraint, and go/build ignores one it
        // cannot read — a revision must not.
        try fixture.write("internal/lib/x.c", "//go:build linux\n\nint x;\n")
        let base = try fixture.commit("base")
        try fixture.write("internal/lib/lib.go", "package lib\n\nconst V = 2\n")
        try fixture.write("internal/lib/x.c", "//go:build linux\n\nint y;\n")
        try fixture.commit("edit lib")
        let full = try GitFixture(cloning: fixture)
        defer { full.cleanup() }
        let clone = try GitFixture(cloning: fixture, options: ["--filter=blob:none"])
        defer { clone.cleanup() }
        let missingGo = try fixture.git("rev-parse", "\(base):internal/lib/lib.go")
        let baseCommit = try fixture.git("rev-parse", base)
        let cache = clone.root + "-cache"

        for arguments in [
            ["affected", "--base", base], ["affected", "--base", base, "--head", "HEAD", "--format", "json"],
            ["affected", "--base", base, "--tests"], ["why", "functions/one", "--base", base],
            ["hash", "--rev", base, "--cgo", "1"], ["graph", "--rev", base],
        ] {
            let failed = try Self.run(arguments + ["--repo", clone.root], in: clone)
            #expect(failed.status == 2, "\(arguments): \(failed.stdout) \(failed.stderr)")
            #expect(failed.stdout.isEmpty, "\(arguments)")
            #expect(failed.stderr.contains("is missing from this partial clone"), "\(arguments): \(failed.stderr)")
            #expect(failed.stderr.contains("help: fetch the missing objects with `git fetch --refetch --no-filter origin`"))
            // The cheaper fetch names the revision being read.
            #expect(failed.stderr.contains("`git diff --stat HEAD \(baseCommit) >/dev/null`"), "\(arguments): \(failed.stderr)")
        }
        // Only the C file missing: its package would have lost it silently.
        _ = try clone.git("cat-file", "-p", missingGo)  // a partial clone fetches one blob lazily
        let cOnly = try Self.run(["hash", "--rev", base, "--cgo", "1", "--repo", clone.root], in: clone)
        #expect(cOnly.status == 2, "\(cOnly.stdout) \(cOnly.stderr)")
        #expect(cOnly.stderr.contains("of 'internal/lib/x.c' is missing from this partial clone"), "\(cOnly.stderr)")
        // No graph of the base's tree was remembered from a load that could not read it.
        let baseTree = try fixture.git("rev-parse", "\(base)^{tree}")
        let remembered = (try? FileManager.default.subpathsOfDirectory(atPath: cache + "/memo")) ?? []
        #expect(!remembered.contains { $0.hasSuffix("-tree-" + baseTree) }, "\(remembered)")

        // A clone without the trees of older commits (`--filter=tree:0`).
        let treeless = try GitFixture(cloning: fixture, options: ["--filter=tree:0"])
        defer { treeless.cleanup() }
        for arguments in [["affected", "--base", base], ["hash", "--rev", base]] {
            let failed = try Self.run(arguments + ["--repo", treeless.root], in: treeless)
            #expect(failed.status == 2, "\(arguments): \(failed.stdout) \(failed.stderr)")
            #expect(failed.stderr.contains("is missing from this partial clone"), "\(arguments): \(failed.stderr)")
            #expect(failed.stderr.contains("`git diff --stat HEAD \(baseCommit) >/dev/null`"), "\(arguments): \(failed.stderr)")
        }

        // The diff the help names fetches exactly what the base needs (trees too, in a
        // treeless clone); the everything-fetch works as well.
        for fetching in [clone, treeless] {
            try fetching.git("diff", "--stat", "HEAD", baseCommit)
            for arguments in [["affected", "--base", base, "--format", "json"], ["hash", "--rev", base, "--cgo", "1"]] {
                let fetched = try Self.run(arguments + ["--repo", fetching.root], in: fetching)
                let reference = try Self.run(arguments + ["--repo", full.root], in: full)
                #expect(fetched.status == 0, "\(arguments): \(fetched.stderr)")
                #expect(fetched.stdout == reference.stdout, "\(arguments)")
            }
        }
        let refetched = try GitFixture(cloning: fixture, options: ["--filter=blob:none"])
        defer { refetched.cleanup() }
        try refetched.git("fetch", "-q", "--refetch", "--no-filter", "origin")
        let everything = try Self.run(["hash", "--rev", base, "--cgo", "1", "--repo", refetched.root], in: refetched)
        let reference = try Self.run(["hash", "--rev", base, "--cgo", "1", "--repo", full.root], in: full)
        #expect(everything.status == 0, "\(everything.stderr)")
        #expect(everything.stdout == reference.stdout)
    }

    @Test("the run memo and the graph memo hold only while the module cache holds what the run found there")
    func memosFollowTheModuleCache() throws {
        let fixture = try GitFixture()
        defer { fixture.cleanup() }
        let goMod = """
            module example.com/m

            go 1.22

            require (
            \text.com/real v1.0.0
            \text.com/other v1.0.0
            \text.com/base v1.0.0 // indirect
            )

            """
        let goSum = "ext.com/real v1.0.0 h1:r=\next.com/other v1.0.0 h1:o=\next.com/base v1.0.0 h1:b=\n"
        try fixture.write("go.mod", goMod)
        try fixture.write("go.sum", goSum)
        try fixture.write("cmd/f/main.go", "package main\n\nimport \"ext.com/real/r\"\n\nfunc main() { println(r.R) }\n")
        try fixture.write("cmd/g/main.go", "package main\n\nimport \"ext.com/other/o\"\n\nfunc main() { println(o.O) }\n")
        let base = try fixture.commit("base")
        try fixture.write("go.mod", goMod.replacingOccurrences(of: "base v1.0.0", with: "base v1.2.0"))
        try fixture.write("go.sum", goSum.replacingOccurrences(of: "base v1.0.0 h1:b=", with: "base v1.2.0 h1:b2="))
        let head = try fixture.commit("bump ext.com/base")
        // Extracted module versions, as `go mod download` leaves them.
        let moduleCache = fixture.root + "-modcache"
        try FileManager.default.createDirectory(atPath: moduleCache, withIntermediateDirectories: true)
        func affected() throws -> String {
            let go = try #require(GoToolchain.current()).executable
            let result = try CacheCLITests.gocache(
                ["affected", "--repo", fixture.root, "--base", base, "--head", head],
                environment: [
                    "GOCACHE_DIR": fixture.root + "-cache", "GOMODCACHE": moduleCache,
                    "PATH": (go as NSString).deletingLastPathComponent + ":/usr/bin:/bin",
                ])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }
        // Nothing downloaded: ext.com/real/r's imports are unknown, both targets.
        #expect(try affected() == "cmd/f\ncmd/g\n")
        #expect(try affected() == "cmd/f\ncmd/g\n")
        try ModuleCacheFixture.extract([
            "ext.com/real@v1.0.0/r/r.go": "package r\n\nimport \"ext.com/base/b\"\n\nconst R = b.B\n",
            "ext.com/other@v1.0.0/o/o.go": "package o\n\nconst O = 1\n",
            "ext.com/base@v1.0.0/b/b.go": "package b\n\nconst B = 1\n",
            "ext.com/base@v1.2.0/b/b.go": "package b\n\nconst B = 12\n",
        ], into: moduleCache)
        // Downloaded since: the same command (a run memo entry, two graph memo entries) now
        // knows cmd/g does not reach ext.com/base.
        #expect(try affected() == "cmd/f\n")
        #expect(try affected() == "cmd/f\n")
    }
}
