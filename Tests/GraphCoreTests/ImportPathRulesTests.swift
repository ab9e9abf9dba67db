// The fast path for plain import paths must agree with go's element-by-element check
// (module.CheckImportPath), Windows-reserved names included.
import Foundation
import Testing

@testable import GraphCore

@Suite("Import path rules")
struct ImportPathRulesTests {
    @Test("the plain-path fast path agrees with the element check")
    func fastPathAgrees() {
        var generator = SystemRandomNumberGenerator()
        let pieces = [
            "a", "pkg", "cmd", "con", "Con", "AUX", "aux.x", "com1", "COM9", "lpt0", "lpt10", "nul.go", "prn-", "x.y",
            "github.com", "-", "_", ".", "..", "v2", "Z", "9", "a.b.c", "conx", "co", "internal",
        ]
        var checked = 0
        for _ in 0..<20_000 {
            let count = Int.random(in: 1...4, using: &generator)
            var path = (0..<count).map { _ in pieces.randomElement(using: &generator)! }.joined(separator: "/")
            if Int.random(in: 0..<10, using: &generator) == 0 { path += "/" }
            if Int.random(in: 0..<10, using: &generator) == 0 { path = "/" + path }
            #expect(GoPathRules.importPathProblem(path) == GoPathRules.importPathProblemByElement(path), "\(path)")
            checked += 1
        }
        #expect(checked == 20_000)
        #expect(GoPathRules.importPathProblem("example.com/con/x") != nil)
        #expect(GoPathRules.importPathProblem("example.com/COM1.txt/x") != nil)
        #expect(GoPathRules.importPathProblem("example.com/cmd/api") == nil)
        #expect(GoPathRules.importPathProblem("example.com/console") == nil)
    }
}
