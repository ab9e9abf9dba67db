import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// A remote cache speaking the HTTP protocol of bazel-remote and of nginx with WebDAV:
/// `GET`, `PUT` and `HEAD` on `<base>/cas/<sha256>` (blobs) and `<base>/ac/<sha256>`
/// (action entries, here a manifest's JSON).
///
/// A remote never fails a build. Refused connections, timeouts, 5xx answers, resets and
/// truncated bodies are retried a bounded number of times; if the request still fails the
/// remote is switched off for the rest of this store's life with one warning, and every
/// later call is a miss (reads) or a no-op (writes). A body that does not hash to its
/// digest (or an entry that does not parse or names another key) is rejected, counted and
/// warned about once per digest, and never returned. An entry is a hit only if every
/// artifact it lists is present on the remote (`HEAD`).
///
/// Credentials — a bearer token from `GOCACHE_REMOTE_TOKEN`, or `user:password@` in the
/// URL for basic auth — are sent in the `Authorization` header only and never appear in a
/// description, warning or error (`description` shows `***` in their place).
///
/// bazel-remote checks `/ac/` bodies as REAPI `ActionResult` protobufs unless it runs with
/// `--disable_http_ac_validation`; gocache stores manifests as JSON there, so that flag is
/// required with bazel-remote.
public final class RemoteStore: ArtifactStore, CustomStringConvertible {
    /// Knobs of the HTTP client.
    public struct Configuration: Hashable, Sendable {
        /// Read the remote but never write to it (`--remote-read-only`).
        public var readOnly: Bool
        /// Seconds a request may stay idle before it fails (rounded up to whole seconds, at least 1).
        public var timeout: Double
        /// Extra attempts after a failed request.
        public var retries: Int
        /// Seconds before the first retry; doubled for each further one.
        public var retryDelay: Double
        /// Seconds one request may take in all, transfer included; nil: six times `timeout`,
        /// at least 60.
        public var deadline: Double?

        /// Creates a configuration; the defaults suit CI against a cache in the same region.
        public init(
            readOnly: Bool = false, timeout: Double = 10, retries: Int = 2, retryDelay: Double = 0.25, deadline: Double? = nil
        ) {
            self.readOnly = readOnly
            self.timeout = timeout
            self.retries = retries
            self.retryDelay = retryDelay
            self.deadline = deadline
        }
    }

    /// Counters of what the remote did during this store's life.
    public struct Statistics: Hashable, Sendable {
        /// Blobs and entries found.
        public var hits = 0
        /// Blobs and entries not found (or skipped because the remote is off).
        public var misses = 0
        /// Blobs and entries uploaded.
        public var uploads = 0
        /// Bodies rejected because they did not match their digest or key.
        public var rejected = 0
        /// Whether a fault has switched the remote off.
        public var disabled = false
    }

    /// The environment variable holding a bearer token.
    public static let tokenVariable = "GOCACHE_REMOTE_TOKEN"

    /// The configuration in use.
    public let configuration: Configuration
    /// The base URL with any credentials replaced by `***`.
    public let redactedURL: String
    private let base: URL
    private let authorization: String?
    private let session: URLSession
    let warnings: StoreWarnings
    private let state = Mutex(State())

    private struct State {
        var statistics = Statistics()
        var warnedDigests: Set<SHA256Digest> = []
    }

    /// Creates a client for a remote cache.
    ///
    /// - Parameters:
    ///   - url: `http(s)://[user:password@]host[:port][/prefix]`.
    ///   - environment: where `GOCACHE_REMOTE_TOKEN` is looked up.
    ///   - configuration: read-only mode, timeouts and retries.
    ///   - warnings: where warnings go.
    /// - Throws: `RemoteStoreError.invalidURL` (with credentials redacted).
    public init(
        url: String, environment: [String: String] = [:], configuration: Configuration = Configuration(),
        warnings: StoreWarnings = StoreWarnings()
    ) throws(RemoteStoreError) {
        let (base, redacted, authorization) = try Self.parse(url: url, environment: environment)
        self.base = base
        self.redactedURL = redacted
        self.authorization = authorization
        self.configuration = configuration
        self.warnings = warnings
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = Self.effectiveTimeout(configuration.timeout)
        sessionConfiguration.timeoutIntervalForResource = max(configuration.timeout * 6, 60)  // = requestDeadline
        sessionConfiguration.urlCache = nil
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.httpShouldSetCookies = false
        // Redirects are followed here, not by URLSession (`RedirectsStayHere`): it would send
        // the Authorization header to another origin and re-send a PUT without its body.
        self.session = URLSession(configuration: sessionConfiguration, delegate: RedirectsStayHere(), delegateQueue: nil)
    }

