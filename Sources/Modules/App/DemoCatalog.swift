import Crypto
import Postgres
import Uploads

/// `seed-demo`: a catalog to click through (`make run`) or to measure (`--products 100000`).
/// Products are generated in PostgreSQL with one INSERT … SELECT over generate_series, so a
/// hundred thousand take seconds; the first few hundred get a small image file each.
public enum DemoCatalog {
    public struct Outcome: Equatable {
        public let categories: Int
        public let products: Int
        public let images: Int
    }

    static let tree: [(String, [String])] = [
        ("Clothing", ["Jackets", "Sweaters", "T-Shirts", "Shoes"]),
        ("Home & Kitchen", ["Cookware", "Lighting", "Furniture", "Tableware"]),
        ("Electronics", ["Laptops", "Headphones", "Cameras", "Smart Home"]),
        ("Outdoor", ["Tents", "Backpacks", "Camping Stoves", "Water Bottles"]),
        ("Books", ["Fiction", "Cooking", "Travel"]),
    ]
    static let adjectives = ["Aurora", "Summit", "Harbor", "Nordic", "Cedar", "Granite", "Willow", "Coastal", "Urban", "Alpine",
                             "Velvet", "Copper", "Meadow", "Canyon", "Lunar", "Tidal", "Ember", "Juniper", "Slate", "Prairie"]
    static let materials = ["Wool", "Linen", "Bamboo", "Cast Iron", "Ceramic", "Walnut", "Recycled", "Titanium", "Organic Cotton", "Leather"]
    static let nouns: [String: [String]] = [
        "Jackets": ["Rain Jacket", "Down Parka", "Field Jacket"], "Sweaters": ["Crew Sweater", "Cardigan", "Turtleneck"],
        "T-Shirts": ["Pocket Tee", "Henley", "Long Sleeve Tee"], "Shoes": ["Trail Runner", "Leather Boot", "Canvas Sneaker"],
        "Cookware": ["Skillet", "Dutch Oven", "Saucepan"], "Lighting": ["Desk Lamp", "Pendant Light", "Floor Lamp"],
        "Furniture": ["Side Table", "Bookshelf", "Lounge Chair"], "Tableware": ["Dinner Plate Set", "Serving Bowl", "Mug Set"],
        "Laptops": ["Ultrabook 13", "Workstation 16", "Chromebook 14"], "Headphones": ["Wireless Headphones", "Studio Monitors", "Sport Earbuds"],
        "Cameras": ["Mirrorless Camera", "Action Camera", "Instant Camera"], "Smart Home": ["Smart Plug", "Thermostat", "Video Doorbell"],
        "Tents": ["2-Person Tent", "Ultralight Tent", "Family Tent"], "Backpacks": ["Daypack 20L", "Trekking Pack 55L", "Travel Pack 40L"],
        "Camping Stoves": ["Canister Stove", "Wood Stove", "Two-Burner Stove"], "Water Bottles": ["Insulated Bottle", "Filter Bottle", "Collapsible Flask"],
        "Fiction": ["Novel", "Short Stories", "Mystery"], "Cooking": ["Cookbook", "Baking Guide", "Spice Atlas"], "Travel": ["City Guide", "Road Atlas", "Hiking Guide"],
    ]
    static let sentences = [
        "Made to last for years of everyday use.", "Designed in small batches and tested in the field.",
        "Easy to care for and repair.", "Packs down small and weighs almost nothing.", "A quiet classic that goes with everything.",
        "Backed by a two-year warranty.", "Sourced from suppliers we visit every year.", "Works beautifully from the first day.",
        "Thoughtful details you notice every time you use it.", "Comfortable in every season.",
    ]

    /// Loads the demo catalog unless products exist already (then nothing changes).
    public static func load(products count: Int, context: CommandContext, uploadDirectory: String) throws -> Outcome? {
        let db = context.database
        guard try db.query("SELECT count(*) AS n FROM products").single().decode("n", as: Int.self) == 0 else { return nil }
        // One transaction for categories, products and image rows: a failed load leaves no rows
        // (at most a few image files nothing points to), so the next start loads again instead
        // of finding a half catalog and skipping it.
        let outcome = try db.withTransaction { db in
            // Bulk work: the request-sized statement timeout would cancel a batch of rows with
            // their trigram indexes on a slow disk.
            try db.query("SET LOCAL statement_timeout = 0")
            let (categories, leaves) = try insertCategories(on: db)
            try insertProducts(count, leaves: leaves, on: db)
            let images = try addImages(limit: min(count, 300), db: db, uploadDirectory: uploadDirectory, clock: context)
            return Outcome(categories: categories, products: count, images: images)
        }
        // Fresh statistics and visibility map: listings plan well, counts scan the index only.
        try db.query("VACUUM ANALYZE products")
        try db.query("VACUUM ANALYZE categories")
        return outcome
    }

