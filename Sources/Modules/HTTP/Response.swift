/// What a handler answers. The body is bytes: JSON is serialised once, by the envelope.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// More body, written after `body` chunk by chunk as it is produced (a CSV export of the
    /// whole catalog), so an answer of any size takes constant memory.
    public var stream: ResponseStream?

    public init(status: HTTPStatus, headers: [(name: String, value: String)] = [], body: [UInt8] = [], stream: ResponseStream? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.stream = stream
    }

    public static let jsonContentType = "application/json; charset=utf-8"

    /// A bare JSON answer (health routes), outside the envelope.
    public static func json(_ value: JSONValue, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", jsonContentType)], body: JSONWriter.encode(value))
    }

    public static func text(_ text: String, contentType: String = "text/plain; charset=utf-8", status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    public static func bytes(_ bytes: [UInt8], contentType: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: [("Content-Type", contentType)], body: bytes)
    }

    public func header(_ name: String) -> String? {
        headers.first(where: { $0.name.lowercased() == name.lowercased() })?.value
    }

    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.lowercased() == name.lowercased() }
        headers.append((name, value))
    }

    /// The CGI header block libfcgi expects before the body: `Status:` first, CRLF lines.
    public func cgiHead() -> [UInt8] {
        var head = "Status: \(status.code) \(status.reasonPhrase)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return Array(head.utf8)
    }
}

/// A body produced after the handler returned: `produce` calls `write` with each chunk. It runs
/// on the worker that answered, before its next request, so it may use the worker's
/// connections; an error ends the answer short (nginx sees it incomplete).
public struct ResponseStream: @unchecked Sendable {
    public let produce: (_ write: ([UInt8]) throws -> Void) throws -> Void

    public init(_ produce: @escaping (_ write: ([UInt8]) throws -> Void) throws -> Void) { self.produce = produce }
}
