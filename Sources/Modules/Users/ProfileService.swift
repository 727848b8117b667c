import Auth
import HTTP
import Postgres

/// `GET`/`PATCH /api/users/me` (API.md §3).
struct ProfileService<Context: UsersContext> {
    let context: Context

    /// The profile the guard read with the session (from the session cache, which every
    /// change of the user rewrites), encoded, so it costs no query and no encoding.
    func me(_ principal: Principal) throws -> [UInt8] {
        if let profile = principal.profileJSON { return profile }
        return JSONWriter.encode(try user(principal).json)
    }

    private func user(_ principal: Principal) throws -> UserRecord {
        guard let user = try UserStore.user(id: principal.userId, on: context.database) else { throw APIError.notFound("User not found") }
        return user
    }

    func update(_ principal: Principal, _ input: ProfileUpdate) throws -> UserRecord {
        var changes = UserStore.Changes(email: input.email, firstName: input.firstName, lastName: input.lastName)
        if input.email != nil || input.newPassword != nil {
            // Guesses at the current password are throttled per user like logins, and a locked
            // user costs no hash at all.
            let throttle = context.auth.passwordChangeThrottle(on: context.database)
            if let wait = try throttle.retryAfter(principal.userId) {
                throw FailureThrottle.tooMany("Too many wrong current passwords; try again later", retryAfter: wait)
            }
            let current = try user(principal)
            guard case .match = context.auth.passwordHasher.verify(input.currentPassword ?? "", against: current.passwordHash) else {
                try throttle.recordFailure(principal.userId)
                throw APIError.unauthorized("Current password is incorrect")
            }
            try throttle.reset(principal.userId)
            if let newPassword = input.newPassword { changes.passwordHash = try context.auth.passwordHasher.hash(newPassword) }
        }
        let (user, revoked, live): (UserRecord, [String], [String]) = try context.database.withTransaction { db in
            do {
                guard let user = try UserStore.update(principal.userId, changes, on: db) else { throw APIError.notFound("User not found") }
                // A new password or email ends every other session and every reset link sent
                // before; this session stays signed in.
                var revoked: [String] = []
                if changes.passwordHash != nil || changes.email != nil {
                    let reason = changes.passwordHash != nil ? "password-change" : "email-change"
                    revoked = try SessionStore.revoke(.user(principal.userId, except: principal.sessionId), reason: reason, on: db)
                    try SessionStore.spendResetTokens(userId: principal.userId, on: db)
                }
                return (user, revoked, try SessionStore.liveSessionIds(userId: principal.userId, on: db))
            } catch let error as PostgresError where error.kind == .uniqueViolation(constraint: "users_email_key") {
                throw APIError.conflict("Email is already registered", details: [FieldError(field: "email", message: "is already registered")])
            }
        }
        SessionBroadcast.revoked(revoked, context: context)
        SessionBroadcast.userChanged(user.profile, sessionIds: live, context: context)
        return user
    }
}

struct ProfileUpdate {
    var firstName: String?
    var lastName: String?
    var email: String?
    var newPassword: String?
    var currentPassword: String?

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        firstName = body.name("firstName", required: false)
        lastName = body.name("lastName", required: false)
        email = body.email("email", required: false)
        newPassword = body.password("newPassword", required: false)
        currentPassword = body.string("currentPassword", required: false, minLength: 1, maxLength: PasswordPolicy.maxLength)
        body.reject("role", because: "cannot be changed here")
        body.reject("isActive", because: "cannot be changed here")
        if (body.has("email") || body.has("newPassword")) && !body.has("currentPassword") {
            body.fail("currentPassword", "is required to change email or password")
        }
        try body.finishRequiringSomething()
    }
}

extension ObjectReader {
    /// `finish`, and a PATCH with nothing in it is a client mistake worth a 400.
    mutating func finishRequiringSomething() throws(APIError) {
        if isEmpty { fail("body", "must contain at least one field") }
        try finish()
    }
}
