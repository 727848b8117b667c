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

    /// The replica's client (`DATABASE_READ_URL`): connects lazily, gives up on connecting
    /// quickly (the primary is there to answer instead).
    func replicaClient(applicationName: String) -> PostgresClient? {
        databaseReadURL.map { url in
            var settings = PostgresClient.Settings(
                url: url, applicationName: applicationName, statementTimeoutMilliseconds: statementTimeoutMilliseconds,
                preparedStatements: preparedStatements)
            settings.connectTimeoutSeconds = 2
            return PostgresClient(settings: settings)
        }
    }

    func cacheClient() -> RedisClient {
        RedisClient(
            settings: .init(endpoint: redis, connectTimeoutMilliseconds: redisTimeoutMilliseconds, commandTimeoutMilliseconds: redisTimeoutMilliseconds))
    }
}
