import Auth
import HTTP

/// API.md §3.
public enum UsersRoutes {
    public static func routes<Context: UsersContext>() -> [Route<Context>] {
        [
            Route(.get, "/api/users/me", access: .bearer) { request, context in
                Envelope.success(try ProfileService(context: context).me(try request.requirePrincipal()))
            },
            Route(.patch, "/api/users/me", access: .bearer, body: .json) { request, context in
                let input = try ProfileUpdate(request)
                return Envelope.success(try ProfileService(context: context).update(try request.requirePrincipal(), input))
            },
            Route(.get, "/api/users/me/addresses", access: .bearer) { request, context in
                Envelope.success(JSONValue.array(try AddressService(context: context).list(userId: try request.requirePrincipal().userId).map(\.json)))
            },
            Route(.post, "/api/users/me/addresses", access: .bearer, body: .json) { request, context in
                let input = try AddressInput(request, creating: true)
                return Envelope.success(try AddressService(context: context).create(userId: try request.requirePrincipal().userId, input), status: .created)
            },
            Route(.patch, "/api/users/me/addresses/:id", access: .bearer, body: .json) { request, context in
                let id = try request.uuidParameter("id")
                let input = try AddressInput(request, creating: false)
                return Envelope.success(try AddressService(context: context).update(userId: try request.requirePrincipal().userId, id: id, input))
            },
            Route(.delete, "/api/users/me/addresses/:id", access: .bearer) { request, context in
                let id = try request.uuidParameter("id")
                try AddressService(context: context).delete(userId: try request.requirePrincipal().userId, id: id)
                return Envelope.success(nil)
            },
            Route(.get, "/api/users", access: .admin) { request, context in
                let query = try UserStore.ListQuery(request)
                let (users, total) = try AdminUserService(context: context).list(query)
                return Envelope.list(users, pagination: Pagination(total: total, page: query.page, limit: query.limit))
            },
            Route(.get, "/api/users/:id", access: .admin) { request, context in
                Envelope.success(try AdminUserService(context: context).user(try request.uuidParameter("id")))
            },
            Route(.patch, "/api/users/:id", access: .admin, body: .json) { request, context in
                let id = try request.uuidParameter("id")
                let input = try AdminUserUpdate(request)
                return Envelope.success(try AdminUserService(context: context).update(id, input))
            },
        ]
    }
}
