// The gocache executable is identified by its GNU build id (the same build installed anew
// keeps its memos), else by path and stat data.
import Foundation
import Testing
import TestSupport

@testable import GoBuild

@Suite("Executable identity")
struct ExecutableIdentityTests {
    /// A minimal 64-bit little-endian ELF file: a header, one program header (`PT_NOTE`),
    /// and the notes `notes` (each `(name, type, description)`).
    static func elf(notes: [(name: String, type: Int, description: [UInt8])], noteType: Int = 4) -> [UInt8] {
        func le(_ value: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
        func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4) }
        var body: [UInt8] = []
        for note in notes {
            let name = Array(note.name.utf8) + [0]
            body += le(name.count, 4) + le(note.description.count, 4) + le(note.type, 4)
            body += padded(name) + padded(note.description)
        }
        var header: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1] + [UInt8](repeating: 0, count: 9)
        header += le(2, 2) + le(62, 2) + le(1, 4) + le(0, 8) + le(64, 8) + le(0, 8) + le(0, 4)
        header += le(64, 2) + le(56, 2) + le(1, 2) + le(0, 2) + le(0, 2) + le(0, 2)
        let program = le(noteType, 4) + le(4, 4) + le(120, 8) + le(0, 8) + le(0, 8) + le(body.count, 8) + le(body.count, 8) + le(4, 8)
        return header + program + body
    }

    /// Writes `bytes` to a new file in `directory`; returns its path.
    static func write(_ bytes: [UInt8], in directory: String) throws -> String {
        let path = directory + "/exe-" + UUID().uuidString
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("the GNU build id note is found among other notes; files without one give none")
    func buildID() throws {
        let directory = try GitFixture.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func write(_ bytes: [UInt8]) throws -> String { try Self.write(bytes, in: directory) }
        let id: [UInt8] = (0..<20).map { UInt8($0 * 7 + 1) }
        let withID = try write(Self.elf(notes: [("GNU", 1, [1, 0, 0, 0, 2, 0, 0, 0]), ("Go", 4, [9, 9, 9]), ("GNU", 3, id)]))
        #expect(ExecutableIdentity.gnuBuildID(withID) == id)
        // Another file with the same id (a copy, a reinstall): the same identity.
        let copy = try write(try #require(FileManager.default.contents(atPath: withID)).map { $0 })
        #expect(ExecutableIdentity.gnuBuildID(copy) == id)
        // No build id note, an id note of another owner, a note segment of another type, a
        // truncated file, not an ELF file: none.
        #expect(ExecutableIdentity.gnuBuildID(try write(Self.elf(notes: [("GNU", 1, [1, 2, 3, 4])]))) == nil)
        #expect(ExecutableIdentity.gnuBuildID(try write(Self.elf(notes: [("LLVM", 3, id)]))) == nil)
        #expect(ExecutableIdentity.gnuBuildID(try write(Self.elf(notes: [("GNU", 3, id)], noteType: 1))) == nil)
        #expect(ExecutableIdentity.gnuBuildID(try write(Array(Self.elf(notes: [("GNU", 3, id)]).prefix(130)))) == nil)
        #expect(ExecutableIdentity.gnuBuildID(try write(Array("#!/bin/sh\necho hello\n".utf8))) == nil)
        #expect(ExecutableIdentity.gnuBuildID("/nonexistent/gocache") == nil)
    }

    @Test("the built gocache has a build id (else its memos would be keyed by its stat data)")
    func builtBinary() throws {
        let binary = try #require(GocacheCLI.binary())
        let id = try #require(ExecutableIdentity.gnuBuildID(binary))
        #expect(id.count >= 16)
    }

    @Test("the go toolchain is named by its build id: a copy with new stat data keeps the name, another binary does not", .enabled(if: TestSupport.GoToolchain.isConfigured))
    func toolchainIdentity() throws {
        let go = (try #require(TestSupport.GoToolchain.current()).executable as NSString).resolvingSymlinksInPath
        #expect(ExecutableIdentity.buildID(go) != nil, "the go command's linker writes a build id")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gocache-go-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let copy = directory + "/go"
        try FileManager.default.copyItem(atPath: go, toPath: copy)
        let named = try #require(GoBuild.GoToolchain.identity(of: copy))
        // Installed anew: another inode, other times — the same binary.
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: go, toPath: copy)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: copy)
        #expect(GoBuild.GoToolchain.identity(of: copy) == named)
        // Another binary at the same path: another name.
        try FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: try #require(GocacheCLI.binary()), toPath: copy)
        #expect(GoBuild.GoToolchain.identity(of: copy) != named)
    }
}
