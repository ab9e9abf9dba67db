import CCrypto

/// A failure reported by libcrypto (OpenSSL 3), with the function that failed and the
/// library's own error queue, drained at the moment of failure.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The libcrypto function that failed, such as `EVP_DigestUpdate`.
    public var function: String
    /// The packed OpenSSL error codes drained from the thread's error queue, oldest first.
    public var codes: [UInt]
    /// The library's messages for `codes`, oldest first.
    public var messages: [String]

    /// A human-readable summary naming the function and OpenSSL's messages.
    public var description: String {
        let detail = messages.isEmpty ? "no error queued by libcrypto" : messages.joined(separator: "; ")
        return "libcrypto \(function) failed: \(detail)"
    }
}

/// Calls a libcrypto function that returns 1 on success, draining `ERR_get_error` on failure.
///
/// The error queue is per thread, so it is read right after the call with no suspension
/// point in between.
func checkCrypto(_ function: String, _ body: () -> Int32) -> CryptoError? {
    if body() == 1 { return nil }
    return drainCryptoErrors(function)
}

/// Reads and clears the calling thread's OpenSSL error queue into a `CryptoError`.
func drainCryptoErrors(_ function: String) -> CryptoError {
    var codes: [UInt] = []
    var messages: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        codes.append(UInt(code))
        var buffer = [CChar](repeating: 0, count: 256)
        buffer.withUnsafeMutableBufferPointer { pointer in
            if let base = pointer.baseAddress { ERR_error_string_n(code, base, pointer.count) }
        }
        let message = buffer.withUnsafeBufferPointer { pointer in
            String(decoding: pointer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        messages.append(message)
    }
    return CryptoError(function: function, codes: codes, messages: messages)
}
