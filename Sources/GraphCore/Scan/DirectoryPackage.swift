// go/build's per-directory package assembly (Context.Import after the directory is
// found): which files of one directory form the package for a build context, its
// imports and embed patterns, and the errors go/build reports for it.

/// What go/build's `Context.Import` finds in one directory for one build context: the
/// file lists, imports and embed patterns of the package, without resolving imports and
/// without the go command's additions.
///
/// File lists keep directory order (names sorted bytewise); `imports`, `testImports`,
/// `xTestImports` and the embed pattern lists are sorted and unique. As in go/build (and
/// `go list`), `imports` contains "C" for cgo packages.
public struct DirectoryPackage: Hashable, Sendable {
    /// The package clause of the buildable files (`""` if there are none). For a
    /// directory with only external tests, the name without `_test`.
    public var name: String = ""
    /// Buildable non-test Go files without `import "C"`.
    public var goFiles: [String] = []
    /// Buildable non-test Go files that import "C" (only when cgo is enabled).
    public var cgoFiles: [String] = []
    /// Go files excluded by constraints, cgo files when cgo is disabled, and
    /// `package documentation` files.
    public var ignoredGoFiles: [String] = []
    /// Go files go/build could not use (syntax errors, NUL bytes, bad constraints, ...).
    /// A file with a syntax error can also appear in another list, as in go/build.
    public var invalidGoFiles: [String] = []
    /// `_test.go` files of the package itself.
    public var testGoFiles: [String] = []
    /// `_test.go` files of package `<name>_test`.
    public var xTestGoFiles: [String] = []
    public var cFiles: [String] = []
    public var cxxFiles: [String] = []
    public var mFiles: [String] = []
    public var hFiles: [String] = []
    public var fFiles: [String] = []
    /// `.s` files, plus `.S`/`.sx` files when the package has cgo files.
    public var sFiles: [String] = []
    public var swigFiles: [String] = []
    public var swigCXXFiles: [String] = []
    public var sysoFiles: [String] = []
    /// Non-Go source files excluded by constraints (and `.S`/`.sx` files without cgo).
    public var ignoredOtherFiles: [String] = []
    /// Import paths as written in `goFiles` and `cgoFiles` (sorted, unique).
    public var imports: [String] = []
    /// Import paths as written in `testGoFiles`.
    public var testImports: [String] = []
    /// Import paths as written in `xTestGoFiles`.
    public var xTestImports: [String] = []
    /// Positions of every import, by path, over all three import lists.
    public var importPositions: [String: [GoFilePosition]] = [:]
    /// `//go:embed` patterns of `goFiles` and `cgoFiles` (sorted, unique).
    public var embedPatterns: [String] = []
    public var testEmbedPatterns: [String] = []
    public var xTestEmbedPatterns: [String] = []
    /// Positions of every embed pattern, by pattern, over all three lists.
    public var embedPatternPositions: [String: [GoFilePosition]] = [:]
    /// Errors in the order go/build meets them; `errors.first` is the error go/build's
    /// `Import` returns.
    public var errors: [DirectoryPackageError] = []

    public init() {}
}

/// A problem go/build reports about a package directory.
public struct DirectoryPackageError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// No buildable Go files (go/build `NoGoError`).
        case noBuildableGoFiles
        /// Files declare different packages: the names and the files declaring them.
        case multiplePackages(packages: [String], files: [String])
        /// A file that go/build could not use: syntax, read, constraint or import path error.
        case invalidFile(GoScanError)
        /// A `_test.go` file that imports "C".
        case cgoInTest
    }

    public var kind: Kind
    /// The file involved, when there is one.
    public var file: String?
    /// The directory as given to the assembler.
    public var directory: String

    public init(kind: Kind, file: String?, directory: String) {
        self.kind = kind
        self.file = file
        self.directory = directory
    }

    /// go/build's message.
    public var description: String {
        switch kind {
        case .noBuildableGoFiles:
            return "no buildable Go source files in \(directory)"
        case .multiplePackages(let packages, let files):
            return "found packages \(packages[0]) (\(files[0])) and \(packages[1]) (\(files[1])) in \(directory)"
        case .invalidFile(let error):
            return error.description
        case .cgoInTest:
            return "use of cgo in test \(file ?? "") not supported"
        }
    }
}

/// Memo hooks for Go file headers, by file name within the directory being assembled.
struct HeaderHooks {
    /// The remembered scan result of a file, if trusted.
    var lookup: (String) -> Result<GoFileHeader, GoScanError>?
    /// Remembers a file's scan result.
    var store: (String, Result<GoFileHeader, GoScanError>) -> Void
}

