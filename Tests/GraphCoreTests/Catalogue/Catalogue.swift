// Catalogue — small repositories, each exercising one rule of the go command, for differential
// tests of the graph loader against `go list`. CatalogueSuite proves with go list that every
// scenario exercises its rule; loader tests compare gocache's graph with the oracle on each.
import TestSupport

/// Every scenario of the catalogue.
enum Catalogue {
    static let all: [CatalogueScenario] =
        constraints + fileNames + cgo + embedding + modules + imports + targets
}

/// A go.mod for `module` declaring `go` and any further directives.
func goMod(_ module: String, go version: String = "1.22", _ directives: String = "") -> String {
    "module \(module)\n\ngo \(version)\n" + (directives.isEmpty ? "" : "\n\(directives)\n")
}

/// A Go file: optional leading constraint/comment lines, the package clause, imports, a body.
func goFile(_ package: String, header: String = "", imports: [String] = [], body: String = "") -> String {
    var text = header.isEmpty ? "" : header + "\n\n"
    text += "package \(package)\n"
    if !imports.isEmpty {
        text += "\nimport (\n" + imports.map { "\t\($0)\n" }.joined() + ")\n"
    }
    if !body.isEmpty { text += "\n" + body + "\n" }
    return text
}

/// `package main` with an empty `main` that blank-imports `imports`.
func mainFile(importing imports: [String] = []) -> String {
    goFile("main", imports: imports.map { "_ \"\($0)\"" }, body: "func main() {}")
}
