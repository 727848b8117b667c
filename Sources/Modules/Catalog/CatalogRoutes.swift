import Audit
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
                let app = context.app
                let build = { Envelope.success(JSONValue.array(try CategoryService(context: app).list(includeInactive: includeInactive, tree: tree).map(\.json))) }
                if includeInactive {
                    try AdminView.require(request, context.app)
                    return CatalogResponse.uncached(request, try build())
                }
                return try CatalogResponse.cached(request, context.app, kind: "categories", identity: "tree=\(tree)") { .page(try build()) }
            },
            Route(.get, "/api/categories/:idOrSlug") { request, context in
                let key = CatalogKey(context.parameter("idOrSlug") ?? "")
                if try AdminView.isAdmin(request, context.app) {
                    return CatalogResponse.uncached(request, Envelope.success(try CategoryService(context: context.app).find(key, includeInactive: true)))
                }
                return try CatalogResponse.cached(request, context.app, kind: "category", identity: key.text) {
                    .page(Envelope.success(try CategoryService(context: context.app).find(key, includeInactive: false)))
                }
            },
            Route(.post, "/api/categories", access: .admin, body: .json) { request, context in
                let input = try CategoryInput(request, creating: true)
                return Envelope.success(try CategoryService(context: context.app).create(input, by: try context.auditActor(request)), status: .created)
            },
            // Writes name a category by id (API.md §4); only reads accept a slug.
            Route(.patch, "/api/categories/:idOrSlug", access: .admin, body: .json) { request, context in
                let id = try context.uuidParameter("idOrSlug", field: "id")
                let input = try CategoryInput(request, creating: false)
                return Envelope.success(try CategoryService(context: context.app).update(.id(id), input, by: try context.auditActor(request)))
            },
            Route(.delete, "/api/categories/:idOrSlug", access: .admin) { request, context in
                try CategoryService(context: context.app).delete(.id(try context.uuidParameter("idOrSlug", field: "id")), by: try context.auditActor(request))
                return Envelope.success(nil)
            },
            Route(.get, "/api/products") { request, context in
                let query = try ProductListQuery(request)
                if query.includeInactive {
                    try AdminView.require(request, context.app)
                    let listing = try ProductService(context: context.app).list(query)
                    return CatalogResponse.uncached(request, Envelope.list(listing.products, pagination: listing.pagination, facets: listing.facets?.json))
                }
                let app = context.app
                let build = { () throws -> CatalogResponse.Built in
                    let listing = try ProductService(context: app).list(query)
                    let response = Envelope.list(listing.products.map(\.withStockHole), pagination: listing.pagination, facets: listing.facets?.json)
                    return listing.categoryKnown ? .page(response) : .once(response)
                }
                // Deep pages are rare and each is a different key: they are answered, not kept.
                guard query.page <= ProductListQuery.maxCachedPage else { return try CatalogResponse.fresh(request, context.app, try build()) }
                // Which products are in stock changes as they sell out: an `inStock` listing (and
                // the in-stock counts of facets) is kept per state of that, which moves only when
                // a product crosses zero.
                var identity = query.identity
                if query.inStock || query.facets {
                    guard let boundary = context.stockLevels.boundaryVersion() else { return try CatalogResponse.fresh(request, context.app, try build()) }
                    identity += "&stock=" + boundary
                }
                return try CatalogResponse.cached(request, context.app, kind: "products", identity: identity, build: build)
            },
            // API.md §12.8: the whole catalog as CSV, streamed a thousand products at a time.
            Route(.get, "/api/products/export.csv", access: .admin) { request, context in
                // The whole catalog: a read for the standby when it has every catalog write.
                let db = context.catalogReads
                return Response(
                    status: .ok,
                    headers: [
                        ("Content-Type", "text/csv; charset=utf-8"), ("Content-Disposition", "attachment; filename=\"catalog.csv\""),
                        ("Cache-Control", "no-store"),
                    ],
                    stream: ResponseStream { write in try CatalogExport.write(on: db) { try write(Array($0.utf8)) } })
            },
            Route(.get, "/api/products/suggest") { request, context in
                var reader = QueryReader(request.query)
                let typed = reader.string("q", maxLength: 100)
                if typed == nil { reader.fail("q", "is required") }
                let q = typed.flatMap(ProductListQuery.normalised)
                if typed != nil && q == nil { reader.fail("q", "must not be blank") }
                try reader.finish()
                let prefix = q ?? ""
                return try CatalogResponse.cached(request, context.app, kind: "suggest", identity: prefix) {
                    let found = try ProductStore.suggestions(prefix, limit: 10, on: context.app.catalogReads)
                    return .page(Envelope.success(JSONValue.array(found.map { .object(["name": .string($0.name), "slug": .string($0.slug)]) })))
                }
            },
            Route(.get, "/api/products/:idOrSlug") { request, context in
                let key = CatalogKey(context.parameter("idOrSlug") ?? "")
                if try AdminView.isAdmin(request, context.app) {
                    return CatalogResponse.uncached(request, Envelope.success(try ProductService(context: context.app).find(key, includeInactive: true)))
                }
                return try CatalogResponse.cached(request, context.app, kind: "product", identity: key.text) {
                    .page(Envelope.success(try ProductService(context: context.app).find(key, includeInactive: false).withStockHole))
                }
            },
            Route(.post, "/api/products", access: .admin, body: .json) { request, context in
                let input = try ProductInput(request, creating: true)
                return Envelope.success(try ProductService(context: context.app).create(input, by: try context.auditActor(request)), status: .created)
            },
            Route(.patch, "/api/products/:idOrSlug", access: .admin, body: .json) { request, context in
                let id = try context.uuidParameter("idOrSlug", field: "id")
                let input = try ProductInput(request, creating: false)
                return Envelope.success(try ProductService(context: context.app).update(id, input, by: try context.auditActor(request)))
            },
            Route(.delete, "/api/products/:idOrSlug", access: .admin) { request, context in
                try ProductService(context: context.app).delete(try context.uuidParameter("idOrSlug", field: "id"), by: try context.auditActor(request))
                return Envelope.success(nil)
            },
        ]
    }
}

/// Public routes with an admin view (`includeInactive`, inactive items by id).
enum AdminView {
    /// `includeInactive=true` is an admin's request: 401 without a token, 403 for a user.
    static func require(_ request: Request, _ context: some CatalogContext) throws {
        _ = try Authenticator.authenticate(request, access: .admin, apiKeyScope: APIKeyScope.catalogRead.rawValue, context: context)
    }

    /// True for a valid admin token; anything else (none, expired, a user's) is the public view.
    static func isAdmin(_ request: Request, _ context: some CatalogContext) throws -> Bool {
        guard request.headers["authorization"] != nil else { return false }
        return (try? Authenticator.authenticate(request, access: .admin, apiKeyScope: APIKeyScope.catalogRead.rawValue, context: context)) != nil
    }
}
