// Target scenarios: which package main directories are binaries, per layout and platform.
import TestSupport

extension Catalogue {
    static let targets: [CatalogueScenario] = [
        CatalogueScenario(
            name: "cmd-tools",
            rule: "Every package main matched by ./... is a target, e.g. each cmd/<tool>.",
            files: [
                "go.mod": goMod("example.com/m"),
                "cmd/api/main.go": mainFile(importing: ["example.com/m/internal/server"]),
                "cmd/worker/main.go": mainFile(importing: ["example.com/m/internal/queue"]),
                "cmd/worker/flags.go": goFile("main"),
                "internal/server/server.go": goFile("server", imports: ["_ \"example.com/m/internal/queue\""]),
                "internal/queue/queue.go": goFile("queue"),
            ],
            expectations: [
                .targets(["cmd/api", "cmd/worker"]),
                .deps(target: "cmd/api", ["example.com/m/internal/queue", "example.com/m/internal/server"]),
                .deps(target: "cmd/worker", ["example.com/m/internal/queue"]),
                .goFiles("example.com/m/cmd/worker", ["flags.go", "main.go"]),
            ]),
        CatalogueScenario(
            name: "root-main",
            rule: "A package main at the module root is a target in directory \".\" with the module path as import path.",
            files: [
                "go.mod": goMod("example.com/rootmain"),
                "main.go": mainFile(importing: ["example.com/rootmain/util"]),
                "util/util.go": goFile("util"),
            ],
            expectations: [
                .targets(["."]),
                .name("example.com/rootmain", "main"),
                .deps(target: ".", ["example.com/rootmain/util"]),
            ]),
        CatalogueScenario(
            name: "library-only-module",
            rule: "A module without package main has no targets.",
            files: [
                "go.mod": goMod("example.com/lib"),
                "lib.go": goFile("lib"),
                "sub/sub.go": goFile("sub"),
            ],
            expectations: [
                .targets([]),
                .clean("example.com/lib"),
                .clean("example.com/lib/sub"),
            ]),
        CatalogueScenario(
            name: "target-per-platform-windows",
            rule: "Whether a directory is a target depends on GOOS: ./... does not match a main whose files are all _linux on windows.",
            files: targetPlatformFiles,
            platform: GoPlatform(goos: "windows"),
            expectations: [
                .targets(["cmd/everywhere", "cmd/winonly"]),
                .absent("example.com/m/cmd/linuxonly"),
                .deps(target: "cmd/everywhere", ["example.com/m/plat"]),
                .goFiles("example.com/m/plat", ["plat.go", "plat_windows.go"]),
            ]),
        CatalogueScenario(
            name: "target-per-platform-linux-arm64",
            rule: "On linux/arm64 the linux-only main is a target and the windows-only one is not.",
            files: targetPlatformFiles,
            platform: GoPlatform(goos: "linux", goarch: "arm64"),
            expectations: [
                .targets(["cmd/everywhere", "cmd/linuxonly"]),
                .absent("example.com/m/cmd/winonly"),
                .goFiles("example.com/m/plat", ["plat.go", "plat_arm64.go", "plat_linux.go"]),
            ]),
        CatalogueScenario(
            name: "main-with-tests-only",
            rule: "A directory with only package main _test.go files is listed as package main without Go files, and is no target.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(),
                "e2e/e2e_test.go": goFile("main", imports: ["\"testing\""], body: "func TestE2E(t *testing.T) {}"),
            ],
            expectations: [
                .targets(["."]),
                .name("example.com/m/e2e", "main"),
                .goFiles("example.com/m/e2e", []),
                .testGoFiles("example.com/m/e2e", ["e2e_test.go"]),
            ]),
        CatalogueScenario(
            name: "main-with-external-test",
            rule: "A main package may have a main_test external test package; the target is unaffected.",
            files: [
                "go.mod": goMod("example.com/m"),
                "cmd/app/main.go": mainFile(),
                "cmd/app/main_test.go": goFile("main_test", imports: ["\"testing\""], body: "func TestApp(t *testing.T) {}"),
            ],
            expectations: [
                .targets(["cmd/app"]),
                .xTestGoFiles("example.com/m/cmd/app", ["main_test.go"]),
                .deps(target: "cmd/app", []),
            ]),
        CatalogueScenario(
            name: "generator-beside-library",
            rule: "An ignore-tagged package main generator next to a library neither conflicts nor becomes a target.",
            files: [
                "go.mod": goMod("example.com/m"),
                "gen/lib.go": goFile("gen", body: "//go:generate go run gen_tables.go"),
                "gen/gen_tables.go": goFile("main", header: "//go:build ignore", imports: ["_ \"example.com/m/model\""], body: "func main() {}"),
                "model/model.go": goFile("model"),
            ],
            expectations: [
                .targets([]),
                .name("example.com/m/gen", "gen"),
                .ignoredGoFiles("example.com/m/gen", ["gen_tables.go"]),
                .imports("example.com/m/gen", []),
            ]),
    ]

    static let targetPlatformFiles: [String: String] = [
        "go.mod": goMod("example.com/m"),
        "cmd/everywhere/main.go": mainFile(importing: ["example.com/m/plat"]),
        "cmd/linuxonly/main_linux.go": mainFile(),
        "cmd/winonly/main_windows.go": mainFile(),
        "plat/plat.go": goFile("plat"),
        "plat/plat_windows.go": goFile("plat"),
        "plat/plat_linux.go": goFile("plat"),
        "plat/plat_arm64.go": goFile("plat"),
    ]
}
