/// Text of the Go sources, module files and assets the generator writes.
///
/// Every importable package of the generator has one *primary* file in a fixed shape:
/// an import block, the `primaryMarker` comment and a `Name()` function whose `parts`
/// list calls `<ident>.Name()` once per local import and ends with `partsEnd`. The mutator
/// edits imports only in that shape, so it can keep the code compiling.
enum GoSource {
    static let primaryMarker = "// gocache-example: primary"
    static let partsEnd = "\t} // end parts\n"

    /// The last element of an import path: the package name this library gives it.
    static func ident(of importPath: String) -> String {
        importPath.split(separator: "/").last.map(String.init) ?? importPath
    }

    static func importLine(_ path: String) -> String { "\t\"\(path)\"\n" }
    static func callLine(_ path: String) -> String { "\t\t\(ident(of: path)).Name(),\n" }

    static func importBlock(std: [String], local: [String]) -> String {
        var text = "import (\n"
        for path in std.sorted() { text += importLine(path) }
        if !local.isEmpty {
            text += "\n"
            for path in local { text += importLine(path) }
        }
        return text + ")\n"
    }

    /// A primary file of an importable package.
    static func library(
        name: String, doc: String, std: [String] = [], local: [String], extraParts: [String] = [],
        declarations: String = ""
    ) -> String {
        var text = "// Package \(name) \(doc)\npackage \(name)\n\n"
        text += importBlock(std: Array(Set(std + ["strings"])), local: local)
        text += declarations.isEmpty ? "" : "\n" + declarations
        text += "\n\(primaryMarker)\n\n"
        text += "// Name identifies the package and the packages it imports.\nfunc Name() string {\n"
        text += "\tparts := []string{\n\t\t\"\(name)\",\n"
        for part in extraParts { text += "\t\t\(part),\n" }
        for path in local { text += callLine(path) }
        text += partsEnd + "\treturn strings.Join(parts, \"+\")\n}\n"
        return text
    }

    /// The primary file of a `package main` (a function or a tool).
    static func command(name: String, kind: String, local: [String]) -> String {
        var text = "// Command \(name) is a generated \(kind).\npackage main\n\n"
        text += importBlock(std: ["fmt", "strings"], local: local)
        text += "\n\(primaryMarker)\n\nfunc main() {\n"
        text += "\tparts := []string{\n\t\t\"\(name)\",\n"
        for path in local { text += callLine(path) }
        text += partsEnd + "\tfmt.Println(strings.Join(parts, \" \"))\n}\n"
        return text
    }

    static func part(package name: String, index: Int, value: UInt64) -> String {
        """
        package \(name)

        // Part\(index)Value is generated filler; edits change its constant.
        func Part\(index)Value() int {
        \treturn \(value % 1_000_000)
        }

        """
    }

    static func libraryTest(package name: String, testutil: String) -> String {
        """
        package \(name)

        import (
        \t"testing"

        \t"\(testutil)"
        )

        func TestName(t *testing.T) {
        \ttestutil.RequireNonEmpty(t, Name())
        }

        """
    }

    static func commandTest(name: String, testutil: String) -> String {
        """
        package main

        import (
        \t"testing"

        \t"\(testutil)"
        )

        func TestCommandName(t *testing.T) {
        \ttestutil.RequireNonEmpty(t, "\(name)")
        }

        """
    }

    static let testutil = """
        // Package testutil holds helpers imported only from _test.go files.
        package testutil

        import "testing"

        // RequireNonEmpty fails the test when s is empty.
        func RequireNonEmpty(t testing.TB, s string) {
        \tt.Helper()
        \tif s == "" {
        \t\tt.Fatal("unexpected empty string")
        \t}
        }

        """

    /// An appended top-level function: the edit the mutator makes to a file's body.
    static func appendedFunction(name: String, value: UInt64) -> String {
        "\n// \(name) is an edit made by the example generator.\nfunc \(name)() int {\n\treturn \(value % 1_000_000)\n}\n"
    }

    // MARK: Platform files

    static func constrained(_ constraint: String?, package name: String, function: String, value: String) -> String {
        let header = constraint.map { "//go:build \($0)\n\n" } ?? ""
        return "\(header)package \(name)\n\nfunc \(function)() string {\n\treturn \"\(value)\"\n}\n"
    }

