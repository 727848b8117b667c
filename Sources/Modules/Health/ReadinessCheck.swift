import HTTP
import Postgres
import Redis

/// Readiness (API.md §10): PostgreSQL is required, Redis and the payment provider are not
/// (`degraded`, never `down`: the catalog still sells). Each check runs on the
/// worker's own connection, so a worker whose connection broke reports it, and a restarted
/// server is picked up by the next check without restarting the worker.
public struct ReadinessCheck {
    public enum Status: String { case up, down }

    /// The catalog read replica (`DATABASE_READ_URL`): never required, since the primary
    /// answers whatever it cannot.
    public struct ReplicaCheck {
        public enum Status: String { case up, lagging, down }
        public let status: Status
        public let latencyMs: Int
        /// Replay lag while it is replaying; nil when down.
        public let lagMs: Int?

        public init(status: Status, latencyMs: Int, lagMs: Int?) {
            self.status = status
            self.latencyMs = latencyMs
            self.lagMs = lagMs
        }
    }

    public struct Result {
        public let database: (status: Status, latencyMs: Int)
        public let cache: (status: Status, latencyMs: Int)
        /// The breaker's state; nil without payments.
        public let payments: CircuitBreaker.State?
        /// nil without a replica.
        public var replica: ReplicaCheck? = nil

        public var overall: String {
            if database.status == .down { return "down" }
            let replicaDegraded = replica.map { $0.status != .up } ?? false
            return cache.status == .down || replicaDegraded || (payments.map { $0 != .closed } ?? false) ? "degraded" : "ok"
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
            if let replica {
                var fields: JSONObject = ["status": .string(replica.status.rawValue), "latencyMs": .int(replica.latencyMs)]
                if let lag = replica.lagMs { fields["lagMs"] = .int(lag) }
                checks["replica"] = .object(fields)
            }
            return .object(["status": .string(overall), "checks": .object(checks)])
        }
    }

    public static func run(
        database: PostgresClient, cache: RedisClient, clock: Clock, payments: CircuitBreaker.Snapshot?, replica: (() -> ReplicaCheck)? = nil
    ) -> Result {
        let databaseCheck = timed(clock) { (try? database.query("SELECT 1", idempotent: true)) != nil }
        let cacheCheck = timed(clock) { (try? cache.ping()) != nil }
        var result = Result(database: databaseCheck, cache: cacheCheck, payments: payments?.state)
        result.replica = replica?()
        return result
    }

    private static func timed(_ clock: Clock, _ probe: () -> Bool) -> (status: Status, latencyMs: Int) {
        let start = clock.monotonicNanoseconds()
        let ok = probe()
        let elapsed = Int((clock.monotonicNanoseconds() - start) / 1_000_000)
        return (ok ? .up : .down, elapsed)
    }
}
