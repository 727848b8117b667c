import Auth
import HTTP
import Postgres

/// `create-admin`: the only way to make an administrator without one (API.md §3).
public enum AdminAccounts {
    public enum Outcome: Equatable {
        case created(userId: String)
        case promoted(userId: String)
    }

    public struct InvalidInput: Error, CustomStringConvertible {
        public let description: String
    }

    /// Creates the admin, or makes an existing account an active admin with this password.
    public static func createOrPromote(email rawEmail: String, password: String, firstName: String, lastName: String, context: CommandContext) throws -> Outcome {
        let email = rawEmail.lowercased()
        guard email.utf8.count <= 254, EmailAddress.isPlausible(email) else { throw InvalidInput(description: "--email must be a valid email address") }
        guard (PasswordPolicy.minLength...PasswordPolicy.maxLength).contains(password.unicodeScalars.count) else {
            throw InvalidInput(description: "the password must be \(PasswordPolicy.minLength)–\(PasswordPolicy.maxLength) characters")
        }
        let hash = try context.auth.passwordHasher.hash(password)
        let outcome: Outcome = try context.database.withTransaction { db in
            if let user = try AccountStore.insert(email: email, passwordHash: hash, firstName: firstName, lastName: lastName, role: "admin", on: db) {
                return .created(userId: user.id)
            }
            let row = try db.query("""
                UPDATE users SET role = 'admin', is_active = true, password_hash = \(bind: hash), updated_at = now() WHERE email = \(bind: email) RETURNING id
                """).single()
            return .promoted(userId: try row.decode("id"))
        }
        if case .promoted(let userId) = outcome {
            let live = try SessionStore.liveSessionIds(userId: userId, on: context.database)
            SessionBroadcast.userChanged(userId: userId, role: .admin, isActive: true, sessionIds: live, context: context)
        }
        return outcome
    }
}
