import Auth
import HTTP
import HTTPClient
import Idempotency
import Mail
import Orders

/// The work of `commerce-fcgi jobs`: one pass over every queue (mail, unpaid orders) and,
/// every ten minutes, the purge of rows that can no longer matter.
public final class JobsRunner {
    public let context: CommandContext
    private let mail: MailDispatcher
    private var lastPurge: UInt64?
    /// Old tokens, sessions and sent mail are purged at most this often.
    static let purgeIntervalNanoseconds: UInt64 = 10 * 60 * 1_000_000_000

    public init(context: CommandContext, smtpURL: String) {
        self.context = context
        let configuration = context.configuration
        let smtp = SMTPClient()
        mail = MailDispatcher(
            settings: .init(from: configuration.smtpFrom, retryBaseSeconds: configuration.mailRetryBaseSeconds, maxAttempts: configuration.mailMaxAttempts),
            database: context.database, clock: context.clock, logger: context.logger,
            send: { message, from, to in try smtp.send(message, envelope: .init(url: smtpURL, from: from, recipients: [to])) })
    }

    /// True when a queue had a full batch, so the caller should come back at once.
    public func runPass(shouldStop: () -> Bool) -> Bool {
        do {
            let pass = try mail.runOnce(shouldStop: shouldStop)
            let expired = try expireUnpaidOrders()
            try purgeIfDue()
            return pass.sent + pass.failed >= 20 || expired >= Self.expiryBatch
        } catch {
            // PostgreSQL is down or restarting: nothing is lost, the next pass retries.
            context.logger.error("jobs pass failed", ["error": .string(String(describing: error))])
            return false
        }
    }

    static let expiryBatch = 50

    /// Cancels orders unpaid past `ORDER_PAYMENT_TIMEOUT`; their stock is back on sale, so the
    /// catalog's cached pages are invalidated on this host and in Redis.
    private func expireUnpaidOrders() throws -> Int {
        let configuration = context.configuration
        let cancelled = try OrderExpiry.run(timeoutSeconds: configuration.orderPaymentTimeout, limit: Self.expiryBatch, on: context.database)
        guard !cancelled.isEmpty else { return 0 }
        CatalogVersion.bumpEverywhere(configuration: configuration, cache: context.cache)
        context.logger.info("cancelled unpaid orders", [
            "count": .int(cancelled.count), "orderNumbers": .string(cancelled.map(\.orderNumber).joined(separator: ",")),
        ])
        return cancelled.count
    }

    private func purgeIfDue() throws {
        let now = context.clock.monotonicNanoseconds()
        if let lastPurge, now - lastPurge < Self.purgeIntervalNanoseconds { return }
        let accounts = try AccountsRetention.purge(on: context.database)
        let mail = try Outbox.purgeSent(on: context.database)
        let keys = try IdempotencyStore.purgeExpired(on: context.database)
        lastPurge = now
        if accounts != AccountsRetention.Purged() || mail > 0 || keys > 0 {
            context.logger.info("purged old rows", [
                "refreshTokens": .int(accounts.refreshTokens), "sessions": .int(accounts.sessions),
                "resetTokens": .int(accounts.resetTokens), "sentMail": .int(mail), "idempotencyKeys": .int(keys),
            ])
        }
    }
}
