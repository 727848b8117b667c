import Crypto
import FastCGI
import HTTP

/// FastCGI parameters and body → `Request`.
enum RequestDecoder {
    enum Failure: Error {
        case bodyTooLarge
        /// A method the service does not know (`PROPFIND`, `FOO`): answered 405 or 404 from the
        /// path alone, never routed as if it were another method.
        case unknownMethod
    }

    /// `streams(method, path)` says whether the route reads its body as a stream, with
    /// `streamLimit` as its largest body. `REMOTE_ADDR` is believed only from a peer running as
    /// `trustedPeer` (nginx's user; nil believes any): another process that reaches the socket
    /// could claim to be loopback.
    static func decode(
        _ exchange: borrowing FastCGIExchange, bodyLimit: Int, streamLimit: Int = 0,
        streams: (HTTPMethod, String) -> Bool = { _, _ in false }, trustedPeer: Int? = nil
    ) -> (Request, Failure?) {
        let parameters = exchange.parameters()
        let remoteAddress = believedAddress(
            parameters["REMOTE_ADDR"], trustedPeer: trustedPeer, fromAllowedFront: exchange.networkPeer != nil, peer: { exchange.peerUserId() })
        let rawMethod = parameters["REQUEST_METHOD"] ?? "GET"
        let uri = parameters["REQUEST_URI"] ?? parameters["SCRIPT_NAME"] ?? "/"
        let (path, query) = Request.split(uri: uri)
        var headerValues: [String: String] = [:]
        for (name, value) in parameters {
            if let header = Headers.name(fromCGIParameter: name) { headerValues[header] = value }
        }
        if let type = parameters["CONTENT_TYPE"], !type.isEmpty { headerValues["content-type"] = type }
        if let length = parameters["CONTENT_LENGTH"], !length.isEmpty { headerValues["content-length"] = length }
        let method = HTTPMethod(rawValue: rawMethod)
        let requestId = requestId(nginx: parameters["REQUEST_ID"])
        func request(body: [UInt8] = [], stream: (any RequestBodyStream)? = nil) -> Request {
            Request(
                method: method ?? .get, rawMethod: rawMethod, rawPath: path, query: QueryParameters(parsing: query),
                headers: Headers(headerValues), body: body, bodyStream: stream,
                remoteAddress: remoteAddress, requestId: requestId)
        }
        guard let method else {
            exchange.drain()
            return (request(), .unknownMethod)
        }
        let expected = Int(parameters["CONTENT_LENGTH"] ?? "") ?? 0
        guard expected > 0 || method.hasBody else { return (request(), nil) }
        if streams(method, path) {
            guard expected <= streamLimit else {
                exchange.drain()
                return (request(), .bodyTooLarge)
            }
            return (request(stream: ExchangeBodyStream(exchange.stdin, limit: streamLimit)), nil)
        }
        switch exchange.readBody(expectedLength: expected, limit: bodyLimit) {
        case .complete(let body): return (request(body: body), nil)
        case .tooLarge: return (request(), .bodyTooLarge)
        }
    }

    /// REMOTE_ADDR as the service believes it: as sent by a front the TCP listener let in (one
    /// of FASTCGI_ALLOWED_ADDRESSES), or over the unix socket by a peer running as
    /// `trustedPeer` (or any peer when `trustedPeer` is nil); unknown ("") from any other
    /// process that reached the socket. `peer` (a syscall) is asked only when there is
    /// something to believe and no other way to know.
    static func believedAddress(_ claimed: String?, trustedPeer: Int?, fromAllowedFront: Bool = false, peer: () -> Int?) -> String {
        guard let claimed, !claimed.isEmpty else { return "" }
        guard let trustedPeer, !fromAllowedFront else { return claimed }
        return peer() == trustedPeer ? claimed : ""
    }

    /// nginx's `$request_id` when it is a plausible id, otherwise one of ours (32 hex, the
    /// same shape), so a client cannot inject text into our logs through it.
    static func requestId(nginx: String?) -> String {
        if let id = nginx, (8...64).contains(id.utf8.count), id.utf8.allSatisfy(isIdByte) { return id }
        return (try? SecureRandom.hex(byteCount: 16)) ?? "0000000000000000"
    }

    private static func isIdByte(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == UInt8(ascii: "-")
    }
}

/// The FastCGI stdin of the request being served, read on demand and capped at `limit`
/// whatever CONTENT_LENGTH claimed. Reads nothing once its exchange has finished.
final class ExchangeBodyStream: RequestBodyStream, @unchecked Sendable {
    private let stdin: FastCGIStdin
    private var remaining: Int

    init(_ stdin: FastCGIStdin, limit: Int) {
        self.stdin = stdin
        remaining = limit + 1
    }

    func read(maximum: Int) -> [UInt8] {
        guard remaining > 0 else { return [] }
        let chunk = stdin.read(maximum: min(maximum, remaining))
        remaining -= chunk.count
        return chunk
    }
}
