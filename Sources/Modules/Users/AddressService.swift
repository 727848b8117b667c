import Auth
import HTTP
import Postgres

/// The address book (API.md §3). Changes to one user's addresses run behind that user's row
/// lock, so "one default per type" holds under concurrent requests without a 409 from the
/// unique index.
struct AddressService<Context: UsersContext> {
    let context: Context
    var db: PostgresClient { context.database }

    func list(userId: String) throws -> [AddressRecord] { try AddressStore.list(userId: userId, on: db) }

    /// The first address of a type becomes its default.
    func create(userId: String, _ input: AddressInput) throws -> AddressRecord {
        try db.withTransaction { db in
            guard try UserStore.lock(userId: userId, on: db) else { throw APIError.notFound("User not found") }
            let type = input.type!.rawValue
            let makeDefault = try input.isDefault ?? !AddressStore.hasAddress(userId: userId, type: type, on: db)
            if makeDefault { try AddressStore.clearDefault(userId: userId, type: type, except: nil, on: db) }
            return try AddressStore.insert(userId: userId, input, isDefault: makeDefault, on: db)
        }
    }

    func update(userId: String, id: String, _ input: AddressInput) throws -> AddressRecord {
        try db.withTransaction { db in
            guard try UserStore.lock(userId: userId, on: db), let current = try AddressStore.lock(id: id, userId: userId, on: db) else {
                throw APIError.notFound("Address not found")
            }
            let type = input.type?.rawValue ?? current.type
            let makeDefault = input.isDefault ?? current.isDefault
            if makeDefault { try AddressStore.clearDefault(userId: userId, type: type, except: id, on: db) }
            return try AddressStore.update(id: id, input, isDefault: makeDefault, on: db)
        }
    }

    func delete(userId: String, id: String) throws {
        guard try AddressStore.delete(id: id, userId: userId, on: db) else { throw APIError.notFound("Address not found") }
    }
}
