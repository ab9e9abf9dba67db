// //go:embed scenarios: each pattern form, hidden-file rules, testdata, test-only embeds, and
// the patterns go rejects.
import TestSupport

extension Catalogue {
    static let embedding: [CatalogueScenario] = [
        CatalogueScenario(
            name: "embed-single-file",
            rule: "//go:embed NAME embeds one file, listed relative to the package directory.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["version.txt"]),
                "p/version.txt": "1.0.0\n",
                "p/other.txt": "not embedded\n",
            ],
            expectations: [
                .embedFiles("example.com/m/p", ["version.txt"]),
                .imports("example.com/m/p", ["embed"]),
                .clean("example.com/m/p"),
            ]),
        CatalogueScenario(
            name: "embed-glob",
            rule: "A glob pattern embeds the files it matches (path.Match syntax), nothing else.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["*.txt", "conf/?.json"]),
                "p/a.txt": "a\n",
                "p/b.txt": "b\n",
                "p/c.md": "c\n",
                "p/conf/x.json": "{}\n",
                "p/conf/xy.json": "{}\n",
            ],
            expectations: [
                .embedFiles("example.com/m/p", ["a.txt", "b.txt", "conf/x.json"]),
            ]),
        CatalogueScenario(
            name: "embed-directory",
            rule: "A directory pattern embeds its tree recursively, except files and directories starting with . or _.",
            files: embedDirectoryFiles(pattern: "static"),
            expectations: [
                .embedFiles("example.com/m/p", ["static/css/site.css", "static/index.html"]),
            ]),
        CatalogueScenario(
            name: "embed-all-prefix",
            rule: "The all: prefix embeds a directory tree including files and directories starting with . or _.",
            files: embedDirectoryFiles(pattern: "all:static"),
            expectations: [
                .embedFiles(
                    "example.com/m/p",
                    [
                        "static/.hidden", "static/.well-known/security.txt", "static/_draft.html",
                        "static/css/site.css", "static/index.html",
                    ]),
            ]),
        CatalogueScenario(
            name: "embed-glob-matches-hidden",
            rule: "A glob that names hidden files or directories directly (static/*) embeds them; only walks below a named directory skip them.",
            files: embedDirectoryFiles(pattern: "static/*"),
            expectations: [
                .embedFiles(
                    "example.com/m/p",
                    [
                        "static/.hidden", "static/.well-known/security.txt", "static/_draft.html",
                        "static/css/site.css", "static/index.html",
                    ]),
            ]),
        CatalogueScenario(
            name: "embed-testdata",
            rule: "Files under testdata/ can be embedded.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["testdata/golden.json", "testdata/fixtures"]),
                "p/testdata/golden.json": "{}\n",
                "p/testdata/fixtures/one.txt": "1\n",
                "p/testdata/fixtures/two.txt": "2\n",
            ],
            expectations: [
                .embedFiles("example.com/m/p", ["testdata/fixtures/one.txt", "testdata/fixtures/two.txt", "testdata/golden.json"]),
            ]),
        CatalogueScenario(
            name: "embed-in-test-only",
            rule: "An embed in a _test.go file is a test input, not an input of the package.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/p_test.go": embedFile("p", patterns: ["want.txt"]),
                "p/want.txt": "expected\n",
            ],
            expectations: [
                .embedFiles("example.com/m/p", []),
                .testEmbedPatterns("example.com/m/p", ["want.txt"]),
                .imports("example.com/m/p", []),
            ]),
        CatalogueScenario(
            name: "embed-no-match",
            rule: "A pattern that matches no file is an error of the package.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["missing*.txt"]),
                "p/present.txt": "x\n",
            ],
            expectations: [
                .error("example.com/m/p", "no matching files found"),
                .targets(["."]),
            ]),
        CatalogueScenario(
            name: "embed-only-hidden-files",
            rule: "A directory pattern whose tree has only hidden files is an error (no embeddable files).",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["assets"]),
                "p/assets/.keep": "",
                "p/assets/_private/x.txt": "x\n",
            ],
            expectations: [
                .error("example.com/m/p", "contains no embeddable files"),
            ]),
        CatalogueScenario(
            name: "embed-into-nested-module",
            rule: "A pattern reaching into a directory with its own go.mod is an error (different module).",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["sub/data.txt"]),
                "p/sub/go.mod": goMod("example.com/m/p/sub"),
                "p/sub/data.txt": "x\n",
            ],
            expectations: [
                .error("example.com/m/p", "in different module"),
            ]),
        CatalogueScenario(
            name: "embed-nested-module-directory",
            rule: "A directory pattern whose only content is a nested module is an error; the nested module is its own unit.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["plugin"]),
                "p/plugin/go.mod": goMod("example.com/plugin"),
                "p/plugin/plugin.go": goFile("plugin"),
            ],
            expectations: [
                .error("example.com/m/p", "plugin"),
                .clean("example.com/plugin"),
                .dir("example.com/plugin", "p/plugin"),
            ]),
        CatalogueScenario(
            name: "embed-invalid-pattern",
            rule: "A pattern with .. or a leading / is invalid.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["../shared.txt"]),
                "shared.txt": "x\n",
            ],
            expectations: [
                .error("example.com/m/p", "invalid pattern syntax"),
            ]),
        CatalogueScenario(
            name: "embed-several-in-one-file",
            rule: "Several //go:embed lines, several patterns per line and quoted patterns with spaces all add up, each file once.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": """
                    package p

                    import "embed"

                    //go:embed a.txt b.txt
                    var pair embed.FS

                    //go:embed "my file.txt" `raw name.txt`
                    var quoted embed.FS

                    //go:embed a.txt
                    //go:embed dir/*.txt
                    var again embed.FS

                    """,
                "p/a.txt": "a\n",
                "p/b.txt": "b\n",
                "p/my file.txt": "spaces\n",
                "p/raw name.txt": "raw\n",
                "p/dir/c.txt": "c\n",
                "p/dir/d.md": "d\n",
            ],
            expectations: [
                .embedFiles("example.com/m/p", ["a.txt", "b.txt", "dir/c.txt", "my file.txt", "raw name.txt"]),
                .imports("example.com/m/p", ["embed"]),
                .clean("example.com/m/p"),
            ]),
        CatalogueScenario(
            name: "embed-in-excluded-file",
            rule: "Embed patterns of a file excluded by build constraints are not used.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": embedFile("p", patterns: ["linux.txt"]),
                "p/p_windows.go": embedFile("p", patterns: ["windows.txt", "nothing-here*"]),
                "p/linux.txt": "l\n",
                "p/windows.txt": "w\n",
            ],
            expectations: [
                .embedFiles("example.com/m/p", ["linux.txt"]),
                .clean("example.com/m/p"),
            ]),
    ]

    /// A package `name` whose file embeds `patterns` (one directive) into an embed.FS.
    static func embedFile(_ name: String, patterns: [String]) -> String {
        """
        package \(name)

        import "embed"

        //go:embed \(patterns.joined(separator: " "))
        var files embed.FS

        """
    }

    /// A package p embedding `pattern` next to a static/ tree with hidden and _ entries.
    static func embedDirectoryFiles(pattern: String) -> [String: String] {
        [
            "go.mod": goMod("example.com/m"),
            "main.go": mainFile(importing: ["example.com/m/p"]),
            "p/p.go": embedFile("p", patterns: [pattern]),
            "p/static/index.html": "<html></html>\n",
            "p/static/css/site.css": "body {}\n",
            "p/static/.hidden": "secret\n",
            "p/static/_draft.html": "draft\n",
            "p/static/.well-known/security.txt": "contact\n",
        ]
    }
}
