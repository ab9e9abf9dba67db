// Import scenarios: import forms, deep chains, test-only imports, and the errors go list
// reports for missing, cyclic, internal and program imports.
import TestSupport

extension Catalogue {
    static let imports: [CatalogueScenario] = [
        CatalogueScenario(
            name: "import-forms",
            rule: "Dot, blank, aliased, grouped, single and raw-string imports all name the imported path.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": """
                    package main

                    import . "example.com/m/dot"
                    import _ `example.com/m/blank`
                    import (
                    \talias "example.com/m/aliased"
                    \t"example.com/m/plain"
                    \traw `example.com/m/raw`
                    )

                    func main() { _ = Dot; alias.X(); plain.X(); raw.X() }

                    """,
                "dot/dot.go": goFile("dot", body: "var Dot = 1"),
                "blank/blank.go": goFile("blank"),
                "aliased/a.go": goFile("aliased", body: "func X() {}"),
                "plain/p.go": goFile("plain", body: "func X() {}"),
                "raw/r.go": goFile("raw", body: "func X() {}"),
            ],
            expectations: [
                .imports(
                    "example.com/m",
                    ["example.com/m/aliased", "example.com/m/blank", "example.com/m/dot", "example.com/m/plain", "example.com/m/raw"]),
                .deps(
                    target: ".",
                    ["example.com/m/aliased", "example.com/m/blank", "example.com/m/dot", "example.com/m/plain", "example.com/m/raw"]),
            ]),
        CatalogueScenario(
            name: "deep-import-chain",
            rule: "A target's deps are the transitive closure of its imports.",
            files: [
                "go.mod": goMod("example.com/m"),
                "cmd/deep/main.go": mainFile(importing: ["example.com/m/l1"]),
                "l1/l1.go": goFile("l1", imports: ["_ \"example.com/m/l2\""]),
                "l2/l2.go": goFile("l2", imports: ["_ \"example.com/m/l3\"", "_ \"strings\""]),
                "l3/l3.go": goFile("l3", imports: ["_ \"example.com/m/l4\""]),
                "l4/l4.go": goFile("l4", imports: ["_ \"example.com/m/l5\""]),
                "l5/l5.go": goFile("l5", imports: ["_ \"example.com/m/l6\""]),
                "l6/l6.go": goFile("l6", imports: ["_ \"encoding/json\""]),
                "unused/u.go": goFile("unused"),
            ],
            expectations: [
                .deps(
                    target: "cmd/deep",
                    ["example.com/m/l1", "example.com/m/l2", "example.com/m/l3", "example.com/m/l4", "example.com/m/l5", "example.com/m/l6"]),
                .standard("encoding/json"),
                .clean("example.com/m/unused"),
            ]),
        CatalogueScenario(
            name: "test-only-imports",
            rule: "Packages imported only from _test.go files are not deps of the target.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/lib"]),
                "main_test.go": goFile("main", imports: ["\"testing\"", "_ \"example.com/m/testutil\""], body: "func TestMain2(t *testing.T) {}"),
                "lib/lib.go": goFile("lib"),
                "lib/lib_test.go": goFile("lib_test", imports: ["_ \"example.com/m/mocks\""]),
                "testutil/testutil.go": goFile("testutil"),
                "mocks/mocks.go": goFile("mocks"),
            ],
            expectations: [
                .deps(target: ".", ["example.com/m/lib"]),
                .imports("example.com/m", ["example.com/m/lib"]),
                .xTestGoFiles("example.com/m/lib", ["lib_test.go"]),
                .clean("example.com/m/testutil"),
            ]),
        CatalogueScenario(
            name: "missing-import",
            rule: "An import no module provides is a package with an error; importers carry it in DepsErrors.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/lib"]),
                "lib/lib.go": goFile("lib", imports: ["_ \"example.com/m/nothere\"", "_ \"example.org/elsewhere/pkg\""]),
            ],
            expectations: [
                .error("example.com/m/nothere", "no required module provides package"),
                .dir("example.com/m/nothere", nil),
                .error("example.org/elsewhere/pkg", "no required module provides package"),
                .imports("example.com/m/lib", ["example.com/m/nothere", "example.org/elsewhere/pkg"]),
                .deps(target: ".", ["example.com/m/lib", "example.com/m/nothere", "example.org/elsewhere/pkg"]),
            ]),
        CatalogueScenario(
            name: "missing-std-like-import",
            rule: "An import path without a dot in its first element is looked up in the standard library only.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["notstd/thing"]),
            ],
            expectations: [
                .error("notstd/thing", "is not in std"),
                .deps(target: ".", ["notstd/thing"]),
            ]),
        CatalogueScenario(
            name: "import-cycle",
            rule: "An import cycle is an error of a package on the cycle.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/a"]),
                "a/a.go": goFile("a", imports: ["_ \"example.com/m/b\""]),
                "b/b.go": goFile("b", imports: ["_ \"example.com/m/c\""]),
                "c/c.go": goFile("c", imports: ["_ \"example.com/m/a\""]),
            ],
            expectations: [
                .error("example.com/m/a", "import cycle not allowed"),
                .deps(target: ".", ["example.com/m/a", "example.com/m/b", "example.com/m/c"]),
            ]),
        CatalogueScenario(
            name: "internal-import-violation",
            rule: "A package under internal/ may only be imported from the tree rooted at internal's parent.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/svc", "example.com/m/other"]),
                "svc/svc.go": goFile("svc", imports: ["_ \"example.com/m/svc/internal/store\""]),
                "svc/internal/store/store.go": goFile("store"),
                "other/other.go": goFile("other", imports: ["_ \"example.com/m/svc/internal/store\""]),
            ],
            expectations: [
                .clean("example.com/m/svc"),
                .error("example.com/m/other", "use of internal package example.com/m/svc/internal/store not allowed"),
            ]),
        CatalogueScenario(
            name: "import-of-program",
            rule: "Importing a package main is an error: a program is not importable.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/lib"]),
                "lib/lib.go": goFile("lib", imports: ["_ \"example.com/m/cmd/tool\""]),
                "cmd/tool/main.go": mainFile(),
            ],
            expectations: [
                .error("example.com/m/lib", "is a program, not an importable package"),
                .targets([".", "cmd/tool"]),
            ]),
        CatalogueScenario(
            name: "import-of-program-with-an-error",
            rule: "Importing a package main is an error even when that program has an error of its own, whichever is walked first.",
            files: [
                "go.mod": goMod("example.com/m"),
                "z/cmd/t/main.go": mainFile(importing: ["example.com/m/a/cmd/s"]),
                "a/cmd/s/main.go": mainFile(importing: ["example.com/m/lib/internal/li"]),
                "lib/internal/li/li.go": goFile("li"),
                "0/cmd/u/main.go": mainFile(importing: ["example.com/m/a/cmd/s"]),
            ],
            expectations: [
                .error("example.com/m/z/cmd/t", "import \"example.com/m/a/cmd/s\" is a program, not an importable package"),
                .error("example.com/m/0/cmd/u", "import \"example.com/m/a/cmd/s\" is a program, not an importable package"),
                .error("example.com/m/a/cmd/s", "use of internal package example.com/m/lib/internal/li not allowed"),
            ]),
        CatalogueScenario(
            name: "relative-import",
            rule: "A relative import is an error of the importing package too (local import in non-local package).",
            files: [
                "go.mod": goMod("example.com/m"),
                "cmd/rel/main.go": mainFile(importing: ["./x"]),
                "cmd/rel/x/x.go": goFile("x"),
                "cmd/dot/main.go": mainFile(importing: ["."]),
            ],
            expectations: [
                .error("example.com/m/cmd/rel", "local import \"./x\" in non-local package"),
                .error("example.com/m/cmd/dot", ".: cannot import current directory"),
                .clean("example.com/m/cmd/rel/x"),
            ]),
        CatalogueScenario(
            name: "standard-library-closure",
            rule: "Standard packages (including GOROOT-vendored ones) are listed with Standard set and are not target deps.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["net/http", "example.com/m/lib"]),
                "lib/lib.go": goFile("lib", imports: ["_ \"crypto/sha256\""]),
            ],
            expectations: [
                .standard("net/http"),
                .standard("crypto/sha256"),
                .dir("net/http", nil),
                .module("net/http", nil),
                .deps(target: ".", ["example.com/m/lib"]),
            ]),
        CatalogueScenario(
            name: "imports-differ-by-platform",
            rule: "Imports come only from the files built for the platform.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/p_linux.go": goFile("p", imports: ["_ \"example.com/m/onlylinux\""]),
                "p/p_windows.go": goFile("p", imports: ["_ \"example.com/m/onlywindows\""]),
                "onlylinux/l.go": goFile("onlylinux"),
                "onlywindows/w.go": goFile("onlywindows"),
            ],
            platform: GoPlatform(goos: "windows"),
            expectations: [
                .imports("example.com/m/p", ["example.com/m/onlywindows"]),
                .deps(target: ".", ["example.com/m/onlywindows", "example.com/m/p"]),
            ]),
    ]
}
