// go.mod: the parsed, interpreted form, with the go command's validation and error texts
// (golang.org/x/mod/modfile rule.go, as `modfile.Parse` with no version fixer, plus the
// checks cmd/go's modload.ReadModFile adds: a module line is required and its path must
// be a valid import path that is not reserved).

/// A `godebug key=value` setting of a go.mod or go.work file.
public struct GoDebugSetting: Hashable, Sendable, Codable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A module path at a version (`example.com/m v1.2.3`); `version` is nil only where the
/// directive allows "all versions" (the left side of a `replace`).
public struct GoModuleVersion: Hashable, Sendable, Codable, CustomStringConvertible {
    public var path: String
    public var version: String?

    public init(path: String, version: String?) {
        self.path = path
        self.version = version
    }

    /// `path@version`, or `path` when the version is absent (the go command's spelling).
    public var description: String { version.map { "\(path)@\($0)" } ?? path }
}

/// A `require` directive.
public struct GoRequirement: Hashable, Sendable, Codable {
    public var path: String
    public var version: String
    /// The line carries a `// indirect` comment.
    public var indirect: Bool

    public init(path: String, version: String, indirect: Bool) {
        self.path = path
        self.version = version
        self.indirect = indirect
    }
}

/// A `replace old [v] => new [v]` directive.
public struct GoReplacement: Hashable, Sendable, Codable {
    public var oldPath: String
    /// The replaced version, or nil for every version.
    public var oldVersion: String?
    /// A module path, or a directory path (`./x`, `../x`, `/abs`) when `newVersion` is nil.
    public var newPath: String
    public var newVersion: String?

    public init(oldPath: String, oldVersion: String?, newPath: String, newVersion: String?) {
        self.oldPath = oldPath
        self.oldVersion = oldVersion
        self.newPath = newPath
        self.newVersion = newVersion
    }

    /// The replacement is a directory on disk rather than another module version.
    public var isLocalDirectory: Bool {
        newVersion == nil && ModulePaths.isDirectoryPath(newPath)
    }

    var old: GoModuleVersion { GoModuleVersion(path: oldPath, version: oldVersion) }
    var new: GoModuleVersion { GoModuleVersion(path: newPath, version: newVersion) }
}

/// A go.mod, go.work, go.sum or vendor/modules.txt that the go command would reject,
/// with the go command's message. `description` reads `go.mod:3:1: unknown directive: foo`.
public struct GoModFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as named by the caller (a repository-relative path).
    public var file: String
    /// 1-based line, or 0 when the problem concerns the whole file.
    public var line: Int
    /// 1-based column in runes (1 for directive-level problems, as the go command reports them).
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}

/// The parsed, interpreted form of a go.mod file.
public struct GoModFile: Hashable, Sendable {
    public var modulePath: String
    /// The `go` directive (`1.23`, `1.23.4`, `1.24rc1`), nil when absent.
    public var goVersion: String?
    /// The `toolchain` directive (`go1.23.4`, `default`), nil when absent.
    public var toolchain: String?
    public var godebug: [GoDebugSetting]
    public var requires: [GoRequirement]
    public var excludes: [GoModuleVersion]
    public var replaces: [GoReplacement]
    /// `retract` directives as versions (`v1.0.0`) or intervals (`[v1.0.0, v1.2.0]`).
    public var retracts: [String]
    /// `tool` directives: package paths.
    public var tools: [String]
    /// `ignore` directives as written (`./node_modules` is relative to the module root;
    /// `node_modules` ignores any directory of that name in the module).
    public var ignores: [String]

    public init(
        modulePath: String, goVersion: String? = nil, toolchain: String? = nil, godebug: [GoDebugSetting] = [],
        requires: [GoRequirement] = [], excludes: [GoModuleVersion] = [], replaces: [GoReplacement] = [],
        retracts: [String] = [], tools: [String] = [], ignores: [String] = []
    ) {
        self.modulePath = modulePath
        self.goVersion = goVersion
        self.toolchain = toolchain
        self.godebug = godebug
        self.requires = requires
        self.excludes = excludes
        self.replaces = replaces
        self.retracts = retracts
        self.tools = tools
        self.ignores = ignores
    }

    /// The go version the go command assumes for this module: the `go` line, else 1.16.
    public var effectiveGoVersion: String { goVersion ?? "1.16" }

