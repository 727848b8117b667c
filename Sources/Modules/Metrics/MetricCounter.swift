/// Named counters kept in the scoreboard's counter cells. A case's raw value is its cell, so
/// never reorder: append (the layout fingerprint covers only the cell count).
public enum MetricCounter: Int, CaseIterable, Sendable {
    case dbQueries = 0
    case cacheCatalogHit
    case cacheCatalogMiss
    case cacheCatalogError
    case cacheSessionHit
    case cacheSessionMiss
    case cacheSessionError
    case ordersCreated

    public var family: String {
        switch self {
        case .dbQueries: "db_queries_total"
        case .cacheCatalogHit, .cacheCatalogMiss, .cacheCatalogError, .cacheSessionHit, .cacheSessionMiss, .cacheSessionError:
            "cache_requests_total"
        case .ordersCreated: "orders_created_total"
        }
    }

    public var labels: [(String, String)] {
        switch self {
        case .dbQueries, .ordersCreated: []
        case .cacheCatalogHit: [("cache", "catalog"), ("result", "hit")]
        case .cacheCatalogMiss: [("cache", "catalog"), ("result", "miss")]
        case .cacheCatalogError: [("cache", "catalog"), ("result", "error")]
        case .cacheSessionHit: [("cache", "session"), ("result", "hit")]
        case .cacheSessionMiss: [("cache", "session"), ("result", "miss")]
        case .cacheSessionError: [("cache", "session"), ("result", "error")]
        }
    }

    static let help: [String: String] = [
        "db_queries_total": "Statements sent to PostgreSQL by the pool.",
        "orders_created_total": "Orders placed through checkout.",
        "cache_requests_total": "Redis cache lookups by cache and result (error: Redis unreachable, answered from PostgreSQL).",
    ]
}
