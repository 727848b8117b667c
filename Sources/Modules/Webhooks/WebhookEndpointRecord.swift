import HTTP
import Postgres

/// An endpoint as admins see it: never its secret.
public struct WebhookEndpointRecord: JSONRepresentable, Sendable {
    public let id: String
    public let url: String
    public let description: String?
    public let events: [String]
    public let isActive: Bool
    public let createdAt: String
    public let updatedAt: String

    static let columns: PostgresQuery = """
        e.id, e.url, e.description, array_to_string(e.events, ' ') AS events, e.is_active,
        \(SQLFragment.isoTimestamp("e.created_at")) AS created_at, \(SQLFragment.isoTimestamp("e.updated_at")) AS updated_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        url = try row.decode("url")
        description = try row.decode("description")
        events = try row.decode("events", as: String.self).split(separator: " ").map(String.init)
        isActive = try row.decode("is_active")
        createdAt = try row.decode("created_at")
        updatedAt = try row.decode("updated_at")
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "url": .string(url), "description": description.map(JSONValue.string) ?? .null,
            "events": .array(events.map(JSONValue.string)), "isActive": .bool(isActive), "createdAt": .string(createdAt),
            "updatedAt": .string(updatedAt),
        ])
    }
}

/// One delivery of one event to one endpoint (API.md §12.6).
public struct WebhookDeliveryRecord: JSONRepresentable, Sendable {
    let id: String
    let eventId: String
    let type: String
    let status: String
    let attempts: Int
    let lastStatusCode: Int?
    let lastError: String?
    let nextAttemptAt: String?
    let createdAt: String

    static let columns: PostgresQuery = """
        d.id, d.event_id, v.type, d.status, d.attempts, d.last_status_code, d.last_error,
        CASE WHEN d.status = 'pending' THEN \(SQLFragment.isoTimestamp("d.next_attempt_at")) END AS next_attempt_at,
        \(SQLFragment.isoTimestamp("d.created_at")) AS created_at
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        eventId = try row.decode("event_id")
        type = try row.decode("type")
        status = try row.decode("status")
        attempts = try row.decode("attempts")
        lastStatusCode = try row.decode("last_status_code")
        lastError = try row.decode("last_error")
        nextAttemptAt = try row.decode("next_attempt_at")
        createdAt = try row.decode("created_at")
    }

    public var json: JSONValue {
        .object([
            "id": .string(id), "eventId": .string(eventId), "type": .string(type), "status": .string(status), "attempts": .int(attempts),
            "lastStatusCode": lastStatusCode.map(JSONValue.int) ?? .null, "lastError": lastError.map(JSONValue.string) ?? .null,
            "nextAttemptAt": nextAttemptAt.map(JSONValue.string) ?? .null, "createdAt": .string(createdAt),
        ])
    }
}
