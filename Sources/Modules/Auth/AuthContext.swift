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
    /// Moves the guest cart named by `cartToken` into the user's cart in the caller's
    /// transaction (API.md §12.1): the lines that were capped, or nil when there is no such
    /// guest cart. Carts are a feature above accounts, so the wiring supplies it.
    func mergeGuestCart(cartToken: String, intoUser userId: String, on db: PostgresClient) throws -> [JSONValue]?
    /// An API key was let in: its `lastUsedAt` is written in batches, never per request.
    func apiKeyUsed(_ id: String)
}

public enum SessionLookupOutcome: Sendable {
    case hit
    case miss
    /// Redis was unreachable; PostgreSQL answered.
    case error
}

extension AuthContext {
    public func recordSessionLookup(_ outcome: SessionLookupOutcome) {}
    public func mergeGuestCart(cartToken: String, intoUser userId: String, on db: PostgresClient) throws -> [JSONValue]? { nil }
    public func apiKeyUsed(_ id: String) {}

    var nowSeconds: Int64 { clock.epochMilliseconds() / 1000 }
}
