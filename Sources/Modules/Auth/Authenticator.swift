import HTTP
import Postgres

/// The bearer and admin guard (API.md §2): a valid access token, a live session and an
/// active user, checked through Redis with PostgreSQL behind it. The role that counts is the
/// user's current one, so a demoted admin loses admin rights on the next request.
public enum Authenticator {
    /// `apiKeyScope` is what the route needs of an API key (nil: no key may call it), asked
    /// only when the caller is one, so a token request does no table lookup.
    public static func authenticate(
        _ request: Request, access: RouteAccess, apiKeyScope: @autoclosure () -> String? = nil, context: some AuthContext
    ) throws -> Principal {
        guard let token = bearerToken(request) else { throw APIError.unauthorized() }
        if APIKeyToken.looksLikeKey(token) {
            let principal = try APIKeyGuard.principal(token, context: context)
            if let grant = principal.apiKey { try APIKeyGuard.check(grant, needs: apiKeyScope()) }
            return principal
        }
        let claims: AccessClaims
        do {
            claims = try TokenIssuer(settings: context.auth).verifyAccess(token, nowSeconds: context.nowSeconds)
        } catch {
            throw APIError.unauthorized(error == .expired ? "Access token expired" : "Invalid access token")
        }
        guard case .live(let user) = try sessionState(claims.sessionId, context), user.id == claims.userId, user.isActive
        else { throw APIError.unauthorized("Session is no longer valid") }
        if access == .admin && user.role != .admin { throw APIError.forbidden() }
        return Principal(userId: user.id, sessionId: claims.sessionId, role: user.role, profileJSON: user.profileJSON)
    }

    /// `Bearer <token>` (the scheme in any case), read as bytes.
    public static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers["authorization"] else { return nil }
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ (0x41...0x5A ~= $0 ? $0 | 0x20 : $0) == $1 }) else { return nil }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let start = bytes[scheme.count...].firstIndex(where: { !blank($0) }),
            let end = bytes[start...].lastIndex(where: { !blank($0) })
        else { return nil }
        return String(decoding: bytes[start...end], as: UTF8.self)
    }

    private static func sessionState(_ sessionId: String, _ context: some AuthContext) throws -> SessionState {
        let sessions = SessionCache(cache: context.cache, ttlSeconds: context.auth.sessionCacheTTL)
        var cacheWorks = true
        do {
            if case .hit(let state) = try sessions.lookup(sessionId) {
                context.recordSessionLookup(.hit)
                return state
            }
            context.recordSessionLookup(.miss)
        } catch {
            context.recordSessionLookup(.error)
            cacheWorks = false
        }
        let state = try SessionStore.state(of: sessionId, on: context.database)
        if cacheWorks { try? sessions.fill(sessionId, state) }
        return state
    }
}
