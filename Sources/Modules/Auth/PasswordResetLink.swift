import Crypto
import Mail
import Postgres

/// Reset links are issued by the jobs process at the moment their mail is sent: the request
/// writes a marker into the outbox row, and `prepare` swaps in a fresh token, storing only its
/// hash. A database leak, a backup or an operator reading the outbox finds no usable link, and
/// a link is valid for `resetTokenTTL` from when it was mailed. A retried send issues a new
/// token (the earlier one, if it went out, stops working).
public enum PasswordResetLink {
    static func marker(_ resetId: String) -> String { "{{reset-link:\(resetId)}}" }

    /// The message to send: reset mails get their link, others pass through; nil when the
    /// reset was spent meanwhile.
    public static func prepare(_ entry: Outbox.Entry, settings: AuthSettings, on db: PostgresClient) throws -> MailMessage? {
        guard entry.message.template == MailTemplates.passwordResetTemplate else { return entry.message }
        let token = try SecureRandom.token()
        guard
            let resetId = try SessionStore.issueResetToken(
                outboxId: entry.id, hash: Digest.sha256(token), ttlSeconds: settings.resetTokenTTL,
                on: db)
        else { return nil }
        let link = settings.publicBaseURL + "/reset-password?token=" + token
        let message = entry.message
        return MailMessage(
            template: message.template, to: message.to, subject: message.subject,
            bodyText: message.bodyText.replacing(marker(resetId), with: link),
            bodyHTML: message.bodyHTML?.replacing(marker(resetId), with: link))
    }
}
