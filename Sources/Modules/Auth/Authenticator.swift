import HTTP
import Postgres

/// The bearer and admin guard (API.md §2): a valid access token, a live session and an
/// active user, checked through Redis with PostgreSQL behind it. The role that counts is the
/// user's current one, so a demoted admin loses admin rights on the next request.
public enum Authenticator {
    public static func authenticate(_ request: Request, access: RouteAccess, context: some AuthContext) throws -> Principal {
        guard let token = bearerToken(request) else { throw APIError.unauthorized() }
        let claims: AccessClaims
        do {
            claims = try TokenIssuer(settings: context.auth).verifyAccess(token, nowSeconds: context.nowSeconds)
        } catch {
            throw APIError.unauthorized(error == .expired ? "Access token expired" : "Invalid access token")
        }
        guard case .live(let userId, let role, let isActive) = try sessionState(claims.sessionId, context),
              userId == claims.userId, isActive
        else { throw APIError.unauthorized("Session is no longer valid") }
        if access == .admin && role != .admin { throw APIError.forbidden() }
        return Principal(userId: userId, sessionId: claims.sessionId, role: role)
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers["authorization"] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: " \t")
        return token.isEmpty ? nil : token
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

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let first = s.first, set.contains(first) { s.removeFirst() }
        while let last = s.last, set.contains(last) { s.removeLast() }
        return String(s)
    }
}
