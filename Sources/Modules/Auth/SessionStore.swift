import HTTP
import Postgres

/// All SQL for sessions, refresh tokens and reset tokens. PostgreSQL is the source of truth;
/// Redis only caches what `state(of:)` reads.
public enum SessionStore {
    /// Opens a session and stores the first refresh token of its chain.
    static func open(userId: String, tokens: TokenPair, sessionId: String, userAgent: String?, ipAddress: String?, on db: PostgresClient) throws {
        try db.query("""
            INSERT INTO sessions (id, user_id, expires_at, user_agent, ip_address) VALUES ($1, $2, to_timestamp($3), $4, $5)
            """, [sessionId, userId, tokens.refreshExpiresAt, userAgent.map { String($0.prefix(255)) }, ipAddress.map { String($0.prefix(64)) }])
        try storeRefreshToken(tokens, sessionId: sessionId, userId: userId, on: db)
    }

    static func storeRefreshToken(_ tokens: TokenPair, sessionId: String, userId: String, on db: PostgresClient) throws {
        try db.query("""
            INSERT INTO refresh_tokens (id, session_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, to_timestamp($5))
            """, [tokens.refreshTokenId, sessionId, userId, SQLFragment.bytea(tokens.refreshTokenHash), tokens.refreshExpiresAt])
    }

    /// A refresh token looked up by its hash, locked with its session for the exchange.
    struct PresentedRefreshToken {
        let tokenId: String
        let sessionId: String
        let userId: String
        let rotated: Bool
        let unusable: Bool
        let sessionRevoked: Bool
        let user: UserRecord
    }

    static func lockRefreshToken(hash: [UInt8], on db: PostgresClient) throws -> PresentedRefreshToken? {
        let result = try db.query("""
            SELECT rt.id AS token_id, rt.session_id, rt.rotated_at IS NOT NULL AS rotated,
                   (rt.revoked_at IS NOT NULL OR rt.expires_at <= now()) AS unusable,
                   (s.revoked_at IS NOT NULL OR s.expires_at <= now()) AS session_revoked,
                   \(UserRecord.columns("u"))
            FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id JOIN users u ON u.id = rt.user_id
            WHERE rt.token_hash = $1
            FOR UPDATE OF rt, s
            """, [SQLFragment.bytea(hash)])
        guard let row = result.first else { return nil }
        return PresentedRefreshToken(
            tokenId: row.string("token_id")!, sessionId: row.string("session_id")!, userId: row.string("id")!,
            rotated: row.bool("rotated")!, unusable: row.bool("unusable")!, sessionRevoked: row.bool("session_revoked")!,
            user: UserRecord(row: row))
    }

    /// Marks the presented token used and chains the next one; the session lives as long as
    /// its newest refresh token.
    static func rotate(from tokenId: String, to tokens: TokenPair, sessionId: String, userId: String, on db: PostgresClient) throws {
        try db.query("UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1", [tokenId])
        try storeRefreshToken(tokens, sessionId: sessionId, userId: userId, on: db)
        try db.query("UPDATE sessions SET last_used_at = now(), expires_at = to_timestamp($2) WHERE id = $1", [sessionId, tokens.refreshExpiresAt])
    }

    /// Which sessions to end.
    public enum Scope {
        case session(String)
        /// Every session of the user, but `except` (the caller's own, on a password change).
        case user(String, except: String?)
    }

    /// Revokes the sessions in `scope` and their refresh tokens; returns the ids revoked, whose
    /// cache entries the caller overwrites after commit.
    public static func revoke(_ scope: Scope, reason: String, on db: PostgresClient) throws -> [String] {
        let result: PostgresResult
        switch scope {
        case .session(let id):
            result = try db.query(
                "UPDATE sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id", [id, reason])
        case .user(let userId, let except):
            result = try db.query("""
                UPDATE sessions SET revoked_at = now(), revoked_reason = $2
                WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid) RETURNING id
                """, [userId, reason, except])
        }
        let ids = result.rows.map { $0.string("id")! }
        if !ids.isEmpty {
            try db.query("UPDATE refresh_tokens SET revoked_at = now() WHERE session_id = ANY($1::uuid[]) AND revoked_at IS NULL",
                         [SQLFragment.array(ids)])
        }
        return ids
    }

    /// The live sessions of a user, whose cached role must change with the user's.
    public static func liveSessionIds(userId: String, on db: PostgresClient) throws -> [String] {
        try db.query("SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()", [userId]).rows.map { $0.string("id")! }
    }

    /// What an access token's session is worth right now, from the source of truth.
    static func state(of sessionId: String, on db: PostgresClient) throws -> SessionState {
        let result = try db.query("""
            SELECT s.user_id, (s.revoked_at IS NULL AND s.expires_at > now()) AS live, u.role, u.is_active
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1
            """, [sessionId], idempotent: true)
        guard let row = result.first, row.bool("live")! else { return .revoked }
        return .live(userId: row.string("user_id")!, role: Principal.Role(rawValue: row.string("role")!) ?? .user, isActive: row.bool("is_active")!)
    }

    // MARK: Password reset tokens

    static func storeResetToken(userId: String, hash: [UInt8], ttlSeconds: Int, on db: PostgresClient) throws {
        try db.query("""
            INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
            """, [userId, SQLFragment.bytea(hash), ttlSeconds])
    }

    /// Whether the token could be spent now (checked before the slow password hash).
    static func resetTokenIsUsable(hash: [UInt8], on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM password_reset_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()",
                     [SQLFragment.bytea(hash)], idempotent: true).rowCount == 1
    }

    /// Spends the token, once: the user it belongs to, or nil when it is unknown, used or expired.
    /// Every other outstanding reset token of that user is spent with it.
    static func spendResetToken(hash: [UInt8], on db: PostgresClient) throws -> String? {
        guard let userId = try db.query("""
            UPDATE password_reset_tokens SET used_at = now()
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id
            """, [SQLFragment.bytea(hash)]).first?.string("user_id") else { return nil }
        try db.query("UPDATE password_reset_tokens SET used_at = now() WHERE user_id = $1 AND used_at IS NULL", [userId])
        return userId
    }
}

/// A session as an authenticated request needs it.
enum SessionState: Equatable {
    case live(userId: String, role: Principal.Role, isActive: Bool)
    case revoked
}
