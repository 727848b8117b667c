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
}

extension AuthContext {
    var nowSeconds: Int64 { clock.epochMilliseconds() / 1000 }
}
