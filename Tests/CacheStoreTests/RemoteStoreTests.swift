import CacheStore
import Foundation
import Testing
import TestSupport

/// Short timeouts so fault tests finish quickly.
// A generous deadline: the whole test run shares two cores, and a starved process must not
// be mistaken for a slow remote (the deadline tests set their own).
private let fastConfiguration = RemoteStore.Configuration(timeout: 1, retries: 1, retryDelay: 0.01, deadline: 600)

@Suite("Remote store over nginx", .enabled(if: NginxServer.executable != nil, "nginx is not installed"))
struct NginxRemoteTests {
    @Test func roundTrip() async throws {
        let nginx = try NginxServer()
        let warnings = StoreWarnings()
        let remote = try RemoteStore(url: nginx.baseURL + "/prefix/", configuration: fastConfiguration, warnings: warnings)
        let bytes = pseudoRandomBytes(2 << 20, seed: 400)
        let digest = try await remote.putBlob(bytes)
        #expect(warnings.messages.isEmpty, "\(warnings.messages)")
        #expect(FileManager.default.fileExists(atPath: nginx.documentRoot + "/prefix/cas/\(digest.hex)"))
        #expect(try await remote.containsBlob(digest))
        #expect(try await remote.blob(digest) == bytes)
        #expect(try await remote.blob(try sha("absent")) == nil)
        #expect(try await !remote.containsBlob(try sha("absent")))

        let key = try sha("key")
        let manifest = ArtifactManifest(
            key: key, artifacts: [.init(name: "bootstrap", digest: digest, size: Int64(bytes.count))],
            metadata: ["target": "functions/a"], durationSeconds: 2, createdAt: Date(timeIntervalSince1970: 1_700_000_000))
        try await remote.putManifest(manifest)
        #expect(try await remote.manifest(for: key) == manifest)
        #expect(try await remote.manifest(for: try sha("other")) == nil)

        // An entry whose blob is gone from the remote is a miss.
        try FileManager.default.removeItem(atPath: nginx.documentRoot + "/prefix/cas/\(digest.hex)")
        #expect(try await remote.manifest(for: key) == nil)
        #expect(warnings.messages.isEmpty, "\(warnings.messages)")
        #expect(remote.statistics.uploads == 2)
        #expect(!remote.statistics.disabled)
    }

    @Test func wrongBodyIsRejectedAndCounted() async throws {
        let nginx = try NginxServer()
        let warnings = StoreWarnings()
        let remote = try RemoteStore(url: nginx.baseURL, configuration: fastConfiguration, warnings: warnings)
        let digest = try await remote.putBlob(Array("the real artifact".utf8))
        try Data("a tampered artifact".utf8).write(to: URL(fileURLWithPath: nginx.documentRoot + "/cas/\(digest.hex)"))
        #expect(try await remote.blob(digest) == nil)
        #expect(try await remote.blob(digest) == nil)
        #expect(remote.statistics.rejected == 2)
        #expect(warnings.messages.count == 1)
        #expect(warnings.messages.first?.contains(digest.hex) == true)
        // Storing the real bytes again (the rebuilt artifact) overwrites the rejected blob
        // although the server has one under that name: the next reader gets it.
        try await remote.putBlob(Array("the real artifact".utf8), digest: digest)
        let fresh = try RemoteStore(url: nginx.baseURL, configuration: fastConfiguration, warnings: StoreWarnings())
        #expect(try await fresh.blob(digest) == Array("the real artifact".utf8))
        // A tampered entry is rejected too.
        let key = try sha("k")
        try FileManager.default.createDirectory(atPath: nginx.documentRoot + "/ac", withIntermediateDirectories: true)
        try Data("{\"not\": \"a manifest\"}".utf8).write(to: URL(fileURLWithPath: nginx.documentRoot + "/ac/\(key.hex)"))
        #expect(try await remote.manifest(for: key) == nil)
        #expect(remote.statistics.rejected == 3)
    }

