import Audit
import Auth
import HTTP

/// API.md §3.
public enum UsersRoutes {
    public static func routes<Context: UsersContext>() -> [Route<Context>] {
        [
            Route(.get, "/api/users/me", access: .bearer) { request, context in
                Envelope.success(encoded: try ProfileService(context: context.app).me(try context.requirePrincipal()))
            },
            Route(.patch, "/api/users/me", access: .bearer, body: .json) { request, context in
                let input = try ProfileUpdate(request)
                return Envelope.success(try ProfileService(context: context.app).update(try context.requirePrincipal(), input))
            },
            Route(.get, "/api/users/me/addresses", access: .bearer) { request, context in
                Envelope.success(JSONValue.array(try AddressService(context: context.app).list(userId: try context.requirePrincipal().userId).map(\.json)))
            },
            Route(.post, "/api/users/me/addresses", access: .bearer, body: .json) { request, context in
                let input = try AddressInput(request, creating: true)
                return Envelope.success(try AddressService(context: context.app).create(userId: try context.requirePrincipal().userId, input), status: .created)
            },
            Route(.patch, "/api/users/me/addresses/:id", access: .bearer, body: .json) { request, context in
                let id = try context.uuidParameter("id")
                let input = try AddressInput(request, creating: false)
                return Envelope.success(try AddressService(context: context.app).update(userId: try context.requirePrincipal().userId, id: id, input))
            },
            Route(.delete, "/api/users/me/addresses/:id", access: .bearer) { request, context in
                let id = try context.uuidParameter("id")
                try AddressService(context: context.app).delete(userId: try context.requirePrincipal().userId, id: id)
                return Envelope.success(nil)
            },
            Route(.get, "/api/users", access: .admin) { request, context in
                let query = try UserStore.ListQuery(request)
                let (users, total) = try AdminUserService(context: context.app).list(query)
                return Envelope.list(users, pagination: Pagination(total: total, page: query.page, limit: query.limit))
            },
            Route(.get, "/api/users/:id", access: .admin) { request, context in
                Envelope.success(try AdminUserService(context: context.app).user(try context.uuidParameter("id")))
            },
            Route(.patch, "/api/users/:id", access: .admin, body: .json) { request, context in
                let id = try context.uuidParameter("id")
                let input = try AdminUserUpdate(request)
                return Envelope.success(try AdminUserService(context: context.app).update(id, input, by: try context.auditActor(request)))
            },
        ]
    }
}
