import Crypto
import HTTP
import Redis

/// The API key half of the bearer guard (API.md §12.5). A key is found by its prefix in Redis
/// (`apikey:<prefix>`, the same one round trip a session costs) with PostgreSQL behind it, and
/// its secret is compared by hash in constant time. Revoking overwrites the cached entry after
/// the commit, so the very next request with the key is refused on every worker.
enum APIKeyGuard {
    static let cacheTTLSeconds = 300

    static func principal(_ token: String, context: some AuthContext) throws -> Principal {
        guard let prefix = APIKeyToken.prefix(of: token), let grant = try state(prefix, context) else { throw APIError.unauthorized("Invalid API key") }
        guard ConstantTime.equals(Digest.sha256(token), grant.secretHash) else { throw APIError.unauthorized("Invalid API key") }
        guard !grant.revoked else { throw APIError.unauthorized("API key revoked") }
        if let expiresAt = grant.expiresAt, expiresAt <= context.clock.epochMilliseconds() { throw APIError.unauthorized("API key expired") }
        context.apiKeyUsed(grant.id)
        return Principal(userId: grant.createdBy, sessionId: "apikey:" + grant.id, role: .admin, apiKey: APIKeyGrant(id: grant.id, scopes: grant.scopes))
    }

    /// 403 naming the scope a key lacks, or saying that no key may call the route.
    static func check(_ grant: APIKeyGrant, needs scope: String?) throws(APIError) {
        guard let scope else { throw APIError.forbidden("API keys cannot call this route") }
        guard grant.scopes.contains(scope) else { throw APIError.forbidden("This API key lacks the scope \(scope)") }
    }

    private static func state(_ prefix: String, _ context: some AuthContext) throws -> APIKeyGrantState? {
        let key = "apikey:" + prefix
        var cacheWorks = true
        do {
            if let bytes = try context.cache.get(key), let state = decode(bytes) { return state }
        } catch {
            cacheWorks = false
        }
        guard let state = try APIKeyStore.grant(prefix: prefix, on: context.database) else { return nil }
        if cacheWorks { _ = try? context.cache.set(key, encode(state), expireSeconds: cacheTTLSeconds, onlyIfAbsent: true) }
        return state
    }

    /// After a revoke commits: the entry every worker reads becomes a tombstone at once, which a
    /// fill racing it cannot undo (fills only add what is absent).
    static func revoked(prefix: String, context: some AuthContext) {
        _ = try? context.cache.set("apikey:" + prefix, tombstone, expireSeconds: cacheTTLSeconds)
    }

    static let tombstone = Array("revoked".utf8)

    static func encode(_ state: APIKeyGrantState) -> [UInt8] {
        let fields = [
            "k1", state.id, Hex.encode(state.secretHash), state.scopes.sorted().joined(separator: " "), state.createdBy,
            state.expiresAt.map(String.init) ?? "-", state.revoked ? "1" : "0",
        ]
        return Array(fields.joined(separator: "|").utf8)
    }

    /// nil for anything else (then PostgreSQL answers). A tombstone matches no secret.
    static func decode(_ bytes: [UInt8]) -> APIKeyGrantState? {
        if bytes == tombstone { return APIKeyGrantState(id: "", secretHash: [], scopes: [], createdBy: "", expiresAt: nil, revoked: true) }
        let fields = String(decoding: bytes, as: UTF8.self).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 7, fields[0] == "k1", let hash = Hex.decode(fields[2]), hash.count == 32 else { return nil }
        let expiresAt: Int64?
        if fields[5] == "-" {
            expiresAt = nil
        } else {
            guard let milliseconds = Int64(fields[5]) else { return nil }
            expiresAt = milliseconds
        }
        return APIKeyGrantState(
            id: fields[1], secretHash: hash, scopes: Set(fields[3].split(separator: " ").map(String.init)), createdBy: fields[4],
            expiresAt: expiresAt, revoked: fields[6] == "1")
    }
}