    /// Parses go.mod bytes as the go command does for a main module; `file` names the file
    /// in errors. The first error (in file order) is thrown.
    public static func parse(_ bytes: [UInt8], file: String) throws(GoModFileError) -> GoModFile {
        let syntax = try ModFileSyntax.parse(bytes, file: file)
        let builder = DirectiveReader(file: file)
        var errors: [GoModFileError] = []
        var module: (path: String?, line: ModLine)?
        var mod = GoModFile(modulePath: "")

        func handle(_ line: ModLine, verb: String, args: [String]) {
            do throws(GoModFileError) {
                switch verb {
                case "module":
                    if module != nil { throw builder.error(line, "repeated module statement") }
                    module = (nil, line)
                    guard args.count == 1 else { throw builder.error(line, "usage: module module/path") }
                    module = (try builder.string(args[0], line), line)
                case "go":
                    if mod.goVersion != nil { throw builder.error(line, "repeated go statement") }
                    mod.goVersion = try builder.goVersion(args, line)
                case "toolchain":
                    if mod.toolchain != nil { throw builder.error(line, "repeated toolchain statement") }
                    mod.toolchain = try builder.toolchain(args, line)
                case "godebug":
                    mod.godebug.append(try builder.godebug(args, line))
                case "require", "exclude":
                    guard args.count == 2 else { throw builder.error(line, "usage: \(verb) module/path v1.2.3") }
                    let path = try builder.string(args[0], line)
                    let version = try builder.version(verb, path, args[1], line)
                    guard let major = ModulePaths.pathMajor(path) else { throw builder.error(line, "invalid module path") }
                    if let problem = ModulePaths.checkPathMajor(version, major) {
                        throw builder.error(line, "\(verb) \(path): \(problem)")
                    }
                    if verb == "require" {
                        mod.requires.append(GoRequirement(path: path, version: version, indirect: isIndirect(line)))
                    } else {
                        mod.excludes.append(GoModuleVersion(path: path, version: version))
                    }
                case "replace":
                    mod.replaces.append(try builder.replace(verb, args, line))
                case "retract":
                    var rest = args
                    let interval = try builder.versionInterval(verb, &rest, line)
                    if let extra = rest.first {
                        throw builder.error(line, "unexpected token after version: \(goQuote(extra))")
                    }
                    mod.retracts.append(interval)
                case "tool", "ignore":
                    guard args.count == 1 else { throw builder.error(line, "\(verb) directive expects exactly one argument") }
                    let s = try builder.string(args[0], line)
                    if verb == "tool" { mod.tools.append(s) } else { mod.ignores.append(s) }
                default:
                    throw builder.error(line, "unknown directive: \(verb)")
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
                let known: Set<String> = ["module", "godebug", "require", "exclude", "replace", "retract", "tool", "ignore"]
                guard tokens.count == 1, known.contains(tokens[0]) else {
                    errors.append(
                        GoModFileError(file: file, line: start.line, column: start.lineRune,
                            message: "unknown block type: \(tokens.joined(separator: " "))"))
                    continue
                }
                for line in lines { handle(line, verb: tokens[0], args: line.tokens) }
            }
        }
        if let first = errors.first { throw first }

        guard let module, let path = module.path else {
            throw GoModFileError(
                file: file, line: 0, column: 0,
                message: "missing module declaration. To specify the module path:\n\tgo mod edit -module=example.com/mod")
        }
        if path == "go" || path == "toolchain" {
            throw builder.error(module.line, "invalid module path: \(goQuote(path)): module path is reserved")
        }
        if let problem = ModulePaths.check(path, kind: .importPath) {
            throw builder.error(module.line, "malformed module path \(goQuote(path)): \(problem)")
        }
        mod.modulePath = path
        return mod
    }
}

/// modfile's isIndirect: the first end-of-line comment is `// indirect` or starts `// indirect;`.
private func isIndirect(_ line: ModLine) -> Bool {
    guard let first = line.suffixComments.first else { return false }
    var text = Substring(first)
    if text.hasPrefix("//") { text = text.dropFirst(2) }
    let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
    return (fields.count == 1 && fields[0] == "indirect") || (fields.count > 1 && fields[0] == "indirect;")
}

/// The directive-level rules shared by go.mod and go.work.
struct DirectiveReader {
    let file: String

