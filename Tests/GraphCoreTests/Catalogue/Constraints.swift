// Build-constraint scenarios: //go:build expressions, legacy // +build lines, custom, release,
// `unix`, `cgo` and `ignore` tags.
import TestSupport

extension Catalogue {
    static let constraints: [CatalogueScenario] = [
        CatalogueScenario(
            name: "go-build-and-or-not",
            rule: "A //go:build line is a boolean expression over tags with &&, ||, ! and parentheses.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/all.go": goFile("p"),
                "p/and.go": goFile("p", header: "//go:build linux && amd64"),
                "p/or.go": goFile("p", header: "//go:build windows || darwin"),
                "p/not.go": goFile("p", header: "//go:build !windows"),
                "p/paren.go": goFile("p", header: "//go:build (linux || darwin) && !arm64"),
                "p/notparen.go": goFile("p", header: "//go:build !(linux && amd64)"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["all.go", "and.go", "not.go", "paren.go"]),
                .ignoredGoFiles("example.com/m/p", ["notparen.go", "or.go"]),
                .clean("example.com/m/p"),
            ]),
        CatalogueScenario(
            name: "plus-build-legacy",
            rule: "Without //go:build, // +build lines apply: a comma is AND, a space is OR, several lines are ANDed.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/comma.go": goFile("p", header: "// +build linux,amd64"),
                "p/commano.go": goFile("p", header: "// +build linux,arm64"),
                "p/space.go": goFile("p", header: "// +build windows linux"),
                "p/two.go": goFile("p", header: "// +build linux\n// +build !amd64"),
                "p/negated.go": goFile("p", header: "// +build !windows"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["comma.go", "negated.go", "p.go", "space.go"]),
                .ignoredGoFiles("example.com/m/p", ["commano.go", "two.go"]),
            ]),
        CatalogueScenario(
            name: "go-build-overrides-plus-build",
            rule: "When a file has both, //go:build decides and // +build lines are ignored.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/gobuildyes.go": goFile("p", header: "//go:build linux\n// +build windows"),
                "p/gobuildno.go": goFile("p", header: "//go:build windows\n// +build linux"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["gobuildyes.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["gobuildno.go"]),
            ]),
        CatalogueScenario(
            name: "constraint-placement",
            rule: "A constraint counts only in the leading comments before the package clause; a // +build line also needs a blank line after it.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/after.go": "package p\n\n//go:build windows\n",
                "p/nogap.go": "// +build windows\npackage p\n",
                "p/doc.go": "// Copyright notice.\n\n// +build windows\n\npackage p\n",
                "p/gobuildnogap.go": "// Leading comment.\n//go:build windows\npackage p\n",
            ],
            expectations: [
                .goFiles("example.com/m/p", ["after.go", "nogap.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["doc.go", "gobuildnogap.go"]),
            ]),
        CatalogueScenario(
            name: "custom-tags-set",
            rule: "Tags given with -tags satisfy //go:build terms of the same name.",
            files: customTagFiles,
            platform: GoPlatform(tags: ["foo", "bar"]),
            expectations: [
                .goFiles("example.com/m/p", ["bar.go", "foo.go", "foobar.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["baz.go", "notfoo.go"]),
            ]),
        CatalogueScenario(
            name: "custom-tags-unset",
            rule: "Without -tags, a custom tag is false and its negation true.",
            files: customTagFiles,
            expectations: [
                .goFiles("example.com/m/p", ["notfoo.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["bar.go", "baz.go", "foo.go", "foobar.go"]),
            ]),
        CatalogueScenario(
            name: "ignore-tag",
            rule: "//go:build ignore excludes a file, even one with a different package clause, so it causes no conflict.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/gen.go": goFile("main", header: "//go:build ignore", body: "func main() {}"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["p.go"]),
                .ignoredGoFiles("example.com/m/p", ["gen.go"]),
                .name("example.com/m/p", "p"),
                .clean("example.com/m/p"),
                .targets(["."]),
            ]),
        CatalogueScenario(
            name: "unix-tag-on-linux",
            rule: "The unix tag is satisfied on Unix-like GOOS values such as linux.",
            files: unixTagFiles,
            expectations: [
                .goFiles("example.com/m/p", ["p.go", "unix.go"]),
                .ignoredGoFiles("example.com/m/p", ["nounix.go"]),
            ]),
        CatalogueScenario(
            name: "unix-tag-on-windows",
            rule: "The unix tag is not satisfied on windows.",
            files: unixTagFiles,
            platform: GoPlatform(goos: "windows"),
            expectations: [
                .goFiles("example.com/m/p", ["nounix.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["unix.go"]),
            ]),
        CatalogueScenario(
            name: "release-tags",
            rule: "goN.M tags hold for every release up to the toolchain's (go1.21 yes, go1.99 no).",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/old.go": goFile("p", header: "//go:build go1.21"),
                "p/notold.go": goFile("p", header: "//go:build !go1.21"),
                "p/future.go": goFile("p", header: "//go:build go1.99"),
                "p/notfuture.go": goFile("p", header: "//go:build !go1.99"),
                "p/oldest.go": goFile("p", header: "// +build go1.1"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["notfuture.go", "old.go", "oldest.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["future.go", "notold.go"]),
            ]),
        CatalogueScenario(
            name: "gc-and-goos-tags",
            rule: "The compiler name (gc) and the GOOS and GOARCH values are tags; gccgo is not.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/gc.go": goFile("p", header: "//go:build gc"),
                "p/gccgo.go": goFile("p", header: "//go:build gccgo"),
                "p/arch.go": goFile("p", header: "//go:build arm64"),
                "p/os.go": goFile("p", header: "//go:build windows"),
            ],
            platform: GoPlatform(goos: "windows", goarch: "arm64"),
            expectations: [
                .goFiles("example.com/m/p", ["arch.go", "gc.go", "os.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["gccgo.go"]),
            ]),
        CatalogueScenario(
            name: "cgo-tag",
            rule: "The cgo tag is true exactly when CGO_ENABLED=1.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p"),
                "p/withcgo.go": goFile("p", header: "//go:build cgo"),
                "p/nocgo.go": goFile("p", header: "//go:build !cgo"),
            ],
            expectations: [
                .goFiles("example.com/m/p", ["nocgo.go", "p.go"]),
                .ignoredGoFiles("example.com/m/p", ["withcgo.go"]),
            ]),
        CatalogueScenario(
            name: "no-files-after-constraints",
            rule: "A package whose every file is excluded by constraints is an error, reported for the package and its importers.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/win"]),
                "win/win.go": goFile("win", header: "//go:build windows"),
                "win/win_windows.go": goFile("win"),
            ],
            expectations: [
                .error("example.com/m/win", "build constraints exclude all Go files"),
                .ignoredGoFiles("example.com/m/win", ["win.go", "win_windows.go"]),
                .goFiles("example.com/m/win", []),
                .targets(["."]),
                .deps(target: ".", ["example.com/m/win"]),
            ]),
    ]

    static let customTagFiles: [String: String] = [
        "go.mod": goMod("example.com/m"),
        "main.go": mainFile(importing: ["example.com/m/p"]),
        "p/p.go": goFile("p"),
        "p/foo.go": goFile("p", header: "//go:build foo"),
        "p/bar.go": goFile("p", header: "// +build bar"),
        "p/foobar.go": goFile("p", header: "//go:build foo && bar"),
        "p/notfoo.go": goFile("p", header: "//go:build !foo"),
        "p/baz.go": goFile("p", header: "//go:build baz"),
    ]

    static let unixTagFiles: [String: String] = [
        "go.mod": goMod("example.com/m"),
        "main.go": mainFile(importing: ["example.com/m/p"]),
        "p/p.go": goFile("p"),
        "p/unix.go": goFile("p", header: "//go:build unix"),
        "p/nounix.go": goFile("p", header: "//go:build !unix"),
    ]
}
