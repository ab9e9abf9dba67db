import CCrypto

/// A SHA-256 digest: 32 bytes, printed as lowercase hex.
///
/// Ordered byte-wise, so sorting digests is deterministic; encoded in JSON as its hex string.
public struct SHA256Digest: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The 32 bytes of the digest.
    public let bytes: [UInt8]

    /// The number of bytes in a SHA-256 digest.
    public static let byteCount = 32

    /// Wraps 32 digest bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    /// Parses 64 hex digits (either case); `nil` for anything else.
    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == Self.byteCount * 2 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.byteCount)
        var index = 0
        while index < utf8.count {
            guard let high = Self.nibble(utf8[index]), let low = Self.nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.bytes = bytes
    }

    /// The digest as 64 lowercase hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest in standard base64 with padding (as used by Subresource Integrity and go.sum).
    public var base64: String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let remaining = bytes.count - index
            let b0 = UInt32(bytes[index])
            let b1 = remaining > 1 ? UInt32(bytes[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 0x3f)])
            out.append(alphabet[Int(triple >> 12 & 0x3f)])
            out.append(remaining > 1 ? alphabet[Int(triple >> 6 & 0x3f)] : UInt8(ascii: "="))
            out.append(remaining > 2 ? alphabet[Int(triple & 0x3f)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The hex form.
    public var description: String { hex }

    /// Byte-wise lexicographic order.
    public static func < (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }

    /// Decodes from a 64-digit hex string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let digest = SHA256Digest(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected 64 hex digits of a SHA-256 digest, found \"\(text.prefix(80))\"")
        }
        self = digest
    }

    /// Encodes as a 64-digit lowercase hex string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The SHA-256 `EVP_MD`, fetched from the default provider once per process.
///
/// A fetched `EVP_MD` is immutable and safe to share between threads; it is kept for the
/// life of the process and never freed.
private final class SHA256Algorithm: @unchecked Sendable {
    let md: OpaquePointer?
    let error: CryptoError?

    static let shared = SHA256Algorithm()

    private init() {
        if let md = EVP_MD_fetch(nil, "SHA256", nil) {
            self.md = md
            self.error = nil
        } else {
            self.md = nil
            self.error = drainCryptoErrors("EVP_MD_fetch(SHA256)")
        }
    }
}

/// An incremental SHA-256 computation through OpenSSL 3's EVP interface.
///
/// Feed bytes with `update(_:)` any number of times, then call `finalize()` once. A
/// failure inside libcrypto is remembered and thrown by `finalize()`, so `update` needs no
/// `try`. The hasher owns its `EVP_MD_CTX` and is not copyable.
public struct SHA256Hasher: ~Copyable {
    private let context: OpaquePointer?
    private var failure: CryptoError?

    /// Starts a new computation.
    public init() {
        let algorithm = SHA256Algorithm.shared
        guard let md = algorithm.md else {
            context = nil
            failure = algorithm.error
            return
        }
        guard let context = EVP_MD_CTX_new() else {
            self.context = nil
            failure = drainCryptoErrors("EVP_MD_CTX_new")
            return
        }
        self.context = context
        failure = checkCrypto("EVP_DigestInit_ex2") { EVP_DigestInit_ex2(context, md, nil) }
    }

    deinit {
        if let context { EVP_MD_CTX_free(context) }
    }

    /// Adds bytes to the computation.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Adds the bytes of a raw buffer to the computation.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        // A missing context always comes with a recorded failure (see `init`).
        guard failure == nil, let context else { return }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        failure = checkCrypto("EVP_DigestUpdate") { EVP_DigestUpdate(context, base, buffer.count) }
    }

    /// Finishes the computation and returns the digest.
    ///
    /// - Throws: `CryptoError` if any libcrypto call of this computation failed.
    public consuming func finalize() throws(CryptoError) -> SHA256Digest {
        if let failure { throw failure }
        guard let context else { throw CryptoError(function: "EVP_MD_CTX_new", codes: [], messages: []) }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let error = out.withUnsafeMutableBufferPointer { pointer in
            checkCrypto("EVP_DigestFinal_ex") { EVP_DigestFinal_ex(context, pointer.baseAddress, &length) }
        }
        if let error { throw error }
        guard let digest = SHA256Digest(bytes: Array(out.prefix(Int(length)))) else {
            throw CryptoError(function: "EVP_DigestFinal_ex", codes: [], messages: ["unexpected digest length \(length)"])
        }
        return digest
    }

    /// The SHA-256 of a byte sequence.
    public static func hash(_ bytes: some Sequence<UInt8>) throws(CryptoError) -> SHA256Digest {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return try hasher.finalize()
    }

    /// The size of the chunks `hash(fileAt:)` reads.
    public static let fileChunkSize = 1 << 20

    /// The SHA-256 of a file's content, read in 1 MiB chunks.
    ///
    /// - Throws: `StoreError` if the file cannot be opened or read, `CryptoError` if
    ///   libcrypto fails.
    public static func hash(fileAt path: String) throws -> SHA256Digest {
        let file = try FileDescriptor.open(path, .readOnly)
        defer { file.close() }
        var hasher = SHA256Hasher()
        try withScratchBuffer(byteCount: fileChunkSize) { (buffer) throws(StoreError) in
            while true {
                let count = try file.read(into: buffer, path: path)
                if count == 0 { break }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer.prefix(count)))
            }
        }
        return try hasher.finalize()
    }
}