    func error(_ line: ModLine, _ message: String) -> GoModFileError {
        GoModFileError(file: file, line: line.start.line, column: line.start.lineRune, message: message)
    }

    /// modfile.parseString: unquotes `"..."`; other quote characters are rejected.
    func string(_ token: String, _ line: ModLine) throws(GoModFileError) -> String {
        switch unquote(token) {
        case .success(let s): return s
        case .failure(let reason): throw error(line, "invalid quoted string: \(reason)")
        }
    }

    func unquote(_ t: String) -> Result<String, StringError> {
        if t.hasPrefix("\"") {
            guard let s = goUnquote(t) else { return .failure(StringError("invalid syntax")) }
            return .success(s)
        }
        if t.contains(where: { $0 == "\"" || $0 == "'" || $0 == "`" }) {
            return .failure(StringError("unquoted string cannot contain quote"))
        }
        return .success(t)
    }

    struct StringError: Error, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// modfile.parseVersion with no fixer: the version must have a canonical form, which is returned.
    func version(_ verb: String, _ path: String, _ token: String, _ line: ModLine) throws(GoModFileError) -> String {
        let t: String
        switch unquote(token) {
        case .success(let s): t = s
        case .failure(let reason):
            throw error(line, "\(verb) \(path): version \(goQuote(token)) invalid: \(reason)")
        }
        guard let cv = SemVer.moduleCanonical(t) else {
            throw error(line, "\(verb) \(path): version \(goQuote(t)) invalid: must be of the form v1.2.3")
        }
        return cv
    }

    func goVersion(_ args: [String], _ line: ModLine) throws(GoModFileError) -> String {
        guard args.count == 1 else { throw error(line, "go directive expects exactly one argument") }
        guard GoVersion.matchesGoDirective(args[0]) else {
            throw error(line, "invalid go version '\(args[0])': must match format 1.23.0")
        }
        return args[0]
    }

    func toolchain(_ args: [String], _ line: ModLine) throws(GoModFileError) -> String {
        guard args.count == 1 else { throw error(line, "toolchain directive expects exactly one argument") }
        let name = args[0]
        guard name == "default" || name == "go1" || name.hasPrefix("go1.") else {
            throw error(line, "invalid toolchain version '\(name)': must match format go1.23.0 or default")
        }
        return name
    }

    func godebug(_ args: [String], _ line: ModLine) throws(GoModFileError) -> GoDebugSetting {
        guard args.count == 1, !args[0].contains(where: { "\"`',".contains($0) }),
            let eq = args[0].firstIndex(of: "=")
        else { throw error(line, "usage: godebug key=value") }
        return GoDebugSetting(key: String(args[0][..<eq]), value: String(args[0][args[0].index(after: eq)...]))
    }

    /// modfile.parseReplace.
    func replace(_ verb: String, _ args: [String], _ line: ModLine) throws(GoModFileError) -> GoReplacement {
        let arrow = args.count >= 2 && args[1] == "=>" ? 1 : 2
        guard args.count >= arrow + 2, args.count <= arrow + 3, args[arrow] == "=>" else {
            throw error(
                line,
                "usage: \(verb) module/path [v1.2.3] => other/module v1.4\n\t or \(verb) module/path [v1.2.3] => ../local/directory"
            )
        }
        let old = try string(args[0], line)
        guard let major = ModulePaths.pathMajor(old) else { throw error(line, "\(verb) \(old): invalid module path") }
        var oldVersion: String?
        if arrow == 2 {
            let v = try version(verb, old, args[1], line)
            if let problem = ModulePaths.checkPathMajor(v, major) { throw error(line, "\(verb) \(old): \(problem)") }
            oldVersion = v
        }
        let new = try string(args[arrow + 1], line)
        var newVersion: String?
        if args.count == arrow + 2 {
            if !ModulePaths.isDirectoryPath(new) {
                if new.contains("@") {
                    throw error(line, "replacement module must match format 'path version', not 'path@version'")
                }
                throw error(line, "replacement module without version must be directory path (rooted or starting with . or ..)")
            }
            if new.contains("\\") {
                throw error(line, "replacement directory appears to be Windows path (on a non-windows system)")
            }
        } else {
            newVersion = try version(verb, new, args[arrow + 2], line)
            if ModulePaths.isDirectoryPath(new) {
                throw error(line, "replacement module directory path \(goQuote(new)) cannot have version")
            }
        }
        return GoReplacement(oldPath: old, oldVersion: oldVersion, newPath: new, newVersion: newVersion)
    }

