import HTTP
import Postgres

/// The one helper every admin write calls inside its own transaction (API.md §12.7), and the
/// SQL of `audit_log`, which the database keeps append-only.
public enum AuditLog {
    public struct Entry: JSONRepresentable, Sendable {
        let id: Int64
        let actorType: String
        let actorId: String?
        let action: String
        let entityType: String
        let entityId: String?
        let changes: JSONValue
        let requestId: String?
        let ip: String?
        let createdAt: String

        public var json: JSONValue {
            .object([
                "id": .string(String(id)), "actorType": .string(actorType), "actorId": actorId.map(JSONValue.string) ?? .null,
                "action": .string(action), "entityType": .string(entityType), "entityId": entityId.map(JSONValue.string) ?? .null,
                "changes": changes, "requestId": requestId.map(JSONValue.string) ?? .null, "ip": ip.map(JSONValue.string) ?? .null,
                "createdAt": .string(createdAt),
            ])
        }
    }

    /// Appends one entry in the caller's transaction: `action` like `product.update`, the
    /// entity's answers before and after (nil for a creation or a deletion).
    public static func record(
        _ actor: AuditActor, action: String, entityType: String, entityId: String?, before: JSONValue? = nil, after: JSONValue? = nil,
        changes: JSONValue? = nil, on db: PostgresClient
    ) throws {
        let changes = changes ?? AuditChanges.diff(before: before, after: after)
        try db.query(
            """
            INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, changes, request_id, ip)
            VALUES (\(bind: actor.kind.rawValue), \(bind: actor.id)::uuid, \(bind: action), \(bind: entityType), \(bind: entityId),
                    \(bind: String(decoding: JSONWriter.encode(changes), as: UTF8.self))::jsonb, \(bind: actor.requestId), \(bind: actor.ip))
            """)
    }

    public struct Filter: Sendable {
        public var entityType: String?
        public var entityId: String?
        public var actorId: String?
        public var action: String?
        public var from: String?
        public var to: String?

        public init() {}
    }

    /// Newest first, a page at a time.
    public static func list(_ filter: Filter, page: Pagination, on db: PostgresClient) throws -> (entries: [Entry], total: Int) {
        let condition: PostgresQuery = """
            WHERE (\(bind: filter.entityType)::text IS NULL OR a.entity_type = \(bind: filter.entityType))
              AND (\(bind: filter.entityId)::text IS NULL OR a.entity_id = \(bind: filter.entityId))
              AND (\(bind: filter.actorId)::uuid IS NULL OR a.actor_id = \(bind: filter.actorId)::uuid)
              AND (\(bind: filter.action)::text IS NULL OR a.action = \(bind: filter.action))
              AND (\(bind: filter.from)::timestamptz IS NULL OR a.created_at >= \(bind: filter.from)::timestamptz)
              AND (\(bind: filter.to)::timestamptz IS NULL OR a.created_at < \(bind: filter.to)::timestamptz)
            """
        let total = try db.query("SELECT count(*) AS n FROM audit_log a \(condition)", idempotent: true, planning: .perExecution).single().decode(
            "n", as: Int.self)
        let entries = try db.query(
            """
            SELECT a.id, a.actor_type, a.actor_id, a.action, a.entity_type, a.entity_id, a.changes::text AS changes, a.request_id, a.ip,
                   \(SQLFragment.isoTimestamp("a.created_at")) AS created_at
            FROM audit_log a \(condition) ORDER BY a.created_at DESC, a.id DESC LIMIT \(bind: page.limit) OFFSET \(bind: page.offset)
            """, idempotent: true, planning: .perExecution
        ).map { row in
            Entry(
                id: try row.decode("id"), actorType: try row.decode("actor_type"), actorId: try row.decode("actor_id"),
                action: try row.decode("action"), entityType: try row.decode("entity_type"), entityId: try row.decode("entity_id"),
                changes: try row.decode("changes"), requestId: try row.decode("request_id"), ip: try row.decode("ip"),
                createdAt: try row.decode("created_at"))
        }
        return (entries, total)
    }

    /// Deletes entries older than `retentionSeconds`, up to `limit`: the one delete the
    /// table's trigger lets through, because this transaction says it is the purge.
    public static func purge(retentionSeconds: Int, limit: Int = 10_000, on db: PostgresClient) throws -> Int {
        try db.withTransaction { db in
            try db.query("SET LOCAL commerce.audit_purge = 'on'")
            return try db.query(
                """
                DELETE FROM audit_log WHERE id IN (
                    SELECT id FROM audit_log WHERE created_at < now() - make_interval(secs => \(bind: retentionSeconds)) ORDER BY id LIMIT \(bind: limit))
                """
            ).affectedRows
        }
    }
}