/// go/build's package assembly for one directory.
public enum DirectoryPackageAssembler {
    /// Assembles the package of one directory.
    ///
    /// - Parameters:
    ///   - files: names of the directory's entries that are files (regular files or
    ///     symbolic links to files); directories must not be passed. Any order.
    ///   - read: the bytes of a file, by name. A file that cannot be read is invalid (Go
    ///     files) or ignored (others), as in go/build.
    ///   - context: the build context.
    ///   - directory: the directory's path, used only in messages and positions
    ///     (`dir/x.go:3:8`); positions name the bare file when it is empty.
    /// - Complexity: reads each candidate file's header once; O(total header bytes).
    public static func assemble(
        files: [String], read: (String) throws -> [UInt8], context: BuildContext, directory: String = ""
    ) -> DirectoryPackage {
        assemble(files: files, read: read, context: context, directory: directory, headers: nil)
    }

    /// `assemble(files:read:context:directory:)` with a memo of Go file headers by file
    /// name: a remembered header is used without reading the file; a new one is stored.
    static func assemble(
        files: [String], read: (String) throws -> [UInt8], context: BuildContext, directory: String,
        headers: HeaderHooks?
    ) -> DirectoryPackage {
        var names = files
        names.sort { $0.utf8Precedes($1) }
        var p = DirectoryPackage()
        var badFiles = Set<String>()
        func path(_ name: String) -> String { directory.isEmpty ? name : directory + "/" + name }
        func badGoFile(_ name: String, _ kind: DirectoryPackageError.Kind) {
            p.errors.append(DirectoryPackageError(kind: kind, file: name, directory: directory))
            if badFiles.insert(name).inserted { p.invalidGoFiles.append(name) }
        }

        var sFilesCapital: [String] = []
        var firstFile = ""
        var importPos: [String: [GoFilePosition]] = [:]
        var testImportPos: [String: [GoFilePosition]] = [:]
        var xTestImportPos: [String: [GoFilePosition]] = [:]
        var embedPos: [String: [GoFilePosition]] = [:]
        var testEmbedPos: [String: [GoFilePosition]] = [:]
        var xTestEmbedPos: [String: [GoFilePosition]] = [:]

        for name in names {
            if name.hasPrefix("_") || name.hasPrefix(".") { continue }
            let ext = nameExt(name)
            let isGo = ext == ".go"
            guard isGo || otherListKind(ext) != nil else { continue }

            // matchFile.
            var included = context.matchesFileName(name)
            var header: GoFileHeader?
            if included && isGo, let cached = headers?.lookup(name) {
                switch cached {
                case .success(let remembered):
                    header = remembered
                case .failure(let error):
                    var e = error
                    if e.kind == .buildConstraint { e.file = name }
                    badGoFile(name, .invalidFile(e))
                    continue
                }
                if let c = header?.constraint, !c.evaluate(context.satisfies) { included = false }
            } else if included && ext != ".syso" {
                let bytes: [UInt8]
                do {
                    bytes = try read(name)
                } catch {
                    if isGo {
                        badGoFile(name, .invalidFile(GoScanError(
                            kind: .read, file: path(name), line: 0, column: 0, message: "\(error)")))
                        continue
                    }
                    included = false
                    bytes = []
                }
                if isGo {
                    do {
                        header = try GoSourceScanner.scanHeader(bytes, fileName: path(name))
                        if let header { headers?.store(name, .success(header)) }
                    } catch {
                        headers?.store(name, .failure(error))
                        var e = error
                        if e.kind == .buildConstraint { e.file = name }
                        badGoFile(name, .invalidFile(e))
                        continue
                    }
                    if let c = header?.constraint, !c.evaluate(context.satisfies) { included = false }
                } else if included {
                    do {
                        if let c = try GoSourceScanner.scanConstraint(bytes, fileName: name),
                            !c.evaluate(context.satisfies)
                        {
                            included = false
                        }
                    } catch {
                        included = false
                    }
                }
            }
            if !included {
                if isGo {
                    p.ignoredGoFiles.append(name)
                } else {
                    p.ignoredOtherFiles.append(name)
                }
                continue
            }

            switch ext {
            case ".go":
                break
            case ".S", ".sx":
                sFilesCapital.append(name)
                continue
            default:
                if let kind = otherListKind(ext) { appendOther(&p, kind, name) }
                continue
            }
            guard let info = header else { continue }

            if let e = info.parseError { badGoFile(name, .invalidFile(e)) }
            var pkg = info.packageName
            if pkg == "documentation" {
                p.ignoredGoFiles.append(name)
                continue
            }
            let isTest = name.hasSuffix("_test.go")
            var isXTest = false
            if isTest && pkg.hasSuffix("_test") && p.name != pkg {
                isXTest = true
                pkg = String(pkg.dropLast(5))
            }
            if p.name.isEmpty {
                p.name = pkg
                firstFile = name
            } else if pkg != p.name {
                badGoFile(name, .multiplePackages(packages: [p.name, pkg], files: [firstFile, name]))
            }

            var isCgo = false
            for imp in info.imports where imp.path == "C" {
                if isTest {
                    badGoFile(name, .cgoInTest)
                    continue
                }
                isCgo = true
            }

            enum Target { case go, cgo, ignored, test, xtest }
            let target: Target
            if isCgo {
                target = context.cgoEnabled ? .cgo : .ignored
            } else if isXTest {
                target = .xtest
            } else if isTest {
                target = .test
            } else {
                target = .go
            }
            func record(_ imports: inout [String: [GoFilePosition]], _ embeds: inout [String: [GoFilePosition]]) {
                for imp in info.imports {
                    imports[imp.path, default: []].append(GoFilePosition(file: path(name), line: imp.line, column: imp.column))
                }
                for emb in info.embeds {
                    embeds[emb.pattern, default: []].append(GoFilePosition(file: path(name), line: emb.line, column: emb.column))
                }
            }
            switch target {
            case .go:
                p.goFiles.append(name)
                record(&importPos, &embedPos)
            case .cgo:
                p.cgoFiles.append(name)
                record(&importPos, &embedPos)
            case .ignored:
                p.ignoredGoFiles.append(name)
            case .test:
                p.testGoFiles.append(name)
                record(&testImportPos, &testEmbedPos)
            case .xtest:
                p.xTestGoFiles.append(name)
                record(&xTestImportPos, &xTestEmbedPos)
            }
        }

        func sortedKeys(_ m: [String: [GoFilePosition]]) -> [String] {
            m.keys.sorted { $0.utf8Precedes($1) }
        }
        p.imports = sortedKeys(importPos)
        p.testImports = sortedKeys(testImportPos)
        p.xTestImports = sortedKeys(xTestImportPos)
        p.embedPatterns = sortedKeys(embedPos)
        p.testEmbedPatterns = sortedKeys(testEmbedPos)
        p.xTestEmbedPatterns = sortedKeys(xTestEmbedPos)
        // Most directories have no tests with imports: the package's map is taken whole.
        func merged(_ maps: [[String: [GoFilePosition]]]) -> [String: [GoFilePosition]] {
            let nonEmpty = maps.filter { !$0.isEmpty }
            guard nonEmpty.count > 1 else { return nonEmpty.first ?? [:] }
            var all = nonEmpty[0]
            for m in nonEmpty.dropFirst() { all.merge(m) { $0 + $1 } }
            return all
        }
        p.importPositions = merged([importPos, testImportPos, xTestImportPos])
        p.embedPatternPositions = merged([embedPos, testEmbedPos, xTestEmbedPos])

        if !p.cgoFiles.isEmpty {
            p.sFiles.append(contentsOf: sFilesCapital)
            p.sFiles.sort { $0.utf8Precedes($1) }
        } else {
            p.ignoredOtherFiles.append(contentsOf: sFilesCapital)
            p.ignoredOtherFiles.sort { $0.utf8Precedes($1) }
        }

        if p.errors.isEmpty && p.goFiles.count + p.cgoFiles.count + p.testGoFiles.count + p.xTestGoFiles.count == 0 {
            p.errors.append(DirectoryPackageError(kind: .noBuildableGoFiles, file: nil, directory: directory))
        }
        return p
    }

