import Postgres

/// SQL on `users` that authentication needs; the profile and admin queries are in Users.
public enum AccountStore {
    public static func user(email: String, on db: PostgresClient) throws -> UserRecord? {
        try db.query("SELECT \(UserRecord.columns()) FROM users WHERE email = \(bind: email)", idempotent: true).first.map(UserRecord.init(row:))
    }

    public static func user(id: String, on db: PostgresClient) throws -> UserRecord? {
        try db.query("SELECT \(UserRecord.columns()) FROM users WHERE id = \(bind: id)", idempotent: true).first.map(UserRecord.init(row:))
    }

    /// The new user, or nil when the email is taken.
    public static func insert(email: String, passwordHash: String, firstName: String, lastName: String, role: String = "user", on db: PostgresClient) throws -> UserRecord? {
        try db.query("""
            INSERT INTO users (email, password_hash, first_name, last_name, role)
            VALUES (\(bind: email), \(bind: passwordHash), \(bind: firstName), \(bind: lastName), \(bind: role))
            ON CONFLICT (email) DO NOTHING RETURNING \(UserRecord.columns())
            """).first.map(UserRecord.init(row:))
    }

    /// Makes the account of `email` an active admin with a new password hash; its id, or nil
    /// when there is no such account.
    public static func promoteToAdmin(email: String, passwordHash: String, on db: PostgresClient) throws -> String? {
        try db.query("""
            UPDATE users SET role = 'admin', is_active = true, password_hash = \(bind: passwordHash), updated_at = now()
            WHERE email = \(bind: email) RETURNING id
            """).first?.decode("id", as: String.self)
    }

    public static func setPasswordHash(userId: String, hash: String, on db: PostgresClient) throws {
        try db.query("UPDATE users SET password_hash = \(bind: hash), updated_at = now() WHERE id = \(bind: userId)")
    }

    /// Rewrites a hash made with older parameters, unless the password changed meanwhile.
    static func upgradePasswordHash(userId: String, from old: String, to new: String, on db: PostgresClient) throws {
        try db.query("UPDATE users SET password_hash = \(bind: new) WHERE id = \(bind: userId) AND password_hash = \(bind: old)")
    }
}
