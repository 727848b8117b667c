import HTTP
import Postgres

/// A row of `addresses`, as API.md §3 shows it.
struct AddressRecord: JSONRepresentable {
    let json: JSONValue

    static let columns = """
        id, type, first_name, last_name, address_line1, address_line2, city, state, postal_code, country, phone, is_default, \
        \(SQLFragment.isoTimestamp("created_at")) AS created_at, \(SQLFragment.isoTimestamp("updated_at")) AS updated_at
        """

    init(row: PostgresRow) {
        json = .object([
            "id": .string(row.string("id")!), "type": .string(row.string("type")!),
            "firstName": .string(row.string("first_name")!), "lastName": .string(row.string("last_name")!),
            "addressLine1": .string(row.string("address_line1")!), "addressLine2": row.string("address_line2").map(JSONValue.string) ?? .null,
            "city": .string(row.string("city")!), "state": .string(row.string("state")!), "postalCode": .string(row.string("postal_code")!),
            "country": .string(row.string("country")!), "phone": .string(row.string("phone")!), "isDefault": .bool(row.bool("is_default")!),
            "createdAt": .string(row.string("created_at")!), "updatedAt": .string(row.string("updated_at")!),
        ])
    }
}
