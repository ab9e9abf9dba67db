public import CacheStore
import CDeflate
import Foundation

/// The deployment package AWS Lambda's `provided.al2023` runtime expects: a zip holding one
/// executable named `bootstrap`, written so the same binary always gives the same bytes.
///
/// Every byte of the container is fixed here rather than left to a zip library: one local
/// header, one central-directory entry and the end record; no extra fields, no comment, no
/// data descriptor; modification time 1980-01-01 00:00:00 (DOS date 0x0021, time 0);
/// "version made by" Unix / 2.0 (0x0314), "version needed" 2.0; external attributes
/// `0o100755 << 16` (a regular file, mode 0755). The entry is raw deflate from the system
/// libdeflate at a pinned level (`deflateLevel`, 1), in one whole-buffer call: on the
/// benchmark machine 12 ms for a 1.5 MB Lambda binary where zlib's level 1 took 28 ms, and
/// 2% fewer bytes (packaging runs once per built target, on the critical path of a build).
/// The same libdeflate version gives the same bytes on every machine; another deflate
/// implementation or version may not, so build Lambda zips with the same libdeflate as CI
/// for byte equality (the version is part of the target key: `compressorIdentity`).
public enum LambdaZip {
    /// The one entry's name.
    public static let entryName = "bootstrap"
    /// The entry's Unix mode.
    public static let entryMode: UInt32 = 0o755
    /// DOS date of 1980-01-01: day 1, month 1, year 1980 + 0.
    static let dosDate: UInt16 = 0x0021
    static let dosTime: UInt16 = 0
    /// libdeflate's compression level, pinned (part of what makes the bytes reproducible).
    public static let deflateLevel: Int32 = 1
    /// The compressor and level, as the target key records them: zips are reproducible for
    /// one libdeflate version, so a key never names zips of two byte streams.
    public static let compressorIdentity = "libdeflate \(LIBDEFLATE_VERSION_STRING) level \(deflateLevel)"

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
    ///   Lambda's limit is far lower), `.compression` if libdeflate fails.
    public static func package(binary: [UInt8]) throws -> Package {
        guard binary.count < Int(UInt32.max) else { throw LambdaZipError.tooLarge(bytes: binary.count) }
        let compressed = try deflate(binary)
        let crc = binary.withUnsafeBytes { buffer in libdeflate_crc32(0, buffer.baseAddress, buffer.count) }
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
    /// Raw deflate of `bytes` in one call (the output buffer is sized by
    /// `libdeflate_deflate_compress_bound`).
    static func deflate(_ bytes: [UInt8]) throws(LambdaZipError) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(deflateLevel) else {
            throw .compression("libdeflate_alloc_compressor(\(deflateLevel)) failed")
        }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_deflate_compress_bound(compressor, bytes.count)
        // Uninitialised: libdeflate writes what counts, and only that is kept.
        let output = bytes.withUnsafeBytes { input in
            [UInt8](unsafeUninitializedCapacity: bound) { out, count in
                count = libdeflate_deflate_compress(compressor, input.baseAddress, input.count, out.baseAddress, out.count)
            }
        }
        // 0 means "did not fit", which the bound rules out (an empty input gives 1+ bytes).
        guard !output.isEmpty else { throw .compression("libdeflate_deflate_compress wrote nothing (bound \(bound))") }
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
