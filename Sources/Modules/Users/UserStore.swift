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
                email = coalesce($2, email), password_hash = coalesce($3, password_hash),
                first_name = coalesce($4, first_name), last_name = coalesce($5, last_name),
                role = coalesce($6, role), is_active = coalesce($7, is_active), updated_at = now()
            WHERE id = $1 RETURNING \(UserRecord.columns())
            """, [id, changes.email, changes.passwordHash, changes.firstName, changes.lastName, changes.role?.rawValue, changes.isActive])
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

    static let sortColumns = ["createdAt": "created_at", "email": "email", "firstName": "first_name", "lastName": "last_name"]

    static func list(_ query: ListQuery, on db: PostgresClient) throws -> (users: [UserRecord], total: Int) {
        let filter = """
            WHERE ($1::text IS NULL OR email ILIKE $1 OR first_name ILIKE $1 OR last_name ILIKE $1
                   OR (first_name || ' ' || last_name) ILIKE $1)
              AND ($2::text IS NULL OR role = $2) AND ($3::boolean IS NULL OR is_active = $3)
            """
        let parameters: [any PostgresEncodable] = [query.search.map(SQLFragment.containsPattern), query.role?.rawValue, query.isActive]
        let total = try db.query("SELECT count(*) AS total FROM users \(filter)", parameters, idempotent: true).first!.int("total")!
        // The column comes from a fixed table, never from the request.
        let column = sortColumns[query.sort.field] ?? "created_at"
        let direction = query.sort.descending ? "DESC" : "ASC"
        let rows = try db.query("""
            SELECT \(UserRecord.columns()) FROM users \(filter)
            ORDER BY \(column) \(direction), id \(direction) LIMIT $4 OFFSET $5
            """, parameters + [query.limit, (query.page - 1) * query.limit], idempotent: true)
        return (rows.rows.map(UserRecord.init(row:)), total)
    }

    /// Locks the active admins (in id order, so two admin changes cannot deadlock) and returns their ids.
    static func lockActiveAdmins(on db: PostgresClient) throws -> [String] {
        try db.query("SELECT id FROM users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE").rows.map { $0.string("id")! }
    }

    /// Serialises changes to one user's rows (address defaults) behind the user's row lock.
    static func lock(userId: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", [userId]).rowCount == 1
    }
}
