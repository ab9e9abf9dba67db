import Dispatch
import Foundation

/// Work started on a thread of its own, beside what the caller goes on doing, and waited
/// for later.
///
/// Not a child task: while the calling task runs a long synchronous step (the graph walk),
/// a task it starts may wait for that very thread — on two cores, Swift's cooperative pool
/// left the parse memo's save queued behind the walk instead of running it on the idle
/// core. A thread outside the pool runs at once.
final class BesideWork: Sendable {
    private let finished = DispatchSemaphore(value: 0)

    init(_ work: @escaping @Sendable () -> Void) {
        let finished = finished
        Thread {
            work()
            finished.signal()
        }.start()
    }

    /// Blocks until the work has run.
    func wait() {
        finished.wait()
    }
}
