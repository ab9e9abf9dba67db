import Synchronization

/// Collects the warnings a store raises instead of failing (a remote that is down, a blob
/// that did not match its digest), and optionally hands each to a handler as it happens.
///
/// The command line prints them to stderr; tests count them.
public final class StoreWarnings: Sendable {
    private let collected = Mutex<[String]>([])
    private let handler: (@Sendable (String) -> Void)?

    /// Creates a collector; `handler` is called once per warning, on the reporting thread.
    public init(handler: (@Sendable (String) -> Void)? = nil) {
        self.handler = handler
    }

    /// Records a warning.
    public func report(_ message: String) {
        collected.withLock { $0.append(message) }
        handler?(message)
    }

    /// The warnings so far, oldest first.
    public var messages: [String] {
        collected.withLock { $0 }
    }
}
