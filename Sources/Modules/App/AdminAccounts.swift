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

    /// Creates the admin. An existing account with the email is refused, unless
    /// `promoteExisting`: then it becomes an active admin with this password, and every session
    /// and refresh token it had is revoked, so whoever registered the address first keeps nothing.
    public static func createOrPromote(
        email rawEmail: String, password: String, firstName: String, lastName: String, promoteExisting: Bool,
        context: CommandContext
    ) throws -> Outcome {
        let email = rawEmail.lowercased()
        guard email.utf8.count <= 254, EmailAddress.isPlausible(email) else { throw InvalidInput(description: "--email must be a valid email address") }
        guard (PasswordPolicy.minLength...PasswordPolicy.maxLength).contains(password.unicodeScalars.count) else {
            throw InvalidInput(description: "the password must be \(PasswordPolicy.minLength)–\(PasswordPolicy.maxLength) characters")
        }
        // Checked before the slow hash, and again under the insert's conflict rule below.
        if !promoteExisting, try UserStore.user(email: email, on: context.database) != nil { throw existingAccount(email) }
        let hash = try context.auth.passwordHasher.hash(password)
        let (outcome, revoked): (Outcome, [String]) = try context.database.withTransaction { db in
            if let user = try UserStore.insert(email: email, passwordHash: hash, firstName: firstName, lastName: lastName, role: "admin", on: db) {
                return (.created(userId: user.id), [])
            }
            guard promoteExisting, let userId = try UserStore.promoteToAdmin(email: email, passwordHash: hash, on: db) else {
                throw existingAccount(email)
            }
            return (.promoted(userId: userId), try SessionStore.revoke(.user(userId, except: nil), reason: "promoted-to-admin", on: db))
        }
        SessionBroadcast.revoked(revoked, context: context)
        return outcome
    }

    private static func existingAccount(_ email: String) -> InvalidInput {
        InvalidInput(
            description: "an account with the email \(email) exists; pass --promote-existing to make it an admin "
                + "(its password is replaced and every session it has is signed out)")
    }
}