    /// Checks a remote cache URL without opening anything: what `init` would reject.
    /// - Throws: `RemoteStoreError.invalidURL` (with credentials redacted).
    public static func validate(url: String) throws(RemoteStoreError) {
        _ = try parse(url: url, environment: [:])
    }

    /// The base URL without credentials, its redacted text, and the Authorization header value.
    private static func parse(url: String, environment: [String: String]) throws(RemoteStoreError)
        -> (base: URL, redacted: String, authorization: String?)
    {
        let redacted = redact(url)
        guard var components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { throw RemoteStoreError.invalidURL(redacted) }
        var authorization: String?
        if let user = components.user {
            let credentials = user.removingPercentEncoding.map { $0 } ?? user
            let password = components.password.flatMap { $0.removingPercentEncoding } ?? ""
            authorization = "Basic " + Data((credentials + ":" + password).utf8).base64EncodedString()
        }
        if let token = environment[Self.tokenVariable], !token.isEmpty {
            authorization = "Bearer " + token
        }
        // A query or fragment (a token in `?…`) would be dropped from every request: refused,
        // as is a port no TCP connection can have.
        if components.query != nil || components.fragment != nil { throw RemoteStoreError.invalidURL(redacted) }
        if let port = components.port, !(1...65535).contains(port) { throw RemoteStoreError.invalidURL(redacted) }
        // `HTTP://` is a URL too, but not to every HTTP client.
        components.scheme = scheme
        components.user = nil
        components.password = nil
        while components.path.hasSuffix("/") { components.path.removeLast() }
        guard let base = components.url else { throw RemoteStoreError.invalidURL(redacted) }

        return (base, redacted, authorization)
    }

    deinit {
        session.finishTasksAndInvalidate()
    }

    /// `remote cache <url>` with credentials redacted.
    public var description: String { "remote cache \(redactedURL)" }

    /// What the remote did so far.
    public var statistics: Statistics { state.withLock { $0.statistics } }

    // MARK: ArtifactStore

    public func blob(_ digest: SHA256Digest) async throws -> [UInt8]? {
        guard let body = try await fetch(.cas, digest) else { return nil }
        guard try SHA256Hasher.hash(body) == digest else {
            reject(digest, "blob \(digest.hex) from \(description) did not match its digest; ignored it")
            return nil
        }
        count { $0.hits += 1 }
        return body
    }

    public func copyBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool {
        guard let bytes = try await blob(digest) else { return false }
        try bytes.withUnsafeBytes { pointer in try Posix.writeAtomically(pointer, to: path) }
        return true
    }

    /// A remote blob is always copied (downloaded, verified, written).
    public func linkBlob(_ digest: SHA256Digest, to path: String) async throws -> Bool {
        try await copyBlob(digest, to: path)
    }

    public func containsBlob(_ digest: SHA256Digest) async throws -> Bool {
        await exists(.cas, digest)
    }

    @discardableResult
    public func putBlob(_ bytes: [UInt8]) async throws -> SHA256Digest {
        let digest = try SHA256Hasher.hash(bytes)
        try await putBlob(bytes, digest: digest)
        return digest
    }

    public func putBlob(_ bytes: [UInt8], digest: SHA256Digest) async throws {
        if configuration.readOnly || isDisabled { return }
        // A blob this run rejected is present but wrong on the server: overwritten, not
        // skipped (else every later run would reject it and build again).
        let rejected = state.withLock { $0.warnedDigests.contains(digest) }
        if !rejected, await exists(.cas, digest) { return }
        await upload(.cas, digest, Data(bytes))
    }

