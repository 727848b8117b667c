import HTTP
import Postgres
import Redis

/// Readiness (API.md §10): PostgreSQL is required, Redis and the payment provider are not
/// (`degraded`, never `down`: the catalog still sells). Each check runs on the
/// worker's own connection, so a worker whose connection broke reports it, and a restarted
/// server is picked up by the next check without restarting the worker.
public struct ReadinessCheck {
    public enum Status: String { case up, down }

    public struct Result {
        public let database: (status: Status, latencyMs: Int)
        public let cache: (status: Status, latencyMs: Int)
        /// The breaker's state; nil without payments.
        public let payments: CircuitBreaker.State?

        public var overall: String {
            if database.status == .down { return "down" }
            return cache.status == .down || (payments.map { $0 != .closed } ?? false) ? "degraded" : "ok"
        }

        public var httpStatus: HTTPStatus { database.status == .down ? .serviceUnavailable : .ok }

        public var json: JSONValue {
            func check(_ c: (status: Status, latencyMs: Int)) -> JSONValue {
                .object(["status": .string(c.status.rawValue), "latencyMs": .int(c.latencyMs)])
            }
            var checks: JSONObject = ["database": check(database), "cache": check(cache)]
            if let payments {
                // Open or on trial: Stripe is not being called, so orders are taken without payment.
                checks["payments"] = .object(["status": .string(payments == .closed ? "up" : "degraded"), "breaker": .string(payments.label)])
            }
            return .object(["status": .string(overall), "checks": .object(checks)])
        }
    }

    public static func run(database: PostgresClient, cache: RedisClient, clock: Clock, payments: CircuitBreaker.Snapshot?) -> Result {
        let databaseCheck = timed(clock) { (try? database.query("SELECT 1", idempotent: true)) != nil }
        let cacheCheck = timed(clock) { (try? cache.ping()) != nil }
        return Result(database: databaseCheck, cache: cacheCheck, payments: payments?.state)
    }

    private static func timed(_ clock: Clock, _ probe: () -> Bool) -> (status: Status, latencyMs: Int) {
        let start = clock.monotonicNanoseconds()
        let ok = probe()
        let elapsed = Int((clock.monotonicNanoseconds() - start) / 1_000_000)
        return (ok ? .up : .down, elapsed)
    }
}
