import Postgres

/// The email outbox (API.md §8): rows written in the same transaction as their cause and
/// drained by the jobs process. All of its SQL is here.
public enum Outbox {
    /// Queues `message`; call it inside the transaction of the change that causes it. The row's id.
    @discardableResult
    public static func enqueue(_ message: MailMessage, on database: PostgresClient) throws -> String {
        try database.query(
            """
            INSERT INTO email_outbox (template, to_address, subject, body_text, body_html)
            VALUES (\(bind: message.template), \(bind: message.to), \(bind: message.subject), \(bind: message.bodyText), \(bind: message.bodyHTML))
            RETURNING id
            """
        ).single().decode("id", as: String.self)
    }

    /// Mails anyone can have sent to any address (a registration, a reset link): held to a few
    /// per recipient an hour, so the service cannot be used to flood someone's mailbox.
    public static let unsolicitedTemplates = ["welcome", MailTemplates.passwordResetTemplate]

    /// Queues `message` unless `limit` mails of `templates` went to its address within the last
    /// hour; the row's id, or nil when held back. The recipient is locked for the transaction,
    /// so concurrent requests cannot both pass the count. Callers answer the same either way.
    @discardableResult
    public static func enqueue(_ message: MailMessage, limit: Int, perHourAmong templates: [String], on database: PostgresClient) throws -> String? {
        try database.query("SELECT pg_advisory_xact_lock(hashtext('commerce:mail:' || lower(\(bind: message.to))))")
        let sent = try database.query(
            """
            SELECT count(*) AS sent FROM email_outbox
            WHERE lower(to_address) = lower(\(bind: message.to)) AND template = ANY(\(bind: SQLFragment.array(templates))::text[])
              AND created_at > now() - interval '1 hour'
            """
        ).single().decode("sent", as: Int.self)
        guard sent < limit else { return nil }
        return try enqueue(message, on: database)
    }

    /// A claimed row, leased to one jobs process until `leaseSeconds` pass.
    public struct Entry: Sendable {
        public let id: String
        public let message: MailMessage
        public let attempts: Int
    }

    /// Takes up to `limit` due rows. Each claim pushes `next_attempt_at` past the lease and
    /// counts the attempt at once, so a process that dies mid-send leaves the row to be
    /// retried after the lease, and concurrent processes skip each other's rows.
    static func claim(limit: Int, leaseSeconds: Int, on database: PostgresClient) throws -> [Entry] {
        // Sent in the order they were written, so a customer reads "confirmed" before "cancelled".
        let result = try database.query(
            """
            WITH claimed AS (
                UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => \(bind: leaseSeconds))
                WHERE id IN (
                    SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT \(bind: limit) FOR UPDATE SKIP LOCKED)
                RETURNING id, template, to_address, subject, body_text, body_html, attempts, created_at)
            SELECT id, template, to_address, subject, body_text, body_html, attempts FROM claimed ORDER BY created_at, id
            """)
        return try result.map { row in
            Entry(
                id: try row.decode("id"),
                message: MailMessage(
                    template: try row.decode("template"), to: try row.decode("to_address"), subject: try row.decode("subject"),
                    bodyText: try row.decode("body_text"), bodyHTML: try row.decode("body_html")), attempts: try row.decode("attempts"))
        }
    }

    static func markSent(_ id: String, on database: PostgresClient) throws {
        try database.query("UPDATE email_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = \(bind: id)", idempotent: true)
    }

    /// A message that no longer needs sending (the reset it carried was spent meanwhile).
    static func markCancelled(_ id: String, reason: String, on database: PostgresClient) throws {
        try database.query("UPDATE email_outbox SET status = 'cancelled', last_error = \(bind: reason) WHERE id = \(bind: id)", idempotent: true)
    }

    /// Schedules the next attempt, or gives up (`failed`) after `maxAttempts`.
    static func markFailed(_ id: String, error: String, retryInSeconds: Int, maxAttempts: Int, on database: PostgresClient) throws {
        try database.query(
            """
            UPDATE email_outbox SET last_error = \(bind: String(error.unicodeScalars.prefix(500))), next_attempt_at = now() + make_interval(secs => \(bind: retryInSeconds)),
                status = CASE WHEN attempts >= \(bind: maxAttempts) THEN 'failed' ELSE 'pending' END
            WHERE id = \(bind: id)
            """, idempotent: true)
    }
}

extension Outbox {
    /// Sent mail is kept 30 days (what went out, and when); failed rows stay for an operator.
    public static func purgeSent(on database: PostgresClient) throws -> Int {
        try database.query("DELETE FROM email_outbox WHERE status = 'sent' AND sent_at < now() - interval '30 days'").affectedRows
    }
}
