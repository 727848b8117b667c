import Postgres

/// Keeps the account tables from growing without bound. Only rows that can no longer matter
/// go: a refresh token past its expiry is refused by its own `exp` before any lookup, so
/// deleting it cannot weaken reuse detection.
public enum AccountsRetention {
    public struct Purged: Equatable, Sendable {
        public var refreshTokens = 0
        public var sessions = 0
        public var resetTokens = 0
        public var failureWindows = 0

        public init() {}
    }

    public static func purge(on db: PostgresClient) throws -> Purged {
        var purged = Purged()
        purged.refreshTokens = try db.query("DELETE FROM refresh_tokens WHERE expires_at < now() - interval '1 day'").affectedRows
        // Ended sessions are kept 30 days for "where am I signed in" and incident review.
        purged.sessions = try db.query("""
            DELETE FROM sessions WHERE expires_at < now() - interval '30 days' OR revoked_at < now() - interval '30 days'
            """).affectedRows
        purged.resetTokens = try db.query("DELETE FROM password_reset_tokens WHERE expires_at < now() - interval '1 day'").affectedRows
        purged.failureWindows = try FailureThrottle.purge(on: db)
        return purged
    }
}
