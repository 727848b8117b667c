import HTTP
import Postgres

/// All SQL on `categories`.
public enum CategoryStore {
    static func list(includeInactive: Bool, on db: PostgresClient) throws -> [CategoryRecord] {
        try db.query("SELECT \(CategoryRecord.columns) FROM categories WHERE \(bind: includeInactive) OR is_active ORDER BY name, id", idempotent: true)
            .map(CategoryRecord.init(row:))
    }

    /// By id when `key` is a UUID, else by slug.
    static func find(_ key: CatalogKey, on db: PostgresClient) throws -> CategoryRecord? {
        let result: PostgresResult
        switch key {
        case .id(let id): result = try db.query("SELECT \(CategoryRecord.columns) FROM categories WHERE id = \(bind: id)", idempotent: true)
        case .slug(let slug): result = try db.query("SELECT \(CategoryRecord.columns) FROM categories WHERE slug = \(bind: slug)", idempotent: true)
        }
        return try result.first.map(CategoryRecord.init(row:))
    }

    static func insert(_ input: CategoryInput, slug: String, on db: PostgresClient) throws -> CategoryRecord {
        try CategoryRecord(
            row: db.query(
                """
                INSERT INTO categories (name, slug, description, parent_id, is_active)
                VALUES (\(bind: input.name), \(bind: slug), \(bind: input.description ?? nil), \(bind: input.parentId ?? nil), coalesce(\(bind: input.isActive), true))
                RETURNING \(CategoryRecord.columns)
                """
            ).single())
    }

    /// A category from its parts (seed-demo's tree); its id.
    public static func insert(name: String, slug: String, description: String, parentId: String?, on db: PostgresClient) throws -> String {
        try db.query(
            """
            INSERT INTO categories (name, slug, description, parent_id)
            VALUES (\(bind: name), \(bind: slug), \(bind: description), \(bind: parentId)) RETURNING id
            """
        ).single().decode("id", as: String.self)
    }

    /// Fresh statistics and visibility map after a bulk load.
    public static func refreshStatistics(on db: PostgresClient) throws {
        try db.query("VACUUM ANALYZE categories")
    }

    static func update(_ id: String, _ input: CategoryInput, on db: PostgresClient) throws -> CategoryRecord? {
        try db.query(
            """
            UPDATE categories SET name = coalesce(\(bind: input.name), name), slug = coalesce(\(bind: input.slug), slug),
                description = CASE WHEN \(bind: input.description != nil) THEN \(bind: input.description ?? nil) ELSE description END,
                parent_id = CASE WHEN \(bind: input.parentId != nil) THEN \(bind: input.parentId ?? nil)::uuid ELSE parent_id END,
                is_active = coalesce(\(bind: input.isActive), is_active), updated_at = now()
            WHERE id = \(bind: id) RETURNING \(CategoryRecord.columns)
            """
        )
        .first.map(CategoryRecord.init(row:))
    }

    /// Tree changes are serialised, so two concurrent moves cannot build a cycle between them.
    static func lockTree(on db: PostgresClient) throws {
        try db.query("SELECT pg_advisory_xact_lock(hashtext('commerce:categories:tree'))")
    }

    /// Whether `candidate` is `id` or one of its descendants (so it cannot become its parent).
    static func isSelfOrDescendant(_ candidate: String, of id: String, on db: PostgresClient) throws -> Bool {
        try db.query(
            """
            WITH RECURSIVE up AS (
                SELECT id, parent_id FROM categories WHERE id = \(bind: candidate)
                UNION ALL SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id)
            SELECT 1 FROM up WHERE id = \(bind: id)
            """
        ).rowCount > 0
    }

    static func exists(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("SELECT 1 FROM categories WHERE id = \(bind: id)").rowCount == 1
    }

    /// What still points at a category: products (any, inactive ones too) and children.
    static func dependents(of id: String, on db: PostgresClient) throws -> (products: Int, children: Int) {
        let row = try db.query(
            """
            SELECT (SELECT count(*) FROM products WHERE category_id = \(bind: id)) AS products,
                   (SELECT count(*) FROM categories WHERE parent_id = \(bind: id)) AS children
            """
        ).single()
        return (try row.decode("products"), try row.decode("children"))
    }

    static func delete(_ id: String, on db: PostgresClient) throws -> Bool {
        try db.query("DELETE FROM categories WHERE id = \(bind: id)").affectedRows == 1
    }

    /// The category and all its descendants, for the products filter.
    static func subtree(of id: String) -> PostgresQuery {
        """
        WITH RECURSIVE subtree AS (
            SELECT id FROM categories WHERE id = \(bind: id)
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
