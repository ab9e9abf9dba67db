// cgo and non-Go file scenarios: cgo files with CGO_ENABLED on and off, .c/.h/.s/.syso files.
import TestSupport

extension Catalogue {
    static let cgo: [CatalogueScenario] = [
        CatalogueScenario(
            name: "cgo-enabled",
            rule: "With CGO_ENABLED=1 a file importing \"C\" is a cgo file, and the directory's .c and .h files belong to the package.",
            files: cgoFiles,
            platform: GoPlatform(cgoEnabled: true),
            expectations: [
                .cgoFiles("example.com/m/native", ["native.go"]),
                .goFiles("example.com/m/native", ["common.go"]),
                .ignoredGoFiles("example.com/m/native", ["fallback.go"]),
                .otherFiles("example.com/m/native", ["helper.c", "helper.h"]),
                .imports("example.com/m/native", ["C"]),
                .clean("example.com/m/native"),
            ]),
        CatalogueScenario(
            name: "cgo-disabled",
            rule: "With CGO_ENABLED=0 a cgo file is ignored, the !cgo fallback is built, .c files drop out and .h files stay.",
            files: cgoFiles,
            expectations: [
                .cgoFiles("example.com/m/native", []),
                .goFiles("example.com/m/native", ["common.go", "fallback.go"]),
                .ignoredGoFiles("example.com/m/native", ["native.go"]),
                .otherFiles("example.com/m/native", ["helper.h"]),
                .imports("example.com/m/native", []),
                .clean("example.com/m/native"),
            ]),
        CatalogueScenario(
            name: "c-files-without-cgo-files",
            rule: "With cgo on, a .c file in a package without cgo files is an error (C source files not allowed).",
            files: strayCFiles,
            platform: GoPlatform(cgoEnabled: true),
            expectations: [
                .error("example.com/m/p", "C source files not allowed"),
                .otherFiles("example.com/m/p", ["stray.c", "stray.h", "stray_amd64.s"]),
            ]),
        CatalogueScenario(
            name: "c-files-with-cgo-disabled",
            rule: "With cgo off, .c files are dropped silently (no error) while .h and .s files remain.",
            files: strayCFiles,
            expectations: [
                .clean("example.com/m/p"),
                .otherFiles("example.com/m/p", ["stray.h", "stray_amd64.s"]),
            ]),
        CatalogueScenario(
            name: "assembly-and-syso",
            rule: "Assembly (.s) and .syso files follow the same file-name and //go:build rules as Go files.",
            files: [
                "go.mod": goMod("example.com/m"),
                "main.go": mainFile(importing: ["example.com/m/p"]),
                "p/p.go": goFile("p", body: "func Add(a, b int) int"),
                "p/add_amd64.s": "#include \"textflag.h\"\n\nTEXT ·Add(SB),NOSPLIT,$0-24\n\tRET\n",
                "p/add_arm64.s": "#include \"textflag.h\"\n\nTEXT ·Add(SB),NOSPLIT,$0-24\n\tRET\n",
                "p/tagged.s": "//go:build windows\n\n#include \"textflag.h\"\n",
                "p/rsrc_linux_amd64.syso": "not really an object file\n",
                "p/rsrc_windows_amd64.syso": "not really an object file\n",
            ],
            expectations: [
                .otherFiles("example.com/m/p", ["add_amd64.s", "rsrc_linux_amd64.syso"]),
                .goFiles("example.com/m/p", ["p.go"]),
            ]),
        CatalogueScenario(
            name: "foreign-sources-with-cgo",
            rule: "With cgo on, C++, Objective-C and Fortran files in a package without cgo or SWIG files are errors; SWIG files allow them and import unsafe, runtime/cgo, syscall and sync.",
            files: foreignSources,
            platform: GoPlatform(cgoEnabled: true),
            expectations: [
                .error("example.com/m/cxx", "C++ source files not allowed when not using cgo or SWIG: y.cc"),
                .error("example.com/m/objc", "Objective-C source files not allowed when not using cgo or SWIG: z.m"),
                .error("example.com/m/fortran", "Fortran source files not allowed when not using cgo or SWIG: f.f90"),
                .otherFiles("example.com/m/fortran", ["f.f90"]),
                .clean("example.com/m/swig"),
                .otherFiles("example.com/m/swig", ["s.swig", "y.cc"]),
                .clean("sync"),
                .error("example.com/m/late", "use of internal package example.com/m/cxx/internal/x not allowed"),
            ]),
        CatalogueScenario(
            name: "foreign-sources-with-cgo-disabled",
            rule: "With cgo off, C++, Objective-C and SWIG files drop out silently but Fortran files stay, and are an error; SWIG's imports remain.",
            files: foreignSources,
            expectations: [
                .clean("example.com/m/cxx"),
                .otherFiles("example.com/m/cxx", []),
                .clean("example.com/m/objc"),
                .error("example.com/m/fortran", "Fortran source files not allowed when not using cgo or SWIG: f.f90"),
                .otherFiles("example.com/m/fortran", ["f.f90"]),
                .otherFiles("example.com/m/swig", []),
                .clean("sync"),
            ]),
    ]

    /// One package per foreign source kind; `late` holds a C++ file and an import error,
    /// which the go command reports first.
    static let foreignSources: [String: String] = [
        "go.mod": goMod("example.com/m"),
        "main.go": mainFile(importing: [
            "example.com/m/cxx", "example.com/m/objc", "example.com/m/fortran", "example.com/m/swig", "example.com/m/late",
        ]),
        "cxx/d.go": goFile("cxx"),
        "cxx/y.cc": "int y() { return 0; }\n",
        "cxx/internal/x/x.go": goFile("x"),
        "objc/d.go": goFile("objc"),
        "objc/z.m": "int z(void) { return 0; }\n",
        "fortran/d.go": goFile("fortran"),
        "fortran/f.f90": "program f\nend program f\n",
        "swig/d.go": goFile("swig"),
        "swig/s.swig": "%module swig\n",
        "swig/y.cc": "int y() { return 0; }\n",
        "late/d.go": goFile("late", imports: ["_ \"example.com/m/cxx/internal/x\""]),
        "late/y.cc": "int y() { return 0; }\n",
    ]

    static let strayCFiles: [String: String] = [
        "go.mod": goMod("example.com/m"),
        "main.go": mainFile(importing: ["example.com/m/p"]),
        "p/p.go": goFile("p"),
        "p/stray.c": "int stray(void) { return 0; }\n",
        "p/stray.h": "int stray(void);\n",
        "p/stray_amd64.s": "// nothing\n",
    ]

    static let cgoFiles: [String: String] = [
        "go.mod": goMod("example.com/m"),
        "cmd/tool/main.go": mainFile(importing: ["example.com/m/native"]),
        "native/common.go": goFile("native"),
        "native/native.go": """
            //go:build cgo

            package native

            // #include "helper.h"
            import "C"

            func Answer() int { return int(C.answer()) }

            """,
        "native/fallback.go": goFile("native", header: "//go:build !cgo", body: "func Answer() int { return 42 }"),
        "native/helper.h": "int answer(void);\n",
        "native/helper.c": "//go:build cgo\n\n#include \"helper.h\"\n\nint answer(void) { return 42; }\n",
    ]
}