    @Test func tieredStoreFillsLocalFromRemote() async throws {
        let nginx = try NginxServer()
        let scratch = try ScratchDirectory()
        let writerWarnings = StoreWarnings()
        let writer = TieredStore(
            local: LocalStore(cacheDirectory: scratch.path + "/machine1"),
            remote: try RemoteStore(url: nginx.baseURL, configuration: fastConfiguration, warnings: writerWarnings))
        let bytes = pseudoRandomBytes(100_000, seed: 401)
        let artifact = try scratch.write("bootstrap", bytes)
        let digest = try await writer.putBlob(fileAt: artifact)
        let key = try sha("target key")
        let manifest = ArtifactManifest(key: key, artifacts: [.init(name: "bootstrap", digest: digest, size: 100_000)])
        try await writer.putManifest(manifest)

        #expect(writerWarnings.messages.isEmpty, "\(writerWarnings.messages)")
        #expect(writer.remote?.statistics.uploads == 2)
        let secondLocal = LocalStore(cacheDirectory: scratch.path + "/machine2")
        let reader = TieredStore(local: secondLocal, remote: try RemoteStore(url: nginx.baseURL, configuration: fastConfiguration))
        #expect(try await secondLocal.manifest(for: key) == nil)
        #expect(try await reader.manifest(for: key) == manifest)
        // The remote hit is now local, blobs included.
        #expect(try await secondLocal.manifest(for: key) == manifest)
        #expect(try await secondLocal.blob(digest) == bytes)
        nginx.stop()
        let out = scratch.path + "/out"
        #expect(try await reader.copyBlob(digest, to: out))
        #expect(try SHA256Hasher.hash(fileAt: out) == digest)
    }
}

@Suite("Remote store faults")
struct RemoteFaultTests {
    static let faults: [FaultServer.Mode] = [.refuse, .hang, .status(500), .status(503), .resetMidBody, .truncatedBody, .wrongBody]

    @Test("a fault is a miss with exactly one warning", arguments: faults)
    func faultIsAMiss(mode: FaultServer.Mode) async throws {
        let bytes = pseudoRandomBytes(8192, seed: 500)
        let digest = try SHA256Hasher.hash(bytes)
        let server = try FaultServer(mode: mode, objects: ["/cas/\(digest.hex)": bytes])
        let warnings = StoreWarnings()
        let remote = try RemoteStore(url: server.baseURL, configuration: fastConfiguration, warnings: warnings)
        #expect(try await remote.blob(digest) == nil)
        #expect(try await remote.blob(digest) == nil)
        #expect(try await remote.copyBlob(digest, to: "/nonexistent-dir-gocache/never-written") == false)
        #expect(try await remote.manifest(for: try sha("key")) == nil)
        // Writes never throw either.
        try await remote.putBlob(Array("new".utf8))
        try await remote.putManifest(ArtifactManifest(key: try sha("key"), artifacts: []))
        // Bounded retries, counted rather than timed (no wall-clock limits in tests): after
        // its attempts at the first fault the remote is off, so later calls send nothing;
        // a wrong body does not turn it off, each request is answered once.
        if case .wrongBody = mode {
            #expect(server.requests.count <= 8, "\(mode): \(server.requests.count) requests")
        } else if case .refuse = mode {
            #expect(server.requests.count <= 2, "\(mode): \(server.requests.count) requests")
        } else if case .hang = mode {
            // A timeout is not retried: one request, then the remote is off.
            #expect(server.requests.count == 1, "\(mode): \(server.requests.count) requests")
            #expect(warnings.messages.first?.contains("timed out after") == true, "\(warnings.messages)")
        } else {
            #expect(server.requests.count <= 2, "\(mode): retries must be bounded; \(server.requests.count) requests")
        }
        // One warning per fault; a wrong body is one per corrupt object (the blob, the entry).
        if case .wrongBody = mode {
            #expect(warnings.messages.count == 2, "\(mode): \(warnings.messages)")
        } else {
            #expect(warnings.messages.count == 1, "\(mode): \(warnings.messages)")
        }
        if case .wrongBody = mode {
            #expect(remote.statistics.rejected >= 1)
            #expect(!remote.statistics.disabled)
        } else {
            #expect(remote.statistics.disabled)
            #expect(warnings.messages.first?.contains("continuing without it") == true)
        }
        if case .status = mode {
            // Bounded retries: one attempt plus `retries`, and then nothing more.
            #expect(server.requests.count == 1 + fastConfiguration.retries)
        }
        server.stop()
    }

    @Test func tieredStoreSurvivesAFaultyRemote() async throws {
        let server = try FaultServer(mode: .status(502))
        let scratch = try ScratchDirectory()
        let warnings = StoreWarnings()
        let store = TieredStore(
            local: LocalStore(cacheDirectory: scratch.path),
            remote: try RemoteStore(url: server.baseURL, configuration: fastConfiguration, warnings: warnings))
        let key = try sha("k")
        #expect(try await store.manifest(for: key) == nil)
        let digest = try await store.putBlob(Array("artifact".utf8))
        try await store.putManifest(ArtifactManifest(key: key, artifacts: [.init(name: "a", digest: digest, size: 8)]))
        #expect(try await store.manifest(for: key) != nil)
        #expect(warnings.messages.count == 1)
    }

