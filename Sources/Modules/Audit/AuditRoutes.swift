import HTTP
import Postgres

/// `GET /api/audit-log` (API.md §12.7): admins, and keys with `audit:read`.
public enum AuditRoutes {
    public static func routes<Context>() -> [Route<Context>] where Context: AuditContext {
        [
            Route(.get, "/api/audit-log", access: .admin) { request, context in
                var query = QueryReader(request.query)
                let (page, limit) = query.page()
                var filter = AuditLog.Filter()
                filter.entityType = query.string("entityType", maxLength: 64)
                filter.entityId = query.string("entityId", maxLength: 255)
                filter.actorId = query.string("actorId", maxLength: 36)
                if let actor = filter.actorId, !UUIDText.isValid(actor) { query.fail("actorId", "must be a UUID") }
                filter.action = query.string("action", maxLength: 64)
                filter.from = query.time("from")
                filter.to = query.time("to")
                try query.finish()
                let (entries, total) = try AuditLog.list(filter, page: Pagination(total: 0, page: page, limit: limit), on: context.app.database)
                return Envelope.list(entries, pagination: Pagination(total: total, page: page, limit: limit))
            }
        ]
    }
}

/// What the audit route needs from a worker.
public protocol AuditContext: AnyObject {
    var database: PostgresClient { get }
}
