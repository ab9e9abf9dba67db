public import Foundation

/// What a key maps to in the action cache: the artifacts built for it (by content digest)
/// and facts about the build.
///
/// Stored as JSON with sorted keys, so equal manifests have equal bytes.
public struct ArtifactManifest: Codable, Hashable, Sendable {
    /// The version of this manifest format.
    public static let currentSchemaVersion = 1

    /// One output file of a build.
    public struct Artifact: Codable, Hashable, Sendable {
        /// The file's name, such as `bootstrap` or `function.zip`.
        public var name: String
        /// The SHA-256 of its content: its address in the blob store.
        public var digest: SHA256Digest
        /// Its size in bytes.
        public var size: Int64

        /// Creates an artifact entry.
        public init(name: String, digest: SHA256Digest, size: Int64) {
            self.name = name
            self.digest = digest
            self.size = size
        }
    }

    /// The manifest format version.
    public var schemaVersion: Int
    /// The key this manifest is stored under.
    public var key: SHA256Digest
    /// The outputs, in the order the builder produced them.
    public var artifacts: [Artifact]
    /// Free-form facts such as the target directory or the toolchain version.
    public var metadata: [String: String]
    /// How long the build took.
    public var durationSeconds: Double
    /// When the build finished (stored with whole-second precision).
    public var createdAt: Date?

    /// Creates a manifest.
    public init(
        key: SHA256Digest, artifacts: [Artifact], metadata: [String: String] = [:],
        durationSeconds: Double = 0, createdAt: Date? = nil
    ) {
        self.schemaVersion = Self.currentSchemaVersion
        self.key = key
        self.artifacts = artifacts
        self.metadata = metadata
        self.durationSeconds = durationSeconds
        self.createdAt = createdAt
    }

    /// The JSON bytes (sorted keys, ISO-8601 dates).
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return Array(try encoder.encode(self))
    }

    /// Decodes JSON bytes written by `encoded()`.
    public static func decode(_ bytes: [UInt8]) throws -> ArtifactManifest {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ArtifactManifest.self, from: Data(bytes))
    }
}
