import Testing
@testable import App
import HTTP
import Payments
import Postgres
import Redis

@Suite struct ConfigurationTests {
    let minimal = [
        "DATABASE_URL": "postgresql://commerce:secret@127.0.0.1:5432/commerce",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "JWT_SECRET": String(repeating: "k", count: 32),
    ]

    private func problems(_ changes: [String: String?]) -> [String] {
        var env = minimal
        for (key, value) in changes { env[key] = value }
        do {
            _ = try Configuration.load(env)
            return []
        } catch let errors as ConfigurationErrors {
            return errors.errors.map(\.description)
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func defaultsFollowTheContract() throws {
        let config = try Configuration.load(minimal)
        #expect(config.jwtAccessTTL == 900)
        #expect(config.jwtRefreshTTL == 604_800)
        #expect(config.taxRatePartsPerMillion == 80_000)
        #expect(config.shippingFlat == Cents(500))
        #expect(config.freeShippingMinimum == Cents(10_000))
        #expect(config.orderPaymentTimeout == 1800)
        #expect(config.cacheTTL == 3600)
        #expect(config.currency == "usd")
        #expect(config.uploadMaxBytes == 5 * 1024 * 1024)
        #expect(config.stripeAPIBase == "https://api.stripe.com")
        #expect(config.redis == RedisEndpoint(address: .tcp(host: "127.0.0.1", port: 6379), database: 0))
        #expect(config.pool.api.workers == 8)
        #expect(config.pool.pools.map(\.name) == ["api", "checkout"])
        #expect(config.pool.pool(named: "checkout")?.socketPath == "/run/commerce-fcgi-checkout.sock")
        #expect(config.logLevel == .info)
        #expect(!config.enableTestRoutes)
    }

    @Test func everyRequiredValueIsNamedWhenMissing() {
        #expect(
            problems(["DATABASE_URL": nil, "REDIS_URL": nil, "JWT_SECRET": nil]) == [
                "configuration error: DATABASE_URL is required but not set",
                "configuration error: REDIS_URL is required but not set",
                "configuration error: JWT_SECRET is required but not set",
            ])
    }

    @Test func malformedValuesAreNamed() {
        #expect(problems(["JWT_SECRET": "too-short"]) == ["configuration error: JWT_SECRET must be at least 32 bytes"])
        #expect(problems(["TAX_RATE": "8%"]) == [#"configuration error: TAX_RATE must be a decimal from 0 to 1 like 0.08, got "8%""#])
        #expect(problems(["JWT_ACCESS_TTL": "15m"]).first?.hasPrefix("configuration error: JWT_ACCESS_TTL must be a whole number") == true)
        #expect(problems(["SHIPPING_FLAT": "5.001"]) == [#"configuration error: SHIPPING_FLAT must be an amount like 5.00, got "5.001""#])
        #expect(problems(["CURRENCY": "USD"]) == ["configuration error: CURRENCY must be a lowercase ISO 4217 code like usd"])
        #expect(problems(["REDIS_URL": "localhost:6379"]).count == 1)
        #expect(problems(["DATABASE_URL": "mysql://x"]) == ["configuration error: DATABASE_URL must be a postgresql:// URL"])
        #expect(problems(["SOCKET_MODE": "rw"]) == ["configuration error: SOCKET_MODE must be octal permission bits like 0660"])
        #expect(problems(["STRIPE_SECRET_KEY": "pk_live_abc"]) == ["configuration error: STRIPE_SECRET_KEY must be a Stripe secret or restricted key (sk_… or rk_…)"])
        #expect(problems(["STRIPE_WEBHOOK_SECRET": "secret"]) == ["configuration error: STRIPE_WEBHOOK_SECRET must be a webhook signing secret (whsec_…)"])
        #expect(problems(["LOG_LEVEL": "loud"]) == ["configuration error: LOG_LEVEL must be one of debug, info, warn, error"])
    }

    @Test func theExampleFilesPlaceholderSecretIsRefused() throws {
        // deploy/systemd/commerce.env.example, as a sysadmin who forgot to edit it would run it.
        #expect(
            problems(["JWT_SECRET": "CHANGE-ME-CHANGE-ME-CHANGE-ME-CHANGE-ME"]) == [
                "configuration error: JWT_SECRET is still the example file's placeholder; generate one with: openssl rand -hex 32"
            ])
        #expect(problems(["MAX_PENDING_ORDERS": "-1"]).count == 1)
        #expect(try Configuration.load(minimal).maxPendingOrders == 5)
        // 0 lifts the limit (the bench's shoppers never pay).
        #expect(problems(["MAX_PENDING_ORDERS": "0"]).isEmpty)
    }

