#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The canonical, framed encoding of a key's inputs, and its SHA-256.
///
/// The encoding is: the domain tag and version, then every field sorted by tag (bytes), then by encoded value.
/// Each field is written as its tag (length-prefixed), a kind byte, and its value:
/// absent (`0x00`, no payload), bytes (`0x01`, 8-byte big-endian length, bytes) or a list
/// (`0x02`, 8-byte count, then each element length-prefixed, elements sorted), or a digested
/// list (`0x03`, then the 32-byte SHA-256 of the list's `0x02` encoding without its tag: a
/// large field shared by many keys is hashed once and each key hashes 32 bytes). Lengths make
/// the encoding unambiguous — `["ab", "c"]` and `["a", "bc"]` differ — and the kind byte
/// keeps an absent field apart from an empty one. Fields are sorted, so the order in which
/// they are added does not matter; a tag may repeat (for example once per file).
///
/// `lines` keeps the same material in readable form beside the key, so a user can see why
/// two keys differ.
public struct KeyEncoder: Hashable, Sendable {
    /// What a key is for, such as `gocache.target`; part of the encoding.
    public let domain: String
    /// The version of the recipe that fills the encoder; part of the encoding.
    public let version: Int
    private var entries: [Field] = []

    /// One framed field, encoded once: build it with `Field.text` or `Field.list` when the
    /// same field goes into many encoders (a package shared by many targets' closures).
    ///
    /// Immutable, with value equality; a class so that a field shared by a thousand keys
    /// costs one reference count per copy, not one per array and string it holds (copying
    /// fields into each key's encoder was most of the cost of keying 1,000 targets).
    public final class Field: Hashable, Sendable {
        let tag: String
        /// The tag's UTF-8 bytes (the sort order).
        let tagBytes: [UInt8]
        let value: Value
        /// The framed bytes of this field.
        let encoded: [UInt8]

        init(tag: String, tagBytes: [UInt8], value: Value, encoded: [UInt8]) {
            self.tag = tag
            self.tagBytes = tagBytes
            self.value = value
            self.encoded = encoded
        }

        /// The encoded bytes determine the rest (the tag is framed in them, and the value).
        public static func == (lhs: Field, rhs: Field) -> Bool {
            lhs === rhs || lhs.encoded == rhs.encoded
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(encoded)
        }

        /// A text field; `nil` is written explicitly as absent.
        public static func text(_ tag: String, _ value: String?) -> Field {
            make(tag, value.map(Value.text) ?? .absent)
        }

        /// A list field: the values are sorted, then each is framed on its own.
        public static func list(_ tag: String, _ values: [String]) -> Field {
            make(tag, .list(values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }))
        }

