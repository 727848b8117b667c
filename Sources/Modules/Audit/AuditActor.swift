import HTTP

/// Who made a change the audit log records (API.md §12.7): a person, an API key, or the
/// service itself (the jobs process), with the request it came in.
public struct AuditActor: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case user
        case apiKey
        case system
    }

    public let kind: Kind
    public let id: String?
    public let requestId: String?
    public let ip: String?

    public init(kind: Kind, id: String?, requestId: String?, ip: String?) {
        self.kind = kind
        self.id = id
        self.requestId = requestId
        self.ip = ip
    }

    /// The caller of a request the guard let in.
    public init(_ principal: Principal, _ request: Request) {
        if let key = principal.apiKey {
            self.init(kind: .apiKey, id: key.id, requestId: request.requestId, ip: request.remoteAddress)
        } else {
            self.init(kind: .user, id: principal.userId, requestId: request.requestId, ip: request.remoteAddress)
        }
    }

    public static let system = AuditActor(kind: .system, id: nil, requestId: nil, ip: nil)
}

extension RequestContext {
    /// The audit actor of this request's caller (the guard must have let one in).
    public func auditActor(_ request: Request) throws(APIError) -> AuditActor { AuditActor(try requirePrincipal(), request) }
}
