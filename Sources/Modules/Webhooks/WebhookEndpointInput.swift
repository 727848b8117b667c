import HTTP

/// A webhook endpoint body: `url` and `events` on create; `url`, `events`, `isActive`,
/// `description` on update. The URL is checked as deliveries will use it (scheme, host, and
/// what the host resolves to).
struct WebhookEndpointInput {
    var url: String?
    var events: [String]?
    var description: String??
    var isActive: Bool?

    init(_ request: Request, creating: Bool, allowPrivate: Bool) throws(APIError) {
        var body = try ObjectReader(request.body)
        url = body.string("url", required: creating, minLength: 1, maxLength: 2048)
        if let url {
            switch WebhookDestination.parse(url, allowPrivate: allowPrivate) {
            case .failure(let problem):
                body.fail("url", problem.message)
            case .success(let destination):
                if case .failure(let problem) = destination.resolve(allowPrivate: allowPrivate) { body.fail("url", problem.message) }
            }
        }
        events = body.strings("events", required: creating, maxCount: WebhookEventType.allCases.count * 2, maxLength: 64)
        if let given = events {
            if given.isEmpty {
                body.fail("events", "must name at least one event")
            } else if let unknown = given.first(where: { WebhookEventType(rawValue: $0) == nil }) {
                body.fail("events", "unknown event \(unknown); one of " + WebhookEventType.allCases.map(\.rawValue).joined(separator: ", "))
            }
            events = WebhookEventType.allCases.map(\.rawValue).filter(given.contains)
        }
        let text = body.string("description", required: false, nullable: true, maxLength: 500)
        if body.has("description") { description = .some(text) }
        isActive = creating ? nil : body.bool("isActive", required: false)
        if !creating && body.isEmpty { body.fail("body", "must contain at least one field") }
        try body.finish()
    }
}
