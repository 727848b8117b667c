import CSystem
import HTTP
import Redis

/// Every setting of the service, typed, read once from the environment (API.md §11). A
/// missing or malformed value stops start-up with a line naming the variable.
public struct Configuration: Sendable {
    // Dependencies
    public var databaseURL: String
    /// `DATABASE_READ_URL`: a streaming replica public catalog reads may go to (ReplicaReads).
    public var databaseReadURL: String? = nil
    /// `REPLICA_MAX_LAG`: seconds of replay lag past which the replica is not read.
    public var replicaMaxLag: Int = 5
    public var redis: RedisEndpoint
    public var redisTimeoutMilliseconds: Int
    public var statementTimeoutMilliseconds: Int
    /// `DB_PREPARED_STATEMENTS`: prepare statements once per connection (off behind a
    /// pgbouncer in transaction mode before 1.21).
    public var preparedStatements: Bool

    // Authentication
    public var jwtSecret: [UInt8]
    public var jwtAccessTTL: Int
    public var jwtRefreshTTL: Int
    /// scrypt cost as log2(N); 17 is OWASP's recommendation (128 MiB, ~0.4 s per hash here).
    public var passwordScryptLogN: Int
    public var sessionCacheTTL: Int
    public var sessionMaxAge: Int
    public var mailPerAddressHourly: Int

    // Payments and mail
    public var stripeSecretKey: String?
    public var stripeWebhookSecret: String?
    public var stripeAPIBase: String
    /// `STRIPE_REQUEST_BUDGET`: seconds the Stripe part of one request may take, retries included.
    public var stripeRequestBudget: Int
    /// `STRIPE_BREAKER_FAILURES` within `STRIPE_BREAKER_WINDOW` seconds open the breaker for
    /// `STRIPE_BREAKER_COOLDOWN` seconds.
    public var stripeBreakerFailures: Int
    public var stripeBreakerWindow: Int
    public var stripeBreakerCoolDown: Int
    public var smtpURL: String?
    public var smtpFrom: String
    public var mailRetryBaseSeconds: Int
    public var mailMaxAttempts: Int
    public var jobsPollMilliseconds: Int

    // Catalog, orders, uploads
    public var uploadDirectory: String
    public var uploadMaxBytes: Int
    public var publicBaseURL: String
    public var currency: String
    public var taxRatePartsPerMillion: Int
    public var shippingFlat: Cents
    public var freeShippingMinimum: Cents
    public var orderPaymentTimeout: Int
    /// `GUEST_CART_TTL`: a guest cart untouched this long is deleted by `jobs`.
    public var guestCartTTL: Int
    /// `AUDIT_RETENTION`: audit log entries older than this are purged by `jobs`.
    public var auditRetention: Int
    /// `WEBHOOK_ALLOW_PRIVATE`, `WEBHOOK_MAX_ATTEMPTS`, `WEBHOOK_RETRY_BASE_SECONDS`.
    public var webhookAllowPrivate: Bool
    public var webhookMaxAttempts: Int
    public var webhookRetryBaseSeconds: Int
    public var maxPendingOrders: Int
    public var cacheTTL: Int
    /// `CACHE_MAX_ENTRIES`: catalog pages one catalog version may keep in Redis.
    public var cacheMaxEntries: Int
    /// Where the catalog cache's version lives: this host's scoreboard or Redis (several app hosts).
    public var catalogCacheScope: CatalogCacheScope

    // HTTP surface
    public var metricsToken: String?
    public var corsOrigins: Set<String>
    public var logLevel: LogLevel
    public var enableTestRoutes: Bool
    /// The uid REMOTE_ADDR is believed from (`NGINX_USER`); nil believes every peer.
    public var nginxUserId: Int?

    // The pool
    public var pool: PoolSettings

    /// The largest JSON body a worker reads (API.md §1).
    public static let requestBodyLimit = 1 << 20

