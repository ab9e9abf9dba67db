#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file-system failure of the local store, naming the operation and the path involved.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What was being done: `open`, `read`, `write`, `fsync`, `rename`, `mkdir`, `lock`, ...
    public var operation: String
    /// The file or directory involved.
    public var path: String
    /// The `errno` value, or 0 when the failure is not a system call's.
    public var code: Int32
    /// The system's message for `code`, or a description of the failure.
    public var detail: String

    /// Creates an error from an operation, a path and an `errno` value.
    public init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
        self.detail = String(cString: strerror(code))
    }

    /// Creates an error that is not a system call's.
    public init(operation: String, path: String, detail: String) {
        self.operation = operation
        self.path = path
        self.code = 0
        self.detail = detail
    }

    /// `cannot <operation> <path>: <detail>`.
    public var description: String {
        "cannot \(operation) \(path): \(detail)"
    }
}
