import Webhooks
import Audit
import HTTP
import Postgres

/// The product rules of API.md §4.
struct ProductService<Context: CatalogContext> {
    let context: Context
    var db: PostgresClient { context.database }
    /// Listings and lookups: the read replica when it may answer (a GET, caught up).
    var reads: PostgresClient { context.catalogReads }

    struct Listing {
        let products: [ProductRecord]
        let pagination: Pagination
        /// False when the filter names a category that does not exist (or is hidden), whose
        /// empty answer is not worth caching.
        let categoryKnown: Bool
        /// With `facets=true`.
        var facets: ProductFacets? = nil
    }

    /// One page and its total. The total (an index-only scan of every matching row: 23 ms
    /// unfiltered on 100,000 products) is counted once per catalog version and filter.
    func list(_ query: ProductListQuery) throws -> Listing {
        var categoryId: String?
        if let key = query.category {
            guard let category = try CategoryStore.find(key, on: reads), category.isActive || query.includeInactive else {
                // An unknown category filters everything out, as an empty filter result would.
                // Its facets: the categories there are, and nothing in any price or stock bucket.
                let facets = try query.facets ? ProductFacets.count(query, categoryId: nil, corrections: [:], categoryMatchesNothing: true, on: reads) : nil
                return Listing(
                    products: [], pagination: Pagination(total: 0, page: query.page, limit: query.limit), categoryKnown: false, facets: facets)
            }
            categoryId = category.id
        }
        // A search's words one edit from a known name word also match, ranked below exact ones.
        let corrections = try query.search.map { try ProductStore.corrections(for: ProductSearch.typoCandidates($0), on: reads) } ?? [:]
        let filter = ProductStore.Filter(query, categoryId: categoryId, corrections: corrections)
        let total: Int
        switch context.catalogCache.total(filter: query.filterIdentity + (query.inStock ? "&stock=" + (context.stockLevels.boundaryVersion() ?? "?") : "")) {
        case .known(let known):
            total = known
        case .unknown(let key, let version):
            total = try ProductStore.count(filter, on: reads)
            context.catalogCache.storeTotal(total, key: key, version: version)
        case .unavailable:
            total = try ProductStore.count(filter, on: reads)
        }
        let products = try total > (query.page - 1) * query.limit ? ProductStore.page(query, filter, currency: context.currency, on: reads) : []
        let facets = try query.facets ? ProductFacets.count(query, categoryId: categoryId, corrections: corrections, on: reads) : nil
        return Listing(
            products: products, pagination: Pagination(total: total, page: query.page, limit: query.limit), categoryKnown: true, facets: facets)
    }

    func find(_ key: CatalogKey, includeInactive: Bool) throws -> ProductRecord {
        guard let product = try ProductStore.find(key, currency: context.currency, on: reads), product.isActive || includeInactive else {
            throw APIError.notFound("Product not found")
        }
        return product
    }

    /// A slug made from the name gets `-2`, `-3`… when taken; a slug the client chose is
    /// theirs or a 409.
    func create(_ input: ProductInput, by actor: AuditActor) throws -> ProductRecord {
        let id: String = try writing {
            try db.withTransaction { db in
                try checkCategory(input, on: db)
                let slug = try input.slug ?? freeSlug(for: input.name ?? "", on: db)
                let id = try ProductStore.insert(input, slug: slug, on: db)
                let created = try ProductStore.find(.id(id), currency: context.currency, on: db)
                try AuditLog.record(actor, action: "product.create", entityType: "product", entityId: id, after: created?.json, on: db)
                if let created { try WebhookOutbox.emit(.productCreated, entity: "product:\(id)", data: created.json, on: db) }
                return id
            }
        }
        context.catalogCache.bump()
        return try find(.id(id), includeInactive: true)
    }

    func update(_ id: String, _ input: ProductInput, by actor: AuditActor) throws -> ProductRecord {
        try writing {
            try context.stockLevels.writing { stock in
                try db.withTransaction { db in
                    try checkCategory(input, on: db)
                    let before = try ProductStore.find(.id(id), currency: context.currency, on: db)
                    guard try ProductStore.update(id, input, on: db) else { throw APIError.notFound("Product not found") }
                    let after = try ProductStore.find(.id(id), currency: context.currency, on: db)
                    try AuditLog.record(actor, action: "product.update", entityType: "product", entityId: id, before: before?.json, after: after?.json, on: db)
                    if let after {
                        try WebhookOutbox.emit(.productUpdated, entity: "product:\(id)", data: after.json, on: db)
                        if after.stockQuantity <= 0 && (before?.stockQuantity ?? 0) > 0 {
                            try WebhookOutbox.emit(.productOutOfStock, entity: "product:\(id)", data: after.json, on: db)
                        }
                    }
                    // A new quantity set by hand: unknown until read again.
                    if input.stockQuantity != nil { stock.changed([id]) }
                }
            }
        }
        context.catalogCache.bump()
        return try find(.id(id), includeInactive: true)
    }

    func delete(_ id: String, by actor: AuditActor) throws {
        try db.withTransaction { db in
            let before = try ProductStore.find(.id(id), currency: context.currency, on: db)
            guard try ProductStore.deactivate(id, on: db) else { throw APIError.notFound("Product not found") }
            let after = try ProductStore.find(.id(id), currency: context.currency, on: db)
            try AuditLog.record(actor, action: "product.delete", entityType: "product", entityId: id, before: before?.json, after: after?.json, on: db)
            if let after { try WebhookOutbox.emit(.productDeleted, entity: "product:\(id)", data: after.json, on: db) }
        }
        context.catalogCache.bump()
    }

    private func checkCategory(_ input: ProductInput, on db: PostgresClient) throws {
        if let category = input.categoryId ?? nil, try !CategoryStore.exists(category, on: db) {
            throw APIError.validation([FieldError(field: "categoryId", message: "does not exist")])
        }
    }

    private func freeSlug(for name: String, on db: PostgresClient) throws -> String {
        guard let base = Slug.make(from: name) else {
            throw APIError.validation([FieldError(field: "slug", message: "cannot be made from this name; give one")])
        }
        var candidate = base
        var suffix = 2
        while try ProductStore.slugExists(candidate, on: db) {
            candidate = String(base.prefix(Slug.maxLength - 8)) + "-\(suffix)"
            suffix += 1
        }
        return candidate
    }

    private func writing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            switch error.kind {
            case .uniqueViolation(constraint: "products_sku_key"):
                throw APIError.conflict("A product with this SKU exists", details: [FieldError(field: "sku", message: "is taken")])
            case .uniqueViolation(constraint: "products_slug_key"):
                throw APIError.conflict("A product with this slug exists", details: [FieldError(field: "slug", message: "is taken")])
            case .foreignKeyViolation:
                throw APIError.validation([FieldError(field: "categoryId", message: "does not exist")])
            case .checkViolation:
                throw APIError.validation([FieldError(field: "body", message: "violates a catalog rule")])
            default:
                throw error
            }
        }
    }
}
