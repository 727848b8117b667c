/// One HTTP request as the worker received it over FastCGI.
public struct Request: Sendable {
    public var method: HTTPMethod
    /// The method as sent, for logs and 405s when it is not one the service knows.
    public var rawMethod: String
    /// The raw path from `REQUEST_URI`, before percent-decoding.
    public var rawPath: String
    public var query: QueryParameters
    public var headers: Headers
    public var body: [UInt8]
    public var remoteAddress: String
    public var requestId: String
    /// Path parameters filled in by the router (`:id` → value), percent-decoded.
    public var pathParameters: [String: String] = [:]
    /// Set by the authentication guard on bearer and admin routes.
    public var principal: Principal?
    /// The unread body of a streaming route (`body: .multipart`); `body` is then empty.
    public var bodyStream: (any RequestBodyStream)?

    public init(
        method: HTTPMethod, rawMethod: String? = nil, rawPath: String, query: QueryParameters = QueryParameters(),
        headers: Headers = Headers(), body: [UInt8] = [], remoteAddress: String = "", requestId: String = ""
    ) {
        self.method = method
        self.rawMethod = rawMethod ?? method.rawValue
        self.rawPath = rawPath
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestId = requestId
    }

    /// Builds a request from `REQUEST_URI` (path and query together, as nginx sends it).
    public init(method: HTTPMethod, uri: String, headers: Headers = Headers(), body: [UInt8] = []) {
        let (path, query) = Request.split(uri: uri)
        self.init(method: method, rawPath: path, query: QueryParameters(parsing: query), headers: headers, body: body)
    }

    public static func split(uri: String) -> (path: String, query: Substring) {
        guard let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (uri, "") }
        return (String(uri[..<mark]), uri[uri.utf8.index(after: mark)...])
    }

    /// The media type of the body without parameters, lowercased (`application/json`).
    public var mediaType: String? {
        guard let value = headers["content-type"] else { return nil }
        let base = value.split(separator: ";", maxSplits: 1).first.map(String.init) ?? value
        return base.trimmingSpaces().lowercased()
    }

    public func pathParameter(_ name: String) -> String? { pathParameters[name] }
}

extension String {
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
