import Crypto
import HTTP
import HTTPClient
import Postgres

/// The jobs process's part (API.md §12.6): due deliveries POSTed with the Stripe-style
/// signature, to the address checked when the try starts, 10 s at most, no redirects; a 2xx is
/// success, anything else waits and tries again until `WEBHOOK_MAX_ATTEMPTS`.
public struct WebhookDispatcher {
    let database: PostgresClient
    let settings: WebhookSettings
    let client: HTTPClient
    let now: () -> Int64

    public init(database: PostgresClient, settings: WebhookSettings, client: HTTPClient, epochSeconds: @escaping () -> Int64) {
        self.database = database
        self.settings = settings
        self.client = client
        now = epochSeconds
    }

    public struct Pass: Equatable {
        public var succeeded = 0
        public var retried = 0
        public var failed = 0
        public var total: Int { succeeded + retried + failed }
    }

    /// One batch of due deliveries; what became of them.
    public func runOnce(limit: Int = 20) throws -> Pass {
        var pass = Pass()
        for due in try WebhookStore.claim(limit: limit, leaseSeconds: 60, on: database) {
            switch deliver(due) {
            case .success(let status):
                try WebhookStore.succeeded(due.id, statusCode: status, on: database)
                pass.succeeded += 1
            case .failure(let failure):
                let attempts = due.attempts + 1
                let retry = attempts < settings.maxAttempts ? settings.delaySeconds(afterAttempt: attempts) : nil
                try WebhookStore.attemptFailed(due.id, statusCode: failure.statusCode, error: failure.message, retryInSeconds: retry, on: database)
                if retry == nil { pass.failed += 1 } else { pass.retried += 1 }
            }
        }
        return pass
    }

    struct Failure: Error {
        let statusCode: Int?
        let message: String
    }

    /// The body is `{id, type, createdAt, data}`; the same event id on every try.
    func deliver(_ due: WebhookStore.Due) -> Result<Int, Failure> {
        let destination: WebhookDestination
        switch WebhookDestination.parse(due.url, allowPrivate: settings.allowPrivate) {
        case .success(let parsed): destination = parsed
        case .failure(let problem): return .failure(Failure(statusCode: nil, message: "url " + problem.message))
        }
        let pins: [String]
        switch destination.resolve(allowPrivate: settings.allowPrivate) {
        case .success(let resolved): pins = resolved
        case .failure(let problem): return .failure(Failure(statusCode: nil, message: "url " + problem.message))
        }
        guard let secret = try? settings.secrets.open(due.sealedSecret) else {
            return .failure(Failure(statusCode: nil, message: "the endpoint's secret cannot be opened (was JWT_SECRET changed?)"))
        }
        let body = Array(#"{"id":"\#(due.eventId)","type":"\#(due.type)","createdAt":"\#(due.createdAt)","data":"#.utf8) + Array(due.data.utf8) + Array("}".utf8)
        let timestamp = String(now())
        let signature = Hex.encode(Digest.hmacSHA256(key: secret, data: Array((timestamp + ".").utf8) + body))
        var request = HTTPClientRequest(
            method: "POST", url: due.url,
            headers: [
                ("Content-Type", "application/json"), ("User-Agent", "CommerceFCGI-Webhooks/1"), ("Commerce-Event-Id", due.eventId),
                ("Commerce-Event-Type", due.type), ("Commerce-Signature", "t=\(timestamp),v1=\(signature)"),
            ],
            body: body, connectTimeoutMilliseconds: 5000, totalTimeoutMilliseconds: 10_000)
        request.resolve = pins
        request.webOnly = true
        do {
            let response = try client.send(request)
            guard (200..<300).contains(response.status) else {
                return .failure(Failure(statusCode: response.status, message: "answered \(response.status)"))
            }
            return .success(response.status)
        } catch {
            return .failure(Failure(statusCode: nil, message: error.description))
        }
    }
}
