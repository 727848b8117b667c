import HTTP
import Postgres

/// All SQL on `categories`.
enum CategoryStore {
    static func list(includeInactive: Bool, on db: PostgresClient) throws -> [CategoryRecord] {
        try db.query("SELECT \(CategoryRecord.columns) FROM categories WHERE $1 OR is_active ORDER BY name, id", [includeInactive], idempotent: true)
            .rows.map(CategoryRecord.init(row:))
    }

    /// By id when `key` is a UUID, else by slug.
    static func find(_ key: CatalogKey, on db: PostgresClient) throws -> CategoryRecord? {
        let result: PostgresResult
        switch key {
        case .id(let id): result = try db.query("SELECT \(CategoryRecord.columns) FROM categories WHERE id = $1", [id], idempotent: true)
        case .slug(let slug): result = try db.query("SELECT \(CategoryRecord.columns) FROM categories WHERE slug = $1", [slug], idempotent: true)
        }
        return result.first.map(CategoryRecord.init(row:))
    }

    static func insert(_ input: CategoryInput, slug: String, on db: PostgresClient) throws -> CategoryRecord {
        try db.query("""
            INSERT INTO categories (name, slug, description, parent_id, is_active) VALUES ($1, $2, $3, $4, coalesce($5, true))
            RETURNING \(CategoryRecord.columns)
            """, [input.name, slug, input.description ?? nil, input.parentId ?? nil, input.isActive]).first.map(CategoryRecord.init(row:))!
    }

    static func update(_ id: String, _ input: CategoryInput, on db: PostgresClient) throws -> CategoryRecord? {
        try db.query("""
            UPDATE categories SET name = coalesce($2, name), slug = coalesce($3, slug),
                description = CASE WHEN $4 THEN $5 ELSE description END,
                parent_id = CASE WHEN $6 THEN $7::uuid ELSE parent_id END,
                is_active = coalesce($8, is_active), updated_at = now()
            WHERE id = $1 RETURNING \(CategoryRecord.columns)
            """, [id, input.name, input.slug, input.description != nil, input.description ?? nil, input.parentId != nil, input.parentId ?? nil, input.isActive])
            .first.map(CategoryRecord.init(row:))
    }

    /// Tree changes are serialised, so two concurrent moves cannot build a cycle between them.
    static func lockTree(on db: PostgresClient) throws {
        try db.query("SELECT pg_advisory_xact_lock(hashtext('commerce:categories:tree'))")
    }

    /// Whether `candidate` is `id` or one of its descendants (so it cannot become its parent).
    static func isSelfOrDescendant(_ candidate: String, of id: String, on db: PostgresClient) throws -> Bool {
        try db.query("""
            WITH RECURSIVE up AS (
                SELECT id, parent_id FROM categories WHERE id = $1
                UNION ALL SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id)
            SELECT 1 FROM up WHERE id = $2
            """, [candidate, id]).rowCount > 0
    }

    static func exists(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM categories WHERE id = $1", [id]).rowCount == 1
    }

    /// What still points at a category: products (any, inactive ones too) and children.
    static func dependents(of id: String, on db: PostgresClient) throws -> (products: Int, children: Int) {
        let row = try db.query("""
            SELECT (SELECT count(*) FROM products WHERE category_id = $1) AS products,
                   (SELECT count(*) FROM categories WHERE parent_id = $1) AS children
            """, [id]).first!
        return (row.int("products")!, row.int("children")!)
    }

    static func delete(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM categories WHERE id = $1", [id]).affectedRows == 1
    }

    /// The category and all its descendants, for the products filter.
    static func subtreeSQL(parameter: Int) -> String {
        """
        WITH RECURSIVE subtree AS (
            SELECT id FROM categories WHERE id = $\(parameter)
            UNION ALL SELECT c.id FROM categories c JOIN subtree s ON c.parent_id = s.id)
        SELECT id FROM subtree
        """
    }
}

/// A path key that may be an id or a slug (`/api/products/:idOrSlug`).
enum CatalogKey: Equatable {
    case id(String)
    case slug(String)

    init(_ text: String) {
        if UUIDText.isValid(text) { self = .id(text.lowercased()) } else { self = .slug(text) }
    }

    var text: String {
        switch self {
        case .id(let id): id
        case .slug(let slug): slug
        }
    }
}

