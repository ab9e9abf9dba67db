import CacheStore
import Foundation
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    @Test("known vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(input: String, expected: String) throws {
        #expect(try SHA256Hasher.hash(Array(input.utf8)).hex == expected)
    }

    @Test func millionAs() throws {
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(try SHA256Hasher.hash(bytes).hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func oneMebibyteMatchesSha256sum() throws {
        let scratch = try ScratchDirectory()
        for size in [1 << 20, (1 << 20) + 1, 5 * (1 << 20) / 2] {
            let bytes = pseudoRandomBytes(size, seed: UInt64(size))
            let path = try scratch.write("blob-\(size)", bytes)
            let fromFile = try SHA256Hasher.hash(fileAt: path)
            #expect(fromFile == (try SHA256Hasher.hash(bytes)))
            if let reference = try sha256sum(path) {
                #expect(fromFile.hex == reference)
            }
        }
    }

    @Test func incrementalEqualsOneShot() throws {
        let bytes = pseudoRandomBytes(100_003, seed: 7)
        var hasher = SHA256Hasher()
        var offset = 0
        var step = 1
        while offset < bytes.count {
            let end = min(bytes.count, offset + step)
            hasher.update(bytes[offset..<end])
            offset = end
            step = step * 3 + 1
        }
        #expect(try hasher.finalize() == (try SHA256Hasher.hash(bytes)))
    }

    @Test func missingFileThrows() {
        #expect(throws: StoreError.self) { try SHA256Hasher.hash(fileAt: "/nonexistent/gocache-test-file") }
    }

    @Test func digestForms() throws {
        let empty = try SHA256Hasher.hash([UInt8]())
        #expect(empty.base64 == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        #expect(SHA256Digest(hex: empty.hex) == empty)
        #expect(SHA256Digest(hex: empty.hex.uppercased()) == empty)
        #expect(SHA256Digest(hex: String(empty.hex.dropLast())) == nil)
        #expect(SHA256Digest(hex: String(empty.hex.dropLast()) + "g") == nil)
        #expect("\(empty)" == empty.hex)
        let encoded = try JSONEncoder().encode([empty])
        #expect(String(decoding: encoded, as: UTF8.self) == "[\"\(empty.hex)\"]")
        #expect(try JSONDecoder().decode([SHA256Digest].self, from: encoded) == [empty])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([SHA256Digest].self, from: Data("[\"zz\"]".utf8)) }
        let abc = try sha("abc")
        #expect((empty < abc) == (empty.hex < abc.hex))
    }
}

@Suite("Key encoding")
struct KeyEncoderTests {
    @Test func listFramingSeparatesElements() throws {
        var first = KeyEncoder(domain: "test", version: 1)
        first.fields("list", ["ab", "c"])
        var second = KeyEncoder(domain: "test", version: 1)
        second.fields("list", ["a", "bc"])
        #expect(try first.digest() != (try second.digest()))
    }

    @Test func fieldFramingSeparatesFields() throws {
        var first = KeyEncoder(domain: "test", version: 1)
        first.field("x", "ab")
        first.field("y", "c")
        var second = KeyEncoder(domain: "test", version: 1)
        second.field("x", "a")
        second.field("y", "bc")
        #expect(try first.digest() != (try second.digest()))
        var tagged = KeyEncoder(domain: "test", version: 1)
        tagged.field("xa", "b")
        var untagged = KeyEncoder(domain: "test", version: 1)
        untagged.field("x", "ab")
        #expect(try tagged.digest() != (try untagged.digest()))
    }

    @Test func absentDiffersFromEmpty() throws {
        var absent = KeyEncoder(domain: "test", version: 1)
        absent.field("cc", nil)
        var empty = KeyEncoder(domain: "test", version: 1)
        empty.field("cc", "")
        let none = KeyEncoder(domain: "test", version: 1)
        var emptyList = KeyEncoder(domain: "test", version: 1)
        emptyList.fields("cc", [])
        let digests = try [absent.digest(), empty.digest(), none.digest(), emptyList.digest()]
        #expect(Set(digests).count == 4)
        #expect(absent.lines.contains("cc = <absent>"))
        #expect(empty.lines.contains("cc = \"\""))
    }

    @Test func orderOfAddingDoesNotMatter() throws {
        var first = KeyEncoder(domain: "test", version: 1)
        first.field("goos", "linux")
        first.field("file", "a.go")
        first.field("file", "b.go")
        first.fields("tags", ["z", "a"])
        var second = KeyEncoder(domain: "test", version: 1)
        second.fields("tags", ["a", "z"])
        second.field("file", "b.go")
        second.field("goos", "linux")
        second.field("file", "a.go")
        #expect(try first.digest() == (try second.digest()))
        #expect(first.lines == second.lines)
        #expect(first.lines == [
            "domain = \"test\"", "version = 1", "file = \"a.go\"", "file = \"b.go\"", "goos = \"linux\"",
            "tags = [\"a\", \"z\"]",
        ])
    }


    @Test func mergedPresortedPartsEncodeAsAnyOrder() throws {
        var generator = SystemRandomNumberGenerator()
        let tags = ["GOOS", "extra", "package a", "package a-b", "package a/b", "packaging", "pgo", "toolchain", "é"]
        for _ in 0..<50 {
            let fields = try (0..<12).map { i -> KeyEncoder.Field in
                let tag = tags.randomElement(using: &generator)!
                return i % 3 == 0
                    ? try .digestedList(tag, ["v\(i)", "w"]) : .text(tag, i % 4 == 1 ? nil : "\(Int.random(in: 0..<3))")
            }
            let split = Int.random(in: 0...fields.count)
            let merged = KeyEncoder.merge(
                KeyEncoder.encodingOrder(Array(fields[..<split])), KeyEncoder.encodingOrder(Array(fields[split...])))
            var inOrder = KeyEncoder(domain: "test", version: 1)
            inOrder.append(contentsOf: merged)
            var shuffled = KeyEncoder(domain: "test", version: 1)
            shuffled.append(contentsOf: fields.shuffled(using: &generator))
            #expect(try inOrder.digest() == (try shuffled.digest()))
            #expect(inOrder.lines == shuffled.lines)
            #expect(KeyEncoder.encodingOrder(merged) == merged)
        }
    }
    @Test func domainVersionAndValuesChangeTheKey() throws {
        func key(_ domain: String, _ version: Int, _ value: String) throws -> SHA256Digest {
            var encoder = KeyEncoder(domain: domain, version: version)
            encoder.field("v", value)
            return try encoder.digest()
        }
        let base = try key("d", 1, "x")
        #expect(try key("d", 1, "x") == base)
        #expect(try key("e", 1, "x") != base)
        #expect(try key("d", 2, "x") != base)
        #expect(try key("d", 1, "y") != base)
    }

    @Test func digestIsSHA256OfEncoding() throws {
        var encoder = KeyEncoder(domain: "d", version: 3)
        encoder.field("bytes", bytes: [0, 1, 2])
        encoder.field("n", 42)
        encoder.field("flag", true)
        encoder.field("file", digest: try sha("content"))
        #expect(try encoder.digest() == (try SHA256Hasher.hash(encoder.encoding)))
        #expect(encoder.lines.contains("bytes = 0x000102"))
        #expect(encoder.lines.contains("n = \"42\""))
        #expect(encoder.lines.contains("flag = \"true\""))
    }

    @Test func quotingKeepsLinesOnePerField() {
        var encoder = KeyEncoder(domain: "d", version: 1)
        encoder.field("flags", "-X \"a\"\nb")
        #expect(encoder.lines.last == #"flags = "-X \"a\"\nb""#)
    }
}

