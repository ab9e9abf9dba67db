import Synchronization

/// The local store in front of an optional remote: reads go local first, then remote, and
/// remote hits are written to the local store; writes go to both (the remote skips them
/// when read-only). A remote fault is a miss, never an error.
public final class TieredStore: ArtifactStore, CustomStringConvertible {
    /// The local store.
    public let local: LocalStore
    /// The remote cache, if any.
    public let remote: RemoteStore?
    /// Whether the warning that the local store could not take a remote hit was given.
    private let localFullWarned = Mutex(false)

    /// Combines a local store with an optional remote.
    public init(local: LocalStore, remote: RemoteStore?) {
        self.local = local
        self.remote = remote
    }

    /// Names both tiers (credentials redacted).
    public var description: String {
        if let remote { return "\(local.description) + \(remote.description)" }
        return local.description
    }

    public func blob(_ digest: SHA256Digest) async throws -> [UInt8]? {
        if let bytes = try await local.blob(digest) { return bytes }
        guard let remote, let bytes = try await remote.blob(digest) else { return nil }
        try await local.putBlob(bytes)
        return bytes
    }

    public func copyBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool {
        if try await local.copyBlob(digest, to: path) { return true }
        guard try await fetchIntoLocal(digest) else { return false }
        return try await local.copyBlob(digest, to: path)
    }

    public func linkBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool {
        if try await local.linkBlob(digest, to: path) { return true }
        guard try await fetchIntoLocal(digest) else { return false }
        return try await local.linkBlob(digest, to: path)
    }

    public func containsBlob(_ digest: SHA256Digest) async throws -> Bool {
        if try await local.containsBlob(digest) { return true }
        return try await remote?.containsBlob(digest) ?? false
    }

    @discardableResult
    public func putBlob(_ bytes: [UInt8]) async throws -> SHA256Digest {
        let digest = try await local.putBlob(bytes)
        if let remote { try await remote.putBlob(bytes) }
        return digest
    }

    public func putBlob(_ bytes: [UInt8], digest: SHA256Digest) async throws {
        try await local.putBlob(bytes, digest: digest)
        if let remote { try await remote.putBlob(bytes, digest: digest) }
    }

    /// Stores `bytes` — the content of the file at `path`, with the SHA-256 just computed —
    /// locally by adopting that file (`LocalStore.adoptBlob`: the file becomes the stored
    /// blob, no copy written) where possible, else by writing the bytes; and remotely as
    /// `putBlob` does.
    public func putBlob(_ bytes: [UInt8], digest: SHA256Digest, adoptingFileAt path: String) async throws {
        if try !local.adoptBlob(fileAt: path, digest: digest) {
            try await local.putBlob(bytes, digest: digest)
        }
        if let remote { try await remote.putBlob(bytes, digest: digest) }
    }

    /// One artifact of a build for `putBuild`: its bytes, their SHA-256 just computed, and
    /// the file holding them, which the local store adopts where it can (see
    /// `putBlob(_:digest:adoptingFileAt:)`).
    public struct BuiltArtifact: Sendable {
        public var bytes: [UInt8]
        public var digest: SHA256Digest
        public var file: String?

        public init(bytes: [UInt8], digest: SHA256Digest, file: String?) {
            self.bytes = bytes
            self.digest = digest
            self.file = file
        }
    }

    /// Stores a build's artifacts, then its entry: the local writes (each ending in an
    /// `fsync`) on a thread outside Swift's cooperative pool, so that other tasks go on
    /// computing on every core while the disk syncs; then the remote's uploads, as
    /// `putBlob` and `putManifest` do.
    public func putBuild(_ artifacts: [BuiltArtifact], manifest: ArtifactManifest) async throws {
        let local = local
        try await BlockingIO.run {
            for artifact in artifacts {
                if let file = artifact.file, try local.adoptBlob(fileAt: file, digest: artifact.digest) { continue }
                try local.writeBlob(artifact.bytes, digest: artifact.digest)
            }
            try local.writeManifest(manifest)
        }
        if let remote {
            for artifact in artifacts { try await remote.putBlob(artifact.bytes, digest: artifact.digest) }
            try await remote.putManifest(manifest)
        }
    }

    @discardableResult
    public func putBlob(fileAt path: String) async throws -> SHA256Digest {
        let digest = try await local.putBlob(fileAt: path)
        if let remote, !remote.configuration.readOnly {
            // Upload what the local store holds, so the remote gets exactly the verified bytes.
            if let bytes = try await local.blob(digest) { try await remote.putBlob(bytes) }
        }
        return digest
    }

    /// A local hit, or a remote hit whose artifacts are then brought into the local store
    /// (verified) before the entry is written locally and returned.
    public func manifest(for key: SHA256Digest) async throws -> ArtifactManifest? {
        if let manifest = try await local.manifest(for: key) { return manifest }
        guard let remote, let manifest = try await remote.manifest(for: key) else { return nil }
        do {
            for artifact in manifest.artifacts where !(try await local.containsBlob(artifact.digest)) {
                guard try await fetchIntoLocal(artifact.digest) else { return nil }
            }
            try await local.putManifest(manifest)
        } catch let error as StoreError {
            // The local store cannot take it (full, read-only, damaged): a remote hit is a miss
            // here — built instead — with one warning, not a failed build.
            let first = localFullWarned.withLock { warned in
                defer { warned = true }
                return !warned
            }
            if first { remote.warnings.report("\(local.description) cannot take remote hits (\(error.description)); they are built instead") }
            return nil
        }
        return manifest
    }

    public func putManifest(_ manifest: ArtifactManifest) async throws {
        try await local.putManifest(manifest)
        if let remote { try await remote.putManifest(manifest) }
    }

    private func fetchIntoLocal(_ digest: SHA256Digest) async throws -> Bool {
        guard let remote, let bytes = try await remote.blob(digest) else { return false }
        try await local.putBlob(bytes)
        return true
    }
}
