import Postgres

/// The email outbox (API.md §8): rows written in the same transaction as their cause and
/// drained by the jobs process. All of its SQL is here.
public enum Outbox {
    /// Queues `message`; call it inside the transaction of the change that causes it.
    public static func enqueue(_ message: MailMessage, on database: PostgresClient) throws {
        try database.query(
            "INSERT INTO email_outbox (template, to_address, subject, body_text, body_html) VALUES ($1, $2, $3, $4, $5)",
            [message.template, message.to, message.subject, message.bodyText, message.bodyHTML])
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
        let result = try database.query("""
            WITH claimed AS (
                UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
                WHERE id IN (
                    SELECT id FROM email_outbox WHERE status = 'pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
                RETURNING id, template, to_address, subject, body_text, body_html, attempts, created_at)
            SELECT id, template, to_address, subject, body_text, body_html, attempts FROM claimed ORDER BY created_at, id
            """, [limit, leaseSeconds])
        return result.rows.map { row in
            Entry(id: row.string("id")!, message: MailMessage(
                template: row.string("template")!, to: row.string("to_address")!,
                subject: row.string("subject")!, bodyText: row.string("body_text")!, bodyHTML: row.string("body_html")), attempts: row.int("attempts")!)
        }
    }

    static func markSent(_ id: String, on database: PostgresClient) throws {
        try database.query("UPDATE email_outbox SET status = 'sent', sent_at = now(), last_error = NULL WHERE id = $1", [id], idempotent: true)
    }

    /// Schedules the next attempt, or gives up (`failed`) after `maxAttempts`.
    static func markFailed(_ id: String, error: String, retryInSeconds: Int, maxAttempts: Int, on database: PostgresClient) throws {
        try database.query("""
            UPDATE email_outbox SET last_error = $2, next_attempt_at = now() + make_interval(secs => $3),
                status = CASE WHEN attempts >= $4 THEN 'failed' ELSE 'pending' END
            WHERE id = $1
            """, [id, String(error.prefix(500)), retryInSeconds, maxAttempts], idempotent: true)
    }
}

extension Outbox {
    /// Sent mail is kept 30 days (what went out, and when); failed rows stay for an operator.
    public static func purgeSent(on database: PostgresClient) throws -> Int {
        try database.query("DELETE FROM email_outbox WHERE status = 'sent' AND sent_at < now() - interval '30 days'").affectedRows
    }
}
