import ArgumentParser
import CacheStore
import Foundation
import GraphCore

/// `gocache cache` — inspect and maintain the local artifact store.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Inspect and maintain the local artifact store.",
        discussion: """
            The store lives in <cache-dir>/store. The cache directory is --cache-dir, else \
            $GOCACHE_DIR, else $XDG_CACHE_HOME/gocache, else ~/.cache/gocache.
            """,
        subcommands: [CacheStatsCommand.self, CacheVerifyCommand.self, CacheGCCommand.self,
                      CachePutBlobCommand.self, CacheGetBlobCommand.self])
}

/// The option every `cache` verb shares.
struct CacheDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("The cache directory.", valueName: "dir"))
    var cacheDir: String?

    /// The cache directory these options name.
    var directory: String { CacheDirectory.resolve(flag: cacheDir, environment: ProcessInfo.processInfo.environment) }

    /// The store of the cache directory; a path that exists but is not a directory (or a
    /// `store` in it that is not) is bad input, not an empty store.
    func store() throws -> LocalStore {
        let directory = CacheDirectory.resolve(flag: cacheDir, environment: ProcessInfo.processInfo.environment)
        for path in [directory, directory + "/store"] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw CommandFailure.badInput(
                    "the cache directory \(path) is not a directory", help: "pass a directory with --cache-dir (or $GOCACHE_DIR)")
            }
        }
        return LocalStore(cacheDirectory: directory)
    }
}

/// Runs a store operation, turning its file-system errors into `error:`/`help:` lines.
private func withStoreErrors<T>(_ store: LocalStore, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as StoreError {
        throw CommandFailure(
            message: error.description,
            help: "check that \(store.root) is on a writable file system with space left, or pass another --cache-dir",
            status: 2)
    }
}

struct CacheStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats", abstract: "Print how many blobs and action entries the store holds and their size.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @OptionGroup var options: CacheDirectoryOptions
    @Option(help: "Output format: text or json.") var format: Format = .text

    private struct Output: Encodable {
        var schemaVersion = 1
        var store: String
        var blobCount: Int
        var blobBytes: Int64
        var entryCount: Int
        var entryBytes: Int64
        var totalBytes: Int64
    }

    func run() async throws {
        let store = try options.store()
        let stats = try await withStoreErrors(store) { try store.stats() }
        switch format {
        case .text:
            Stdout.write("""
                store: \(store.root)
                blobs: \(stats.blobCount) (\(ByteCount.format(stats.blobBytes)))
                entries: \(stats.entryCount) (\(ByteCount.format(stats.entryBytes)))
                total: \(ByteCount.format(stats.totalBytes))

                """)
        case .json:
            let output = Output(
                store: store.root, blobCount: stats.blobCount, blobBytes: stats.blobBytes,
                entryCount: stats.entryCount, entryBytes: stats.entryBytes, totalBytes: stats.totalBytes)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            Stdout.write(String(decoding: try encoder.encode(output), as: UTF8.self) + "\n")
        }
    }
}

struct CacheVerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Read every blob and entry, check it against its digest, and remove the corrupt ones.",
        discussion: "Exits 1 if it removed a corrupt blob or entry, 0 if the store was intact.")

    @OptionGroup var options: CacheDirectoryOptions

    func run() async throws {
        let store = try options.store()
        let report = try await withStoreErrors(store) { try store.verify() }
        let memoTemporaries = MemoFiles.removeAbandonedTemporaries(under: options.directory + "/memo")
        for removal in report.removed {
            Stdout.write("removed \(removal.kind.rawValue) \(removal.digest.hex): \(removal.reason)\n")
        }
        Stdout.write(
            "checked \(report.checkedBlobs) blobs and \(report.checkedEntries) entries; removed \(report.removed.count) corrupt\n")
        if report.removedTemporaryFiles + memoTemporaries > 0 {
            Stderr.write("removed \(report.removedTemporaryFiles + memoTemporaries) stale temporary files of interrupted writes\n")
        }
        if !report.removed.isEmpty { throw ExitCode(1) }
    }
}

struct CacheGCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove least recently used blobs and entries until the store fits a size.")

    @OptionGroup var options: CacheDirectoryOptions
    @Option(name: .customLong("max-size"), help: ArgumentHelp("The size to shrink to, such as 500M or 2G.", valueName: "size"))
    var maxSize: String

    func run() async throws {
        guard let limit = ByteCount.parse(maxSize) else {
            throw CommandFailure.badInput(
                "'\(maxSize)' is not a size", help: "write a size such as 500M, 2G or 1048576 (bytes)")
        }
        let store = try options.store()
        let report = try await withStoreErrors(store) { try store.gc(maxBytes: limit) }
        // Temporary files killed writers left among the memos (the store's own go with the gc).
        MemoFiles.removeAbandonedTemporaries(under: options.directory + "/memo")
        Stdout.write("""
            removed \(report.removedBlobs) blobs and \(report.removedEntries) entries, freed \(ByteCount.format(report.freedBytes)); \
            store holds \(ByteCount.format(report.remainingBytes))

            """)
    }
}

/// Hidden: stores a file's content as a blob and prints its digest (for tests and debugging).
struct CachePutBlobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put-blob",
        abstract: "Debugging: store a file's content in the local store and print its SHA-256.",
        discussion: "Used by the multi-process tests of the store; not needed in normal use.",
        shouldDisplay: false)

    @OptionGroup var options: CacheDirectoryOptions
    @Argument(help: "The file to store.") var file: String

    func run() async throws {
        let store = try options.store()
        let digest = try await withStoreErrors(store) { try await store.putBlob(fileAt: file) }
        Stdout.write(digest.hex + "\n")
    }
}

/// Hidden: copies a verified blob out of the store (for tests and debugging).
struct CacheGetBlobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-blob",
        abstract: "Debugging: copy a blob out of the local store, verified; exit 1 on a miss.",
        discussion: "Used by the multi-process tests of the store; not needed in normal use.",
        shouldDisplay: false)

    @OptionGroup var options: CacheDirectoryOptions
    @Argument(help: "The blob's SHA-256 in hex.") var digest: String
    @Argument(help: "Where to write the blob.") var output: String

    func run() async throws {
        guard let digest = SHA256Digest(hex: digest) else {
            throw CommandFailure.badInput("'\(self.digest)' is not a SHA-256 digest", help: "pass 64 hex digits")
        }
        let store = try options.store()
        let found = try await withStoreErrors(store) { try await store.copyBlob(digest, to: output) }
        if !found {
            Stderr.write("miss: blob \(digest.hex) is not in \(store.root)\n")
            throw ExitCode(1)
        }
    }
}
