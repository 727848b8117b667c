import Postgres

/// Bulk SQL on `products` for seed-demo: rows generated inside PostgreSQL, so a hundred
/// thousand take seconds instead of a round trip each.
extension ProductStore {
    /// The word lists generated names are made of; `nounLeaf[i]` is the 1-based index in
    /// `leaves` of the category `nouns[i]` belongs to.
    public struct GeneratedWords: Sendable {
        public var leaves: [String]
        public var nouns: [String]
        public var nounLeaf: [Int]
        public var adjectives: [String]
        public var materials: [String]
        public var sentences: [String]

        public init(leaves: [String], nouns: [String], nounLeaf: [Int], adjectives: [String], materials: [String], sentences: [String]) {
            self.leaves = leaves
            self.nouns = nouns
            self.nounLeaf = nounLeaf
            self.adjectives = adjectives
            self.materials = materials
            self.sentences = sentences
        }
    }

    public static func isEmpty(on db: PostgresClient) throws -> Bool {
        try db.query("SELECT NOT EXISTS (SELECT 1 FROM products) AS empty").single().decode("empty", as: Bool.self)
    }

    /// Products number `range` (names, slugs, SKUs `DEMO-0000042`, prices and stock derived
    /// from the number), each in the category its noun belongs to, newest first by number.
    public static func generate(_ range: ClosedRange<Int>, words: GeneratedWords, on db: PostgresClient) throws {
        // Each word list is bound once and named in `w`, then indexed per generated row.
        try db.query(
            """
            WITH w AS (
                SELECT \(bind: SQLFragment.array(words.leaves))::uuid[] AS leaves, \(bind: SQLFragment.array(words.nounLeaf.map(String.init)))::int[] AS noun_leaf,
                       \(bind: SQLFragment.array(words.nouns))::text[] AS nouns, \(bind: SQLFragment.array(words.adjectives))::text[] AS adjectives,
                       \(bind: SQLFragment.array(words.materials))::text[] AS materials, \(bind: SQLFragment.array(words.sentences))::text[] AS sentences)
            INSERT INTO products (name, slug, description, price, compare_at_price, sku, stock_quantity, category_id, created_at, updated_at)
            SELECT name, trim(both '-' from lower(regexp_replace(name, '[^A-Za-z0-9]+', '-', 'g'))) || '-' || i,
                   description, price, CASE WHEN i % 5 = 0 THEN round(price * 1.25, 2) END,
                   'DEMO-' || lpad(i::text, 7, '0'), (i * 37) % 120, leaves[noun_leaf[1 + (i % cardinality(nouns))]],
                   now() - make_interval(mins => i), now() - make_interval(mins => i)
            FROM (
                SELECT i, w.*,
                    adjectives[1 + (i * 7) % cardinality(adjectives)] || ' ' || materials[1 + (i * 3) % cardinality(materials)] || ' '
                        || nouns[1 + (i % cardinality(nouns))] AS name,
                    sentences[1 + (i * 3) % cardinality(sentences)] || ' ' || sentences[1 + (i * 7 + 1) % cardinality(sentences)]
                        || ' ' || sentences[1 + (i * 11 + 2) % cardinality(sentences)] AS description,
                    round((((i * 7919) % 49000) + 500) / 100.0, 2) AS price
                FROM generate_series(\(bind: range.lowerBound)::int, \(bind: range.upperBound)::int) AS i, w
            ) generated
            """)
    }

    /// The newest products' ids and names.
    public static func newest(limit: Int, on db: PostgresClient) throws -> [(id: String, name: String)] {
        try db.query("SELECT id, name FROM products ORDER BY created_at DESC LIMIT \(bind: limit)").map {
            (try $0.decode("id", as: String.self), try $0.decode("name", as: String.self))
        }
    }

    /// Fresh statistics and visibility map after a bulk load: listings plan well, counts scan
    /// the index only.
    public static func refreshStatistics(on db: PostgresClient) throws {
        try db.query("VACUUM ANALYZE products")
    }
}