    /// go/build `nameExt`: the extension from the last `.`, or "".
    static func nameExt(_ name: String) -> String {
        // By bytes: `.` is ASCII, so the byte index is a character boundary.
        let utf8 = name.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return "" }
        return String(Substring(utf8[dot...]))
    }

    enum OtherList { case c, cxx, m, h, f, s, swig, swigCXX, syso }

    /// go/build `fileListForExt`.
    static func otherListKind(_ ext: String) -> OtherList? {
        switch ext {
        case ".c": return .c
        case ".cc", ".cpp", ".cxx": return .cxx
        case ".m": return .m
        case ".h", ".hh", ".hpp", ".hxx": return .h
        case ".f", ".F", ".for", ".f90": return .f
        case ".s", ".S", ".sx": return .s
        case ".swig": return .swig
        case ".swigcxx": return .swigCXX
        case ".syso": return .syso
        default: return nil
        }
    }

    static func appendOther(_ p: inout DirectoryPackage, _ kind: OtherList, _ name: String) {
        switch kind {
        case .c: p.cFiles.append(name)
        case .cxx: p.cxxFiles.append(name)
        case .m: p.mFiles.append(name)
        case .h: p.hFiles.append(name)
        case .f: p.fFiles.append(name)
        case .s: p.sFiles.append(name)
        case .swig: p.swigFiles.append(name)
        case .swigCXX: p.swigCXXFiles.append(name)
        case .syso: p.sysoFiles.append(name)
        }
    }
}
