#if canImport(Glibc)
import Glibc
#endif
import HTTP
import HTTPClient

/// Where and how to reach Stripe (API.md §7, §11).
public struct StripeSettings: Sendable {
    /// `STRIPE_API_BASE`, without a trailing slash.
    public var apiBase: String
    /// `STRIPE_SECRET_KEY`; only ever sent in the Authorization header.
    public var secretKey: String
    /// Pinned, so the shape of objects and events does not change with the account's default.
    public var apiVersion: String
    public var retry: StripeRetryPolicy
    /// When the host stops calling Stripe after repeated failures (`STRIPE_BREAKER_*`).
    public var breaker: CircuitBreaker.Settings

    public init(
        apiBase: String, secretKey: String, apiVersion: String = "2024-06-20", retry: StripeRetryPolicy = StripeRetryPolicy(),
        breaker: CircuitBreaker.Settings = StripeSettings.defaultBreaker
    ) {
        self.apiBase = apiBase.hasSuffix("/") ? String(apiBase.dropLast()) : apiBase
        self.secretKey = secretKey
        self.apiVersion = apiVersion
        self.retry = retry
        self.breaker = breaker
    }

    public static let defaultBreaker = CircuitBreaker.Settings(
        failureThreshold: 5, windowMilliseconds: 30_000, coolDownMilliseconds: 30_000,
        trialTimeoutMilliseconds: 20_000)
}

/// Stripe's REST API over libcurl: the four calls the service makes. One per process, reusing
/// one easy handle so the TLS connection to Stripe stays warm between requests. Every call
/// asks the host's circuit breaker first: while Stripe is failing, no worker waits on it.
public final class StripeClient {
    public let settings: StripeSettings
    private let http: HTTPClient
    private let clock: Clock
    private let sleep: (_ milliseconds: Int) -> Void
    /// The cells the host shares the breaker in, when there are any (a worker's scoreboard, the
    /// jobs process once it joined one); nil calls Stripe unguarded.
    private let breakerCells: () -> (any AtomicCells)?

    public init(
        settings: StripeSettings, clock: Clock = .system, http: HTTPClient = HTTPClient(),
        breakerCells: @escaping () -> (any AtomicCells)? = { nil },
        sleep: @escaping (_ milliseconds: Int) -> Void = { usleep(useconds_t($0) * 1000) }
    ) {
        self.settings = settings
        self.http = http
        self.clock = clock
        self.breakerCells = breakerCells
        self.sleep = sleep
    }

    private var breaker: CircuitBreaker? { breakerCells().map { CircuitBreaker(cells: $0, settings: settings.breaker) } }

    public func createPaymentIntent(amount: Int64, currency: String, metadata: [(String, String)], idempotencyKey: String) throws(StripeError) -> PaymentIntent {
        var form = StripeForm([("amount", String(amount)), ("currency", currency), ("automatic_payment_methods[enabled]", "true")])
        for (key, value) in metadata { form.metadata(key, value) }
        return try PaymentIntent(json: call("POST", "/v1/payment_intents", form: form, idempotencyKey: idempotencyKey))
    }

    public func retrievePaymentIntent(_ id: String) throws(StripeError) -> PaymentIntent {
        try PaymentIntent(json: call("GET", "/v1/payment_intents/" + StripeForm.escape(id, keeping: []), form: nil, idempotencyKey: nil))
    }

    public func cancelPaymentIntent(_ id: String, idempotencyKey: String) throws(StripeError) -> PaymentIntent {
        try PaymentIntent(
            json: call(
                "POST", "/v1/payment_intents/" + StripeForm.escape(id, keeping: []) + "/cancel", form: StripeForm(),
                idempotencyKey: idempotencyKey))
    }

    /// A refund of `amount` (minor units) of what the intent captured.
    public func createRefund(paymentIntent id: String, amount: Int64, metadata: [(String, String)], idempotencyKey: String) throws(StripeError) -> Refund {
        var form = StripeForm([("payment_intent", id), ("amount", String(amount))])
        for (key, value) in metadata { form.metadata(key, value) }
        return try Refund(json: call("POST", "/v1/refunds", form: form, idempotencyKey: idempotencyKey))
    }

    /// One logical call through the breaker: refused at once while it is open; its outcome (an
    /// answer, or no answer after the retries) tells the breaker whether Stripe is up.
    private func call(_ method: String, _ path: String, form: StripeForm?, idempotencyKey: String?) throws(StripeError) -> JSONValue {
        let breaker = self.breaker
        let now = { UInt64(self.clock.epochMilliseconds()) }
        if let breaker, !breaker.permit(now: now()) { throw .circuitOpen }
        do {
            let answer = try attempts(method, path, form: form, idempotencyKey: idempotencyKey)
            breaker?.recordSuccess(now: now())
            return answer
        } catch {
            if error.meansStripeIsFailing { breaker?.recordFailure(now: now()) } else { breaker?.recordSuccess(now: now()) }
            throw error
        }
    }

    /// The first try and the retries the policy allows, all inside one budget.
    private func attempts(_ method: String, _ path: String, form: StripeForm?, idempotencyKey: String?) throws(StripeError) -> JSONValue {
        let policy = settings.retry
        let deadline = clock.monotonicNanoseconds() + UInt64(policy.budgetMilliseconds) * 1_000_000
        var headers: [(name: String, value: String)] = [
            ("Authorization", "Bearer " + settings.secretKey), ("Stripe-Version", settings.apiVersion), ("Accept", "application/json"),
        ]
        if form != nil { headers.append(("Content-Type", "application/x-www-form-urlencoded")) }
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        let body = form.map { Array($0.encoded.utf8) }
        var retries = 0
        while true {
            let remaining = Self.milliseconds(until: deadline, now: clock.monotonicNanoseconds())
            let request = HTTPClientRequest(
                method: method, url: settings.apiBase + path, headers: headers, body: body,
                connectTimeoutMilliseconds: min(policy.connectTimeoutMilliseconds, remaining),
                totalTimeoutMilliseconds: remaining)
            let outcome: StripeRetryPolicy.Outcome
            let failure: StripeError
            do {
                let response = try http.send(request)
                if (200..<300).contains(response.status) {
                    guard let json = try? JSONParser.parse(response.body) else { throw StripeError.invalidResponse("body is not JSON") }
                    return json
                }
                outcome = .answer(status: response.status, shouldRetry: response.header("stripe-should-retry").map { $0 == "true" })
                failure = StripeError.parse(status: response.status, body: response.body)
            } catch let error as HTTPClientError {
                outcome = .transport(transient: error.isTransient)
                failure = .unreachable(error.message)
            } catch let error as StripeError {
                throw error
            } catch {
                throw .invalidResponse(String(describing: error))
            }
            guard policy.shouldRetry(outcome, retriesSoFar: retries) else { throw failure }
            let delay = policy.delayMilliseconds(beforeRetry: retries, jitterPermille: Int.random(in: 0..<1000))
            // A retry that could not finish inside the budget is not worth starting.
            guard Self.milliseconds(until: deadline, now: clock.monotonicNanoseconds()) > delay + 500 else { throw failure }
            sleep(delay)
            retries += 1
        }
    }

    private static func milliseconds(until deadline: UInt64, now: UInt64) -> Int {
        deadline > now ? Int((deadline - now) / 1_000_000) : 1
    }
}
