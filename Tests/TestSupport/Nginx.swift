// A real nginx with WebDAV PUT, started by a test on 127.0.0.1 and a free port, with its
// own prefix, configuration, temporary and document directories.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An nginx serving a scratch directory over HTTP with `PUT` enabled — the simplest
/// remote cache gocache supports. Stopped by `stop()` or when released.
public final class NginxServer {
    /// Why nginx could not be started.
    public struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with the tail of nginx's error log.
        public var description: String
    }

    /// The nginx binary: `$GOCACHE_TEST_NGINX`, else `/usr/sbin/nginx`, else `nginx` on
    /// `PATH`; `nil` if there is none (tests then skip, saying so).
    public static var executable: String? {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let explicit = environment["GOCACHE_TEST_NGINX"], !explicit.isEmpty { candidates.append(explicit) }
        candidates.append("/usr/sbin/nginx")
        for directory in (environment["PATH"] ?? "").split(separator: ":") { candidates.append("\(directory)/nginx") }
        return candidates.first { access($0, X_OK) == 0 }
    }

    /// The port on 127.0.0.1.
    public let port: UInt16
    /// The directory nginx serves and writes `PUT` bodies into.
    public let documentRoot: String
    /// The scratch directory holding configuration, logs, pid and temporary files.
    public let prefix: String
    private let process: Process

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts nginx and waits (up to 10 s) until it accepts connections.
    public init() throws {
        guard let executable = Self.executable else { throw Failure(description: "nginx is not installed") }
        var template = Array((NSTemporaryDirectory() + "/gocache-nginx-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(description: "cannot create a scratch directory") }
        prefix = String(cString: made)
        documentRoot = prefix + "/root"
        for directory in [documentRoot, prefix + "/logs", prefix + "/temp"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var lastError = ""
        // The port is free when picked but could be taken before nginx binds it: retry.
        for _ in 0..<3 {
            let port = try LoopbackSocket.freePort()
            let configuration = Self.configuration(prefix: prefix, root: documentRoot, port: port)
            let confPath = prefix + "/nginx.conf"
            try configuration.write(toFile: confPath, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-p", prefix, "-c", confPath, "-e", prefix + "/logs/error.log",
                                 "-g", "daemon off; pid \(prefix)/nginx.pid;"]
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline && process.isRunning && !LoopbackSocket.isAccepting(port: port) {
                usleep(20_000)
            }
            if process.isRunning && LoopbackSocket.isAccepting(port: port) {
                self.port = port
                self.process = process
                return
            }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            lastError = (try? String(contentsOfFile: prefix + "/logs/error.log", encoding: .utf8)) ?? ""
        }
        throw Failure(description: "nginx did not start: \(lastError.suffix(2000))")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: prefix)
    }

    /// Stops nginx (SIGTERM, then waits for it to exit).
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// The tail of nginx's error log (for failure messages).
    public var errorLog: String {
        ((try? String(contentsOfFile: prefix + "/logs/error.log", encoding: .utf8)) ?? "").suffix(4000).description
    }

    private static func configuration(prefix: String, root: String, port: UInt16) -> String {
        // Running as root, nginx would hand its workers to `nobody`, who cannot write here.
        let user = geteuid() == 0 ? "user root;\n" : ""
        return """
            \(user)worker_processes 1;
            error_log \(prefix)/logs/error.log warn;
            events { worker_connections 64; }
            http {
                access_log \(prefix)/logs/access.log;
                client_body_temp_path \(prefix)/temp/client_body;
                proxy_temp_path \(prefix)/temp/proxy;
                fastcgi_temp_path \(prefix)/temp/fastcgi;
                uwsgi_temp_path \(prefix)/temp/uwsgi;
                scgi_temp_path \(prefix)/temp/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    root \(root);
                    location / {
                        dav_methods PUT DELETE;
                        create_full_put_path on;
                        client_max_body_size 0;
                    }
                }
            }

            """
    }
}
