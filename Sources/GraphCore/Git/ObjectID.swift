internal import CGit2

/// A git object id (SHA-1, 20 bytes), copied out of libgit2 into a value type.
struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    private(set) var oid: git_oid

    init(_ oid: git_oid) { self.oid = oid }

    /// The id's bytes.
    var rawBytes: [UInt8] { withUnsafeBytes(of: oid.id) { Array($0) } }

    /// An id from its 20 bytes (as git's index records it); nil for another length.
    init?(rawBytes: [UInt8]) {
        var oid = git_oid()
        guard withUnsafeMutableBytes(of: &oid.id, { raw in
            guard raw.count == rawBytes.count else { return false }
            raw.copyBytes(from: rawBytes)
            return true
        }) else { return nil }
        self.oid = oid
    }

    /// Copies the id libgit2 points at (the pointer is only valid as long as its owner).
    init(_ pointer: UnsafePointer<git_oid>) { self.oid = pointer.pointee }

    /// Parses a full 40-digit hex id; `nil` for anything else.
    init?(hex: String) {
        guard ObjectID.isFullHex(hex) else { return nil }
        var oid = git_oid()
        let code = hex.withCString { git_oid_fromstrn(&oid, $0, hex.utf8.count) }
        guard code == 0 else { return nil }
        self.oid = oid
    }

    /// The 40-digit lower-case hex form.
    var hex: String {
        withUnsafeBytes(of: oid.id) { raw in
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            var text: [UInt8] = []
            text.reserveCapacity(raw.count * 2)
            for byte in raw {
                text.append(digits[Int(byte >> 4)])
                text.append(digits[Int(byte & 0x0f)])
            }
            return String(decoding: text, as: UTF8.self)
        }
    }

    var description: String { hex }

    /// Lends the id to a libgit2 call that takes `const git_oid *`.
    @discardableResult
    func withPointer<R, E: Error>(_ body: (UnsafePointer<git_oid>) throws(E) -> R) throws(E) -> R {
        var copy = oid
        return try body(&copy)
    }

    static func == (lhs: ObjectID, rhs: ObjectID) -> Bool {
        withUnsafeBytes(of: lhs.oid.id) { left in
            withUnsafeBytes(of: rhs.oid.id) { right in left.elementsEqual(right) }
        }
    }

    func hash(into hasher: inout Hasher) {
        withUnsafeBytes(of: oid.id) { hasher.combine(bytes: $0) }
    }

    /// Whether `text` has the shape of a full SHA-1 object id (40 hex digits).
    static func isFullHex(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy(\.isHexDigit)
    }

    /// The first run of exactly 40 hex digits in `text` (libgit2 names a missing object
    /// this way in its "object not found" messages), or `nil`.
    static func firstFullHex(in text: String) -> String? {
        let bytes = Array(text.utf8)
        var start = 0
        while start < bytes.count {
            guard bytes[start].isHexDigit else {
                start += 1
                continue
            }
            var end = start
            while end < bytes.count, bytes[end].isHexDigit { end += 1 }
            if end - start == 40 {
                return String(decoding: bytes[start..<end], as: UTF8.self).lowercased()
            }
            start = end
        }
        return nil
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x61...0x66).contains(self) || (0x41...0x46).contains(self)
    }
}
