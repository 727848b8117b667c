import Postgres

/// All SQL of the address book. Every statement is scoped by the owner, so another user's
/// address is simply not found.
enum AddressStore {
    static func list(userId: String, on db: PostgresClient) throws -> [AddressRecord] {
        try db.query("SELECT \(AddressRecord.columns) FROM addresses WHERE user_id = $1 ORDER BY created_at, id", [userId], idempotent: true)
            .rows.map(AddressRecord.init(row:))
    }

    static func hasAddress(userId: String, type: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM addresses WHERE user_id = $1 AND type = $2 LIMIT 1", [userId, type]).rowCount == 1
    }

    /// The address's current type and default flag, locked; nil when it is not the user's.
    static func lock(id: String, userId: String, on db: PostgresClient) throws -> (type: String, isDefault: Bool)? {
        guard let row = try db.query("SELECT type, is_default FROM addresses WHERE id = $1 AND user_id = $2 FOR UPDATE", [id, userId]).first else { return nil }
        return (row.string("type")!, row.bool("is_default")!)
    }

    /// Clears the user's default of `type` (but `except`), before another address takes it.
    static func clearDefault(userId: String, type: String, except: String?, on db: PostgresClient) throws {
        try db.query("""
            UPDATE addresses SET is_default = false, updated_at = now()
            WHERE user_id = $1 AND type = $2 AND is_default AND ($3::uuid IS NULL OR id <> $3::uuid)
            """, [userId, type, except])
    }

    static func insert(userId: String, _ input: AddressInput, isDefault: Bool, on db: PostgresClient) throws -> AddressRecord {
        let row = try db.query("""
            INSERT INTO addresses (user_id, type, first_name, last_name, address_line1, address_line2, city, state, postal_code, country, phone, is_default)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING \(AddressRecord.columns)
            """, [userId, input.type?.rawValue, input.postal.firstName, input.postal.lastName, input.postal.addressLine1, input.postal.addressLine2 ?? nil,
                  input.postal.city, input.postal.state, input.postal.postalCode, input.postal.country, input.postal.phone, isDefault]).first!
        return AddressRecord(row: row)
    }

    static func update(id: String, _ input: AddressInput, isDefault: Bool, on db: PostgresClient) throws -> AddressRecord {
        let row = try db.query("""
            UPDATE addresses SET type = coalesce($2, type), first_name = coalesce($3, first_name), last_name = coalesce($4, last_name),
                address_line1 = coalesce($5, address_line1), address_line2 = CASE WHEN $6 THEN $7 ELSE address_line2 END,
                city = coalesce($8, city), state = coalesce($9, state), postal_code = coalesce($10, postal_code),
                country = coalesce($11, country), phone = coalesce($12, phone), is_default = $13, updated_at = now()
            WHERE id = $1 RETURNING \(AddressRecord.columns)
            """, [id, input.type?.rawValue, input.postal.firstName, input.postal.lastName, input.postal.addressLine1, input.postal.addressLine2 != nil, input.postal.addressLine2 ?? nil,
                  input.postal.city, input.postal.state, input.postal.postalCode, input.postal.country, input.postal.phone, isDefault]).first!
        return AddressRecord(row: row)
    }

    static func delete(id: String, userId: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM addresses WHERE id = $1 AND user_id = $2", [id, userId]).affectedRows == 1
    }
}