    public static func load(_ environment: [String: String]) throws -> Configuration {
        var env = EnvironmentReader(environment)
        let databaseURL = env.required("DATABASE_URL")
        env.check(
            "DATABASE_URL", databaseURL.isEmpty || databaseURL.hasPrefix("postgres://") || databaseURL.hasPrefix("postgresql://"),
            "must be a postgresql:// URL")
        let readURL = env.optional("DATABASE_READ_URL")
        env.check(
            "DATABASE_READ_URL", readURL.map { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") } ?? true,
            "must be a postgresql:// URL (a streaming replica of DATABASE_URL)")
        let redisURL = env.required("REDIS_URL")
        let redis = RedisEndpoint.parse(redisURL)
        env.check("REDIS_URL", redisURL.isEmpty || redis != nil, "must be redis://[:password@]host[:port][/db] or unix:///path")
        let secret = env.required("JWT_SECRET")
        env.check("JWT_SECRET", secret.isEmpty || secret.utf8.count >= 32, "must be at least 32 bytes")
        // The example env file's placeholder is public: a server running with it signs tokens anyone can forge.
        env.check("JWT_SECRET", !secret.uppercased().contains("CHANGE-ME"), "is still the example file's placeholder; generate one with: openssl rand -hex 32")
        let stripeBase = env.string("STRIPE_API_BASE", default: "https://api.stripe.com")
        env.check("STRIPE_API_BASE", stripeBase.hasPrefix("https://") || stripeBase.hasPrefix("http://"), "must be an http(s) URL")
        let stripeKey = env.optional("STRIPE_SECRET_KEY")
        env.check("STRIPE_SECRET_KEY", stripeKey.map { $0.hasPrefix("sk_") || $0.hasPrefix("rk_") } ?? true, "must be a Stripe secret or restricted key (sk_… or rk_…)")
        let webhookSecret = env.optional("STRIPE_WEBHOOK_SECRET")
        env.check("STRIPE_WEBHOOK_SECRET", webhookSecret.map { $0.hasPrefix("whsec_") } ?? true, "must be a webhook signing secret (whsec_…)")
        let smtpURL = env.optional("SMTP_URL")
        env.check("SMTP_URL", smtpURL.map { $0.hasPrefix("smtp://") || $0.hasPrefix("smtps://") } ?? true, "must be an smtp:// or smtps:// URL")
        let currency = env.string("CURRENCY", default: "usd")
        env.check("CURRENCY", currency.count == 3 && currency.allSatisfy { $0.isASCII && $0.isLowercase }, "must be a lowercase ISO 4217 code like usd")
        let publicBase = env.string("PUBLIC_BASE_URL", default: "http://127.0.0.1:8080")
        env.check("PUBLIC_BASE_URL", publicBase.hasPrefix("https://") || publicBase.hasPrefix("http://"), "must be an http(s) URL")
        let catalogCacheScope = CatalogCacheScope(rawValue: env.string("CATALOG_CACHE_SCOPE", default: "host"))
        env.check("CATALOG_CACHE_SCOPE", catalogCacheScope != nil, "must be host (one app host) or global (several)")
        // Test routes stall and crash workers on request: only a test stack may mount them, and
        // it says so with a second variable, so a copied test env file cannot turn them on.
        let enableTestRoutes = env.bool("ENABLE_TEST_ROUTES", default: false)
        // REMOTE_ADDR (loopback's metrics, login throttles) is believed only from this user's
        // processes at the other end of the FastCGI socket; empty believes any peer.
        let nginxUser = env.string("NGINX_USER", default: "www-data")
        let nginxUserId = nginxUser.isEmpty ? nil : Int(cfcgi_user_uid(nginxUser))
        env.check("NGINX_USER", nginxUserId.map { $0 >= 0 } ?? true, "names no user of this system (the user nginx's workers run as, www-data on Debian)")
        let profile = env.string("COMMERCE_PROFILE", default: "production")
        env.check(
            "ENABLE_TEST_ROUTES", !enableTestRoutes || profile == "test",
            "is only allowed with COMMERCE_PROFILE=test (the test routes stall and crash workers on request)")
        let logLevelName = env.string("LOG_LEVEL", default: "info")
        let logLevel = LogLevel(name: logLevelName)
        env.check("LOG_LEVEL", logLevel != nil, "must be one of debug, info, warn, error")

        var configuration = Configuration(
            databaseURL: databaseURL,
            redis: redis ?? RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379)),
            redisTimeoutMilliseconds: env.int("REDIS_TIMEOUT_MS", default: 200, range: 10...10_000),
            statementTimeoutMilliseconds: env.int("DB_STATEMENT_TIMEOUT_MS", default: 5000, range: 100...600_000),
            preparedStatements: env.bool("DB_PREPARED_STATEMENTS", default: true),
            jwtSecret: Array(secret.utf8),
            jwtAccessTTL: env.seconds("JWT_ACCESS_TTL", default: 900),
            jwtRefreshTTL: env.seconds("JWT_REFRESH_TTL", default: 604_800),
            passwordScryptLogN: env.int("PASSWORD_SCRYPT_LOG_N", default: 17, range: 14...20),
            sessionCacheTTL: env.int("SESSION_CACHE_TTL", default: 120, range: 1...3600),
            sessionMaxAge: env.int("SESSION_MAX_AGE", default: 2_592_000, range: 60...31_536_000),
            mailPerAddressHourly: env.int("MAIL_PER_ADDRESS_HOURLY", default: 2, range: 1...100),
            stripeSecretKey: stripeKey,
            stripeWebhookSecret: webhookSecret,
            stripeAPIBase: stripeBase,
            stripeRequestBudget: env.int("STRIPE_REQUEST_BUDGET", default: 8, range: 1...15),
            stripeBreakerFailures: env.int("STRIPE_BREAKER_FAILURES", default: 5, range: 1...1000),
            stripeBreakerWindow: env.seconds("STRIPE_BREAKER_WINDOW", default: 30),
            stripeBreakerCoolDown: env.seconds("STRIPE_BREAKER_COOLDOWN", default: 30),
            smtpURL: smtpURL,
            smtpFrom: env.string("SMTP_FROM", default: "CommerceFCGI <noreply@localhost>"),
            mailRetryBaseSeconds: env.int("MAIL_RETRY_BASE", default: 30, range: 1...3600),
            mailMaxAttempts: env.int("MAIL_MAX_ATTEMPTS", default: 12, range: 1...100),
            jobsPollMilliseconds: env.int("JOBS_POLL_MS", default: 1000, range: 50...60_000),
            uploadDirectory: env.string("UPLOAD_DIR", default: "/var/lib/commerce-fcgi/uploads"),
            uploadMaxBytes: env.int("UPLOAD_MAX_BYTES", default: 5 << 20, range: 1...(100 << 20)),
            publicBaseURL: publicBase,
            currency: currency,
            taxRatePartsPerMillion: env.rate("TAX_RATE", defaultPartsPerMillion: 80_000),
            shippingFlat: env.money("SHIPPING_FLAT", default: Cents(500)),
            freeShippingMinimum: env.money("FREE_SHIPPING_MIN", default: Cents(10_000)),
            orderPaymentTimeout: env.seconds("ORDER_PAYMENT_TIMEOUT", default: 1800),
            guestCartTTL: env.seconds("GUEST_CART_TTL", default: 2_592_000),
            auditRetention: env.seconds("AUDIT_RETENTION", default: 31_536_000),
            webhookAllowPrivate: env.bool("WEBHOOK_ALLOW_PRIVATE", default: false),
            webhookMaxAttempts: env.int("WEBHOOK_MAX_ATTEMPTS", default: 15, range: 1...100),
            webhookRetryBaseSeconds: env.seconds("WEBHOOK_RETRY_BASE_SECONDS", default: 60),
            maxPendingOrders: env.int("MAX_PENDING_ORDERS", default: 5, range: 0...1_000_000),
            cacheTTL: env.seconds("CACHE_TTL", default: 3600),
            cacheMaxEntries: env.int("CACHE_MAX_ENTRIES", default: 10_000, range: 1...10_000_000),
            catalogCacheScope: catalogCacheScope ?? .host,
            metricsToken: env.optional("METRICS_TOKEN"),
            corsOrigins: Set((env.optional("CORS_ORIGINS") ?? "").split(separator: ",").map(\.trimmingBlanks).filter { !$0.isEmpty }),
            logLevel: logLevel ?? .info,
            enableTestRoutes: enableTestRoutes,
            nginxUserId: nginxUserId,
            pool: PoolSettings.load(&env)
        )
        configuration.databaseReadURL = readURL
        configuration.replicaMaxLag = env.seconds("REPLICA_MAX_LAG", default: 5)
        if let first = env.errors.first { throw ConfigurationErrors(errors: env.errors, first: first) }
        return configuration
    }
}

public enum CatalogCacheScope: String, Sendable {
    case host
    case global
}

/// Every problem found, so an operator fixes them in one go; `description` is one line each.
public struct ConfigurationErrors: Error, CustomStringConvertible {
    public let errors: [ConfigurationError]
    public let first: ConfigurationError

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}
