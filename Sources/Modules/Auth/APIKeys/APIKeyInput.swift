import HTTP

/// `POST /api/api-keys`: a name, one or more known scopes, and optionally when it expires.
struct APIKeyInput {
    let name: String
    let scopes: [String]
    let expiresAt: String?

    init(_ request: Request, nowMilliseconds: Int64) throws(APIError) {
        var body = try ObjectReader(request.body)
        let name = body.string("name", minLength: 1, maxLength: 100)
        var scopes = body.strings("scopes", maxCount: APIKeyScope.allCases.count * 2, maxLength: 64)
        if let given = scopes {
            let unknown = given.filter { APIKeyScope(rawValue: $0) == nil }
            if given.isEmpty {
                body.fail("scopes", "must name at least one scope")
            } else if !unknown.isEmpty {
                body.fail("scopes", "unknown scope \(unknown[0]); one of " + APIKeyScope.allCases.map(\.rawValue).joined(separator: ", "))
            }
            // Kept in the table's order, each once.
            scopes = APIKeyScope.allCases.map(\.rawValue).filter(given.contains)
        }
        let expiresAt = body.time("expiresAt")
        if let at = expiresAt.flatMap(RFC3339.epochMilliseconds), at <= nowMilliseconds { body.fail("expiresAt", "must be in the future") }
        try body.finish()
        self.name = name ?? ""
        self.scopes = scopes ?? []
        self.expiresAt = expiresAt
    }
}
