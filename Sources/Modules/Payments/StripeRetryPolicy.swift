/// When a Stripe call may be tried again, and after how long. Every retry sends the same
/// Idempotency-Key and the same bytes, so Stripe acts at most once whatever happens.
public struct StripeRetryPolicy: Sendable {
    /// Retries after the first try.
    public var maxRetries: Int
    public var baseDelayMilliseconds: Int
    /// The whole call, retries and waits included: checkout answers well inside nginx's 30 s.
    public var budgetMilliseconds: Int
    public var connectTimeoutMilliseconds: Int

    public init(maxRetries: Int = 2, baseDelayMilliseconds: Int = 250, budgetMilliseconds: Int = 15_000, connectTimeoutMilliseconds: Int = 5_000) {
        self.maxRetries = maxRetries
        self.baseDelayMilliseconds = baseDelayMilliseconds
        self.budgetMilliseconds = budgetMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
    }

    public enum Outcome: Sendable {
        /// libcurl failed; `transient` when the request got no answer (connect, timeout, reset).
        case transport(transient: Bool)
        /// Stripe answered; `shouldRetry` is its `Stripe-Should-Retry` header, when sent.
        case answer(status: Int, shouldRetry: Bool?)
    }

    /// Network failures, 409 (the key is in use by a request still running), 429 and 5xx, unless
    /// Stripe says otherwise with `Stripe-Should-Retry`.
    public func shouldRetry(_ outcome: Outcome, retriesSoFar: Int) -> Bool {
        guard retriesSoFar < maxRetries else { return false }
        switch outcome {
        case .transport(let transient):
            return transient
        case .answer(let status, let shouldRetry):
            if let shouldRetry { return shouldRetry }
            return status == 409 || status == 429 || status >= 500
        }
    }

    /// base · 2^n, scaled into [50 %, 100 %) by `jitterPermille` (0–999), so workers that failed
    /// together do not retry together.
    public func delayMilliseconds(beforeRetry retry: Int, jitterPermille: Int) -> Int {
        let full = baseDelayMilliseconds << min(retry, 10)
        return full / 2 + full * min(max(jitterPermille, 0), 999) / 2000
    }
}
