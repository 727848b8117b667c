import Webhooks
import Audit
import Auth
import Cart
import Catalog
import Coupons
import Orders
import Payments
import Uploads
import Crypto
import Health
import HTTP
import Inventory
import Metrics
import Postgres
import Redis
import Scoreboard

/// A worker's long-lived state, built once after fork and handed to every handler: the
/// connections, the clock, the logger and the worker's scoreboard slot. One request at a
/// time uses it, so it needs no locks.
public final class AppContext: HealthContext, MetricsContext, AuthContext, CatalogContext, UploadsContext, OrdersContext, PaymentsContext, CouponsContext, AuditContext,
    WebhooksContext
{
    public let configuration: Configuration
    /// The worker's logger; while a request is served, the same with its `requestId`, so a
    /// line logged from any module during the request carries it (one request at a time).
    public private(set) var logger: Logger
    public let workerLogger: Logger
    public let clock: Clock
    public let database: PostgresClient
    public let cache: RedisClient
    public let scoreboard: Scoreboard
    public let slot: ScoreboardSlot
    public let metricsRenderer: MetricsRenderer
    public let auth: AuthSettings
    public let catalogCache: CatalogCache
    public let stockLevels: StockLevels
    public let orderSettings: OrderSettings
    public let webhooks: WebhookSettings
    public var orderPayments: any OrderPaymentHooks { StripeOrderPayments(context: self) }
    /// Made on first use, after fork: its libcurl handle belongs to this worker.
    public private(set) lazy var stripe: StripeClient? = configuration.stripeSettings.map { [scoreboard] in
        StripeClient(settings: $0, clock: clock, breakerCells: { scoreboard.breakerCells })
    }
    public let webhookSignature: StripeSignature?
    /// `DATABASE_READ_URL` set: where this worker's catalog reads may go.
    let replicaReads: ReplicaReads?
    /// This request's catalog reads: chosen on the first one (nil until then), and only GETs
    /// (a write answers with what it wrote, from the primary).
    private var requestCatalogReads: PostgresClient?
    private var requestMayReadReplica = false
    public var currency: String { configuration.currency }
    /// API keys used since the last write of their `lastUsedAt` (epoch ms), written at most
    /// every few seconds by this worker.
    private var apiKeyUses: [String: Int64] = [:]
    private var apiKeyUsesWrittenAt: Int64 = 0
    static let apiKeyUseWriteInterval: Int64 = 5_000
    public var uploadDirectory: String { configuration.uploadDirectory }
    public var uploadMaxBytes: Int { configuration.uploadMaxBytes }

    public init(configuration: Configuration, logger: Logger, clock: Clock, scoreboard: Scoreboard, slot: ScoreboardSlot, workerName: String) {
        self.configuration = configuration
        self.logger = logger
        workerLogger = logger
        self.clock = clock
        self.scoreboard = scoreboard
        self.slot = slot
        metricsRenderer = MetricsRenderer(scoreboard: scoreboard)
        auth = configuration.authSettings
        orderSettings = configuration.orderSettings
        webhooks = configuration.webhookSettings
        webhookSignature = configuration.stripeWebhookSecret.map { StripeSignature(secret: $0) }
        database = configuration.databaseClient(applicationName: "commerce-fcgi@\(workerName)")
        cache = configuration.cacheClient()
        database.onQuery = { [slot] in slot.add(namedCounter: MetricCounter.dbQueries.rawValue) }
        database.onConnect = { [slot] ok in slot.add(namedCounter: (ok ? MetricCounter.dbConnectsOK : .dbConnectsFailed).rawValue) }
        catalogCache = CatalogCache(
            cache: cache, ttlSeconds: configuration.cacheTTL, maxEntries: configuration.cacheMaxEntries,
            hostVersion: configuration.catalogCacheScope == .host ? CatalogVersion.host(scoreboard) : nil)
        let replicaReads = configuration.replicaClient(applicationName: "commerce-fcgi@\(workerName)").map { [slot, database, cache] replica in
            ReplicaReads(
                replica: replica, primary: database, cache: cache, maxLagSeconds: configuration.replicaMaxLag, clock: clock,
                count: { slot.add(namedCounter: $0.rawValue) })
        }
        self.replicaReads = replicaReads
        let stock = CatalogStock.levels(configuration: configuration, scoreboard: scoreboard, cache: cache, clock: clock)
        stockLevels = CatalogFence.guarding(stock, configuration: configuration, primary: database, cache: cache)
        if let replicaReads { catalogCache.beforeBump = replicaReads.fence.raise }
        catalogCache.onLookup = { [slot] result in
            let counter: MetricCounter =
                switch result {
                case .hit: .cacheCatalogHit
                case .miss: .cacheCatalogMiss
                case .unavailable: .cacheCatalogError
                }
            slot.add(namedCounter: counter.rawValue)
        }
    }

    public var metricsToken: String? { configuration.metricsToken }

    public var paymentsBreaker: CircuitBreaker.Snapshot? {
        configuration.stripeSecretKey == nil ? nil : CircuitBreaker.Snapshot(cells: scoreboard.breakerCells)
    }

    public var replicaProbe: (() -> ReadinessCheck.ReplicaCheck)? { replicaReads.map { reads in { reads.probe() } } }

    public var poolSockets: [PoolSocket] { configuration.pool.pools.map { PoolSocket(name: $0.name, socketPath: $0.socketPath) } }

    public func recordSessionLookup(_ outcome: SessionLookupOutcome) {
        switch outcome {
        case .hit: count(.cacheSessionHit)
        case .miss: count(.cacheSessionMiss)
        case .error: count(.cacheSessionError)
        }
    }

    public func orderPlaced() { count(.ordersCreated) }

    public func paymentRecorded(_ event: PaymentMetric) { count(MetricCounter(event)) }

    public func count(_ counter: MetricCounter, _ amount: UInt64 = 1) {
        slot.add(namedCounter: counter.rawValue, amount)
    }

    /// Tags every line logged until `endRequest()` with the request's id.
    func beginRequest(_ requestId: String, readOnly: Bool = false) -> Logger {
        logger = workerLogger.with(requestId: requestId)
        requestMayReadReplica = readOnly && replicaReads != nil
        return logger
    }

    func endRequest() {
        logger = workerLogger
        requestCatalogReads = nil
        requestMayReadReplica = false
    }

    public var catalogReads: PostgresClient {
        if let chosen = requestCatalogReads { return chosen }
        let chosen = requestMayReadReplica ? replicaReads?.choose() ?? database : database
        requestCatalogReads = chosen
        return chosen
    }

    /// True once when this request read the replica and failed (the replica went away, or a
    /// recovery conflict cancelled its query): the caller answers it again, from the primary.
    /// A replica that lost its connection is left alone for a while.
    func retryCatalogReadsOnPrimary() -> Bool {
        guard let replicaReads, let chosen = requestCatalogReads, chosen === replicaReads.replica else { return false }
        logger.warn("a catalog read on the replica failed; answering from the primary")
        if !replicaReads.replica.isConnected { replicaReads.failed() }
        requestCatalogReads = database
        return true
    }

    public func apiKeyUsed(_ id: String) {
        let now = clock.epochMilliseconds()
        apiKeyUses[id] = now
        guard now - apiKeyUsesWrittenAt >= Self.apiKeyUseWriteInterval else { return }
        // A failed write keeps the times for the next one.
        guard (try? APIKeyStore.touch(apiKeyUses, on: database)) != nil else { return }
        apiKeyUses = [:]
        apiKeyUsesWrittenAt = now
    }
}
