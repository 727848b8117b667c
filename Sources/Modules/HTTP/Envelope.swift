/// The success and list envelopes of API.md §1.
public enum Envelope {
    public static func success(_ data: JSONRepresentable?, status: HTTPStatus = .ok) -> Response {
        success(status: status) { $0.write(data?.json ?? .null) }
    }

    /// `data` encoded already (a profile kept encoded in the session cache), written as it is.
    public static func success(encoded data: [UInt8], status: HTTPStatus = .ok) -> Response {
        success(status: status) { $0.raw(encoded: data) }
    }

    private static func success(status: HTTPStatus, data: (inout JSONWriter) -> Void) -> Response {
        var writer = JSONWriter()
        writer.raw("{\"statusCode\":")
        writer.raw(String(status.code))
        writer.raw(",\"message\":")
        writer.write(string: status.successMessage)
        writer.raw(",\"data\":")
        data(&writer)
        writer.raw("}")
        return Response(status: status, headers: [("Content-Type", Response.jsonContentType)], body: writer.bytes)
    }

    /// `facets`, when given, follows `pagination` (API.md §12.3).
    public static func list(_ items: [JSONRepresentable], pagination: Pagination, facets: JSONValue? = nil) -> Response {
        var writer = JSONWriter(capacity: 4096)
        writer.raw("{\"statusCode\":200,\"message\":\"Success\",\"data\":[")
        for (i, item) in items.enumerated() {
            if i > 0 { writer.raw(",") }
            writer.write(item.json)
        }
        writer.raw("],\"pagination\":")
        writer.write(pagination.json)
        if let facets {
            writer.raw(",\"facets\":")
            writer.write(facets)
        }
        writer.raw("}")
        return Response(status: .ok, headers: [("Content-Type", Response.jsonContentType)], body: writer.bytes)
    }
}

public struct Pagination: JSONRepresentable, Sendable, Equatable {
    public let total: Int
    public let page: Int
    public let limit: Int

    public init(total: Int, page: Int, limit: Int) {
        self.total = total
        self.page = page
        self.limit = limit
    }

    public var totalPages: Int { total == 0 ? 0 : (total + limit - 1) / limit }
    public var offset: Int { (page - 1) * limit }

    public var json: JSONValue {
        .object(["total": .int(total), "page": .int(page), "limit": .int(limit), "totalPages": .int(totalPages)])
    }
}
