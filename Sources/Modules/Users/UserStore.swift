import Auth
import HTTP
import Postgres

/// SQL for the profile and the admin user routes.
enum UserStore {
    struct Changes {
        var email: String?
        var passwordHash: String?
        var firstName: String?
        var lastName: String?
        var role: Principal.Role?
        var isActive: Bool?
    }

    /// Applies the changes that are set; the updated user, or nil when there is no such user.
    static func update(_ id: String, _ changes: Changes, on db: PostgresClient) throws -> UserRecord? {
        try db.query("""
            UPDATE users SET
                email = coalesce(\(bind: changes.email), email), password_hash = coalesce(\(bind: changes.passwordHash), password_hash),
                first_name = coalesce(\(bind: changes.firstName), first_name), last_name = coalesce(\(bind: changes.lastName), last_name),
                role = coalesce(\(bind: changes.role?.rawValue), role), is_active = coalesce(\(bind: changes.isActive), is_active), updated_at = now()
            WHERE id = \(bind: id) RETURNING \(UserRecord.columns())
            """)
            .first.map(UserRecord.init(row:))
    }

    struct ListQuery {
        var search: String?
        var role: Principal.Role?
        var isActive: Bool?
        var sort: SortOrder
        var page: Int
        var limit: Int
    }

    /// Sort fields and their columns: a fixed table, so no request text becomes SQL.
    static let sortColumns: [String: PostgresQuery] = ["createdAt": "created_at", "email": "email", "firstName": "first_name", "lastName": "last_name"]

    static func list(_ query: ListQuery, on db: PostgresClient) throws -> (users: [UserRecord], total: Int) {
        let pattern = query.search.map(SQLFragment.containsPattern)
        let filter: PostgresQuery = """
            WHERE (\(bind: pattern)::text IS NULL OR email ILIKE \(bind: pattern) OR first_name ILIKE \(bind: pattern)
                   OR last_name ILIKE \(bind: pattern) OR (first_name || ' ' || last_name) ILIKE \(bind: pattern))
              AND (\(bind: query.role?.rawValue)::text IS NULL OR role = \(bind: query.role?.rawValue))
              AND (\(bind: query.isActive)::boolean IS NULL OR is_active = \(bind: query.isActive))
            """
        // Every filter is optional: planned for the values at hand.
        let total = try db.query("SELECT count(*) AS total FROM users \(filter)", idempotent: true, planning: .perExecution).single().decode("total", as: Int.self)
        let column = sortColumns[query.sort.field] ?? "created_at"
        let direction: PostgresQuery = query.sort.descending ? "DESC" : "ASC"
        let users = try db.query("""
            SELECT \(UserRecord.columns()) FROM users \(filter)
            ORDER BY \(column) \(direction), id \(direction) LIMIT \(bind: query.limit) OFFSET \(bind: (query.page - 1) * query.limit)
            """, idempotent: true, planning: .perExecution).map(UserRecord.init(row:))
        return (users, total)
    }

    /// Locks the active admins (in id order, so two admin changes cannot deadlock) and returns their ids.
    static func lockActiveAdmins(on db: PostgresClient) throws -> [String] {
        try db.query("SELECT id FROM users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE").map { try $0.decode("id", as: String.self) }
    }

    /// Serialises changes to one user's rows (address defaults) behind the user's row lock.
    static func lock(userId: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM users WHERE id = \(bind: userId) FOR UPDATE").rowCount == 1
    }
}