    /// modfile.parseVersionInterval with the retract "don't fix" rule: `v` or `[lo, hi]`.
    func versionInterval(_ verb: String, _ args: inout [String], _ line: ModLine) throws(GoModFileError) -> String {
        func plain(_ token: String) throws(GoModFileError) -> String {
            switch unquote(token) {
            case .success(let s): return s
            case .failure(let reason): throw error(line, "\(verb): version \(goQuote(token)) invalid: \(reason)")
            }
        }
        guard let first = args.first, first != "(" else { throw error(line, "expected '[' or version") }
        if first != "[" {
            let v = try plain(first)
            args.removeFirst()
            return v
        }
        var toks = args.dropFirst()
        guard let lowTok = toks.first else { throw error(line, "expected version after '['") }
        let low = try plain(lowTok)
        toks = toks.dropFirst()
        guard toks.first == "," else { throw error(line, "expected ',' after version") }
        toks = toks.dropFirst()
        guard let highTok = toks.first else { throw error(line, "expected version after ','") }
        let high = try plain(highTok)
        toks = toks.dropFirst()
        guard toks.first == "]" else { throw error(line, "expected ']' after version") }
        args = Array(toks.dropFirst())
        return "[\(low), \(high)]"
    }
}

/// strconv.Unquote for a double-quoted Go string literal; nil when malformed.
func goUnquote(_ s: String) -> String? {
    let scalars = Array(s.unicodeScalars)
    guard scalars.count >= 2, scalars.first == "\"", scalars.last == "\"" else { return nil }
    var out = String.UnicodeScalarView()
    var bytes: [UInt8] = []  // pending \x / octal bytes, decoded as UTF-8 together
    func flush() -> Bool {
        guard !bytes.isEmpty else { return true }
        guard let str = String(validating: bytes, as: UTF8.self) else {
            out.append(contentsOf: String(decoding: bytes, as: UTF8.self).unicodeScalars)
            bytes = []
            return true
        }
        out.append(contentsOf: str.unicodeScalars)
        bytes = []
        return true
    }
    var i = 1
    let end = scalars.count - 1
    func hex(_ n: Int) -> UInt32? {
        guard i + n <= end else { return nil }
        var v: UInt32 = 0
        for k in 0..<n {
            guard let d = Int(String(scalars[i + k]), radix: 16) else { return nil }
            v = v * 16 + UInt32(d)
        }
        i += n
        return v
    }
    while i < end {
        let c = scalars[i]
        if c == "\"" || c == "\n" { return nil }
        if c != "\\" {
            _ = flush()
            out.append(c)
            i += 1
            continue
        }
        i += 1
        guard i < end else { return nil }
        let e = scalars[i]
        i += 1
        switch e {
        case "a": _ = flush(); out.append("\u{07}")
        case "b": _ = flush(); out.append("\u{08}")
        case "f": _ = flush(); out.append("\u{0C}")
        case "n": _ = flush(); out.append("\n")
        case "r": _ = flush(); out.append("\r")
        case "t": _ = flush(); out.append("\t")
        case "v": _ = flush(); out.append("\u{0B}")
        case "\\": _ = flush(); out.append("\\")
        case "\"": _ = flush(); out.append("\"")
        case "x":
            guard let v = hex(2) else { return nil }
            bytes.append(UInt8(v))
        case "u", "U":
            guard let v = hex(e == "u" ? 4 : 8), let scalar = Unicode.Scalar(v) else { return nil }
            _ = flush()
            out.append(scalar)
        case "0"..."7":
            guard i + 2 <= end, let d1 = Int(String(e), radix: 8), let d2 = Int(String(scalars[i]), radix: 8),
                let d3 = Int(String(scalars[i + 1]), radix: 8)
            else { return nil }
            let v = d1 * 64 + d2 * 8 + d3
            guard v <= 255 else { return nil }
            bytes.append(UInt8(v))
            i += 2
        default:
            return nil
        }
    }
    _ = flush()
    return String(out)
}
