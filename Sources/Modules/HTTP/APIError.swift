/// One field at fault, as listed in the error envelope's `details`.
public struct FieldError: Equatable, Sendable {
    public let field: String
    public let message: String
    /// Extra members some errors carry (a stock conflict's `productId`, `requested`, `available`).
    public let extra: JSONObject

    public init(field: String, message: String, extra: JSONObject = [:]) {
        self.field = field
        self.message = message
        self.extra = extra
    }

    public var json: JSONValue {
        var object: JSONObject = ["field": .string(field)]
        for entry in extra.entries { object[entry.key] = entry.value }
        object["message"] = .string(message)
        return .object(object)
    }
}

/// An error a handler throws on purpose; it renders as the contract's error envelope.
/// Anything else thrown becomes a 500 that shows nothing of its cause.
public struct APIError: Error, Equatable, Sendable {
    public let status: HTTPStatus
    public let message: String
    public let details: [FieldError]
    public let headers: [HeaderField]

    public struct HeaderField: Equatable, Sendable {
        public let name: String
        public let value: String
        public init(_ name: String, _ value: String) { self.name = name; self.value = value }
    }

    public init(_ status: HTTPStatus, _ message: String, details: [FieldError] = [], headers: [HeaderField] = []) {
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers
    }

    public static func validation(_ details: [FieldError]) -> APIError {
        APIError(.badRequest, "Validation failed", details: details)
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    public static func unauthorized(_ message: String = "Authentication required") -> APIError {
        APIError(.unauthorized, message, headers: [HeaderField("WWW-Authenticate", "Bearer")])
    }

    public static func forbidden(_ message: String = "Insufficient permissions") -> APIError { APIError(.forbidden, message) }

    public static func notFound(_ message: String = "Resource not found") -> APIError { APIError(.notFound, message) }

    public static func conflict(_ message: String, details: [FieldError] = []) -> APIError {
        APIError(.conflict, message, details: details)
    }

    public static func methodNotAllowed(allowed: [String]) -> APIError {
        APIError(.methodNotAllowed, "Method not allowed", headers: [HeaderField("Allow", allowed.joined(separator: ", "))])
    }

    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(.payloadTooLarge, "Request body exceeds \(limit) bytes")
    }

    public static func unsupportedMediaType(expected: String) -> APIError {
        APIError(.unsupportedMediaType, "Content-Type must be \(expected)")
    }

    public static func tooManyRequests(retryAfterSeconds: Int) -> APIError {
        APIError(.tooManyRequests, "Too many requests", headers: [HeaderField("Retry-After", String(retryAfterSeconds))])
    }

    public static let internalError = APIError(.internalServerError, "Internal server error")

    public static func unavailable(_ message: String = "Service temporarily unavailable", retryAfterSeconds: Int = 5) -> APIError {
        APIError(.serviceUnavailable, message, headers: [HeaderField("Retry-After", String(retryAfterSeconds))])
    }

    /// At most this many `details` are sent: a body with thousands of unknown fields must not
    /// buy an answer thousands of entries long.
    public static let maxDetails = 50

    static func capped(_ details: [FieldError]) -> [FieldError] {
        guard details.count > maxDetails else { return details }
        return Array(details.prefix(maxDetails)) + [FieldError(field: "body", message: "and \(details.count - maxDetails) more")]
    }

    /// The error envelope: `{statusCode, error, message, details?, timestamp, path, requestId}`.
    public func response(path: String, requestId: String, timestamp: String) -> Response {
        var body: JSONObject = [
            "statusCode": .int(status.code),
            "error": .string(status.errorName),
            "message": .string(message),
        ]
        if !details.isEmpty { body["details"] = .array(Self.capped(details).map(\.json)) }
        body["timestamp"] = .string(timestamp)
        body["path"] = .string(path)
        body["requestId"] = .string(requestId)
        var response = Response.json(.object(body), status: status)
        for header in headers { response.headers.append((header.name, header.value)) }
        return response
    }
}