        /// A digested list field (kind `0x03`): the same list, represented in the encoding
        /// by the SHA-256 of its framed elements. `lines` still shows the elements.
        public static func digestedList(_ tag: String, _ values: [String]) throws(CryptoError) -> Field {
            let sorted = values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            var body: [UInt8] = [0x02]
            KeyEncoder.appendLength(sorted.count, to: &body)
            for value in sorted { KeyEncoder.frame(Array(value.utf8), into: &body) }
            let digest = try SHA256Hasher.hash(body)
            let tagBytes = Array(tag.utf8)
            var out: [UInt8] = []
            KeyEncoder.frame(tagBytes, into: &out)
            out.append(0x03)
            out.append(contentsOf: digest.bytes)
            return Field(tag: tag, tagBytes: tagBytes, value: .list(sorted), encoded: out)
        }
    }

    enum Value: Hashable, Sendable {
        case absent
        case text(String)
        case bytes([UInt8])
        case list([String])
    }

    /// Starts an encoding for a domain and a recipe version.
    public init(domain: String, version: Int) {
        self.domain = domain
        self.version = version
    }

    /// Adds a text field; `nil` is written explicitly as absent (distinct from `""`).
    public mutating func field(_ tag: String, _ value: String?) {
        if let value { append(tag, .text(value)) } else { append(tag, .absent) }
    }

    /// Adds a field of raw bytes.
    public mutating func field(_ tag: String, bytes: [UInt8]) {
        append(tag, .bytes(bytes))
    }

    /// Adds a field holding a digest (for example of a file's content).
    public mutating func field(_ tag: String, digest: SHA256Digest) {
        append(tag, .text(digest.hex))
    }

    /// Adds an integer field, written in decimal.
    public mutating func field(_ tag: String, _ value: Int) {
        append(tag, .text(String(value)))
    }

    /// Adds a boolean field, written as `true` or `false`.
    public mutating func field(_ tag: String, _ value: Bool) {
        append(tag, .text(value ? "true" : "false"))
    }

    /// Adds a list field: the values are sorted, then each is framed on its own.
    public mutating func fields(_ tag: String, _ values: [String]) {
        append(tag, .list(values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }))
    }

    /// Adds a field built once with `Field.text` or `Field.list`.
    public mutating func append(_ field: Field) {
        entries.append(field)
    }

    /// Adds fields taken from another encoder (`fields`), e.g. a part shared by many keys.
    public mutating func append(contentsOf fields: [Field]) {
        entries.append(contentsOf: fields)
    }

    /// Makes room for `count` more fields.
    public mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(entries.count + count)
    }

    /// Fields in encoding order (by tag bytes, then by encoded bytes): what `digest` and
    /// `lines` write. A caller that merges presorted parts can add them in this order, and
    /// the encoder then skips its own sort.
    public static func encodingOrder(_ fields: [Field]) -> [Field] {
        isOrdered(fields) ? fields : fields.sorted(by: precedes)
    }

    static func isOrdered(_ fields: [Field]) -> Bool {
        for index in fields.indices.dropFirst() where precedes(fields[index], fields[index - 1]) { return false }
        return true
    }

    /// Merges two lists that are each in encoding order into one in encoding order.
    public static func merge(_ a: [Field], _ b: [Field]) -> [Field] {
        var out: [Field] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count && j < b.count {
            if precedes(b[j], a[i]) {
                out.append(b[j])
                j += 1
            } else {
                out.append(a[i])
                i += 1
            }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    /// The fields added so far, in the order they were added.
    public var fields: [Field] { entries }

    /// The canonical encoding: header, then the fields in sorted order.
    public var encoding: [UInt8] {
        var out = header
        for entry in sortedEntries { out.append(contentsOf: entry.encoded) }
        return out
    }

    private var header: [UInt8] {
        var out: [UInt8] = []
        Self.frame(Array("gocache-key".utf8), into: &out)
        Self.frame(Array(domain.utf8), into: &out)
        Self.frame(Array(String(version).utf8), into: &out)
        return out
    }

    /// The SHA-256 of `encoding`, fed field by field (no copy of the whole encoding).
    public func digest() throws(CryptoError) -> SHA256Digest {
        var hasher = SHA256Hasher()
        hasher.update(header)
        for entry in sortedEntries { entry.encoded.withUnsafeBytes { hasher.update($0) } }
        return try hasher.finalize()
    }

    /// The material in readable form, one field per line, in encoding order: the domain and
    /// version first, then `tag = value` with strings quoted and absent fields as `<absent>`.
    public var lines: [String] {
        var result = ["domain = \(Self.quote(domain))", "version = \(version)"]
        for entry in sortedEntries {
            let rendered: String
            switch entry.value {
            case .absent: rendered = "<absent>"
            case .text(let text): rendered = Self.quote(text)
            case .bytes(let bytes): rendered = "0x" + Self.hex(bytes)
            case .list(let values): rendered = "[" + values.map(Self.quote).joined(separator: ", ") + "]"
            }
            result.append("\(entry.tag) = \(rendered)")
        }
        return result
    }

    /// The entries in encoding order; no sort when they were added in that order.
    private var sortedEntries: [Field] {
        Self.encodingOrder(entries)
    }

    /// The encoding order: by tag bytes, then by encoded bytes.
    static func precedes(_ lhs: Field, _ rhs: Field) -> Bool {
        let byTag = compare(lhs.tagBytes, rhs.tagBytes)
        if byTag != 0 { return byTag < 0 }
        return compare(lhs.encoded, rhs.encoded) < 0
    }

    private mutating func append(_ tag: String, _ value: Value) {
        entries.append(Field.make(tag, value))
    }
}

extension KeyEncoder.Field {
    fileprivate static func make(_ tag: String, _ value: KeyEncoder.Value) -> KeyEncoder.Field {
        var out: [UInt8] = []
        let tagBytes = Array(tag.utf8)
        KeyEncoder.frame(tagBytes, into: &out)
        switch value {
        case .absent:
            out.append(0x00)
        case .text(let text):
            out.append(0x01)
            KeyEncoder.frame(Array(text.utf8), into: &out)
        case .bytes(let bytes):
            out.append(0x01)
            KeyEncoder.frame(bytes, into: &out)
        case .list(let values):
            out.append(0x02)
            KeyEncoder.appendLength(values.count, to: &out)
            for value in values { KeyEncoder.frame(Array(value.utf8), into: &out) }
        }
        return KeyEncoder.Field(tag: tag, tagBytes: tagBytes, value: value, encoded: out)
    }
}

extension KeyEncoder {
    /// Byte-wise comparison (memcmp, then length): negative, zero or positive.
    fileprivate static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let common = min(pa.count, pb.count)
                if common > 0, let x = pa.baseAddress, let y = pb.baseAddress {
                    let order = memcmp(x, y, common)
                    if order != 0 { return Int(order) }
                }
                return pa.count - pb.count
            }
        }
    }

    fileprivate static func frame(_ bytes: [UInt8], into out: inout [UInt8]) {
        appendLength(bytes.count, to: &out)
        out.append(contentsOf: bytes)
    }

    fileprivate static func appendLength(_ length: Int, to out: inout [UInt8]) {
        let value = UInt64(length)
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A double-quoted string with `"`, `\` and control characters escaped.
    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
