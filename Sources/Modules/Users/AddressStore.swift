import Postgres

/// All SQL of the address book. Every statement is scoped by the owner, so another user's
/// address is simply not found.
enum AddressStore {
    static func list(userId: String, on db: PostgresClient) throws -> [AddressRecord] {
        try db.query("SELECT \(AddressRecord.columns) FROM addresses WHERE user_id = \(bind: userId) ORDER BY created_at, id", idempotent: true)
            .map(AddressRecord.init(row:))
    }

    static func hasAddress(userId: String, type: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM addresses WHERE user_id = \(bind: userId) AND type = \(bind: type) LIMIT 1").rowCount == 1
    }

    /// The address's current type and default flag, locked; nil when it is not the user's.
    static func lock(id: String, userId: String, on db: PostgresClient) throws -> (type: String, isDefault: Bool)? {
        guard let row = try db.query("SELECT type, is_default FROM addresses WHERE id = \(bind: id) AND user_id = \(bind: userId) FOR UPDATE").first else {
            return nil
        }
        return (try row.decode("type"), try row.decode("is_default"))
    }

    /// Clears the user's default of `type` (but `except`), before another address takes it.
    static func clearDefault(userId: String, type: String, except: String?, on db: PostgresClient) throws {
        try db.query(
            """
            UPDATE addresses SET is_default = false, updated_at = now()
            WHERE user_id = \(bind: userId) AND type = \(bind: type) AND is_default AND (\(bind: except)::uuid IS NULL OR id <> \(bind: except)::uuid)
            """)
    }

    static func insert(userId: String, _ input: AddressInput, isDefault: Bool, on db: PostgresClient) throws -> AddressRecord {
        let postal = input.postal
        return try AddressRecord(
            row: db.query(
                """
                INSERT INTO addresses (user_id, type, first_name, last_name, address_line1, address_line2, city, state, postal_code, country, phone, is_default)
                VALUES (\(bind: userId), \(bind: input.type?.rawValue), \(bind: postal.firstName), \(bind: postal.lastName), \(bind: postal.addressLine1),
                        \(bind: postal.addressLine2 ?? nil), \(bind: postal.city), \(bind: postal.state), \(bind: postal.postalCode), \(bind: postal.country),
                        \(bind: postal.phone), \(bind: isDefault))
                RETURNING \(AddressRecord.columns)
                """
            ).single())
    }

    static func update(id: String, _ input: AddressInput, isDefault: Bool, on db: PostgresClient) throws -> AddressRecord {
        let postal = input.postal
        return try AddressRecord(
            row: db.query(
                """
                UPDATE addresses SET type = coalesce(\(bind: input.type?.rawValue), type), first_name = coalesce(\(bind: postal.firstName), first_name),
                    last_name = coalesce(\(bind: postal.lastName), last_name), address_line1 = coalesce(\(bind: postal.addressLine1), address_line1),
                    address_line2 = CASE WHEN \(bind: postal.addressLine2 != nil) THEN \(bind: postal.addressLine2 ?? nil) ELSE address_line2 END,
                    city = coalesce(\(bind: postal.city), city), state = coalesce(\(bind: postal.state), state),
                    postal_code = coalesce(\(bind: postal.postalCode), postal_code), country = coalesce(\(bind: postal.country), country),
                    phone = coalesce(\(bind: postal.phone), phone), is_default = \(bind: isDefault), updated_at = now()
                WHERE id = \(bind: id) RETURNING \(AddressRecord.columns)
                """
            ).single())
    }

    static func delete(id: String, userId: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM addresses WHERE id = \(bind: id) AND user_id = \(bind: userId)").affectedRows == 1
    }
}
