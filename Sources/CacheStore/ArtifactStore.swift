/// A store of blobs addressed by their SHA-256 and of action entries (key → manifest).
///
/// Every implementation verifies what it returns: a blob's bytes hash to the digest asked
/// for, a manifest carries the key asked for and all its artifacts are present. Anything
/// else is a miss (`nil` or `false`), never a wrong artifact.
public protocol ArtifactStore: Sendable {
    /// The bytes of a blob, verified against `digest`; `nil` on a miss.
    func blob(_ digest: SHA256Digest) async throws -> [UInt8]?

    /// Copies a blob to `path` (atomically by a rename, verified, not fsync'd: `path` is an
    /// output, not part of the store); `false` on a miss, leaving `path` untouched.
    func copyBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool

    /// Places a blob at `path` like `copyBlob`, but as a hard link to the stored file where
    /// the store is a local directory on the same file system (copying otherwise); the
    /// linked file is verified all the same — read and hashed, or, in `LocalStore`, by its
    /// stat data being the very version last verified (`VerifiedBlobStamps`). A linked
    /// output shares its bytes with the store: rewriting it in place (not replacing it by a
    /// rename) changes the stored blob too, which the store's next placement or read of it
    /// detects (a miss, and the blob removed).
    func linkBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool

    /// Whether the store holds a blob (without reading it).
    func containsBlob(_ digest: SHA256Digest) async throws -> Bool

    /// Stores bytes and returns their digest.
    @discardableResult
    func putBlob(_ bytes: [UInt8]) async throws -> SHA256Digest

    /// Stores bytes whose SHA-256 the caller has just computed (`digest`), without hashing
    /// them again. A wrong digest cannot give a wrong artifact: every read verifies.
    func putBlob(_ bytes: [UInt8], digest: SHA256Digest) async throws

    /// Stores a file's content and returns its digest.
    @discardableResult
    func putBlob(fileAt path: String) async throws -> SHA256Digest

    /// The manifest stored under `key`, if it is intact and all its artifacts are present.
    func manifest(for key: SHA256Digest) async throws -> ArtifactManifest?

    /// Stores a manifest under its `key` (store its blobs first).
    func putManifest(_ manifest: ArtifactManifest) async throws
}
