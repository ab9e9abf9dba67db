// A loopback HTTP server that misbehaves on purpose, for testing the remote store's
// fault handling: POSIX sockets on 127.0.0.1 and a free port, one thread per connection.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 that serves `/cas/` and `/ac/` from memory or fails
/// in a chosen way. Only loopback is ever bound.
public final class FaultServer: Sendable {
    /// How the server answers.
    public enum Mode: Sendable, CustomStringConvertible {
        /// A working cache: `PUT` stores, `GET`/`HEAD` answer from memory or 404.
        case serve
        /// Nothing listens on the port: connections are refused.
        case refuse
        /// Requests are read and never answered (the client must time out).
        case hang
        /// Every request is answered with this status and an empty body.
        case status(Int)
        /// `GET` sends headers and half the body, then resets the connection (RST).
        case resetMidBody
        /// `GET` announces the full length, sends half the body and closes normally.
        case truncatedBody
        /// `GET` answers 200 with a body of the right length but different bytes.
        case wrongBody
        /// Answer every request with `307 Location: <prefix><path>` (the body read and
        /// dropped), except requests under `/moved`, which are served as `serve` does (with
        /// `/moved` taken off their path).
        case redirect(prefix: String)
        /// Answer a GET with a 4,096-byte body sent one byte every 50 ms (alive, never idle
        /// long enough for a timeout); other methods as `serve`.
        case drip
        /// Answer every request with this status and a 30-byte body sent one byte every 50 ms.
        case slowStatus(Int)

        public var description: String {
            switch self {
            case .serve: "serve"
            case .refuse: "refuse"
            case .hang: "hang"
            case .status(let code): "status \(code)"
            case .resetMidBody: "reset mid-body"
            case .truncatedBody: "truncated body"
            case .wrongBody: "wrong body"
            case .redirect(let prefix): "redirect to \(prefix)"
            case .drip: "drip"
            case .slowStatus(let code): "slow status \(code)"
            }
        }
    }

    /// One request the server read.
    public struct Request: Sendable, Hashable {
        /// `GET`, `PUT`, `HEAD`, ...
        public var method: String
        /// The request path, such as `/cas/<hex>`.
        public var path: String
        /// Header names (lowercased) and values.
        public var headers: [String: String]
    }

    private struct State: Sendable {
        var mode: Mode
        var objects: [String: [UInt8]]
        var requests: [Request] = []
        var clients: Set<Int32> = []
        var stopped = false
    }

    /// The port on 127.0.0.1.
    public let port: UInt16
    private let listener: Int32
    private let state: Mutex<State>

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts a server in `mode`, holding `objects` (path → body, such as `/cas/<hex>`).
    public init(mode: Mode, objects: [String: [UInt8]] = [:]) throws {
        state = Mutex(State(mode: mode, objects: objects))
        if case .refuse = mode {
            // Take a free port and close it again: connecting to it is refused.
            let probe = try LoopbackSocket.listen()
            port = probe.port
            _ = close(probe.fd)
            listener = -1
            return
        }
        let socket = try LoopbackSocket.listen()
        port = socket.port
        listener = socket.fd
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        stop()
    }

    /// Every request read so far.
    public var requests: [Request] { state.withLock { $0.requests } }

    /// The bodies stored so far (path → bytes).
    public var objects: [String: [UInt8]] { state.withLock { $0.objects } }

    /// Changes how later requests are answered.
    public func setMode(_ mode: Mode) {
        state.withLock { $0.mode = mode }
    }

