import HTTP
import Postgres

/// Drains the outbox: claims due rows, sends each through `send`, and records the outcome
/// with exponential backoff. Run by `commerce-fcgi jobs`; several may run at once.
public final class MailDispatcher {
    public struct Settings: Sendable {
        public var from: String
        public var batchSize: Int
        public var leaseSeconds: Int
        public var retryBaseSeconds: Int
        public var retryMaxSeconds: Int
        public var maxAttempts: Int

        public init(from: String, batchSize: Int = 20, leaseSeconds: Int = 300, retryBaseSeconds: Int = 30, retryMaxSeconds: Int = 3600, maxAttempts: Int = 12) {
            self.from = from
            self.batchSize = batchSize
            self.leaseSeconds = leaseSeconds
            self.retryBaseSeconds = retryBaseSeconds
            self.retryMaxSeconds = retryMaxSeconds
            self.maxAttempts = maxAttempts
        }
    }

    /// Sends one formatted message to one recipient; throws when the relay did not take it.
    public typealias Send = (_ message: [UInt8], _ from: String, _ to: String) throws -> Void
    /// Completes a message just before it is sent (a secret that must never rest in the outbox,
    /// such as a reset link); nil when it no longer needs sending.
    public typealias Prepare = (_ entry: Outbox.Entry) throws -> MailMessage?

    public struct Pass: Equatable, Sendable {
        public var sent = 0
        public var failed = 0
    }

    private let settings: Settings
    private let database: PostgresClient
    private let clock: Clock
    private let logger: Logger
    private let send: Send
    private let prepare: Prepare

    public init(
        settings: Settings, database: PostgresClient, clock: Clock, logger: Logger, send: @escaping Send,
        prepare: @escaping Prepare = { $0.message }
    ) {
        self.settings = settings
        self.database = database
        self.clock = clock
        self.logger = logger
        self.send = send
        self.prepare = prepare
    }

    /// The delay before attempt `attempts + 1`: base · 2^(attempts−1), capped.
    public static func backoffSeconds(afterAttempt attempts: Int, base: Int, cap: Int) -> Int {
        let exponent = min(max(attempts - 1, 0), 20)
        return min(base * (1 << exponent), cap)
    }

    /// One pass over what is due now; `shouldStop` is asked between messages.
    public func runOnce(shouldStop: () -> Bool = { false }) throws -> Pass {
        var pass = Pass()
        let entries = try Outbox.claim(limit: settings.batchSize, leaseSeconds: settings.leaseSeconds, on: database)
        let fromAddress = MailFormatter.address(in: settings.from)
        for entry in entries {
            // A stop request leaves the rest claimed; their lease runs out and another pass sends them.
            if shouldStop() { break }
            guard let message = try prepare(entry) else {
                try Outbox.markCancelled(entry.id, reason: "no longer needed when its turn came", on: database)
                logger.info("mail cancelled", ["mailId": .string(entry.id), "template": .string(entry.message.template)])
                continue
            }
            let bytes = MailFormatter.format(message, id: entry.id, from: settings.from, epochMilliseconds: clock.epochMilliseconds())
            do {
                try send(bytes, fromAddress, entry.message.to)
                try Outbox.markSent(entry.id, on: database)
                pass.sent += 1
                logger.info("mail sent", ["mailId": .string(entry.id), "template": .string(entry.message.template), "attempt": .int(entry.attempts)])
            } catch let error as PostgresError {
                throw error
            } catch {
                let delay = Self.backoffSeconds(afterAttempt: entry.attempts, base: settings.retryBaseSeconds, cap: settings.retryMaxSeconds)
                try Outbox.markFailed(entry.id, error: String(describing: error), retryInSeconds: delay, maxAttempts: settings.maxAttempts, on: database)
                pass.failed += 1
                logger.warn(
                    "mail not sent",
                    [
                        "mailId": .string(entry.id), "template": .string(entry.message.template), "attempt": .int(entry.attempts),
                        "retryInSeconds": .int(delay), "gaveUp": .bool(entry.attempts >= settings.maxAttempts), "error": .string(String(describing: error)),
                    ])
            }
        }
        return pass
    }
}