    @Test func testRoutesNeedTheTestProfileToo() throws {
        #expect(
            problems(["ENABLE_TEST_ROUTES": "true"]) == [
                "configuration error: ENABLE_TEST_ROUTES is only allowed with COMMERCE_PROFILE=test (the test routes stall and crash workers on request)"
            ])
        var env = minimal
        env["ENABLE_TEST_ROUTES"] = "true"
        env["COMMERCE_PROFILE"] = "test"
        #expect(try Configuration.load(env).enableTestRoutes)
    }

    @Test func stripeIsOffWithoutAKeyAndPointedAtItsBaseWithOne() throws {
        #expect(try Configuration.load(minimal).stripeSettings == nil)
        var env = minimal
        env["STRIPE_SECRET_KEY"] = "sk_test_123"
        env["STRIPE_API_BASE"] = "http://127.0.0.1:12111/"
        let settings = try #require(try Configuration.load(env).stripeSettings)
        #expect(settings.apiBase == "http://127.0.0.1:12111" && settings.secretKey == "sk_test_123")
        #expect(settings.retry.budgetMilliseconds == 8_000 && settings.retry.connectTimeoutMilliseconds == 5_000)
        #expect(
            settings.breaker
                == CircuitBreaker.Settings(
                    failureThreshold: 5, windowMilliseconds: 30_000, coolDownMilliseconds: 30_000,
                    trialTimeoutMilliseconds: 13_000))
        env["STRIPE_REQUEST_BUDGET"] = "3"
        #expect(try Configuration.load(env).stripeSettings?.retry.connectTimeoutMilliseconds == 3_000)
        env["STRIPE_REQUEST_BUDGET"] = "20"
        #expect(throws: ConfigurationErrors.self) { try Configuration.load(env) }
    }

    @Test func parsesRatesMoneyAndLists() throws {
        var env = minimal
        env["TAX_RATE"] = "0.0825"
        env["SHIPPING_FLAT"] = "7.5"
        env["CORS_ORIGINS"] = "https://a.example, https://b.example ,"
        env["REDIS_URL"] = "redis://:pw@cache.internal:6380/2"
        env["SOCKET_MODE"] = "0666"
        let config = try Configuration.load(env)
        #expect(config.taxRatePartsPerMillion == 82_500)
        #expect(config.shippingFlat == Cents(750))
        #expect(config.corsOrigins == ["https://a.example", "https://b.example"])
        #expect(config.redis == RedisEndpoint(address: .tcp(host: "cache.internal", port: 6380), password: "pw", database: 2))
        #expect(config.pool.socketMode == 0o666)
    }

    @Test func redisUnixSocketURLs() {
        #expect(RedisEndpoint.parse("unix:///run/redis/redis.sock?db=3") == RedisEndpoint(address: .unix(path: "/run/redis/redis.sock"), database: 3))
        #expect(RedisEndpoint.parse("unix://relative") == nil)
    }

    @Test func secretsNeverAppearInErrors() {
        let secret = "postgresql://commerce:hunter2hunter2@db/commerce"
        let lines = problems(["DATABASE_URL": secret, "JWT_SECRET": "short-secret-value"])
        #expect(lines.allSatisfy { !$0.contains("hunter2") && !$0.contains("short-secret-value") })
    }
}

@Suite struct ErrorMappingTests {
    @Test func aValueTooLongForItsColumnIsTheClientsError() {
        for state in ["22001", "22P05"] {
            let error = PostgresError(kind: PostgresError.kind(sqlState: state, constraint: nil), sqlState: state, message: "value too long for type character varying(255)")
            let mapped = ErrorMapping.apiError(for: error)
            #expect(mapped?.status == .badRequest, "\(state)")
            #expect(mapped?.details.map(\.field) == ["body"], "\(state)")
            #expect(mapped?.message.contains("varying") == false, "\(state)")
        }
        let timeout = PostgresError(kind: .timeout, sqlState: "57014", message: "canceling statement")
        #expect(ErrorMapping.apiError(for: timeout)?.status == .serviceUnavailable)
    }
}