    // MARK: cgo

    static let checksumCgo = """
        //go:build cgo

        package checksum

        /*
        #include <stddef.h>
        #include <stdint.h>

        uint32_t gocache_checksum(const unsigned char *p, size_t n);
        */
        import "C"

        import "unsafe"

        func sum(s string) uint32 {
        \tif len(s) == 0 {
        \t\treturn 2166136261
        \t}
        \tb := []byte(s)
        \treturn uint32(C.gocache_checksum((*C.uchar)(unsafe.Pointer(&b[0])), C.size_t(len(b))))
        }

        """

    static let checksumC = """
        //go:build cgo

        #include <stddef.h>
        #include <stdint.h>

        uint32_t gocache_checksum(const unsigned char *p, size_t n) {
        \tuint32_t h = 2166136261u;
        \tfor (size_t i = 0; i < n; i++) {
        \t\th ^= p[i];
        \t\th *= 16777619u;
        \t}
        \treturn h;
        }

        """

    static let checksumPureGo = """
        //go:build !cgo

        package checksum

        func sum(s string) uint32 {
        \th := uint32(2166136261)
        \tfor i := 0; i < len(s); i++ {
        \t\th ^= uint32(s[i])
        \t\th *= 16777619
        \t}
        \treturn h
        }

        """

    // MARK: Embeds

    static let assetsDeclarations = """
        //go:embed config.json
        var config []byte

        //go:embed templates/*.tmpl
        var templates embed.FS

        //go:embed static
        var static embed.FS

        //go:embed testdata/golden.txt
        var golden string

        func summary() string {
        \tcounts := []string{strconv.Itoa(len(config)), strconv.Itoa(len(golden))}
        \tif entries, err := templates.ReadDir("templates"); err == nil {
        \t\tcounts = append(counts, strconv.Itoa(len(entries)))
        \t}
        \tif entries, err := static.ReadDir("static"); err == nil {
        \t\tcounts = append(counts, strconv.Itoa(len(entries)))
        \t}
        \treturn strings.Join(counts, ".")
        }

        """

    static let functionEmbed = """
        package main

        import _ "embed"

        //go:embed config.json
        var embeddedConfig string

        // EmbeddedConfigSize reports the size of the embedded configuration.
        func EmbeddedConfigSize() int {
        \treturn len(embeddedConfig)
        }

        """

    // MARK: Vendored module

    static let strutilModule = "example.org/strutil"

    static func strutil(version: String) -> String {
        """
        // Package strutil is a small standard-library-only module, vendored.
        package strutil

        import "strings"

        // Name identifies the module version.
        func Name() string {
        \treturn "strutil-\(version)"
        }

        // Reverse returns s with its bytes in reverse order.
        func Reverse(s string) string {
        \tvar b strings.Builder
        \tfor i := len(s) - 1; i >= 0; i-- {
        \t\tb.WriteByte(s[i])
        \t}
        \treturn b.String()
        }

        """
    }

    // MARK: Module files

    static func goMod(module: String, go: String, requires: [(String, String)], replaces: [(String, String)]) -> String {
        var text = "module \(module)\n\ngo \(go)\n"
        if requires.count == 1 {
            text += "\nrequire \(requires[0].0) \(requires[0].1)\n"
        } else if !requires.isEmpty {
            text += "\nrequire (\n" + requires.map { "\t\($0.0) \($0.1)\n" }.joined() + ")\n"
        }
        if replaces.count == 1 {
            text += "\nreplace \(replaces[0].0) => \(replaces[0].1)\n"
        } else if !replaces.isEmpty {
            text += "\nreplace (\n" + replaces.map { "\t\($0.0) => \($0.1)\n" }.joined() + ")\n"
        }
        return text
    }

    static func goWork(go: String, moduleDirs: [String]) -> String {
        var text = "go \(go)\n\nuse (\n"
        for dir in moduleDirs.sorted() { text += dir.isEmpty ? "\t.\n" : "\t./\(dir)\n" }
        return text + ")\n"
    }
}
