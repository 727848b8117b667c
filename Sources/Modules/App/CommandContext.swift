import Auth
import HTTP
import Postgres
import Redis

/// The connections a one-off command or the jobs process works with: the same clients and
/// settings as a worker, without the scoreboard.
public final class CommandContext: AuthContext {
    public let configuration: Configuration
    public let logger: Logger
    public let clock: Clock
    public let database: PostgresClient
    public let cache: RedisClient
    public let auth: AuthSettings

    public init(configuration: Configuration, name: String, clock: Clock = .system) {
        self.configuration = configuration
        self.clock = clock
        logger = Logger(level: configuration.logLevel, fields: ["process": .string(name)], clock: clock)
        database = PostgresClient(settings: .init(
            url: configuration.databaseURL, applicationName: "commerce-fcgi \(name)",
            statementTimeoutMilliseconds: configuration.statementTimeoutMilliseconds))
        cache = RedisClient(settings: .init(
            endpoint: configuration.redis, connectTimeoutMilliseconds: configuration.redisTimeoutMilliseconds,
            commandTimeoutMilliseconds: configuration.redisTimeoutMilliseconds))
        auth = configuration.authSettings
    }
}
