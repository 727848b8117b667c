import Crypto
import HTTP
import Postgres

/// All SQL of `webhook_endpoints`, `webhook_events` (besides the outbox's insert) and
/// `webhook_deliveries`.
enum WebhookStore {
    static func insert(url: String, description: String?, events: [String], sealedSecret: [UInt8], on db: PostgresClient) throws -> WebhookEndpointRecord {
        try db.query(
            """
            WITH e AS (
                INSERT INTO webhook_endpoints (url, description, events, secret_sealed)
                VALUES (\(bind: url), \(bind: description), \(bind: SQLFragment.array(events))::text[], \(bind: SQLFragment.bytea(sealedSecret)))
                RETURNING *
            )
            SELECT \(WebhookEndpointRecord.columns) FROM e
            """
        ).single().decodeEndpoint()
    }

    static func list(on db: PostgresClient) throws -> [WebhookEndpointRecord] {
        try db.query("SELECT \(WebhookEndpointRecord.columns) FROM webhook_endpoints e ORDER BY e.created_at DESC, e.id", idempotent: true)
            .map(WebhookEndpointRecord.init(row:))
    }

    static func find(_ id: String, on db: PostgresClient) throws -> WebhookEndpointRecord? {
        try db.query("SELECT \(WebhookEndpointRecord.columns) FROM webhook_endpoints e WHERE e.id = \(bind: id)", idempotent: true).first
            .map(WebhookEndpointRecord.init(row:))
    }

    static func update(_ id: String, url: String?, events: [String]?, isActive: Bool?, description: String??, on db: PostgresClient) throws
        -> WebhookEndpointRecord?
    {
        try db.query(
            """
            WITH e AS (
                UPDATE webhook_endpoints SET url = coalesce(\(bind: url), url),
                    events = coalesce(\(bind: events.map(SQLFragment.array))::text[], events), is_active = coalesce(\(bind: isActive), is_active),
                    description = CASE WHEN \(bind: description != nil) THEN \(bind: description ?? nil) ELSE description END, updated_at = now()
                WHERE id = \(bind: id) RETURNING *
            )
            SELECT \(WebhookEndpointRecord.columns) FROM e
            """
        ).first.map(WebhookEndpointRecord.init(row:))
    }

    static func delete(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM webhook_endpoints WHERE id = \(bind: id)").affectedRows == 1
    }

    static func deliveries(endpointId: String, page: Pagination, on db: PostgresClient) throws -> (deliveries: [WebhookDeliveryRecord], total: Int) {
        let total = try db.query("SELECT count(*) AS n FROM webhook_deliveries WHERE endpoint_id = \(bind: endpointId)", idempotent: true).single()
            .decode("n", as: Int.self)
        let rows = try db.query(
            """
            SELECT \(WebhookDeliveryRecord.columns) FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
            WHERE d.endpoint_id = \(bind: endpointId) ORDER BY v.seq DESC, d.id LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
            """, idempotent: true
        ).map(WebhookDeliveryRecord.init(row:))
        return (rows, total)
    }

    /// Queues a delivery again at once, whatever became of it; false when there is none.
    static func retry(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query(
            """
            UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), updated_at = now()
            WHERE id = \(bind: id)
            """
        ).affectedRows == 1
    }

    // MARK: Dispatching

    struct Due {
        let id: String
        let attempts: Int
        let eventId: String
        let type: String
        let createdAt: String
        let data: String
        let url: String
        let sealedSecret: [UInt8]
    }

    /// Takes up to `limit` due deliveries and leases them for `leaseSeconds` in one statement:
    /// `SKIP LOCKED` lets several jobs processes claim side by side, and the lease keeps the
    /// others off while the sends are in flight. A delivery waits while an earlier event of
    /// the same entity is still pending for the same endpoint, so one order's events arrive in
    /// the order they happened.
    static func claim(limit: Int, leaseSeconds: Int, on db: PostgresClient) throws -> [Due] {
        try db.query(
            """
            WITH due AS (
                SELECT d.id FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
                JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.is_active
                WHERE d.status = 'pending' AND d.next_attempt_at <= now()
                  AND NOT EXISTS (
                      SELECT 1 FROM webhook_deliveries earlier JOIN webhook_events ev ON ev.id = earlier.event_id
                      WHERE earlier.endpoint_id = d.endpoint_id AND earlier.status = 'pending' AND ev.entity = v.entity AND ev.seq < v.seq)
                ORDER BY v.seq LIMIT \(bind: limit) FOR UPDATE OF d SKIP LOCKED
            ), leased AS (
                UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => \(bind: leaseSeconds))
                FROM due WHERE d.id = due.id RETURNING d.id, d.attempts, d.event_id, d.endpoint_id
            )
            SELECT l.id, l.attempts, v.id AS event_id, v.type, \(SQLFragment.isoTimestamp("v.created_at")) AS created_at, v.data::text AS data,
                   e.url, encode(e.secret_sealed, 'hex') AS secret
            FROM leased l JOIN webhook_events v ON v.id = l.event_id JOIN webhook_endpoints e ON e.id = l.endpoint_id
            ORDER BY v.seq
            """
        ).map { row in
            Due(
                id: try row.decode("id"), attempts: try row.decode("attempts"), eventId: try row.decode("event_id"), type: try row.decode("type"),
                createdAt: try row.decode("created_at"), data: try row.decode("data"), url: try row.decode("url"),
                sealedSecret: Hex.decode(try row.decode("secret", as: String.self)) ?? [])
        }
    }

    static func succeeded(_ id: String, statusCode: Int, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE webhook_deliveries SET status = 'succeeded', attempts = attempts + 1, last_status_code = \(bind: statusCode), last_error = NULL,
                next_attempt_at = NULL, updated_at = now()
            WHERE id = \(bind: id)
            """, idempotent: true)
    }

    /// A failed try: again after `retryInSeconds`, or `failed` for good when nil.
    static func attemptFailed(_ id: String, statusCode: Int?, error: String, retryInSeconds: Int?, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = \(bind: statusCode), last_error = \(bind: String(error.unicodeScalars.prefix(500))),
                status = CASE WHEN \(bind: retryInSeconds)::int IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_at = CASE WHEN \(bind: retryInSeconds)::int IS NULL THEN NULL ELSE now() + make_interval(secs => \(bind: retryInSeconds)::int) END,
                updated_at = now()
            WHERE id = \(bind: id)
            """, idempotent: true)
    }
}

extension PostgresRow {
    fileprivate func decodeEndpoint() throws -> WebhookEndpointRecord { try WebhookEndpointRecord(row: self) }
}
