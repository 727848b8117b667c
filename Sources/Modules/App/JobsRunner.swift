import HTTP
import HTTPClient
import Mail

/// The work of `commerce-fcgi jobs`: one pass over every queue. Order expiry and the
/// idempotency-key purge join it with their features.
public final class JobsRunner {
    public let context: CommandContext
    private let mail: MailDispatcher

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
            return pass.sent + pass.failed >= 20
        } catch {
            // PostgreSQL is down or restarting: nothing is lost, the next pass retries.
            context.logger.error("jobs pass failed", ["error": .string(String(describing: error))])
            return false
        }
    }
}
