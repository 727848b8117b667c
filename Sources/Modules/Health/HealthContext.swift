import HTTP
import Postgres
import Redis

/// What the health routes need from a worker.
public protocol HealthContext {
    var database: PostgresClient { get }
    var cache: RedisClient { get }
    var clock: Clock { get }
}
