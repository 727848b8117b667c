import Postgres
import Redis

extension Configuration {
    /// A PostgreSQL client as every process of the service opens it; `applicationName` is what
    /// `pg_stat_activity` shows for it (`commerce-fcgi@api-3`, `commerce-fcgi jobs`).
    func databaseClient(applicationName: String) -> PostgresClient {
        PostgresClient(
            settings: .init(
                url: databaseURL, applicationName: applicationName, statementTimeoutMilliseconds: statementTimeoutMilliseconds,
                preparedStatements: preparedStatements))
    }

    func cacheClient() -> RedisClient {
        RedisClient(
            settings: .init(endpoint: redis, connectTimeoutMilliseconds: redisTimeoutMilliseconds, commandTimeoutMilliseconds: redisTimeoutMilliseconds))
    }
}
