import Auth
import HTTP

/// API.md §4. Public reads are cached (CatalogCache) and carry ETags; admin views and writes
/// go to PostgreSQL.
public enum CatalogRoutes {
    public static func routes<Context: CatalogContext>() -> [Route<Context>] {
        [
            Route(.get, "/api/categories") { request, context in
                var query = QueryReader(request.query)
                let tree = query.bool("tree") ?? false
                let includeInactive = query.bool("includeInactive") ?? false
                try query.finish()
                let build = { Envelope.success(JSONValue.array(try CategoryService(context: context).list(includeInactive: includeInactive, tree: tree).map(\.json))) }
                if includeInactive {
                    try AdminView.require(request, context)
                    return CatalogResponse.uncached(request, try build())
                }
                return try CatalogResponse.cached(request, context.catalogCache, kind: "categories", identity: "tree=\(tree)", build: build)
            },
            Route(.get, "/api/categories/:idOrSlug") { request, context in
                let key = CatalogKey(request.pathParameter("idOrSlug") ?? "")
                if try AdminView.isAdmin(request, context) {
                    return CatalogResponse.uncached(request, Envelope.success(try CategoryService(context: context).find(key, includeInactive: true)))
                }
                return try CatalogResponse.cached(request, context.catalogCache, kind: "category", identity: key.text) {
                    Envelope.success(try CategoryService(context: context).find(key, includeInactive: false))
                }
            },
            Route(.post, "/api/categories", access: .admin, body: .json) { request, context in
                let input = try CategoryInput(request, creating: true)
                return Envelope.success(try CategoryService(context: context).create(input), status: .created)
            },
            Route(.patch, "/api/categories/:idOrSlug", access: .admin, body: .json) { request, context in
                let key = CatalogKey(request.pathParameter("idOrSlug") ?? "")
                let input = try CategoryInput(request, creating: false)
                return Envelope.success(try CategoryService(context: context).update(key, input))
            },
            Route(.delete, "/api/categories/:idOrSlug", access: .admin) { request, context in
                try CategoryService(context: context).delete(CatalogKey(request.pathParameter("idOrSlug") ?? ""))
                return Envelope.success(nil)
            },
            Route(.get, "/api/products") { request, context in
                let query = try ProductListQuery(request)
                let build = {
                    let (products, total) = try ProductService(context: context).list(query)
                    return Envelope.list(products, pagination: Pagination(total: total, page: query.page, limit: query.limit))
                }
                if query.includeInactive {
                    try AdminView.require(request, context)
                    return CatalogResponse.uncached(request, try build())
                }
                return try CatalogResponse.cached(request, context.catalogCache, kind: "products", identity: query.identity, build: build)
            },
            Route(.get, "/api/products/:idOrSlug") { request, context in
                let key = CatalogKey(request.pathParameter("idOrSlug") ?? "")
                if try AdminView.isAdmin(request, context) {
                    return CatalogResponse.uncached(request, Envelope.success(try ProductService(context: context).find(key, includeInactive: true)))
                }
                return try CatalogResponse.cached(request, context.catalogCache, kind: "product", identity: key.text) {
                    Envelope.success(try ProductService(context: context).find(key, includeInactive: false))
                }
            },
            Route(.post, "/api/products", access: .admin, body: .json) { request, context in
                let input = try ProductInput(request, creating: true)
                return Envelope.success(try ProductService(context: context).create(input), status: .created)
            },
            Route(.patch, "/api/products/:idOrSlug", access: .admin, body: .json) { request, context in
                let service = ProductService(context: context)
                let product = try service.find(CatalogKey(request.pathParameter("idOrSlug") ?? ""), includeInactive: true)
                let input = try ProductInput(request, creating: false)
                return Envelope.success(try service.update(product.id, input))
            },
            Route(.delete, "/api/products/:idOrSlug", access: .admin) { request, context in
                let service = ProductService(context: context)
                try service.delete(try service.find(CatalogKey(request.pathParameter("idOrSlug") ?? ""), includeInactive: true).id)
                return Envelope.success(nil)
            },
        ]
    }
}

/// Public routes with an admin view (`includeInactive`, inactive items by id).
enum AdminView {
    /// `includeInactive=true` is an admin's request: 401 without a token, 403 for a user.
    static func require(_ request: Request, _ context: some CatalogContext) throws {
        _ = try Authenticator.authenticate(request, access: .admin, context: context)
    }

    /// True for a valid admin token; anything else (none, expired, a user's) is the public view.
    static func isAdmin(_ request: Request, _ context: some CatalogContext) throws -> Bool {
        guard request.headers["authorization"] != nil else { return false }
        return (try? Authenticator.authenticate(request, access: .admin, context: context)) != nil
    }
}
