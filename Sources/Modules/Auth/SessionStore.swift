import Crypto
import HTTP
import Postgres

/// All SQL for sessions, refresh tokens and reset tokens. PostgreSQL is the source of truth;
/// Redis only caches what `state(of:)` reads.
public enum SessionStore {
    /// Opens a session and stores the first refresh token of its chain.
    static func open(
        userId: String, tokens: TokenPair, sessionId: String, userAgent: String?, ipAddress: String?, maxAge: Int, on db: PostgresClient
    ) throws {
        try db.query(
            """
            INSERT INTO sessions (id, user_id, expires_at, user_agent, ip_address)
            VALUES (\(bind: sessionId), \(bind: userId), least(to_timestamp(\(bind: tokens.refreshExpiresAt)), now() + make_interval(secs => \(bind: maxAge))),
                    \(bind: userAgent.map { String($0.unicodeScalars.prefix(255)) }), \(bind: ipAddress.map { String($0.unicodeScalars.prefix(64)) }))
            """)
        try storeRefreshToken(tokens, sessionId: sessionId, userId: userId, on: db)
    }

    static func storeRefreshToken(_ tokens: TokenPair, sessionId: String, userId: String, on db: PostgresClient) throws {
        try db.query(
            """
            INSERT INTO refresh_tokens (id, session_id, user_id, token_hash, expires_at)
            VALUES (\(bind: tokens.refreshTokenId), \(bind: sessionId), \(bind: userId), \(bind: SQLFragment.bytea(tokens.refreshTokenHash)),
                    to_timestamp(\(bind: tokens.refreshExpiresAt)))
            """)
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

    /// A session older than `maxAge` counts as revoked, however recently it was refreshed.
    static func lockRefreshToken(hash: [UInt8], maxAge: Int, on db: PostgresClient) throws -> PresentedRefreshToken? {
        let result = try db.query(
            """
            SELECT rt.id AS token_id, rt.session_id, rt.rotated_at IS NOT NULL AS rotated,
                   (rt.revoked_at IS NOT NULL OR rt.expires_at <= now()) AS unusable,
                   (s.revoked_at IS NOT NULL OR s.expires_at <= now() OR s.created_at <= now() - make_interval(secs => \(bind: maxAge))) AS session_revoked,
                   \(UserRecord.columns("u."))
            FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id JOIN users u ON u.id = rt.user_id
            WHERE rt.token_hash = \(bind: SQLFragment.bytea(hash))
            FOR UPDATE OF rt, s
            """)
        guard let row = result.first else { return nil }
        return PresentedRefreshToken(
            tokenId: try row.decode("token_id"), sessionId: try row.decode("session_id"), userId: try row.decode("id"),
            rotated: try row.decode("rotated"), unusable: try row.decode("unusable"), sessionRevoked: try row.decode("session_revoked"),
            user: try UserRecord(row: row))
    }

    /// Marks the presented token used and chains the next one; the session lives as long as
    /// its newest refresh token, and never past its absolute lifetime.
    static func rotate(from tokenId: String, to tokens: TokenPair, sessionId: String, userId: String, maxAge: Int, on db: PostgresClient) throws {
        try db.query("UPDATE refresh_tokens SET rotated_at = now() WHERE id = \(bind: tokenId)")
        try storeRefreshToken(tokens, sessionId: sessionId, userId: userId, on: db)
        try db.query(
            """
            UPDATE sessions SET last_used_at = now(),
                expires_at = least(to_timestamp(\(bind: tokens.refreshExpiresAt)), created_at + make_interval(secs => \(bind: maxAge)))
            WHERE id = \(bind: sessionId)
            """)
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
                "UPDATE sessions SET revoked_at = now(), revoked_reason = \(bind: reason) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id")
        case .user(let userId, let except):
            result = try db.query(
                """
                UPDATE sessions SET revoked_at = now(), revoked_reason = \(bind: reason)
                WHERE user_id = \(bind: userId) AND revoked_at IS NULL AND (\(bind: except)::uuid IS NULL OR id <> \(bind: except)::uuid) RETURNING id
                """)
        }
        let ids = try result.map { try $0.decode("id", as: String.self) }
        if !ids.isEmpty {
            try db.query("UPDATE refresh_tokens SET revoked_at = now() WHERE session_id = ANY(\(bind: SQLFragment.array(ids))::uuid[]) AND revoked_at IS NULL")
        }
        return ids
    }

    /// The live sessions of a user, whose cached role must change with the user's.
    public static func liveSessionIds(userId: String, on db: PostgresClient) throws -> [String] {
        try db.query("SELECT id FROM sessions WHERE user_id = \(bind: userId) AND revoked_at IS NULL AND expires_at > now()")
            .map { try $0.decode("id", as: String.self) }
    }

    /// What an access token's session is worth right now, from the source of truth.
    static func state(of sessionId: String, on db: PostgresClient) throws -> SessionState {
        let result = try db.query(
            """
            SELECT (s.revoked_at IS NULL AND s.expires_at > now()) AS live, \(UserProfile.columns("u."))
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = \(bind: sessionId)
            """, idempotent: true)
        guard let row = result.first, try row.decode("live", as: Bool.self) else { return .revoked }
        return .live(SessionUser(try UserProfile(row: row)))
    }

    // MARK: Password reset tokens

    /// A forgot-password request, queued for the jobs process: one and the same INSERT whether
    /// or not the account exists, so the answer's timing tells nothing.
    static func queueResetRequest(email: String, on db: PostgresClient) throws {
        try db.query("INSERT INTO password_reset_requests (email) VALUES (\(bind: email))")
    }

    /// Takes up to `limit` queued requests, oldest first; concurrent jobs processes skip each
    /// other's. Their emails.
    static func takeResetRequests(limit: Int, on db: PostgresClient) throws -> [String] {
        try db.query(
            """
            DELETE FROM password_reset_requests WHERE id IN (
                SELECT id FROM password_reset_requests ORDER BY id LIMIT \(bind: limit) FOR UPDATE SKIP LOCKED)
            RETURNING email
            """
        ).map { try $0.decode("email", as: String.self) }
    }

    /// A reset requested, its link not issued yet: the hash is of random bytes nobody holds
    /// until the jobs process issues the real token with the mail (`issueResetToken`).
    static func storeResetRequest(id: String, userId: String, outboxId: String, ttlSeconds: Int, on db: PostgresClient) throws {
        try db.query(
            """
            INSERT INTO password_reset_tokens (id, user_id, token_hash, expires_at, outbox_id)
            VALUES (\(bind: id), \(bind: userId), \(bind: SQLFragment.bytea(try SecureRandom.bytes(32)))::bytea,
                    now() + make_interval(secs => \(bind: ttlSeconds)), \(bind: outboxId))
            """)
    }

    /// Gives the reset of an outbox message the hash of the token about to be mailed, valid from
    /// now; the reset's id, or nil when it was spent meanwhile (nothing to send).
    static func issueResetToken(outboxId: String, hash: [UInt8], ttlSeconds: Int, on db: PostgresClient) throws -> String? {
        try db.query(
            """
            UPDATE password_reset_tokens SET token_hash = \(bind: SQLFragment.bytea(hash))::bytea, expires_at = now() + make_interval(secs => \(bind: ttlSeconds))
            WHERE outbox_id = \(bind: outboxId) AND used_at IS NULL
            RETURNING id
            """
        ).first?.decode("id", as: String.self)
    }

    /// Whether the token could be spent now (checked before the slow password hash).
    static func resetTokenIsUsable(hash: [UInt8], on db: PostgresClient) throws -> Bool {
        try db.query(
            """
            SELECT 1 FROM password_reset_tokens WHERE token_hash = \(bind: SQLFragment.bytea(hash)) AND used_at IS NULL AND expires_at > now()
            """, idempotent: true
        ).rowCount == 1
    }

    /// Spends the token, once: the user it belongs to, or nil when it is unknown, used or expired.
    /// Every other outstanding reset token of that user is spent with it.
    static func spendResetToken(hash: [UInt8], on db: PostgresClient) throws -> String? {
        guard
            let userId = try db.query(
                """
                UPDATE password_reset_tokens SET used_at = now()
                WHERE token_hash = \(bind: SQLFragment.bytea(hash)) AND used_at IS NULL AND expires_at > now() RETURNING user_id
                """
            ).first?.decode("user_id", as: String.self)
        else { return nil }
        try spendResetTokens(userId: userId, on: db)
        return userId
    }

    /// Every outstanding reset link of the user dies: the password or the email it was sent
    /// for changed, so a link lying in an old mailbox must not reset the new one.
    public static func spendResetTokens(userId: String, on db: PostgresClient) throws {
        try db.query("UPDATE password_reset_tokens SET used_at = now() WHERE user_id = \(bind: userId) AND used_at IS NULL")
    }

    /// Deletes what can no longer matter: refresh tokens and reset tokens a day past their
    /// expiry (refused by their own `exp` before any lookup, so reuse detection loses nothing),
    /// and sessions ended 30 days ago (kept that long for "where am I signed in" and incident
    /// review). How many of each went.
    static func purgeEnded(on db: PostgresClient) throws -> (refreshTokens: Int, sessions: Int, resetTokens: Int) {
        let refreshTokens = try db.query("DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'").affectedRows
        let sessions = try db.query(
            """
            DELETE FROM sessions WHERE expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days'
            """
        ).affectedRows
        let resetTokens = try db.query("DELETE FROM password_reset_tokens WHERE expires_at < now() - interval '1 day'").affectedRows
        return (refreshTokens, sessions, resetTokens)
    }
}

/// A session as an authenticated request needs it: live, with its user as they are now (role
/// and activity for the guard, the whole profile for `GET /api/users/me`), or revoked.
enum SessionState: Equatable {
    case live(SessionUser)
    case revoked
}

/// A live session's user as the guard reads them from the session cache: who, in which role,
/// whether active, and their profile already encoded (`GET /api/users/me` answers with these
/// bytes as they are).
struct SessionUser: Equatable {
    let id: String
    let role: Principal.Role
    let isActive: Bool
    let profileJSON: [UInt8]

    init(id: String, role: Principal.Role, isActive: Bool, profileJSON: [UInt8]) {
        (self.id, self.role, self.isActive, self.profileJSON) = (id, role, isActive, profileJSON)
    }

    init(_ user: UserProfile) {
        self.init(id: user.id, role: user.role, isActive: user.isActive, profileJSON: JSONWriter.encode(user.json))
    }
}
