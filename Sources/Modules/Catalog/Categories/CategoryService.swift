import Audit
import HTTP
import Postgres

/// The category rules of API.md §4.
struct CategoryService<Context: CatalogContext> {
    let context: Context
    var db: PostgresClient { context.database }
    /// Listings and lookups: the read replica when it may answer (a GET, caught up).
    var reads: PostgresClient { context.catalogReads }

    func list(includeInactive: Bool, tree: Bool) throws -> [CategoryRecord] {
        let flat = try CategoryStore.list(includeInactive: includeInactive, on: reads)
        return tree ? CategoryRecord.tree(flat) : flat
    }

    func find(_ key: CatalogKey, includeInactive: Bool) throws -> CategoryRecord {
        guard let category = try CategoryStore.find(key, on: reads), category.isActive || includeInactive else {
            throw APIError.notFound("Category not found")
        }
        return category
    }

    func create(_ input: CategoryInput, by actor: AuditActor) throws -> CategoryRecord {
        guard let slug = input.slug ?? Slug.make(from: input.name!) else {
            throw APIError.validation([FieldError(field: "slug", message: "cannot be made from this name; give one")])
        }
        let category = try writing {
            try db.withTransaction { db in
                if let parent = input.parentId ?? nil, try !CategoryStore.exists(parent, on: db) { throw Self.unknownParent }
                let category = try CategoryStore.insert(input, slug: slug, on: db)
                try AuditLog.record(actor, action: "category.create", entityType: "category", entityId: category.id, after: category.json, on: db)
                return category
            }
        }
        context.catalogCache.bump()
        return category
    }

    func update(_ key: CatalogKey, _ input: CategoryInput, by actor: AuditActor) throws -> CategoryRecord {
        let category: CategoryRecord = try writing {
            try db.withTransaction { db in
                guard let current = try CategoryStore.find(key, on: db) else { throw APIError.notFound("Category not found") }
                if let parent = input.parentId ?? nil {
                    try CategoryStore.lockTree(on: db)
                    guard try CategoryStore.exists(parent, on: db) else { throw Self.unknownParent }
                    if try CategoryStore.isSelfOrDescendant(parent, of: current.id, on: db) {
                        throw APIError.validation([FieldError(field: "parentId", message: "would make the category its own ancestor")])
                    }
                }
                guard let updated = try CategoryStore.update(current.id, input, on: db) else { throw APIError.notFound("Category not found") }
                try AuditLog.record(
                    actor, action: "category.update", entityType: "category", entityId: current.id, before: current.json, after: updated.json, on: db)
                return updated
            }
        }
        context.catalogCache.bump()
        return category
    }

    func delete(_ key: CatalogKey, by actor: AuditActor) throws {
        try db.withTransaction { db in
            guard let current = try CategoryStore.find(key, on: db) else { throw APIError.notFound("Category not found") }
            let (products, children) = try CategoryStore.dependents(of: current.id, on: db)
            if products > 0 || children > 0 {
                throw APIError.conflict("Category still has \(products) product(s) and \(children) subcategorie(s)")
            }
            _ = try CategoryStore.delete(current.id, on: db)
            try AuditLog.record(actor, action: "category.delete", entityType: "category", entityId: current.id, before: current.json, on: db)
        }
        context.catalogCache.bump()
    }

    static var unknownParent: APIError { .validation([FieldError(field: "parentId", message: "does not exist")]) }

    /// Unique violations as the contract's 409s, naming the field.
    private func writing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError {
            switch error.kind {
            case .uniqueViolation(constraint: "categories_name_key"):
                throw APIError.conflict("A category with this name exists", details: [FieldError(field: "name", message: "is taken")])
            case .uniqueViolation(constraint: "categories_slug_key"):
                throw APIError.conflict("A category with this slug exists", details: [FieldError(field: "slug", message: "is taken")])
            case .foreignKeyViolation:
                throw Self.unknownParent
            default:
                throw error
            }
        }
    }
}
