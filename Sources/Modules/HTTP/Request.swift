/// One HTTP request as the worker received it over FastCGI: input only, never changed after
/// decoding. What the chain learns while answering it lives in `RequestContext`.
public struct Request: Sendable {
    public let method: HTTPMethod
    /// The method as sent, for logs and 405s when it is not one the service knows.
    public let rawMethod: String
    /// The raw path from `REQUEST_URI`, before percent-decoding.
    public let rawPath: String
    public let query: QueryParameters
    public let headers: Headers
    public let body: [UInt8]
    public let remoteAddress: String
    public let requestId: String
    /// The unread body of a streaming route (`body: .multipart`); `body` is then empty.
    public let bodyStream: (any RequestBodyStream)?

    public init(
        method: HTTPMethod, rawMethod: String? = nil, rawPath: String, query: QueryParameters = QueryParameters(),
        headers: Headers = Headers(), body: [UInt8] = [], bodyStream: (any RequestBodyStream)? = nil,
        remoteAddress: String = "", requestId: String = ""
    ) {
        self.method = method
        self.rawMethod = rawMethod ?? method.rawValue
        self.rawPath = rawPath
        self.query = query
        self.headers = headers
        self.body = body
        self.bodyStream = bodyStream
        self.remoteAddress = remoteAddress
        self.requestId = requestId
    }

    /// Builds a request from `REQUEST_URI` (path and query together, as nginx sends it).
    public init(method: HTTPMethod, uri: String, headers: Headers = Headers(), body: [UInt8] = [], requestId: String = "") {
        let (path, query) = Request.split(uri: uri)
        self.init(method: method, rawPath: path, query: QueryParameters(parsing: query), headers: headers, body: body, requestId: requestId)
    }

    public static func split(uri: String) -> (path: String, query: Substring) {
        guard let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (uri, "") }
        return (String(uri[..<mark]), uri[uri.utf8.index(after: mark)...])
    }

    /// The media type of the body without parameters, lowercased (`application/json`).
    public var mediaType: String? {
        guard let value = headers["content-type"] else { return nil }
        let base = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return base.trimmingBlanks.lowercased()
    }
}