    @Test func readOnlyNeverWrites() async throws {
        let existing = Array("already there".utf8)
        let existingDigest = try SHA256Hasher.hash(existing)
        let server = try FaultServer(mode: .serve, objects: ["/cas/\(existingDigest.hex)": existing])
        let remote = try RemoteStore(
            url: server.baseURL, configuration: RemoteStore.Configuration(readOnly: true, timeout: 0.5, retries: 0))
        try await remote.putBlob(Array("new".utf8))
        try await remote.putManifest(ArtifactManifest(key: try sha("k"), artifacts: []))
        #expect(try await remote.blob(existingDigest) == existing)
        #expect(!server.requests.contains { $0.method == "PUT" })
        #expect(server.objects.count == 1)

        // A tiered store with a read-only remote still writes locally.
        let scratch = try ScratchDirectory()
        let tiered = TieredStore(local: LocalStore(cacheDirectory: scratch.path), remote: remote)
        let digest = try await tiered.putBlob(Array("local only".utf8))
        #expect(try await tiered.local.containsBlob(digest))
        #expect(!server.requests.contains { $0.method == "PUT" })
    }

    @Test("redirects are followed with the method and the whole body; credentials go to the configured origin only")
    func redirects() async throws {
        let token = "s3cr3t-token-value"
        let elsewhere = try FaultServer(mode: .serve)
        defer { elsewhere.stop() }
        let server = try FaultServer(mode: .redirect(prefix: elsewhere.baseURL))
        defer { server.stop() }
        let warnings = StoreWarnings()
        let remote = try RemoteStore(
            url: server.baseURL, environment: [RemoteStore.tokenVariable: token], configuration: fastConfiguration,
            warnings: warnings)
        let bytes = pseudoRandomBytes(200_000, seed: 9)
        // Another origin: the PUT arrives whole there, without the token.
        let digest = try await remote.putBlob(bytes)
        #expect(elsewhere.objects["/cas/\(digest.hex)"] == bytes, "the redirected PUT carries its body")
        #expect(try await remote.blob(digest) == bytes)
        #expect(try await remote.containsBlob(digest))
        #expect(!elsewhere.requests.isEmpty)
        #expect(elsewhere.requests.allSatisfy { $0.headers["authorization"] == nil }, "no credentials to another origin")
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(token)" })
        #expect(warnings.messages.isEmpty, "\(warnings.messages)")

        // The same origin: the credentials follow.
        server.setMode(.redirect(prefix: server.baseURL + "/moved"))
        let other = try await remote.putBlob(Array("same origin".utf8))
        #expect(server.objects["/cas/\(other.hex)"] == Array("same origin".utf8))
        #expect(try await remote.blob(other) == Array("same origin".utf8))
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == "Bearer \(token)" })

        // An upper-case scheme is the same URL (in the configured URL and in a Location).
        server.setMode(.redirect(prefix: "HTTP://127.0.0.1:\(server.port)/moved"))
        let upper = try RemoteStore(url: "HTTP://127.0.0.1:\(server.port)", configuration: fastConfiguration, warnings: warnings)
        let third = try await upper.putBlob(Array("upper".utf8))
        #expect(try await upper.blob(third) == Array("upper".utf8))
        #expect(warnings.messages.isEmpty, "\(warnings.messages)")

        // A loop of redirects ends: one warning, a miss.
        server.setMode(.redirect(prefix: server.baseURL))
        #expect(try await remote.blob(try sha("looping")) == nil)
        #expect(warnings.messages.count == 1 && warnings.messages[0].contains("redirected more than"), "\(warnings.messages)")
    }

    @Test("a body trickling in, never idle, is cut at the request's deadline; the remote then goes off and requests still running end at once")
    func tricklingRemoteIsCut() async throws {
        let server = try FaultServer(mode: .drip)
        defer { server.stop() }
        let warnings = StoreWarnings()
        let remote = try RemoteStore(
            url: server.baseURL, configuration: RemoteStore.Configuration(timeout: 1, retries: 0, retryDelay: 0.01, deadline: 2),
            warnings: warnings)
        // The first request to reach the deadline switches the remote off; the others stop then.
        async let first = remote.blob(try sha("a"))
        async let second = remote.blob(try sha("b"))
        try await Task.sleep(for: .milliseconds(300))
        async let third = remote.blob(try sha("c"))
        let answers = try await [first, second, third]
        // (No wall-clock bound here: without the deadline each body takes 200 s and ends in a
        // rejected digest — another warning.)
        #expect(answers.allSatisfy { $0 == nil })
        #expect(warnings.messages.count == 1 && warnings.messages[0].contains("took longer than 2 s"), "\(warnings.messages)")
    }

    @Test("the deadline covers a whole request, retries included: slow answers, each within it, are not retried past it")
    func deadlineCoversRetries() async throws {
        let server = try FaultServer(mode: .slowStatus(500))
        defer { server.stop() }
        let warnings = StoreWarnings()
        // Each answer takes 1.5 s, under the 2 s deadline; four attempts would take 6 s.
        let remote = try RemoteStore(
            url: server.baseURL, configuration: RemoteStore.Configuration(timeout: 1, retries: 3, retryDelay: 0.01, deadline: 2),
            warnings: warnings)
        #expect(try await remote.blob(try sha("slow")) == nil)
        #expect(warnings.messages.count == 1 && warnings.messages[0].contains("took longer than 2 s"), "\(warnings.messages)")
    }

    @Test("a remote hit the local store cannot take is a miss with one warning, not an error")
    func remoteHitTheLocalStoreCannotTake() async throws {
        let bytes = Array("remote artifact".utf8)
        let digest = try SHA256Hasher.hash(bytes)
        let key = try sha("remote key")
        let manifest = ArtifactManifest(key: key, artifacts: [.init(name: "a", digest: digest, size: Int64(bytes.count))])
        let server = try FaultServer(
            mode: .serve, objects: ["/cas/\(digest.hex)": bytes, "/ac/\(key.hex)": Array(try manifest.encoded())])
        defer { server.stop() }
        let scratch = try ScratchDirectory()
        // A store whose blob directory is a file: nothing can be written there.
        try FileManager.default.createDirectory(atPath: scratch.path + "/store", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: scratch.path + "/store/cas"))
        let warnings = StoreWarnings()
        let remote = try RemoteStore(url: server.baseURL, configuration: fastConfiguration, warnings: warnings)
        let tiered = TieredStore(local: LocalStore(cacheDirectory: scratch.path), remote: remote)
        #expect(try await tiered.manifest(for: key) == nil)
        #expect(try await tiered.manifest(for: key) == nil)
        #expect(warnings.messages.count == 1 && warnings.messages[0].contains("cannot take remote hits"), "\(warnings.messages)")
    }

    @Test func bearerTokenIsSentAndNeverShown() async throws {
        let token = "s3cr3t-token-value"
        let server = try FaultServer(mode: .serve)
        let warnings = StoreWarnings()
        let remote = try RemoteStore(
            url: server.baseURL, environment: [RemoteStore.tokenVariable: token], configuration: fastConfiguration,
            warnings: warnings)
        let digest = try await remote.putBlob(Array("x".utf8))
        #expect(try await remote.blob(digest) == Array("x".utf8))
        let requests = server.requests
        #expect(!requests.isEmpty)
        #expect(requests.allSatisfy { $0.headers["authorization"] == "Bearer \(token)" })
        #expect(!remote.description.contains(token))

        server.setMode(.status(500))
        #expect(try await remote.blob(try sha("other")) == nil)
        #expect(warnings.messages.count == 1)
        #expect(!warnings.messages.joined().contains(token))
    }

    @Test func basicAuthFromURLIsSentAndRedacted() async throws {
        let server = try FaultServer(mode: .serve)
        let password = "hunter2-pass"
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "http://alice:\(password)@")
        let warnings = StoreWarnings()
        let remote = try RemoteStore(url: url, configuration: fastConfiguration, warnings: warnings)
        try await remote.putBlob(Array("y".utf8))
        let expected = "Basic " + Data("alice:\(password)".utf8).base64EncodedString()
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == expected })
        #expect(!server.requests.contains { $0.path.contains(password) })
        #expect(remote.description == "remote cache http://***@127.0.0.1:\(server.port)")
        server.stop()
        server.setMode(.refuse)
        #expect(try await remote.blob(try sha("z")) == nil)
        #expect(warnings.messages.count == 1)
        #expect(!warnings.messages.joined().contains(password))
        #expect(!warnings.messages.joined().contains("alice"))

        #expect(throws: RemoteStoreError.self) { try RemoteStore(url: "ftp://bob:\(password)@host/x") }
        do {
            _ = try RemoteStore(url: "ftp://bob:\(password)@host/x")
        } catch {
            #expect(!error.description.contains(password))
        }
        // A query (a token there would be dropped from every request) or an impossible port.
        for url in ["http://host/x?token=\(password)", "http://host/x#frag", "http://host:99999/x", "http://host:0/x"] {
            #expect(throws: RemoteStoreError.self, "\(url)") { try RemoteStore(url: url) }
            do {
                _ = try RemoteStore(url: url)
            } catch {
                #expect(!error.description.contains(password))
            }
        }
        #expect(throws: Never.self) { try RemoteStore(url: "https://host:8443/prefix/") }
    }

    @Test func noAuthorizationWithoutCredentials() async throws {
        let server = try FaultServer(mode: .serve)
        let remote = try RemoteStore(url: server.baseURL, configuration: fastConfiguration)
        try await remote.putBlob(Array("z".utf8))
        #expect(!server.requests.isEmpty)
        #expect(server.requests.allSatisfy { $0.headers["authorization"] == nil })
    }
}
