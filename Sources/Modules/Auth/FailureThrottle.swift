import Crypto
import HTTP
import Postgres

/// Failed attempts at a secret, counted per identifier in PostgreSQL's `auth_failures`
/// (PostgreSQL, not Redis: an evicting or restarted cache would forget the count and hand out
/// fresh guesses). Two policies:
/// - `window`: after `limit` failures within the window that began with the first, the
///   identifier is refused until that window passes (an address spraying many emails, a user
///   guessing their current password);
/// - `backoff`: the first `free` failures cost nothing; after that each attempt must wait a
///   delay that doubles with every further failure, up to `maxSeconds`, and a quiet
///   `maxSeconds` forgets the count (one email from one address: a victim elsewhere is never
///   locked out, and a guesser slows to a few attempts an hour).
public struct FailureThrottle {
    public enum Policy: Equatable, Sendable {
        case window(limit: Int, seconds: Int)
        case backoff(free: Int, baseSeconds: Int, maxSeconds: Int)

        /// When a count is forgotten: a window a window's length after its first failure, a
        /// backoff `maxSeconds` after its last.
        var start: PostgresQuery {
            switch self {
            case .window: "auth_failures.window_started_at"
            case .backoff: "auth_failures.last_failure_at"
            }
        }

        var memorySeconds: Int {
            switch self {
            case .window(_, let seconds): seconds
            case .backoff(_, _, let maxSeconds): maxSeconds
            }
        }

        /// Seconds to wait after the last of `failures`, nil when the next attempt is free.
        func delay(afterFailures failures: Int) -> Int? {
            switch self {
            case .window(let limit, let seconds):
                return failures >= limit ? seconds : nil
            case .backoff(let free, let base, let maxSeconds):
                guard failures >= free else { return nil }
                let doublings = min(failures - free, 30)
                return min(maxSeconds, base << doublings)
            }
        }
    }

    public let db: PostgresClient
    /// What is being guessed at: `login`, `login-address`, `password-change`.
    public let scope: String
    public let policy: Policy

    public init(db: PostgresClient, scope: String, policy: Policy) {
        self.db = db
        self.scope = scope
        self.policy = policy
    }

    /// The row's key: a hash, so emails and addresses stay out of this table.
    private func key(_ identifier: String) -> String { SQLFragment.bytea(Digest.sha256(identifier)) }

    /// Seconds to wait before `identifier` may try again, nil when it may try now.
    public func retryAfter(_ identifier: String) throws -> Int? {
        guard
            let row = try db.query(
                """
                SELECT failures, floor(extract(epoch FROM now() - \(policy.start)) * 1000)::bigint AS elapsed_ms
                FROM auth_failures
                WHERE scope = \(bind: scope) AND key = \(bind: key(identifier))::bytea
                  AND \(policy.start) > now() - make_interval(secs => \(bind: policy.memorySeconds))
                """, idempotent: true
            ).first,
            let delay = policy.delay(afterFailures: try row.decode("failures", as: Int.self))
        else { return nil }
        let remainingMilliseconds = delay * 1000 - (try row.decode("elapsed_ms", as: Int.self))
        return remainingMilliseconds > 0 ? (remainingMilliseconds + 999) / 1000 : nil
    }

    /// Counts one failure; a count past its memory starts again with this one.
    public func recordFailure(_ identifier: String) throws {
        let stale: PostgresQuery = "\(policy.start) <= now() - make_interval(secs => \(bind: policy.memorySeconds))"
        try db.query(
            """
            INSERT INTO auth_failures (scope, key, failures) VALUES (\(bind: scope), \(bind: key(identifier))::bytea, 1)
            ON CONFLICT (scope, key) DO UPDATE SET
                failures = CASE WHEN \(stale) THEN 1 ELSE auth_failures.failures + 1 END,
                window_started_at = CASE WHEN \(stale) THEN now() ELSE auth_failures.window_started_at END,
                last_failure_at = now()
            """)
    }

    public func reset(_ identifier: String) throws {
        try db.query("DELETE FROM auth_failures WHERE scope = \(bind: scope) AND key = \(bind: key(identifier))::bytea")
    }

    /// The 429 for an identifier that must wait.
    public static func tooMany(_ message: String, retryAfter seconds: Int) -> APIError {
        APIError(.tooManyRequests, message, headers: [APIError.HeaderField("Retry-After", String(seconds))])
    }

    /// Counts quiet for a day can no longer slow anything down.
    static func purge(on db: PostgresClient) throws -> Int {
        try db.query("DELETE FROM auth_failures WHERE last_failure_at < now() - interval '1 day'").affectedRows
    }
}
