import Postgres

/// What other features (payments) read of an order: the whole record for its emails, and who
/// the customer is.
public enum OrderLookup {
    public static func find(_ id: String, on db: PostgresClient) throws -> OrderRecord? {
        try OrderStore.find(id, on: db)
    }

    public static func customer(of orderId: String, on db: PostgresClient) throws -> (email: String, firstName: String) {
        try OrderStore.customer(of: orderId, on: db)
    }
}