    /// Stops accepting and closes every open connection.
    public func stop() {
        let clients: Set<Int32>? = state.withLock { state in
            if state.stopped { return nil }
            state.stopped = true
            return state.clients
        }
        guard let clients else { return }
        if listener >= 0 {
            _ = shutdown(listener, Int32(SHUT_RDWR))
        }
        for client in clients { _ = shutdown(client, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        defer { _ = close(listener) }
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let accepted = state.withLock { state in
                if state.stopped { return false }
                state.clients.insert(client)
                return true
            }
            if !accepted {
                _ = close(client)
                return
            }
            let thread = Thread { [self] in
                serve(client)
                state.withLock { _ = $0.clients.remove(client) }
                _ = close(client)
            }
            thread.start()
        }
    }

    private func serve(_ client: Int32) {
        var pending: [UInt8] = []
        while let (request, body) = readRequest(client, &pending) {
            let mode = state.withLock { state in
                state.requests.append(request)
                return state.mode
            }
            switch mode {
            case .refuse, .serve:
                if !answer(client, request, body) { return }
            case .hang:
                // Keep the connection open and silent until the client gives up or we stop.
                var scratch = [UInt8](repeating: 0, count: 1024)
                while recv(client, &scratch, scratch.count, 0) > 0 {}
                return
            case .status(let code):
                if !send(client, head(code, length: 0)) { return }
            case .slowStatus(let code):
                if !send(client, head(code, length: 30)) { return }
                for _ in 0..<30 {
                    usleep(50_000)
                    if state.withLock({ $0.stopped }) || !send(client, [0x2e]) { return }
                }
            case .drip:
                guard request.method == "GET" else {
                    if !answer(client, request, body) { return }
                    continue
                }
                if !send(client, head(200, length: 4096)) { return }
                for _ in 0..<4096 {
                    usleep(50_000)
                    if state.withLock({ $0.stopped }) || !send(client, [0x5a]) { return }
                }
            case .redirect(let prefix):
                if request.path.hasPrefix("/moved/") {
                    var moved = request
                    moved.path = String(request.path.dropFirst("/moved".count))
                    if !answer(client, moved, body) { return }
                } else {
                    let answer = "HTTP/1.1 307 X\r\nLocation: \(prefix)\(request.path)\r\nContent-Length: 0\r\n\r\n"
                    if !send(client, Array(answer.utf8)) { return }
                }
            case .resetMidBody, .truncatedBody, .wrongBody:
                guard request.method == "GET" else {
                    if !answer(client, request, body) { return }
                    continue
                }
                let stored = state.withLock { $0.objects[request.path] } ?? [UInt8](repeating: 0x5a, count: 4096)
                let content = stored.isEmpty ? [0x5a] : stored
                if case .wrongBody = mode {
                    let wrong = content.map { $0 ^ 0xff }
                    if !send(client, head(200, length: wrong.count) + wrong) { return }
                    continue
                }
                _ = send(client, head(200, length: content.count) + Array(content.prefix(content.count / 2)))
                if case .resetMidBody = mode {
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    _ = setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                }
                return
            }
        }
    }

    /// Answers as a working cache; `false` if the connection broke.
    private func answer(_ client: Int32, _ request: Request, _ body: [UInt8]) -> Bool {
        switch request.method {
        case "PUT":
            state.withLock { $0.objects[request.path] = body }
            return send(client, head(201, length: 0))
        case "GET":
            guard let stored = state.withLock({ $0.objects[request.path] }) else { return send(client, head(404, length: 0)) }
            return send(client, head(200, length: stored.count) + stored)
        case "HEAD":
            guard let stored = state.withLock({ $0.objects[request.path] }) else { return send(client, head(404, length: 0)) }
            return send(client, head(200, length: stored.count))
        default:
            return send(client, head(405, length: 0))
        }
    }

    private func head(_ status: Int, length: Int) -> [UInt8] {
        Array("HTTP/1.1 \(status) X\r\nContent-Length: \(length)\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Reads one request (head and `Content-Length` body); `nil` when the client closes.
    private func readRequest(_ client: Int32, _ pending: inout [UInt8]) -> (Request, [UInt8])? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while true {
            if pending.count >= 4 {
                for index in 0...(pending.count - 4) where Array(pending[index..<index + 4]) == separator {
                    headEnd = index
                    break
                }
            }
            if headEnd != nil { break }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            pending.append(contentsOf: buffer[0..<count])
        }
        guard let headEnd else { return nil }
        let headText = String(decoding: pending[0..<headEnd], as: UTF8.self)
        pending.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while pending.count < length {
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            pending.append(contentsOf: buffer[0..<count])
        }
        let body = Array(pending.prefix(length))
        pending.removeFirst(length)
        return (Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers), body)
    }
}

/// Listening TCP sockets on 127.0.0.1 only.
public enum LoopbackSocket {
    /// An error of the socket calls, with `errno`.
    public struct Failure: Error, CustomStringConvertible {
        /// The call that failed.
        public var call: String
        /// Its `errno`.
        public var code: Int32
        public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
    }

    /// Binds and listens on 127.0.0.1 with a port the kernel picks.
    public static func listen() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if fd < 0 { throw Failure(call: "socket", code: errno) }
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound != 0 {
            let code = errno
            _ = close(fd)
            throw Failure(call: "bind", code: code)
        }
        if Glibc.listen(fd, 64) != 0 {
            let code = errno
            _ = close(fd)
            throw Failure(call: "listen", code: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A port on 127.0.0.1 that was free a moment ago (for servers that bind it themselves).
    public static func freePort() throws -> UInt16 {
        let (fd, port) = try listen()
        _ = close(fd)
        return port
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func isAccepting(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if fd < 0 { return false }
        defer { _ = close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
    }
}
