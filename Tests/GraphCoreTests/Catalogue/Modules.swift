// Module-layout scenarios: vendor/, local replace, go.work, one go.mod per function, nested
// modules, ignored directories and the go.mod ignore directive.
import TestSupport

extension Catalogue {
    static let modules: [CatalogueScenario] = [
        CatalogueScenario(
            name: "vendored-module",
            rule: "With a vendor/modules.txt consistent with go.mod (go >= 1.14), imports of required modules resolve into vendor/.",
            files: [
                "go.mod": goMod("example.com/app", "require example.com/lib v1.2.0"),
                "cmd/app/main.go": mainFile(importing: ["example.com/lib/strutil"]),
                "vendor/modules.txt": "# example.com/lib v1.2.0\n## explicit; go 1.21\nexample.com/lib/strutil\nexample.com/lib/internal/fmtx\n",
                "vendor/example.com/lib/strutil/strutil.go": goFile(
                    "strutil", imports: ["_ \"example.com/lib/internal/fmtx\"", "_ \"strings\""]),
                "vendor/example.com/lib/internal/fmtx/fmtx.go": goFile("fmtx"),
                "vendor/example.com/lib/strutil/strutil_windows.go": goFile("strutil"),
            ],
            expectations: [
                .dir("example.com/lib/strutil", "vendor/example.com/lib/strutil"),
                .module("example.com/lib/strutil", "example.com/lib"),
                .goFiles("example.com/lib/strutil", ["strutil.go"]),
                .clean("example.com/lib/strutil"),
                .targets(["cmd/app"]),
                .deps(target: "cmd/app", ["example.com/lib/internal/fmtx", "example.com/lib/strutil"]),
            ]),
        CatalogueScenario(
            name: "vendor-mode-lookups",
            rule: "In vendor mode a package directory under vendor/ resolves even if modules.txt does not list it, and an import of a module not vendored fails.",
            files: [
                "go.mod": goMod("example.com/app", "require example.com/lib v1.2.0"),
                "main.go": mainFile(importing: ["example.com/lib/strutil", "example.com/lib/unlisted", "example.com/nowhere/x"]),
                "vendor/modules.txt": "# example.com/lib v1.2.0\n## explicit; go 1.21\nexample.com/lib/strutil\n",
                "vendor/example.com/lib/strutil/strutil.go": goFile("strutil"),
                "vendor/example.com/lib/unlisted/unlisted.go": goFile("unlisted"),
            ],
            expectations: [
                .dir("example.com/lib/unlisted", "vendor/example.com/lib/unlisted"),
                .clean("example.com/lib/unlisted"),
                .error("example.com/nowhere/x", "-mod=vendor"),
                .deps(target: ".", ["example.com/lib/strutil", "example.com/lib/unlisted", "example.com/nowhere/x"]),
            ]),
        CatalogueScenario(
            name: "replace-sibling-directory",
            rule: "A replace to a local directory makes that directory's files the required module's packages.",
            files: [
                "app/go.mod": goMod(
                    "example.com/app", "require example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib"),
                "app/main.go": mainFile(importing: ["example.com/lib/greet"]),
                "lib/go.mod": goMod("example.com/lib"),
                "lib/greet/greet.go": goFile("greet", imports: ["_ \"example.com/lib/internal/words\""]),
                "lib/internal/words/words.go": goFile("words"),
            ],
            expectations: [
                .dir("example.com/lib/greet", "lib/greet"),
                .module("example.com/lib/greet", "example.com/lib"),
                .answers("example.com/lib/greet", 1),
                .targets(["app"]),
                .deps(target: "app", ["example.com/lib/greet", "example.com/lib/internal/words"]),
            ]),
        CatalogueScenario(
            name: "replace-directory-without-go-mod",
            rule: "A replace to a local directory without a go.mod gives every package of that module an error and no files (its go.mod cannot be read); a replacement directory that does not exist fails every import of its module.",
            files: [
                "go.mod": goMod(
                    "example.com/m",
                    "require (\n\text.com/nogomod v1.0.0\n\text.com/gone v1.0.0\n)\n\nreplace ext.com/nogomod => ./nogomod\n\nreplace ext.com/gone => ./gone"),
                "cmd/f/main.go": mainFile(importing: ["ext.com/nogomod/p", "ext.com/nogomod/nothere", "ext.com/gone/x"]),
                "cmd/g/main.go": mainFile(),
                "nogomod/p/p.go": goFile("p"),
            ],
            expectations: [
                .targets(["cmd/f", "cmd/g"]),
                .error("ext.com/nogomod/p", "module ./nogomod: reading nogomod/go.mod: open "),
                .goFiles("ext.com/nogomod/p", []),
                .error("ext.com/nogomod/nothere", "reading "),
                .error("ext.com/gone/x", "ext.com/gone@v1.0.0: replacement directory ./gone does not exist"),
                .dir("example.com/m/nogomod/p", "nogomod/p"),
                .clean("example.com/m/cmd/g"),
            ]),
        CatalogueScenario(
            name: "replace-with-different-path",
            rule: "A replacement directory's own module line need not match: packages keep the required module's path (and the directory, a module itself, lists them under its own).",
            files: [
                "go.mod": goMod("example.com/app", "require example.com/old v1.0.0\n\nreplace example.com/old v1.0.0 => ./third_party/new"),
                "main.go": mainFile(importing: ["example.com/old/api"]),
                "third_party/new/go.mod": goMod("example.com/new"),
                "third_party/new/api/api.go": goFile("api"),
            ],
            expectations: [
                .dir("example.com/old/api", "third_party/new/api"),
                .module("example.com/old/api", "example.com/old"),
                .dir("example.com/new/api", "third_party/new/api"),
                .deps(target: ".", ["example.com/old/api"]),
            ]),
        CatalogueScenario(
            name: "go-work-two-modules",
            rule: "A root go.work joins its use modules: they import each other without require or replace.",
            files: [
                "go.work": "go 1.22\n\nuse (\n\t./svc\n\t./shared\n)\n",
                "svc/go.mod": goMod("example.com/svc"),
                "svc/cmd/api/main.go": mainFile(importing: ["example.com/shared/log"]),
                "shared/go.mod": goMod("example.com/shared"),
                "shared/log/log.go": goFile("log", imports: ["_ \"fmt\""]),
                "shared/cmd/tool/main.go": mainFile(),
            ],
            expectations: [
                .dir("example.com/shared/log", "shared/log"),
                .module("example.com/shared/log", "example.com/shared"),
                .clean("example.com/shared/log"),
                .targets(["shared/cmd/tool", "svc/cmd/api"]),
                .deps(target: "svc/cmd/api", ["example.com/shared/log"]),
                .deps(target: "shared/cmd/tool", []),
            ]),
        CatalogueScenario(
            name: "go-work-version-replace-leaves-go-mod-replace",
            rule: "A go.work replace of one version that is not the selected one leaves a module's go.mod replace of all versions in force (go.work's replacements are consulted first, then the modules').",
            files: [
                "go.work": "go 1.22\n\nuse ./a\n\nreplace ext.com/dep v1.0.1 => ./depw\n",
                "a/go.mod": goMod("example.com/a", "require ext.com/dep v1.0.0\n\nreplace ext.com/dep => ../depa"),
                "a/cmd/f/main.go": mainFile(importing: ["ext.com/dep/p"]),
                "depa/go.mod": goMod("ext.com/dep", go: "1.20"),
                "depa/p/p.go": goFile("p"),
                "depw/go.mod": goMod("ext.com/dep", go: "1.20"),
                "depw/q/q.go": goFile("q"),
            ],
            expectations: [
                .targets(["a/cmd/f"]),
                .deps(target: "a/cmd/f", ["ext.com/dep/p"]),
                .dir("ext.com/dep/p", "depa/p"),
                .clean("ext.com/dep/p"),
            ]),
        CatalogueScenario(
            name: "go-work-with-outside-module",
            rule: "A module under the root that go.work does not use is its own main module and cannot see workspace modules.",
            files: [
                "go.work": "go 1.22\n\nuse ./a\n",
                "a/go.mod": goMod("example.com/a"),
                "a/lib/lib.go": goFile("lib"),
                "a/main.go": mainFile(importing: ["example.com/a/lib"]),
                "b/go.mod": goMod("example.com/b"),
                "b/main.go": mainFile(importing: ["example.com/a/lib"]),
            ],
            expectations: [
                .targets(["a", "b"]),
                .deps(target: "a", ["example.com/a/lib"]),
                .deps(target: "b", ["example.com/a/lib"]),
                .answers("example.com/a/lib", 2),
            ]),
        CatalogueScenario(
            name: "module-per-function",
            rule: "Without go.work every go.mod is its own main module; functions share code through local replace.",
            files: [
                "functions/create-order/go.mod": goMod(
                    "example.com/functions/create-order",
                    "require example.com/shared v0.0.0\n\nreplace example.com/shared => ../../shared"),
                "functions/create-order/main.go": mainFile(importing: ["example.com/shared/orders"]),
                "functions/list-orders/go.mod": goMod(
                    "example.com/functions/list-orders",
                    "require example.com/shared v0.0.0\n\nreplace example.com/shared => ../../shared"),
                "functions/list-orders/main.go": mainFile(importing: ["example.com/shared/db"]),
                "shared/go.mod": goMod("example.com/shared"),
                "shared/orders/orders.go": goFile("orders", imports: ["_ \"example.com/shared/db\""]),
                "shared/db/db.go": goFile("db"),
            ],
            expectations: [
                .targets(["functions/create-order", "functions/list-orders"]),
                .deps(target: "functions/create-order", ["example.com/shared/db", "example.com/shared/orders"]),
                .deps(target: "functions/list-orders", ["example.com/shared/db"]),
                .dir("example.com/shared/db", "shared/db"),
                .answers("example.com/shared/db", 1),
            ]),
        CatalogueScenario(
            name: "nested-module-excluded",
            rule: "./... stops at a directory with its own go.mod; that directory is a separate main module.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/lib"]),
                "lib/lib.go": goFile("lib"),
                "tools/go.mod": goMod("example.com/m/tools"),
                "tools/gen/main.go": mainFile(),
                "tools/internal/x/x.go": goFile("x"),
            ],
            expectations: [
                .targets([".", "tools/gen"]),
                .module("example.com/m/tools/gen", "example.com/m/tools"),
                .module("example.com/m/tools/internal/x", "example.com/m/tools"),
                .deps(target: ".", ["example.com/m/lib"]),
            ]),
        CatalogueScenario(
            name: "nested-module-import-error",
            rule: "Importing a package of a nested module from the outer module (no require) is an error.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/plugins/x"]),
                "plugins/go.mod": goMod("example.com/m/plugins"),
                "plugins/x/x.go": goFile("x"),
            ],
            expectations: [
                .answers("example.com/m/plugins/x", 2),
                .targets(["."]),
                .deps(target: ".", ["example.com/m/plugins/x"]),
            ]),
        CatalogueScenario(
            name: "ignored-directories",
            rule: "./... skips testdata/, _x/ and .x/ directories, and a main package there is no target.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(),
                "testdata/tool/main.go": mainFile(),
                "testdata/lib/lib.go": goFile("main"),
                "_examples/demo/main.go": mainFile(),
                ".github/scripts/main.go": mainFile(),
                "pkg/testdata/x.go": goFile("x"),
            ],
            expectations: [
                .targets(["."]),
                .absent("example.com/m/testdata/tool"),
                .absent("example.com/m/testdata/lib"),
                .absent("example.com/m/_examples/demo"),
                .absent("example.com/m/.github/scripts"),
                .absent("example.com/m/pkg/testdata"),
            ]),
        CatalogueScenario(
            name: "ignored-directory-still-importable",
            rule: "A package under an ignored directory (_x/) is not matched by ./... but can still be imported.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/_internal/util"]),
                "_internal/util/util.go": goFile("util"),
                "_internal/cmd/main.go": mainFile(),
            ],
            expectations: [
                .targets(["."]),
                .dir("example.com/m/_internal/util", "_internal/util"),
                .deps(target: ".", ["example.com/m/_internal/util"]),
                .absent("example.com/m/_internal/cmd"),
            ]),
        CatalogueScenario(
            name: "go-mod-ignore-directive",
            rule: "The go.mod ignore directive hides a directory from ./... (so its main packages are no targets), though imports into it still resolve.",
            files: [
                "go.mod": goMod("example.com/m", go: "1.25", "ignore (\n\t./generated\n\tnode_modules\n)"),
                "main.go": mainFile(importing: ["example.com/m/generated/api"]),
                "generated/api/api.go": goFile("api"),
                "generated/cmd/gen/main.go": mainFile(),
                "node_modules/pkg/main.go": mainFile(),
                "web/node_modules/x/main.go": mainFile(),
            ],
            expectations: [
                .targets(["."]),
                .absent("example.com/m/web/node_modules/x"),
                .absent("example.com/m/generated/cmd/gen"),
                .absent("example.com/m/node_modules/pkg"),
                .dir("example.com/m/generated/api", "generated/api"),
                .deps(target: ".", ["example.com/m/generated/api"]),
            ]),
        CatalogueScenario(
            name: "go-mod-ignore-is-per-module",
            rule: "A go.mod ignore directive applies to its own module only: the root's `ignore cmd` and `ignore ./sub2/tools` hide nothing of the nested modules sub/ and sub2/.",
            files: [
                "go.mod": goMod("example.com/m", go: "1.25", "ignore cmd\nignore ./sub2/tools"),
                "main.go": mainFile(),
                "cmd/a/main.go": mainFile(),
                "sub/go.mod": goMod("example.com/sub", go: "1.25"),
                "sub/cmd/b/main.go": mainFile(),
                "sub2/go.mod": goMod("example.com/sub2", go: "1.25", "ignore ./cmd"),
                "sub2/tools/c/main.go": mainFile(),
                "sub2/cmd/d/main.go": mainFile(),
            ],
            expectations: [
                .targets([".", "sub/cmd/b", "sub2/tools/c"]),
                .absent("example.com/m/cmd/a"),
                .absent("example.com/sub2/cmd/d"),
            ]),
        CatalogueScenario(
            name: "vendor-dir-skipped-by-pattern",
            rule: "./... never matches vendor/ directories, even nested ones.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(),
                "internal/vendor/thing/main.go": mainFile(),
                "internal/lib/lib.go": goFile("lib"),
            ],
            expectations: [
                .targets(["."]),
                .absent("example.com/m/internal/vendor/thing"),
                .clean("example.com/m/internal/lib"),
            ]),
    ]
}
