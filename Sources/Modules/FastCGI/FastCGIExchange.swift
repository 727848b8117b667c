import CFastCGI
import CSystem
import Core
#if canImport(Glibc)
import Glibc
#endif

/// One accepted request: its parameters, its body and its output stream. Not copyable, and
/// `finish()` consumes it: once the response is flushed no copy is left to read parameters
/// libfcgi has freed, and the body reader handed to a streaming route is closed with it.
public struct FastCGIExchange: ~Copyable {
    private let request: UnsafeMutablePointer<FCGX_Request>
    private let finishRequest: () -> Void
    /// The body, for routes that read it as it arrives; closed when the exchange ends.
    public let stdin: FastCGIStdin
    /// The front's address when it connected over TCP (the listener let it in as one of
    /// `FASTCGI_ALLOWED_ADDRESSES`); nil over a unix socket.
    public let networkPeer: IPAddress?

    init(request: UnsafeMutablePointer<FCGX_Request>, networkPeer: IPAddress?, finish: @escaping () -> Void) {
        self.request = request
        self.networkPeer = networkPeer
        self.finishRequest = finish
        stdin = FastCGIStdin(request.pointee.in)
    }

    /// Flushes the output and closes the connection however the exchange ends: `finish()`, or
    /// a path that drops it (a thrown error) — nginx always sees the request complete.
    deinit {
        stdin.close()
        finishRequest()
    }

    /// Every parameter nginx sent (`REQUEST_METHOD`, `HTTP_AUTHORIZATION`, …), copied.
    public func parameters() -> [String: String] {
        EnvironmentBlock.dictionary(request.pointee.envp)
    }

    /// The uid of the process that connected (nginx's worker, unless someone else reached the
    /// socket), or nil when the kernel does not say.
    public func peerUserId() -> Int? {
        let uid = cfcgi_peer_uid(request.pointee.ipcFd)
        return uid >= 0 ? uid : nil
    }

    public enum Body {
        case complete([UInt8])
        /// Over the limit: the rest was read and discarded so the stream stays in step.
        case tooLarge
    }

    /// Reads the body to EOF, up to `limit` bytes. `CONTENT_LENGTH` is only a hint: what
    /// counts is what arrives.
    public func readBody(expectedLength: Int, limit: Int) -> Body {
        if expectedLength > limit {
            drain()
            return .tooLarge
        }
        var body = [UInt8]()
        body.reserveCapacity(max(0, expectedLength))
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = stdin.read(into: &chunk)
            if count == 0 { break }
            if body.count + count > limit {
                drain()
                return .tooLarge
            }
            body.append(contentsOf: chunk[0..<count])
        }
        return .complete(body)
    }

    /// Reads and discards the rest of the body so libfcgi finishes the request cleanly.
    public func drain() {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        // Bounded: nginx never forwards more than client_max_body_size; this stops a hostile peer.
        var budget = 64 * 1024 * 1024
        while budget > 0 {
            let count = stdin.read(into: &chunk)
            if count == 0 { return }
            budget -= count
        }
    }

    /// Writes the CGI head, then the body: libfcgi buffers both into the same records, so the
    /// body (a cached page of tens of kilobytes) is not copied once more to join them.
    public func write(head: [UInt8], body: [UInt8]) throws(FastCGIError) {
        for part in [head, body] where !part.isEmpty {
            let written = part.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { FCGX_PutStr($0.baseAddress, Int32($0.count), request.pointee.out) }
            }
            if written < 0 || FCGX_GetError(request.pointee.out) != 0 {
                throw .streamFailed(code: FCGX_GetError(request.pointee.out))
            }
        }
    }

    /// Flushes the output and closes the connection; nginx sees the response complete. The
    /// work is the deinit's, which also runs if the exchange is dropped on another path.
    public consuming func finish() {}
}
