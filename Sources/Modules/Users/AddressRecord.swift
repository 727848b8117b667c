import HTTP
import Postgres

/// A row of `addresses`, as API.md §3 shows it.
struct AddressRecord: JSONRepresentable {
    let json: JSONValue

    static let columns: PostgresQuery = """
        id, type, first_name, last_name, address_line1, address_line2, city, state, postal_code, country, phone, is_default, \
        \(SQLFragment.isoTimestamp("created_at")) AS created_at, \(SQLFragment.isoTimestamp("updated_at")) AS updated_at
        """

    init(row: PostgresRow) throws {
        json = .object([
            "id": .string(try row.decode("id")), "type": .string(try row.decode("type")),
            "firstName": .string(try row.decode("first_name")), "lastName": .string(try row.decode("last_name")),
            "addressLine1": .string(try row.decode("address_line1")),
            "addressLine2": try row.decode("address_line2", as: String?.self).map(JSONValue.string) ?? .null,
            "city": .string(try row.decode("city")), "state": .string(try row.decode("state")),
            "postalCode": .string(try row.decode("postal_code")), "country": .string(try row.decode("country")),
            "phone": .string(try row.decode("phone")), "isDefault": .bool(try row.decode("is_default")),
            "createdAt": .string(try row.decode("created_at")), "updatedAt": .string(try row.decode("updated_at")),
        ])
    }
}
