// The fast path for plain import and module paths must agree with x/mod's element-by-element
// check (module.CheckImportPath / CheckPath, as vendored in the go command), Windows-reserved
// names and the tilde rule included.
import Foundation
import Testing

@testable import GraphCore

@Suite("Import path rules")
struct ImportPathRulesTests {
    @Test("the plain-path fast path agrees with the element check")
    func fastPathAgrees() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "a", "pkg", "cmd", "con", "Con", "AUX", "aux.x", "com0", "com1", "COM9", "lpt0", "lpt10", "nul.go", "prn-",
            "x.y", "github.com", "-", "_", ".", "..", "v2", "Z", "9", "a.b.c", "conx", "co", "internal", "a~1", "a~",
            "~", "x~1.y", "a~b", "+x", "c++", ".x", "x.", "é", "a b", "LpT3", "",
        ]
        var plain = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...4, using: &generator)
            var path = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: "/")
            if Int.random(in: 0..<10, using: &generator) == 0 { path += "/" }
            if Int.random(in: 0..<10, using: &generator) == 0 { path = "/" + path }
            if Int.random(in: 0..<10, using: &generator) == 0 { path = "-" + path }
            for kind in [ModulePaths.Kind.importPath, .module] {
                let problem = ModulePaths.problem(path, kind: kind)
                #expect(ModulePaths.check(path, kind: kind) == problem, "\(path)")
                if ModulePaths.isPlainlyValid(path, kind: kind) {
                    plain += 1
                    #expect(problem == nil, "fast path accepted \(path): \(problem ?? "")")
                }
            }
        }
        #expect(plain > 1_000)
        #expect(GoPathRules.importPathProblem("example.com/con/x") != nil)
        #expect(GoPathRules.importPathProblem("example.com/COM1.txt/x") != nil)
        #expect(GoPathRules.importPathProblem("example.com/cmd/api") == nil)
        #expect(GoPathRules.importPathProblem("example.com/console") == nil)
        // x/mod (go1.27's vendored copy) reserves COM1–9 and LPT1–9, not COM0 or LPT0.
        #expect(GoPathRules.importPathProblem("example.com/com0/lpt0") == nil)
        #expect(GoPathRules.importPathProblem("-example.com/x") == "leading dash")
        #expect(GoPathRules.importPathProblem("example.com/a~12") == "trailing tilde and digits in path element")
        #expect(GoPathRules.importPathProblem("example.com/a~12.go/b") == "trailing tilde and digits in path element")
        #expect(GoPathRules.importPathProblem("example.com/a~b/c++") == nil)
        #expect(ModulePaths.check("example.com/.x", kind: .module) == "leading dot in path element")
        #expect(ModulePaths.check("example.com/.x", kind: .importPath) == nil)
    }
}
