// CacheStore — keys and bytes.
//
// Responsibilities: SHA-256 through libcrypto (OpenSSL 3 EVP), the framed key encoding,
// the local content-addressed store (blobs by SHA-256, action entries key → manifest),
// the remote HTTP store (the `/cas/` and `/ac/` protocol of bazel-remote and nginx
// WebDAV), tiering of local and remote, and manifests.
//
// Boundaries: knows keys and bytes, not Go. Imports only CCrypto.
//
// Invariants: writes are atomic; every read is verified against its digest; a corrupt
// entry is a miss, never an artifact; a remote fault never fails a build.

/// The version of the key format: part of every key, printed by `gocache version`.
///
/// 2: each closure package's field is a digested list (one SHA-256 per package, shared by
/// every key whose closure holds it), and Lambda zips are deflated at level 1 (1 had level
/// 6; a key never names zips of two different byte streams). 3: zips are deflated by
/// libdeflate (level 1), and the compressor's identity is a key field (`packaging`).
public enum KeyFormat {
    public static let version = 3
}