    @discardableResult
    public func putBlob(fileAt path: String) async throws -> SHA256Digest {
        guard let file = try FileDescriptor.openIfExists(path) else {
            throw StoreError(operation: "open", path: path, code: ENOENT)
        }
        let bytes: [UInt8]
        do {
            defer { file.close() }
            bytes = try file.readAll()
        }
        return try await putBlob(bytes)
    }

    public func manifest(for key: SHA256Digest) async throws -> ArtifactManifest? {
        guard let body = try await fetch(.ac, key) else { return nil }
        guard let manifest = try? ArtifactManifest.decode(body), manifest.key == key else {
            reject(key, "action entry \(key.hex) from \(description) is not a manifest for that key; ignored it")
            return nil
        }
        for artifact in manifest.artifacts where !(await exists(.cas, artifact.digest)) {
            count { $0.misses += 1 }
            return nil
        }
        count { $0.hits += 1 }
        return manifest
    }

    public func putManifest(_ manifest: ArtifactManifest) async throws {
        if configuration.readOnly || isDisabled { return }
        await upload(.ac, manifest.key, Data(try manifest.encoded()))
    }

    // MARK: HTTP

    enum Area: String { case cas, ac }

    private enum Outcome {
        case found(Data)
        case notFound
        case failed(String)
    }

    private var isDisabled: Bool { state.withLock { $0.statistics.disabled } }

    private func count(_ update: (inout Statistics) -> Void) {
        state.withLock { update(&$0.statistics) }
    }

    /// GET; `nil` on a miss or a fault (faults switch the remote off).
    private func fetch(_ area: Area, _ digest: SHA256Digest) async throws -> [UInt8]? {
        if isDisabled {
            count { $0.misses += 1 }
            return nil
        }
        switch await perform("GET", area, digest, body: nil) {
        case .found(let data):
            return Array(data)
        case .notFound:
            count { $0.misses += 1 }
            return nil
        case .failed(let reason):
            disable(reason)
            count { $0.misses += 1 }
            return nil
        }
    }

    private func exists(_ area: Area, _ digest: SHA256Digest) async -> Bool {
        if isDisabled { return false }
        switch await perform("HEAD", area, digest, body: nil) {
        case .found: return true
        case .notFound: return false
        case .failed(let reason):
            disable(reason)
            return false
        }
    }

    private func upload(_ area: Area, _ digest: SHA256Digest, _ body: Data) async {
        if configuration.readOnly || isDisabled { return }
        switch await perform("PUT", area, digest, body: body) {
        case .found: count { $0.uploads += 1 }
        case .notFound: disable("PUT \(path(area, digest)) answered 404")
        case .failed(let reason): disable(reason)
        }
    }

    private func path(_ area: Area, _ digest: SHA256Digest) -> String {
        "\(redactedURL)/\(area.rawValue)/\(digest.hex)"
    }

    /// The most redirects one request follows.
    static let redirectLimit = 5

    /// One request with bounded retries. Transport errors, 5xx, 408 and 429 are retried;
    /// 404 is a miss; a redirect (301, 302, 303, 307, 308) is followed up to `redirectLimit`
    /// times — with the same method and body, and with the credentials only while the
    /// location stays on the configured URL's origin (scheme, host and port), as curl does;
    /// any other status fails at once.
    private func perform(_ method: String, _ area: Area, _ digest: SHA256Digest, body: Data?) async -> Outcome {
        var url = base.appendingPathComponent(area.rawValue).appendingPathComponent(digest.hex)
        // One deadline for the whole request: its redirects and retries included.
        let end = ContinuousClock.now + .milliseconds(Int(requestDeadline * 1000))
        for _ in 0...Self.redirectLimit {
            switch await performOnce(method, url: url, area, digest, body: body, end: end) {
            case .redirect(let location):
                url = location
            case .done(let outcome):
                return outcome
            }
        }
        return .failed("\(method) \(path(area, digest)) was redirected more than \(Self.redirectLimit) times")
    }

    private enum Step {
        case done(Outcome)
        case redirect(URL)
    }

