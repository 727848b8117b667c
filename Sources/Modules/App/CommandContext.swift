import Webhooks
import Auth
import HTTP
import Inventory
import Metrics
import Payments
import Postgres
import Redis
import Scoreboard

/// The connections a one-off command or the jobs process works with: the same clients and
/// settings as a worker, and a scoreboard slot only when the jobs process claimed one.
public final class CommandContext: AuthContext, PaymentsContext {
    public let configuration: Configuration
    public let logger: Logger
    public let clock: Clock
    public let database: PostgresClient
    public let cache: RedisClient
    public let auth: AuthSettings
    public let webhooks: WebhookSettings
    /// Where this process's counters go (emails, payments), so `/api/metrics` sums them with
    /// the pool's; nil counts nothing.
    public var metricsSlot: ScoreboardSlot?
    /// The scoreboard the jobs process joined, whose breaker its Stripe calls respect.
    public var scoreboard: Scoreboard?
    public private(set) lazy var stripe: StripeClient? = configuration.stripeSettings.map {
        StripeClient(settings: $0, clock: clock, breakerCells: { [weak self] in self?.scoreboard?.breakerCells })
    }
    /// Where the stock expiry returns is published: the joined scoreboard's table, or PostgreSQL.
    public var stockLevels: StockLevels {
        CatalogFence.guarding(
            CatalogStock.levels(configuration: configuration, scoreboard: scoreboard, cache: cache, clock: clock), configuration: configuration,
            primary: database, cache: cache)
    }
    /// Webhooks reach workers only.
    public var webhookSignature: StripeSignature? { nil }
    public var currency: String { configuration.currency }

    public init(configuration: Configuration, name: String, clock: Clock = .system) {
        self.configuration = configuration
        self.clock = clock
        logger = Logger(level: configuration.logLevel, fields: ["process": .string(name)], clock: clock)
        database = configuration.databaseClient(applicationName: "commerce-fcgi \(name)")
        cache = configuration.cacheClient()
        auth = configuration.authSettings
        webhooks = configuration.webhookSettings
    }

    public func paymentRecorded(_ event: PaymentMetric) { count(MetricCounter(event)) }

    public func count(_ counter: MetricCounter, _ amount: UInt64 = 1) {
        guard amount > 0 else { return }
        metricsSlot?.add(namedCounter: counter.rawValue, amount)
    }
}
