public import CacheStore
import CZlib
import Foundation

/// The deployment package AWS Lambda's `provided.al2023` runtime expects: a zip holding one
/// executable named `bootstrap`, written so the same binary always gives the same bytes.
///
/// Every byte of the container is fixed here rather than left to a zip library: one local
/// header, one central-directory entry and the end record; no extra fields, no comment, no
/// data descriptor; modification time 1980-01-01 00:00:00 (DOS date 0x0021, time 0);
/// "version made by" Unix / 2.0 (0x0314), "version needed" 2.0; external attributes
/// `0o100755 << 16` (a regular file, mode 0755). The entry is raw deflate from the system
/// zlib at a pinned level (`deflateLevel`, 1: about 3× faster than zlib's default 6 for
/// about 10% more bytes, and packaging runs once per built target), 15-bit window, memLevel
/// 8, default strategy. The same zlib gives the same bytes; a different deflate
/// implementation (zlib-ng, Apple's Compression) may not, so build Lambda zips with the same
/// zlib as CI for byte equality.
public enum LambdaZip {
    /// The one entry's name.
    public static let entryName = "bootstrap"
    /// The entry's Unix mode.
    public static let entryMode: UInt32 = 0o755
    /// DOS date of 1980-01-01: day 1, month 1, year 1980 + 0.
    static let dosDate: UInt16 = 0x0021
    static let dosTime: UInt16 = 0
    /// zlib's compression level, pinned (part of what makes the bytes reproducible).
    public static let deflateLevel: Int32 = 1

    /// A zip's bytes and digests.
    public struct Package: Hashable, Sendable {
        /// The zip file's bytes.
        public var bytes: [UInt8]
        /// SHA-256 of the zip.
        public var zipSha256: SHA256Digest
        /// SHA-256 of the binary inside.
        public var binarySha256: SHA256Digest
        /// What AWS Lambda reports as `CodeSha256`: base64 of the zip's raw SHA-256.
        public var codeSha256: String { zipSha256.base64 }
    }

    /// Packages `binary` as `bootstrap`.
    ///
    /// - Throws: `LambdaZipError.tooLarge` for a binary of 4 GiB or more (no ZIP64 here:
    ///   Lambda's limit is far lower), `.compression` if zlib fails.
    public static func package(binary: [UInt8]) throws -> Package {
        guard binary.count < Int(UInt32.max) else { throw LambdaZipError.tooLarge(bytes: binary.count) }
        let compressed = try deflate(binary)
        let crc = binary.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
        guard compressed.count < Int(UInt32.max) else { throw LambdaZipError.tooLarge(bytes: compressed.count) }
        let name = Array(entryName.utf8)
        var zip: [UInt8] = []
        zip.reserveCapacity(compressed.count + 128)
        // Local file header.
        zip.le32(0x0403_4b50)
        zip.le16(20)  // version needed: 2.0 (deflate)
        zip.le16(0)  // flags
        zip.le16(8)  // method: deflate
        zip.le16(dosTime)
        zip.le16(dosDate)
        zip.le32(crc)
        zip.le32(UInt32(compressed.count))
        zip.le32(UInt32(binary.count))
        zip.le16(UInt16(name.count))
        zip.le16(0)  // extra field length
        zip += name
        zip += compressed
        // Central directory.
        let centralOffset = zip.count
        zip.le32(0x0201_4b50)
        zip.le16(0x0314)  // made by: Unix, spec 2.0
        zip.le16(20)
        zip.le16(0)
        zip.le16(8)
        zip.le16(dosTime)
        zip.le16(dosDate)
        zip.le32(crc)
        zip.le32(UInt32(compressed.count))
        zip.le32(UInt32(binary.count))
        zip.le16(UInt16(name.count))
        zip.le16(0)  // extra
        zip.le16(0)  // comment
        zip.le16(0)  // disk number start
        zip.le16(0)  // internal attributes
        zip.le32((0o100000 | entryMode) << 16)  // external attributes: S_IFREG | 0755
        zip.le32(0)  // local header offset
        zip += name
        let centralSize = zip.count - centralOffset
        // End of central directory.
        zip.le32(0x0605_4b50)
        zip.le16(0)
        zip.le16(0)
        zip.le16(1)
        zip.le16(1)
        zip.le32(UInt32(centralSize))
        zip.le32(UInt32(centralOffset))
        zip.le16(0)
        return Package(bytes: zip, zipSha256: try SHA256Hasher.hash(zip), binarySha256: try SHA256Hasher.hash(binary))
    }
}

extension LambdaZip {
    /// Raw deflate of `bytes` in one call (the output buffer is sized by `deflateBound`).
    static func deflate(_ bytes: [UInt8]) throws(LambdaZipError) -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(
            &stream, deflateLevel, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw .compression("deflateInit2 returned \(status)") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let result: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else { throw .compression("deflate returned \(result)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }
}

/// Errors packaging a binary.
public enum LambdaZipError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooLarge(bytes: Int)
    case compression(String)

    public var description: String {
        switch self {
        case .tooLarge(let bytes): return "a binary of \(bytes) bytes is too large for a Lambda zip (4 GiB limit)"
        case .compression(let reason): return "deflate failed: \(reason)"
        }
    }
}

extension [UInt8] {
    fileprivate mutating func le16(_ value: UInt16) {
        append(UInt8(value & 0xff))
        append(UInt8(value >> 8))
    }

    fileprivate mutating func le32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xff)) }
    }
}
