import HTTP
import Postgres

/// Events written in the transaction of their cause (API.md §12.6): one row in
/// `webhook_events` and a pending delivery for each active endpoint subscribed to its type, in
/// one statement, and nothing at all when no endpoint wants it. Commits with the cause or not
/// at all, so no event is lost and none is sent for a change that rolled back; the statement
/// leaves with the cause's COMMIT, so it costs no round trip of its own.
public enum WebhookOutbox {
    /// `entity` (`order:<id>`) keeps one entity's events delivered in the order they happened.
    public static func emit(_ type: WebhookEventType, entity: String, data: JSONValue, on db: PostgresClient) throws {
        try db.queryWithCommit(
            """
            WITH targets AS (
                SELECT id FROM webhook_endpoints WHERE is_active AND \(bind: type.rawValue) = ANY(events)
            ), event AS (
                INSERT INTO webhook_events (type, entity, data)
                SELECT \(bind: type.rawValue), \(bind: entity), \(bind: String(decoding: JSONWriter.encode(data), as: UTF8.self))::json
                WHERE EXISTS (SELECT 1 FROM targets)
                RETURNING id
            )
            INSERT INTO webhook_deliveries (event_id, endpoint_id) SELECT event.id, targets.id FROM event, targets
            """)
    }
}
