import Webhooks
#if canImport(Glibc)
import Glibc
#endif
import Audit
import Auth
import Cart
import HTTP
import HTTPClient
import Idempotency
import Mail
import Orders
import Payments
import Scoreboard

/// The work of `commerce-fcgi jobs`: one pass over every queue (mail, unpaid orders, refunds
/// still owed) and, every ten minutes, the purge of rows that can no longer matter.
public final class JobsRunner {
    public let context: CommandContext
    private let mail: MailDispatcher
    private let webhooks: WebhookDispatcher
    private var lastPurge: UInt64?
    /// Old tokens, sessions and sent mail are purged at most this often.
    static let purgeIntervalNanoseconds: UInt64 = 10 * 60 * 1_000_000_000

    public init(context: CommandContext, smtpURL: String) {
        self.context = context
        let configuration = context.configuration
        let smtp = SMTPClient()
        webhooks = WebhookDispatcher(
            database: context.database, settings: context.webhooks, client: HTTPClient(),
            epochSeconds: { [clock = context.clock] in clock.epochMilliseconds() / 1000 })
        mail = MailDispatcher(
            settings: .init(from: configuration.smtpFrom, retryBaseSeconds: configuration.mailRetryBaseSeconds, maxAttempts: configuration.mailMaxAttempts),
            database: context.database, clock: context.clock, logger: context.logger,
            send: { message, from, to in try smtp.send(message, envelope: .init(url: smtpURL, from: from, recipients: [to])) },
            prepare: { [auth = context.auth, database = context.database] entry in try PasswordResetLink.prepare(entry, settings: auth, on: database) })
    }

    /// True when a queue had a full batch, so the caller should come back at once.
    public func runPass(shouldStop: () -> Bool) -> Bool {
        attachScoreboard()
        do {
            // Reset requests first: their mails go out in the same pass.
            let resets = try PasswordResetRequests.process(limit: Self.resetBatch, settings: context.auth, on: context.database)
            let pass = try mail.runOnce(shouldStop: shouldStop)
            context.count(.emailsSent, UInt64(pass.sent))
            context.count(.emailsFailed, UInt64(pass.failed))
            let expired = try expireUnpaidOrders()
            let refunds =
                try PaymentFollowUp(context: context).retryRefunds(limit: Self.refundBatch)
                + PaymentFollowUp(context: context).resendRefunds(limit: Self.refundBatch)
            let guestCarts = try expireIdleGuestCarts()
            let deliveries = try webhooks.runOnce(limit: Self.webhookBatch)
            context.count(.webhookSucceeded, UInt64(deliveries.succeeded))
            context.count(.webhookRetried, UInt64(deliveries.retried))
            context.count(.webhookFailed, UInt64(deliveries.failed))
            try purgeIfDue()
            return pass.sent + pass.failed >= 20 || resets >= Self.resetBatch || expired >= Self.expiryBatch || refunds >= Self.refundBatch
                || guestCarts >= Self.guestCartBatch || deliveries.total >= Self.webhookBatch
        } catch {
            // PostgreSQL is down or restarting: nothing is lost, the next pass retries.
            context.logger.error("jobs pass failed", ["error": .string(String(describing: error))])
            return false
        }
    }

    static let resetBatch = 50
    static let expiryBatch = 50
    static let refundBatch = 20
    static let guestCartBatch = 500
    static let webhookBatch = 20

    /// Deletes guest carts idle past `GUEST_CART_TTL` (API.md §12.1): one indexed statement a pass.
    private func expireIdleGuestCarts() throws -> Int {
        let deleted = try CartStore.deleteIdleGuests(
            idleSeconds: context.configuration.guestCartTTL, limit: Self.guestCartBatch, on: context.database)
        if deleted > 0 { context.logger.info("deleted idle guest carts", ["count": .int(deleted)]) }
        return deleted
    }

    private var scoreboard: Scoreboard?

    /// Takes a slot of the pool's scoreboard for this process's counters, and a new one when the
    /// pool laid out a new file (it does at each start). Without a pool there is nothing to join.
    private func attachScoreboard() {
        let pool = context.configuration.pool
        if let scoreboard, scoreboard.isCurrent(path: pool.scoreboardPath) { return }
        context.metricsSlot = nil
        scoreboard = Scoreboard.existing(
            path: pool.scoreboardPath, layout: Application.scoreboardLayout(configuration: context.configuration),
            slots: pool.scoreboardSlots)
        context.scoreboard = scoreboard
        guard let scoreboard, let slot = scoreboard.claimFreeSlot(pid: getpid(), in: scoreboard.backgroundSection) else { return }
        slot.setState(.background)
        context.metricsSlot = slot
    }

    /// Cancels orders unpaid past `ORDER_PAYMENT_TIMEOUT`; their stock is back on sale, and
    /// published where catalog pages read it.
    private func expireUnpaidOrders() throws -> Int {
        let configuration = context.configuration
        let cancelled = try OrderExpiry.run(
            timeoutSeconds: configuration.orderPaymentTimeout, limit: Self.expiryBatch,
            stockLevels: context.stockLevels, on: context.database)
        guard !cancelled.isEmpty else { return 0 }
        PaymentFollowUp(context: context).ordersExpired(cancelled)
        context.logger.info(
            "cancelled unpaid orders",
            [
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
        let audit = try AuditLog.purge(retentionSeconds: context.configuration.auditRetention, on: context.database)
        lastPurge = now
        if accounts != AccountsRetention.Purged() || mail > 0 || keys > 0 || audit > 0 {
            context.logger.info(
                "purged old rows",
                [
                    "refreshTokens": .int(accounts.refreshTokens), "sessions": .int(accounts.sessions),
                    "resetTokens": .int(accounts.resetTokens), "sentMail": .int(mail), "idempotencyKeys": .int(keys), "auditEntries": .int(audit),
                ])
        }
    }
}
