import HTTP
import Postgres

/// All SQL on `users`: authentication's reads and writes, the profile's and the admin routes'.
/// Other modules call it; none writes the table itself.
public enum UserStore {
    public static func user(email: String, on db: PostgresClient) throws -> UserRecord? {
        try db.query("SELECT \(UserRecord.columns()) FROM users WHERE email = \(bind: email)", idempotent: true).first.map(UserRecord.init(row:))
    }

    public static func user(id: String, on db: PostgresClient) throws -> UserRecord? {
        try db.query("SELECT \(UserRecord.columns()) FROM users WHERE id = \(bind: id)", idempotent: true).first.map(UserRecord.init(row:))
    }

    /// The new user, or nil when the email is taken.
    public static func insert(email: String, passwordHash: String, firstName: String, lastName: String, role: String = "user", on db: PostgresClient) throws -> UserRecord? {
        try db.query(
            """
            INSERT INTO users (email, password_hash, first_name, last_name, role)
            VALUES (\(bind: email), \(bind: passwordHash), \(bind: firstName), \(bind: lastName), \(bind: role))
            ON CONFLICT (email) DO NOTHING RETURNING \(UserRecord.columns())
            """
        ).first.map(UserRecord.init(row:))
    }

    /// Makes the account of `email` an active admin with a new password hash; its id, or nil
    /// when there is no such account.
    public static func promoteToAdmin(email: String, passwordHash: String, on db: PostgresClient) throws -> String? {
        try db.query(
            """
            UPDATE users SET role = 'admin', is_active = true, password_hash = \(bind: passwordHash), updated_at = now()
            WHERE email = \(bind: email) RETURNING id
            """
        ).first?.decode("id", as: String.self)
    }

    public static func setPasswordHash(userId: String, hash: String, on db: PostgresClient) throws {
        try db.query("UPDATE users SET password_hash = \(bind: hash), updated_at = now() WHERE id = \(bind: userId)")
    }

    /// Rewrites a hash made with older parameters, unless the password changed meanwhile.
    static func upgradePasswordHash(userId: String, from old: String, to new: String, on db: PostgresClient) throws {
        try db.query("UPDATE users SET password_hash = \(bind: new) WHERE id = \(bind: userId) AND password_hash = \(bind: old)")
    }

    public struct Changes {
        public init(
            email: String? = nil, passwordHash: String? = nil, firstName: String? = nil, lastName: String? = nil,
            role: Principal.Role? = nil, isActive: Bool? = nil
        ) {
            self.email = email
            self.passwordHash = passwordHash
            self.firstName = firstName
            self.lastName = lastName
            self.role = role
            self.isActive = isActive
        }

        public var email: String?
        public var passwordHash: String?
        public var firstName: String?
        public var lastName: String?
        public var role: Principal.Role?
        public var isActive: Bool?
    }

    /// Applies the changes that are set; the updated user, or nil when there is no such user.
    public static func update(_ id: String, _ changes: Changes, on db: PostgresClient) throws -> UserRecord? {
        try db.query(
            """
            UPDATE users SET
                email = coalesce(\(bind: changes.email), email), password_hash = coalesce(\(bind: changes.passwordHash), password_hash),
                first_name = coalesce(\(bind: changes.firstName), first_name), last_name = coalesce(\(bind: changes.lastName), last_name),
                role = coalesce(\(bind: changes.role?.rawValue), role), is_active = coalesce(\(bind: changes.isActive), is_active), updated_at = now()
            WHERE id = \(bind: id) RETURNING \(UserRecord.columns())
            """
        )
        .first.map(UserRecord.init(row:))
    }

    public struct ListQuery {
        public init(search: String?, role: Principal.Role?, isActive: Bool?, sort: SortOrder, page: Int, limit: Int) {
            self.search = search
            self.role = role
            self.isActive = isActive
            self.sort = sort
            self.page = page
            self.limit = limit
        }

        public var search: String?
        public var role: Principal.Role?
        public var isActive: Bool?
        public var sort: SortOrder
        public var page: Int
        public var limit: Int
    }

    /// Sort fields and their columns: a fixed table, so no request text becomes SQL.
    static let sortColumns: [String: PostgresQuery] = ["createdAt": "created_at", "email": "email", "firstName": "first_name", "lastName": "last_name"]

    public static func list(_ query: ListQuery, on db: PostgresClient) throws -> (users: [UserRecord], total: Int) {
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
        let users = try db.query(
            """
            SELECT \(UserRecord.columns()) FROM users \(filter)
            ORDER BY \(column) \(direction), id \(direction) LIMIT \(bind: query.limit) OFFSET \(bind: (query.page - 1) * query.limit)
            """, idempotent: true, planning: .perExecution
        ).map(UserRecord.init(row:))
        return (users, total)
    }

    /// Locks the active admins (in id order, so two admin changes cannot deadlock) and returns their ids.
    public static func lockActiveAdmins(on db: PostgresClient) throws -> [String] {
        try db.query("SELECT id FROM users WHERE role = 'admin' AND is_active ORDER BY id FOR UPDATE").map { try $0.decode("id", as: String.self) }
    }

    /// Serialises changes to one user's rows (address defaults) behind the user's row lock.
    public static func lock(userId: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM users WHERE id = \(bind: userId) FOR UPDATE").rowCount == 1
    }
}
