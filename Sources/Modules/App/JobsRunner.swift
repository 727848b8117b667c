import Auth
import HTTP
import HTTPClient
import Mail

/// The work of `commerce-fcgi jobs`: one pass over every queue. Order expiry and the
/// idempotency-key purge join it with their features.
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
            try purgeIfDue()
            return pass.sent + pass.failed >= 20
        } catch {
            // PostgreSQL is down or restarting: nothing is lost, the next pass retries.
            context.logger.error("jobs pass failed", ["error": .string(String(describing: error))])
            return false
        }
    }

    private func purgeIfDue() throws {
        let now = context.clock.monotonicNanoseconds()
        if let lastPurge, now - lastPurge < Self.purgeIntervalNanoseconds { return }
        let accounts = try AccountsRetention.purge(on: context.database)
        let mail = try Outbox.purgeSent(on: context.database)
        lastPurge = now
        if accounts != AccountsRetention.Purged() || mail > 0 {
            context.logger.info("purged old rows", [
                "refreshTokens": .int(accounts.refreshTokens), "sessions": .int(accounts.sessions),
                "resetTokens": .int(accounts.resetTokens), "sentMail": .int(mail),
            ])
        }
    }
}
