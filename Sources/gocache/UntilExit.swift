import Synchronization

/// Values kept alive until the process exits. A loaded repository is hundreds of thousands
/// of small objects; freeing them at the end of a command cost ~10 ms of a cold `affected`
/// at 1,000 targets, for memory the exit returns anyway.
enum UntilExit {
    private static let kept = Mutex<[any Sendable]>([])

    static func keep(_ value: any Sendable) {
        kept.withLock { $0.append(value) }
    }
}
