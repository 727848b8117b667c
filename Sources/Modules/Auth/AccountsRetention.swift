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
        (purged.refreshTokens, purged.sessions, purged.resetTokens) = try SessionStore.purgeEnded(on: db)
        purged.failureWindows = try FailureThrottle.purge(on: db)
        return purged
    }
}
