import Crypto
import HTTP
import Postgres

/// Failed attempts at a secret (logins per email, current passwords per user), counted in
/// PostgreSQL's `auth_failures`: after `limit` failures within the window that began with the
/// first, the identifier is refused with 429 until that window passes. PostgreSQL, not Redis,
/// because an evicting or restarted cache would forget the count and hand out fresh guesses.
public struct FailureThrottle {
    public let db: PostgresClient
    /// What is being guessed at: `login`, `password-change`.
    public let scope: String
    public let limit: Int
    public let windowSeconds: Int

    public init(db: PostgresClient, scope: String, limit: Int, windowSeconds: Int) {
        self.db = db
        self.scope = scope
        self.limit = limit
        self.windowSeconds = windowSeconds
    }

    /// The row's key: a hash, so emails stay out of this table.
    private func key(_ identifier: String) -> String { SQLFragment.bytea(Digest.sha256(identifier)) }

    /// Seconds to wait when `identifier` is locked out, nil when it may try.
    public func retryAfter(_ identifier: String) throws -> Int? {
        guard
            let row = try db.query(
                """
                SELECT failures, ceil(extract(epoch FROM window_started_at + make_interval(secs => \(bind: windowSeconds)) - now()))::int AS remaining
                FROM auth_failures
                WHERE scope = \(bind: scope) AND key = \(bind: key(identifier))::bytea
                  AND window_started_at > now() - make_interval(secs => \(bind: windowSeconds))
                """, idempotent: true
            ).first, try row.decode("failures", as: Int.self) >= limit
        else { return nil }
        return max(try row.decode("remaining", as: Int.self), 1)
    }

    /// Counts one failure; a window that has passed starts again with this one.
    public func recordFailure(_ identifier: String) throws {
        try db.query(
            """
            INSERT INTO auth_failures (scope, key, failures) VALUES (\(bind: scope), \(bind: key(identifier))::bytea, 1)
            ON CONFLICT (scope, key) DO UPDATE SET
                failures = CASE WHEN auth_failures.window_started_at <= now() - make_interval(secs => \(bind: windowSeconds))
                                THEN 1 ELSE auth_failures.failures + 1 END,
                window_started_at = CASE WHEN auth_failures.window_started_at <= now() - make_interval(secs => \(bind: windowSeconds))
                                         THEN now() ELSE auth_failures.window_started_at END
            """)
    }

    public func reset(_ identifier: String) throws {
        try db.query("DELETE FROM auth_failures WHERE scope = \(bind: scope) AND key = \(bind: key(identifier))::bytea")
    }

    /// The 429 for a locked-out identifier.
    public static func tooMany(_ message: String, retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, message, headers: [APIError.HeaderField("Retry-After", String(seconds))])
    }

    /// Windows that ended a day ago can no longer lock anything out.
    static func purge(on db: PostgresClient) throws -> Int {
        try db.query("DELETE FROM auth_failures WHERE window_started_at < now() - interval '1 day'").affectedRows
    }
}
