// Child processes: output and status, cancellation, and that waiting for children never
// holds the threads the task pool runs on.
import Foundation
import Synchronization
import Testing

@testable import GoBuild

#if canImport(Glibc)
import Glibc
#endif

/// How many children have ended (shared by the tasks that wait for them).
private final class EndedCount: Sendable {
    let value = Atomic<Int>(0)
}

@Suite("Process runner")
struct ProcessRunnerTests {
    @Test func collectsOutputAndStatus() async throws {
        let result = try await ProcessRunner.runCancellable(
            "/bin/sh", ["-c", "printf out; printf err >&2; exit 3"], environment: [:])
        #expect(result.status == 3)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "out")
        #expect(result.stderr == "err")
        let blocking = try ProcessRunner.run("/bin/sh", ["-c", "printf out; exit 0"], environment: [:])
        #expect(blocking.succeeded && blocking.stdout == Array("out".utf8))
    }

    /// A task started while a child runs gets to run before the child ends. (Before,
    /// waiting for a batch `go build` held the pool: packaging and restoring tasks of
    /// `gocache build` only ran once the go command had exited.)
    @Test(arguments: [1, 3])
    func waitingChildrenLeaveThePoolFree(children: Int) async throws {
        // Other suites run at once in this process and can hold the pool's threads with
        // blocking work of their own for seconds: a round whose probes could not run is
        // tried again. With the children holding the pool (the bug this guards against),
        // every round fails.
        var rounds: [Bool] = []
        for _ in 0..<3 {
            let (ranWhileChildrenWaited, ended) = try await Self.probeRound(children: children)
            #expect(ended == children)
            rounds.append(ranWhileChildrenWaited)
            if ranWhileChildrenWaited { break }
        }
        #expect(rounds.contains(true), "probes never ran while the children waited: \(rounds)")
    }

    /// Starts `children` waiting children, then eight blocking probe tasks; whether every
    /// probe ran before any child ended, and how many children ended.
    static func probeRound(children: Int) async throws -> (Bool, Int) {
        let marker = NSTemporaryDirectory() + "/gocache-runner-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        // Each child ends when the marker file appears, or after 5 s: the probes below
        // should have run long before. (A held pool made them wait for dispatch to add
        // threads, 3-7 s here, after the children had given up.)
        let script = "i=0; while [ ! -e '\(marker)' ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done"
        let ended = EndedCount()
        var ran = false
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<children {
                group.addTask {
                    _ = try await ProcessRunner.runCancellable("/bin/sh", ["-c", script], environment: [:])
                    ended.value.add(1, ordering: .relaxed)
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            // Tasks of the pool doing blocking work, as restores do: they finish only if
            // the pool's threads are free.
            ran = await withTaskGroup(of: Bool.self) { probes in
                for _ in 0..<8 {
                    probes.addTask {
                        usleep(20_000)
                        return ended.value.load(ordering: .relaxed) == 0
                    }
                }
                return await probes.allSatisfy { $0 }
            }
            _ = FileManager.default.createFile(atPath: marker, contents: Data())
            try await group.waitForAll()
        }
        return (ran, ended.value.load(ordering: .relaxed))
    }

    @Test func cancellationEndsTheChildAndItsProcessGroup() async throws {
        let pidFile = NSTemporaryDirectory() + "/gocache-runner-grandchild-\(getpid())-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: pidFile)
            try? FileManager.default.removeItem(atPath: pidFile + ".tmp")
        }
        // The child runs a grandchild in the foreground (as the go command runs compilers).
        // The pid file appears whole (written beside it, then renamed): a reader never sees
        // the empty file between the shell's open and its write.
        let task = Task {
            try await ProcessRunner.runCancellable(
                "/bin/sh",
                ["-c", "/bin/sh -c 'echo $$ > \"\(pidFile).tmp\" && mv \"\(pidFile).tmp\" \"\(pidFile)\"; exec sleep 60'; echo ended"],
                environment: [:])
        }
        func writtenPid() -> Int32? {
            (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        // A watchdog for a loaded machine (the whole suite shares 2 cores), not a speed limit.
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline, writtenPid() == nil {
            try await Task.sleep(for: .milliseconds(20))
        }
        let grandchild = try #require(writtenPid(), "the grandchild did not start within 90 s")
        defer { kill(grandchild, SIGKILL) }
        task.cancel()
        // The grandchild gets the signal too and ends at once, and with it the child; had
        // only the child been signalled, the shell would wait out the grandchild's 60 s.
        // (A watchdog, not a speed limit: the run ends within milliseconds.)
        let endedInTime = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    _ = try await task.value
                    Issue.record("a cancelled run did not throw")
                } catch {
                    #expect(error is CancellationError)
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(endedInTime, "the cancelled child outlived its grandchild's signal")
        #expect(kill(grandchild, 0) != 0, "the grandchild \(grandchild) survived the cancellation")
    }
}