@Suite("Cache directory and sizes")
struct CacheDirectoryTests {
    @Test func precedence() {
        let env = ["GOCACHE_DIR": "/g", "XDG_CACHE_HOME": "/x", "HOME": "/home/u"]
        #expect(CacheDirectory.resolve(flag: "/flag/", environment: env) == "/flag")
        #expect(CacheDirectory.resolve(flag: nil, environment: env) == "/g")
        #expect(CacheDirectory.resolve(flag: "", environment: ["GOCACHE_DIR": "", "XDG_CACHE_HOME": "/x", "HOME": "/h"]) == "/x/gocache")
        #expect(CacheDirectory.resolve(flag: nil, environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]) == "/h/.cache/gocache")
        #expect(CacheDirectory.resolve(flag: nil, environment: ["HOME": "/h"]) == "/h/.cache/gocache")
        // Relative ones are taken from the current directory, made absolute and resolved by name.
        let cwd = FileManager.default.currentDirectoryPath
        #expect(CacheDirectory.resolve(flag: "c", environment: env) == (cwd == "/" ? "/c" : cwd + "/c"))
        #expect(CacheDirectory.resolve(flag: nil, environment: ["GOCACHE_DIR": "./k/"]) == (cwd == "/" ? "/k" : cwd + "/k"))
        #expect(CacheDirectory.resolve(flag: "a/./b/../c", environment: env) == (cwd == "/" ? "/a/c" : cwd + "/a/c"))
    }

    @Test("sizes", arguments: [
        ("500M", Int64(500) << 20), ("2G", Int64(2) << 30), ("2GiB", Int64(2) << 30), ("1k", Int64(1024)),
        ("1.5G", Int64(3) << 29), ("4096", Int64(4096)), ("10MB", Int64(10) << 20), ("0", Int64(0)),
    ])
    func parsesSizes(text: String, bytes: Int64) {
        #expect(ByteCount.parse(text) == bytes)
    }

    @Test("bad sizes", arguments: ["", "G", "-1M", "2Q", "1..2", "ten"])
    func rejectsBadSizes(text: String) {
        #expect(ByteCount.parse(text) == nil)
    }
}
