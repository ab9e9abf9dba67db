// go.work: golang.org/x/mod/modfile work.go.

/// The parsed, interpreted form of a go.work file.
public struct GoWorkFile: Hashable, Sendable {
    public var goVersion: String?
    public var toolchain: String?
    public var godebug: [GoDebugSetting]
    /// `use` directories as written, relative to the go.work file's directory.
    public var uses: [String]
    public var replaces: [GoReplacement]
    /// The 1-based line of each `use` (for messages), parallel to `uses`.
    public var useLines: [Int]

    public init(
        goVersion: String? = nil, toolchain: String? = nil, godebug: [GoDebugSetting] = [], uses: [String] = [],
        replaces: [GoReplacement] = [], useLines: [Int] = []
    ) {
        self.goVersion = goVersion
        self.toolchain = toolchain
        self.godebug = godebug
        self.uses = uses
        self.replaces = replaces
        self.useLines = useLines
    }

    /// The go version the go command assumes for the workspace: the `go` line, else 1.18.
    public var effectiveGoVersion: String { goVersion ?? "1.18" }

    /// Parses go.work bytes as the go command does; the first error (in file order) is thrown.
    public static func parse(_ bytes: [UInt8], file: String) throws(GoModFileError) -> GoWorkFile {
        let syntax = try ModFileSyntax.parse(bytes, file: file)
        let reader = DirectiveReader(file: file)
        var work = GoWorkFile()
        var errors: [GoModFileError] = []

        func handle(_ line: ModLine, verb: String, args: [String]) {
            do throws(GoModFileError) {
                switch verb {
                case "go":
                    if work.goVersion != nil { throw reader.error(line, "repeated go statement") }
                    work.goVersion = try reader.goVersion(args, line)
                case "toolchain":
                    if work.toolchain != nil { throw reader.error(line, "repeated toolchain statement") }
                    work.toolchain = try reader.toolchain(args, line)
                case "godebug":
                    work.godebug.append(try reader.godebug(args, line))
                case "use":
                    guard args.count == 1 else { throw reader.error(line, "usage: use local/dir") }
                    work.uses.append(try reader.string(args[0], line))
                    work.useLines.append(line.start.line)
                case "replace":
                    work.replaces.append(try reader.replace(verb, args, line))
                default:
                    throw reader.error(line, "unknown directive: \(verb)")
                }
            } catch {
                errors.append(error)
            }
        }

        for statement in syntax.statements {
            switch statement {
            case .line(let line):
                handle(line, verb: line.tokens[0], args: Array(line.tokens.dropFirst()))
            case .block(let start, let tokens, let lines):
                guard tokens.count == 1, ["godebug", "use", "replace"].contains(tokens[0]) else {
                    errors.append(
                        GoModFileError(file: file, line: start.line, column: start.lineRune,
                            message: "unknown block type: \(tokens.joined(separator: " "))"))
                    continue
                }
                for line in lines { handle(line, verb: tokens[0], args: line.tokens) }
            }
        }
        if let first = errors.first { throw first }
        return work
    }
}
