import HTTP
import Postgres
import Redis

/// What the account features need from a worker.
public protocol AuthContext: AnyObject {
    var database: PostgresClient { get }
    var cache: RedisClient { get }
    var clock: Clock { get }
    var logger: Logger { get }
    var auth: AuthSettings { get }
    /// Told each session-cache lookup's outcome, for `cache_requests_total{cache="session"}`.
    func recordSessionLookup(_ outcome: SessionLookupOutcome)
}

public enum SessionLookupOutcome: Sendable {
    case hit
    case miss
    /// Redis was unreachable; PostgreSQL answered.
    case error
}

extension AuthContext {
    public func recordSessionLookup(_ outcome: SessionLookupOutcome) {}

    var nowSeconds: Int64 { clock.epochMilliseconds() / 1000 }
}
