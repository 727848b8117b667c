import Catalog
import Core
import Coupons
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
        public let coupons: Int
    }

    /// Two coupons to try at checkout: a first-order percentage and a fixed amount off a
    /// bigger basket.
    static let coupons: [(terms: CouponTerms, minSubtotal: Cents?, perCustomer: Int?)] = [
        (CouponTerms(code: "WELCOME10", kind: .percentage, value: Cents(1000)), Cents(2000), 1),
        (CouponTerms(code: "SAVE5", kind: .fixed, value: Cents(500)), Cents(5000), nil),
    ]

    static let tree: [(String, [String])] = [
        ("Clothing", ["Jackets", "Sweaters", "T-Shirts", "Shoes"]),
        ("Home & Kitchen", ["Cookware", "Lighting", "Furniture", "Tableware"]),
        ("Electronics", ["Laptops", "Headphones", "Cameras", "Smart Home"]),
        ("Outdoor", ["Tents", "Backpacks", "Camping Stoves", "Water Bottles"]),
        ("Books", ["Fiction", "Cooking", "Travel"]),
    ]
    static let adjectives = [
        "Aurora", "Summit", "Harbor", "Nordic", "Cedar", "Granite", "Willow", "Coastal", "Urban", "Alpine",
        "Velvet", "Copper", "Meadow", "Canyon", "Lunar", "Tidal", "Ember", "Juniper", "Slate", "Prairie",
    ]
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
    public static func load(products count: Int, database db: PostgresClient, clock: Clock, uploadDirectory: String) throws -> Outcome? {
        guard try ProductStore.isEmpty(on: db) else { return nil }
        // One transaction for categories, products and image rows: a failed load leaves no rows
        // (at most a few image files nothing points to), so the next start loads again instead
        // of finding a half catalog and skipping it.
        let outcome = try db.withTransaction { db in
            // Bulk work: the request-sized statement timeout would cancel a batch of rows with
            // their trigram indexes on a slow disk.
            try db.query("SET LOCAL statement_timeout = 0")
            let (categories, leaves) = try insertCategories(on: db)
            try insertProducts(count, leaves: leaves, on: db)
            let images = try addImages(limit: min(count, 300), db: db, uploadDirectory: uploadDirectory, clock: clock)
            let coupons = try Self.coupons.filter {
                try CouponStore.insertIfAbsent($0.terms, minSubtotal: $0.minSubtotal, maxRedemptionsPerUser: $0.perCustomer, on: db)
            }.count
            return Outcome(categories: categories, products: count, images: images, coupons: coupons)
        }
        try ProductStore.refreshStatistics(on: db)
        try CategoryStore.refreshStatistics(on: db)
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
        var words = ProductStore.GeneratedWords(
            leaves: leaves.map(\.id), nouns: [], nounLeaf: [], adjectives: adjectives, materials: materials, sentences: sentences)
        for (index, leaf) in leaves.enumerated() {
            for noun in nouns[leaf.name] ?? ["Item"] {
                words.nouns.append(noun)
                words.nounLeaf.append(index + 1)
            }
        }
        let batch = 10_000
        var start = 1
        while start <= count {
            let end = min(count, start + batch - 1)
            try ProductStore.generate(start...end, words: words, on: db)
            start = end + 1
        }
    }

    private static func insertCategory(_ name: String, parent: String?, on db: PostgresClient) throws -> String {
        let slug = name.lowercased().replacing("&", with: "and").split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: "-")
        return try CategoryStore.insert(name: name, slug: slug, description: "Everything in \(name.lowercased()).", parentId: parent, on: db)
    }

    /// A tiny solid-colour GIF per product (GIF needs no checksums, so it is built by hand).
    private static func addImages(limit: Int, db: PostgresClient, uploadDirectory: String, clock: Clock) throws -> Int {
        guard limit > 0 else { return 0 }
        let storage = UploadStorage(root: uploadDirectory)
        let folder = try storage.monthFolder(epochMilliseconds: clock.epochMilliseconds())
        var stored = 0
        for (index, product) in try ProductStore.newest(limit: limit, on: db).enumerated() {
            let bytes = gif(red: UInt8((index * 53) % 256), green: UInt8((index * 97) % 256), blue: UInt8((index * 193) % 256))
            let name = try UUIDGenerator.random()
            let file = try storage.begin(folder: folder, name: name)
            try file.write(bytes)
            let path = folder + "/" + name + ".gif"
            try storage.commit(file, as: path)
            try UploadStore.insert(path: path, filename: "demo.gif", size: bytes.count, mimeType: "image/gif", productId: product.id, altText: product.name, on: db)
            stored += 1
        }
        return stored
    }

    static func gif(red: UInt8, green: UInt8, blue: UInt8) -> [UInt8] {
        Array("GIF89a".utf8) + [1, 0, 1, 0, 0x80, 0, 0, red, green, blue, 0, 0, 0, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0, 0x3B]
    }
}
