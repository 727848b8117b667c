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
    case paymentsCreated
    case paymentsSucceeded
    case paymentsFailed
    case paymentsRefundRequested
    case paymentsRefunded
    case paymentsCanceled
    case paymentsAmountMismatch
    case emailsSent
    case emailsFailed
    case dbConnectsOK
    case dbConnectsFailed
    case apiKeyCatalogRead
    case apiKeyCatalogWrite
    case apiKeyOrdersRead
    case apiKeyOrdersWrite
    case apiKeyCustomersRead
    case apiKeyCouponsWrite
    case apiKeyWebhooksWrite
    case apiKeyAuditRead
    case webhookSucceeded
    case webhookRetried
    case webhookFailed
    case catalogImportCreated
    case catalogImportUpdated
    case catalogImportInvalid
    case catalogReadsReplica
    case catalogReadsPrimary
    case replicaFallbackDown
    case replicaFallbackLag
    case replicaFallbackBehind
    case replicaFallbackFence

    /// The counter of requests let in with an API key, by the scope (`catalog:read`…) they needed.
    public static let apiKeyRequests: [String: MetricCounter] = Dictionary(
        uniqueKeysWithValues: allCases.filter { $0.family == "api_key_requests_total" }.compactMap { counter in
            counter.labels.first.map { ($0.1, counter) }
        })

    public var family: String {
        switch self {
        case .dbQueries: "db_queries_total"
        case .cacheCatalogHit, .cacheCatalogMiss, .cacheCatalogError, .cacheSessionHit, .cacheSessionMiss, .cacheSessionError:
            "cache_requests_total"
        case .ordersCreated: "orders_created_total"
        case .paymentsCreated, .paymentsSucceeded, .paymentsFailed, .paymentsRefundRequested, .paymentsRefunded, .paymentsCanceled,
            .paymentsAmountMismatch:
            "payments_total"
        case .emailsSent, .emailsFailed: "emails_sent_total"
        case .dbConnectsOK, .dbConnectsFailed: "db_connection_attempts_total"
        case .apiKeyCatalogRead, .apiKeyCatalogWrite, .apiKeyOrdersRead, .apiKeyOrdersWrite, .apiKeyCustomersRead, .apiKeyCouponsWrite,
            .apiKeyWebhooksWrite, .apiKeyAuditRead:
            "api_key_requests_total"
        case .webhookSucceeded, .webhookRetried, .webhookFailed: "webhook_deliveries_total"
        case .catalogImportCreated, .catalogImportUpdated, .catalogImportInvalid: "catalog_import_rows_total"
        case .catalogReadsReplica, .catalogReadsPrimary: "catalog_db_reads_total"
        case .replicaFallbackDown, .replicaFallbackLag, .replicaFallbackBehind, .replicaFallbackFence: "replica_fallbacks_total"
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
        case .paymentsCreated: [("status", "created")]
        case .paymentsSucceeded: [("status", "succeeded")]
        case .paymentsFailed: [("status", "failed")]
        case .paymentsRefundRequested: [("status", "refund_requested")]
        case .paymentsRefunded: [("status", "refunded")]
        case .paymentsCanceled: [("status", "canceled")]
        case .paymentsAmountMismatch: [("status", "amount_mismatch")]
        case .emailsSent: [("result", "sent")]
        case .emailsFailed: [("result", "failed")]
        case .dbConnectsOK: [("result", "ok")]
        case .dbConnectsFailed: [("result", "failed")]
        case .apiKeyCatalogRead: [("scope", "catalog:read")]
        case .apiKeyCatalogWrite: [("scope", "catalog:write")]
        case .apiKeyOrdersRead: [("scope", "orders:read")]
        case .apiKeyOrdersWrite: [("scope", "orders:write")]
        case .apiKeyCustomersRead: [("scope", "customers:read")]
        case .apiKeyCouponsWrite: [("scope", "coupons:write")]
        case .apiKeyWebhooksWrite: [("scope", "webhooks:write")]
        case .apiKeyAuditRead: [("scope", "audit:read")]
        case .webhookSucceeded: [("result", "succeeded")]
        case .webhookRetried: [("result", "retried")]
        case .webhookFailed: [("result", "failed")]
        case .catalogImportCreated: [("result", "created")]
        case .catalogImportUpdated: [("result", "updated")]
        case .catalogImportInvalid: [("result", "invalid")]
        case .catalogReadsReplica: [("source", "replica")]
        case .catalogReadsPrimary: [("source", "primary")]
        case .replicaFallbackDown: [("reason", "down")]
        case .replicaFallbackLag: [("reason", "lag")]
        case .replicaFallbackBehind: [("reason", "behind")]
        case .replicaFallbackFence: [("reason", "fence_unknown")]
        }
    }

    static let help: [String: String] = [
        "db_queries_total": "Statements sent to PostgreSQL by the pool.",
        "orders_created_total": "Orders placed through checkout.",
        "payments_total": "Payment events: intents created and cancelled, payments succeeded or failed, refunds requested and confirmed, amount mismatches.",
        "emails_sent_total": "Outbox emails handed to the SMTP relay (sent) or refused by it (failed; retried with backoff).",
        "cache_requests_total": "Redis cache lookups by cache and result (error: Redis unreachable, answered from PostgreSQL).",
        "catalog_import_rows_total": "Rows of catalog imports: products created or updated, and rows of files refused as a whole (invalid).",
        "webhook_deliveries_total": "Webhook delivery tries by the jobs process: succeeded, retried later, or failed for good after the last try.",
        "api_key_requests_total": "Requests let in with an API key, by the scope the route needed.",
        "catalog_db_reads_total": "Catalog requests that read PostgreSQL (cache misses and uncached views), by where they read: the replica (DATABASE_READ_URL) or the primary.",
        "replica_fallbacks_total":
            "Catalog reads sent to the primary although a replica is configured: down (or not a standby), lag (past REPLICA_MAX_LAG), behind (not yet at the last catalog write), fence_unknown (Redis unreachable).",
        "db_connection_attempts_total": "Connections to PostgreSQL opened by the workers, by result; while it is down each worker tries at most four times a second.",
    ]
}
