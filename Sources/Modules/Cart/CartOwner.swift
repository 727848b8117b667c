import Crypto
import HTTP
import Postgres

/// Whose cart a request is about (API.md §12.1): the signed-in user's, or a guest's named by
/// `X-Cart-Token`. With both, the bearer wins (the guard has then set the principal).
public enum CartOwner: Sendable, Equatable {
    case user(String)
    /// Only the token's SHA-256 is ever stored or looked up.
    case guest(tokenHash: [UInt8])

    public static let tokenHeader = "x-cart-token"

    public var userId: String? {
        if case .user(let id) = self { return id }
        return nil
    }

    /// The condition naming this owner's cart, `c` being `carts`.
    var condition: PostgresQuery {
        switch self {
        case .user(let id): return "c.user_id = \(bind: id)"
        case .guest(let hash): return "c.guest_token_hash = \(bind: SQLFragment.bytea(hash))"
        }
    }

    /// The owner a cart route serves; the guard let the request through with one or the other.
    static func of<App>(_ request: Request, _ context: RequestContext<App>) throws(APIError) -> CartOwner {
        if let principal = context.principal { return .user(principal.userId) }
        guard let token = request.headers[tokenHeader] else { throw APIError.unauthorized() }
        return .guest(tokenHash: GuestCartToken.hash(token))
    }
}

/// The guest's cart token: 32 random bytes, base64url; the service keeps only its hash. A
/// malformed token is as unknown as a made-up one.
public enum GuestCartToken {
    static func make() throws -> (token: String, hash: [UInt8]) {
        let token = try SecureRandom.token(byteCount: 32)
        return (token, hash(token))
    }

    public static func hash(_ token: String) -> [UInt8] { Digest.sha256(token) }
}
