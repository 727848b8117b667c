import Audit
import Auth
import HTTP
import Postgres

/// The admin side of API.md §3: list, read, and change role, activity and names.
struct AdminUserService<Context: UsersContext> {
    let context: Context

    func list(_ query: UserStore.ListQuery) throws -> (users: [UserRecord], total: Int) {
        try UserStore.list(query, on: context.database)
    }

    func user(_ id: String) throws -> UserRecord {
        guard let user = try UserStore.user(id: id, on: context.database) else { throw APIError.notFound("User not found") }
        return user
    }

    /// Deactivating revokes every session at once; a demotion (or any other change) takes
    /// effect on the user's next request. The last active admin can be neither demoted nor deactivated.
    func update(_ id: String, _ input: AdminUserUpdate, by actor: AuditActor) throws -> UserRecord {
        let changes = UserStore.Changes(firstName: input.firstName, lastName: input.lastName, role: input.role, isActive: input.isActive)
        let (user, revoked, live): (UserRecord, [String], [String]) = try context.database.withTransaction { db in
            let admins = try UserStore.lockActiveAdmins(on: db)
            let losesAdmin = admins.contains(id) && (input.role == .user || input.isActive == false)
            if losesAdmin && admins.count == 1 {
                throw APIError.conflict("The last active administrator cannot be demoted or deactivated")
            }
            let before = try UserStore.user(id: id, on: db)
            guard let user = try UserStore.update(id, changes, on: db) else { throw APIError.notFound("User not found") }
            try AuditLog.record(actor, action: "user.update", entityType: "user", entityId: id, before: before?.json, after: user.json, on: db)
            let revoked = user.isActive ? [] : try SessionStore.revoke(.user(id, except: nil), reason: "deactivated", on: db)
            let live = try SessionStore.liveSessionIds(userId: id, on: db)
            return (user, revoked, live)
        }
        SessionBroadcast.revoked(revoked, context: context)
        SessionBroadcast.userChanged(user.profile, sessionIds: live, context: context)
        return user
    }
}

struct AdminUserUpdate {
    var role: Principal.Role?
    var isActive: Bool?
    var firstName: String?
    var lastName: String?

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        if let role = body.string("role", required: false) {
            self.role = Principal.Role(rawValue: role)
            if self.role == nil { body.fail("role", "must be user or admin") }
        }
        isActive = body.bool("isActive", required: false)
        firstName = body.name("firstName", required: false)
        lastName = body.name("lastName", required: false)
        try body.finishRequiringSomething()
    }
}

extension UserStore.ListQuery {
    init(_ request: Request) throws(APIError) {
        var query = QueryReader(request.query)
        let (page, limit) = query.page()
        let search = query.string("search", maxLength: 254)
        var role: Principal.Role?
        if let text = query.string("role") {
            role = Principal.Role(rawValue: text)
            if role == nil { query.fail("role", "must be user or admin") }
        }
        let isActive = query.bool("isActive")
        let sort = query.sort(allowed: ["createdAt", "email", "firstName", "lastName"], default: SortOrder(field: "createdAt", descending: true))
        try query.finish()
        self.init(search: search, role: role, isActive: isActive, sort: sort, page: page, limit: limit)
    }
}
