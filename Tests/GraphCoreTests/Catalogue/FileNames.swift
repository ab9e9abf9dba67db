// File-name scenarios: _GOOS, _GOARCH and _GOOS_GOARCH suffixes, suffixes that are not
// constraints, _test.go files, files starting with _ or ., two packages in one directory.
import TestSupport

extension Catalogue {
    static let fileNames: [CatalogueScenario] = [
        CatalogueScenario(
            name: "goos-suffix",
            rule: "A file named *_GOOS.go is built only for that GOOS.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/p_linux.go": goFile("p"),
                "p/p_windows.go": goFile("p"),
                "p/p_darwin.go": goFile("p"),
                "p/p_freebsd.go": goFile("p"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["p.go", "p_linux.go"]),
                .ignoredGoFiles("example.com/m/p", ["p_darwin.go", "p_freebsd.go", "p_windows.go"]),
            ]),
        CatalogueScenario(
            name: "goarch-suffix",
            rule: "A file named *_GOARCH.go is built only for that GOARCH.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/p_amd64.go": goFile("p"),
                "p/p_arm64.go": goFile("p"),
                "p/p_386.go": goFile("p"),
            ],
            platform: GoPlatform(goarch: "arm64"),
            expectations: [
                .goFiles("example.com/m/p", ["p.go", "p_arm64.go"]),
                .ignoredGoFiles("example.com/m/p", ["p_386.go", "p_amd64.go"]),
            ]),
        CatalogueScenario(
            name: "goos-goarch-suffix",
            rule: "A file named *_GOOS_GOARCH.go needs both to match.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/p_linux_amd64.go": goFile("p"),
                "p/p_linux_arm64.go": goFile("p"),
                "p/p_windows_amd64.go": goFile("p"),
                "p/p_windows_arm64.go": goFile("p"),
            ],
            platform: GoPlatform(goos: "windows", goarch: "arm64"),
            expectations: [
                .goFiles("example.com/m/p", ["p.go", "p_windows_arm64.go"]),
                .ignoredGoFiles("example.com/m/p", ["p_linux_amd64.go", "p_linux_arm64.go", "p_windows_amd64.go"]),
            ]),
        CatalogueScenario(
            name: "suffixes-that-are-not-constraints",
            rule: "Only a known GOOS/GOARCH as the last _ element (after the first _) constrains: foo_bar.go, windows.go, x_unix.go and x_linux_foo.go do not.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/foo_bar.go": goFile("p"),
                "p/windows.go": goFile("p"),
                "p/x_unix.go": goFile("p"),
                "p/x_linux_foo.go": goFile("p"),
                "p/arm64.go": goFile("p"),
                "p/linux_arm64.go": goFile("p"),
                "p/x_windows_foo_386.go": goFile("p"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["arm64.go", "foo_bar.go", "windows.go", "x_linux_foo.go", "x_unix.go"]),
                .ignoredGoFiles("example.com/m/p", ["linux_arm64.go", "x_windows_foo_386.go"]),
            ]),
        CatalogueScenario(
            name: "suffix-and-tag-both-apply",
            rule: "A file-name suffix and a //go:build line must both be satisfied.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/a_linux.go": goFile("p", header: "//go:build amd64"),
                "p/b_linux.go": goFile("p", header: "//go:build arm64"),
                "p/c_windows.go": goFile("p", header: "//go:build linux || windows"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["a_linux.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["b_linux.go", "c_windows.go"]),
            ]),
        CatalogueScenario(
            name: "test-files",
            rule: "_test.go files are not part of the package: same-package ones are TestGoFiles, package x_test ones XTestGoFiles.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/p_test.go": goFile("p", imports: ["\"testing\""], body: "func TestP(t *testing.T) {}"),
                "p/ext_test.go": goFile("p_test", imports: ["\"testing\"", "_ \"example.com/m/p\""], body: "func TestX(t *testing.T) {}"),
                "p/p_windows_test.go": goFile("p"),
                "p/p_linux_test.go": goFile("p"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["p.go"]),
                .testGoFiles("example.com/m/p", ["p_linux_test.go", "p_test.go"]),
                .xTestGoFiles("example.com/m/p", ["ext_test.go"]),
                .imports("example.com/m/p", []),
                .deps(target: ".", ["example.com/m/p"]),
            ]),
        CatalogueScenario(
            name: "underscore-and-dot-files",
            rule: "Files whose names start with _ or . are not Go files of the package at all (not even ignored ones).",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/_draft.go": goFile("other"),
                "p/.hidden.go": goFile("other"),
                "p/_helper.c": "int helper(void) { return 0; }\n",
            ],
            expectations: [
                .goFiles("example.com/m/p", ["p.go"]),
                .ignoredGoFiles("example.com/m/p", []),
                .otherFiles("example.com/m/p", []),
                .clean("example.com/m/p"),
            ]),
        CatalogueScenario(
            name: "two-packages-one-dir",
            rule: "Two package clauses among a directory's built files are an error.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/a.go": goFile("a"),
                "p/b.go": goFile("b"),
            ],
            expectations: [
                .error("example.com/m/p", "found packages a (a.go) and b (b.go)"),
                .targets(["."]),
            ]),
        CatalogueScenario(
            name: "two-packages-resolved-by-suffix",
            rule: "Package clauses of files excluded by the platform do not count toward a conflict.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/a.go": goFile("a"),
                "p/b_windows.go": goFile("b"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["a.go"]),
                .name("example.com/m/p", "a"),
                .clean("example.com/m/p"),
            ]),
    ]
}
