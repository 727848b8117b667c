import Crypto
import Mail
import Postgres

/// The jobs process's half of `forgot-password`: each queued request for an active account
/// becomes a reset mail (its link issued as it is sent, `PasswordResetLink`), within the
/// per-recipient limit on mail anyone can trigger; other requests are dropped silently.
public enum PasswordResetRequests {
    /// How many requests were taken (a full batch means more may be waiting).
    public static func process(limit: Int, settings: AuthSettings, on db: PostgresClient) throws -> Int {
        try db.withTransaction { db in
            let emails = try SessionStore.takeResetRequests(limit: limit, on: db)
            for email in emails {
                guard let user = try UserStore.user(email: email, on: db), user.isActive else { continue }
                let resetId = try UUIDGenerator.random()
                let message = MailTemplates.passwordReset(
                    to: user.email, firstName: user.firstName, resetURL: PasswordResetLink.marker(resetId), validMinutes: settings.resetTokenTTL / 60)
                guard
                    let outboxId = try Outbox.enqueue(
                        message, limit: settings.unsolicitedMailLimit, perHourAmong: Outbox.unsolicitedTemplates, on: db)
                else { continue }
                try SessionStore.storeResetRequest(id: resetId, userId: user.id, outboxId: outboxId, ttlSeconds: settings.resetTokenTTL, on: db)
            }
            return emails.count
        }
    }
}
