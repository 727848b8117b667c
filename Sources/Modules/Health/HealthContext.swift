import HTTP
import Postgres
import Redis

/// What the health routes need from a worker.
public protocol HealthContext {
    var database: PostgresClient { get }
    var cache: RedisClient { get }
    var clock: Clock { get }
    /// The payment provider's breaker as the host shares it; nil when payments are not configured.
    var paymentsBreaker: CircuitBreaker.Snapshot? { get }
    /// Probes the catalog read replica; nil when none is configured.
    var replicaProbe: (() -> ReadinessCheck.ReplicaCheck)? { get }
}
