import Foundation

/// Runs blocking file I/O (writes that end in `fsync`) on a thread of its own and resumes
/// the calling task when it is done.
///
/// Swift's cooperative pool has one thread per core: a task that waits in `fsync` holds one
/// of them, and on two cores the compression of the next artifact waited behind the disk.
/// Off the pool, the wait costs no core.
enum BlockingIO {
    static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            Thread {
                continuation.resume(with: Swift.Result { try body() })
            }.start()
        }
    }
}
