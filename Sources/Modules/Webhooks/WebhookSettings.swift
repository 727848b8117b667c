import Postgres
import Crypto

/// What webhooks need from the configuration.
public struct WebhookSettings: Sendable {
    /// `WEBHOOK_ALLOW_PRIVATE`: `http://` and private addresses allowed (the local stack).
    public let allowPrivate: Bool
    /// `WEBHOOK_MAX_ATTEMPTS`: tries before a delivery is `failed`.
    public let maxAttempts: Int
    /// `WEBHOOK_RETRY_BASE_SECONDS`: the first retry's wait, doubled each time up to 12 hours.
    public let retryBaseSeconds: Int
    /// Seals endpoints' signing secrets in the database.
    public let secrets: SecretBox

    public init(allowPrivate: Bool, maxAttempts: Int, retryBaseSeconds: Int, jwtSecret: [UInt8]) {
        self.allowPrivate = allowPrivate
        self.maxAttempts = maxAttempts
        self.retryBaseSeconds = retryBaseSeconds
        // A key of its own, derived so that the JWT secret itself never seals anything.
        secrets = SecretBox(key: Digest.hmacSHA256(key: jwtSecret, data: Array("commerce webhook secrets v1".utf8)))
    }

    /// The wait before try `attempt + 1` after `attempt` failed ones: base · 2^(attempt−1), at
    /// most 12 hours. With the defaults (60 s, 15 tries) the last is about three days after the first.
    public func delaySeconds(afterAttempt attempt: Int) -> Int {
        let doubled = retryBaseSeconds << min(max(attempt - 1, 0), 20)
        return min(doubled, 12 * 3600)
    }
}

/// What the webhook routes and the dispatcher need from a process.
public protocol WebhooksContext: AnyObject {
    var database: PostgresClient { get }
    var webhooks: WebhookSettings { get }
}