    /// Whether `url` is on the configured URL's origin (credentials go there only).
    func isSameOrigin(_ url: URL) -> Bool {
        func port(_ u: URL) -> Int? { u.port ?? (u.scheme?.lowercased() == "https" ? 443 : u.scheme?.lowercased() == "http" ? 80 : nil) }
        return url.scheme?.lowercased() == base.scheme?.lowercased() && url.host?.lowercased() == base.host?.lowercased()
            && port(url) == port(base)
    }

    private func performOnce(_ method: String, url: URL, _ area: Area, _ digest: SHA256Digest, body: Data?, end: ContinuousClock.Instant)
        async -> Step
    {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = Self.effectiveTimeout(configuration.timeout)
        if let authorization, isSameOrigin(url) { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        if let body {
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
            request.setValue(String(body.count), forHTTPHeaderField: "Content-Length")
        }
        let attempts = max(1, configuration.retries + 1)
        var lastReason = ""
        for attempt in 0..<attempts {
            if attempt > 0 {
                let delay = configuration.retryDelay * Double(1 << min(attempt - 1, 6))
                try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
            let remaining = end - ContinuousClock.now
            guard remaining > .zero else {
                return .done(.failed("\(method) \(path(area, digest)) took longer than \(Int(requestDeadline)) s"))
            }
            do {
                let seconds = Double(remaining.components.seconds) + Double(remaining.components.attoseconds) / 1e18
                let (data, response) = try await withDeadline(seconds) { [session, request] in
                    if let body { return try await session.upload(for: request, from: body) }
                    return try await session.data(for: request)
                }
                let http = response as? HTTPURLResponse
                let status = http?.statusCode ?? 0
                switch status {
                case 200..<300:
                    return .done(.found(data))
                case 404:
                    return .done(.notFound)
                case 301, 302, 303, 307, 308:
                    guard let location = http?.value(forHTTPHeaderField: "Location"),
                        let resolved = URL(string: location, relativeTo: url)?.absoluteURL,
                        var parts = URLComponents(url: resolved, resolvingAgainstBaseURL: false),
                        let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme)
                    else {
                        return .done(.failed("\(method) \(path(area, digest)) answered HTTP \(status) without a usable Location"))
                    }
                    parts.scheme = scheme
                    guard let next = parts.url else {
                        return .done(.failed("\(method) \(path(area, digest)) answered HTTP \(status) without a usable Location"))
                    }
                    return .redirect(next)
                case 408, 429, 500..<600:
                    lastReason = "HTTP \(status)"
                    continue
                default:
                    return .done(.failed("\(method) \(path(area, digest)) answered HTTP \(status)"))
                }
            } catch {
                lastReason = Self.reason(error)
                // A server that accepted the request and then said nothing for the whole
                // timeout would most likely do it again: not retried (each retry was another
                // timeout of waiting, with FoundationNetworking's poll loop spinning a core).
                if (error as? URLError)?.code == .timedOut {
                    return .done(.failed("\(method) \(path(area, digest)) timed out after \(Int(request.timeoutInterval)) s"))
                }
                if error is DeadlineExceeded {
                    return .done(.failed("\(method) \(path(area, digest)) took longer than \(Int(requestDeadline)) s"))
                }
            }
        }
        let tries = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        return .done(.failed("\(method) \(path(area, digest)) failed after \(tries): \(lastReason)"))
    }

    /// Switches the remote off with one warning (the first fault only), and cancels the
    /// requests still running: a build waits for none of them.
    private func disable(_ reason: String) {
        let first = state.withLock { state in
            defer { state.statistics.disabled = true }
            return !state.statistics.disabled
        }
        if first {
            warnings.report("\(description) is unavailable (\(reason)); continuing without it")
        }
    }

    /// The longest one request may take, transfer, redirects and retries included. URLSession's timeout fires only
    /// when a transfer stalls: a server trickling a body a byte at a time would hold a build
    /// forever.
    var requestDeadline: Double { configuration.deadline ?? max(configuration.timeout * 6, 60) }

    private struct DeadlineExceeded: Error {}

    /// `operation`'s result, or `DeadlineExceeded` after `seconds` or as soon as another
    /// request switched the remote off: a build waits for none of them. The request is
    /// abandoned, not cancelled: cancelling a URLSession task while its transfer completes
    /// can deadlock FoundationNetworking (task cancellation and the session queue take each
    /// other's locks); an abandoned one ends with its own timeout or with the process.
    private func withDeadline<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let answer = Answer()
        let stillOn: @Sendable () -> Bool = { [self] in !isDisabled }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            Task { @Sendable in
                do {
                    let value = try await operation()
                    if answer.claim() { continuation.resume(returning: value) }
                } catch {
                    if answer.claim() { continuation.resume(throwing: error) }
                }
            }
            Task { @Sendable in
                let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                while ContinuousClock.now < end, !answer.isSettled, stillOn() {
                    try? await Task.sleep(for: .milliseconds(200))
                }
                if answer.claim() { continuation.resume(throwing: DeadlineExceeded()) }
            }
        }
    }

    /// Who answered first: the request or its deadline.
    private final class Answer: Sendable {
        private let settled = Mutex(false)

        var isSettled: Bool { settled.withLock { $0 } }

        /// True for the first caller only.
        func claim() -> Bool {
            settled.withLock { done in
                defer { done = true }
                return !done
            }
        }
    }

    private func reject(_ digest: SHA256Digest, _ message: String) {
        let first = state.withLock { state in
            state.statistics.rejected += 1
            state.statistics.misses += 1
            return state.warnedDigests.insert(digest).inserted
        }
        if first { warnings.report(message) }
    }

    /// The timeout handed to URLSession: whole seconds, at least 1. FoundationNetworking on
    /// Linux truncates a fractional timeout to whole seconds, so 0.5 s would fail every request
    /// at once.
    static func effectiveTimeout(_ seconds: Double) -> Double {
        max(1, seconds.rounded(.up))
    }

    /// A transport error in words, without the URL (which could carry credentials).
    private static func reason(_ error: any Error) -> String {
        guard let error = error as? URLError else { return "transport error" }
        switch error.code {
        case .timedOut: return "timed out"
        case .cannotConnectToHost: return "connection refused"
        case .networkConnectionLost: return "connection lost"
        case .cannotFindHost: return "unknown host"
        case .notConnectedToInternet: return "network unreachable"
        case .badServerResponse: return "bad server response"
        case .secureConnectionFailed: return "TLS handshake failed"
        case .cancelled: return "cancelled"
        case .badURL, .unsupportedURL: return "the URL cannot be requested"
        case .cannotParseResponse: return "the answer is not HTTP"
        case .unknown: return "transport error (an https URL for a server speaking plain HTTP?)"
        default: return "URL error \(error.code.rawValue)"
        }
    }

    /// The URL with `user:password@` replaced by `***@`, and any query dropped.
    public static func redact(_ url: String) -> String {
        var text = url
        if let query = text.firstIndex(where: { $0 == "?" || $0 == "#" }) { text = String(text[..<query]) }
        guard let schemeEnd = text.range(of: "://") else {
            return text.contains("@") ? "***" : text
        }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = text[authorityStart...].firstIndex(of: "/") ?? text.endIndex
        let authority = text[authorityStart..<authorityEnd]
        if let at = authority.lastIndex(of: "@") {
            text = String(text[..<authorityStart]) + "***@" + String(text[text.index(after: at)...])
        }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}

/// A remote cache that cannot be used at all, reported before any request is made.
public enum RemoteStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The URL is not `http(s)://host[:port][/prefix]` (credentials redacted).
    case invalidURL(String)

    /// `remote cache URL '<url>' is not ...`.
    public var description: String {
        switch self {
        case .invalidURL(let url):
            "remote cache URL '\(url)' is not of the form http(s)://[user:password@]host[:port][/prefix] (no query, a port up to 65535)"
        }
    }
}

/// Hands every redirect back to `RemoteStore.perform` instead of following it (URLSession
/// would keep the Authorization header on another origin and send a PUT's body only once).
private final class RedirectsStayHere: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