    /// The category tree; returns how many were made and the leaves (id, name) products go in.
    private static func insertCategories(on db: PostgresClient) throws -> (Int, [(id: String, name: String)]) {
        var count = 0
        var leaves: [(id: String, name: String)] = []
        for (root, children) in tree {
            let rootId = try insertCategory(root, parent: nil, on: db)
            count += 1
            for child in children {
                leaves.append((try insertCategory(child, parent: rootId, on: db), child))
                count += 1
            }
        }
        return (count, leaves)
    }

    private static func insertProducts(_ count: Int, leaves: [(id: String, name: String)], on db: PostgresClient) throws {
        // Names per leaf, flattened with their leaf index, so SQL can pick a matching noun.
        var nounList: [String] = []
        var nounLeaf: [Int] = []
        for (index, leaf) in leaves.enumerated() {
            for noun in nouns[leaf.name] ?? ["Item"] { nounList.append(noun); nounLeaf.append(index + 1) }
        }
        let batch = 10_000
        var start = 1
        while start <= count {
            let end = min(count, start + batch - 1)
            // Each word list is bound once and named in `w`, then indexed per generated row.
            try db.query("""
                WITH w AS (
                    SELECT \(bind: SQLFragment.array(leaves.map(\.id)))::uuid[] AS leaves, \(bind: SQLFragment.array(nounLeaf.map(String.init)))::int[] AS noun_leaf,
                           \(bind: SQLFragment.array(nounList))::text[] AS nouns, \(bind: SQLFragment.array(adjectives))::text[] AS adjectives,
                           \(bind: SQLFragment.array(materials))::text[] AS materials, \(bind: SQLFragment.array(sentences))::text[] AS sentences)
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
                    FROM generate_series(\(bind: start)::int, \(bind: end)::int) AS i, w
                ) generated
                """)
            start = end + 1
        }
    }

    public static func invalidateCache(configuration: Configuration, context: CommandContext) {
        CatalogVersion.bumpEverywhere(configuration: configuration, cache: context.cache)
    }

    private static func insertCategory(_ name: String, parent: String?, on db: PostgresClient) throws -> String {
        let slug = name.lowercased().replacing("&", with: "and").split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
        return try db.query("""
            INSERT INTO categories (name, slug, description, parent_id) VALUES (\(bind: name), \(bind: slug), \(bind: "Everything in \(name.lowercased())."), \(bind: parent)) RETURNING id
            """).single().decode("id", as: String.self)
    }

    /// A tiny solid-colour GIF per product (GIF needs no checksums, so it is built by hand).
    private static func addImages(limit: Int, db: PostgresClient, uploadDirectory: String, clock: CommandContext) throws -> Int {
        guard limit > 0 else { return 0 }
        let storage = UploadStorage(root: uploadDirectory)
        let folder = try storage.monthFolder(epochMilliseconds: clock.clock.epochMilliseconds())
        let products = try db.query("SELECT id, name FROM products ORDER BY created_at DESC LIMIT \(bind: limit)").rows
        var stored = 0
        for (index, row) in products.enumerated() {
            let bytes = gif(red: UInt8((index * 53) % 256), green: UInt8((index * 97) % 256), blue: UInt8((index * 193) % 256))
            let name = try UUIDGenerator.random()
            let file = try storage.begin(folder: folder, name: name)
            try file.write(bytes)
            let path = folder + "/" + name + ".gif"
            try storage.commit(file, as: path)
            try db.query("""
                INSERT INTO product_images (product_id, path, filename, alt_text, position, size_bytes, mime_type)
                VALUES (\(bind: try row.decode("id", as: String.self)), \(bind: path), 'demo.gif', \(bind: try row.decode("name", as: String.self)), 0,
                        \(bind: bytes.count), 'image/gif')
                """)
            stored += 1
        }
        return stored
    }

    static func gif(red: UInt8, green: UInt8, blue: UInt8) -> [UInt8] {
        Array("GIF89a".utf8) + [1, 0, 1, 0, 0x80, 0, 0, red, green, blue, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B]
    }

}
