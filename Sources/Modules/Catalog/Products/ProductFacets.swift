import HTTP
import Postgres

/// The counts beside a product list (API.md §12.3): each facet counted over the request's
/// other filters but not its own, so choosing a category still shows its siblings' counts.
struct ProductFacets: JSONRepresentable {
    struct CategoryCount {
        let category: CategoryRecord
        let count: Int
    }

    /// Lower bounds of the price buckets, in cents: 0–25, 25–50, 50–100, 100–250, 250–500, 500 and over.
    static let priceBounds: [Cents] = [0, 2_500, 5_000, 10_000, 25_000, 50_000].map { Cents($0) }

    let categories: [CategoryCount]
    let priceCounts: [Int]
    let inStock: Int
    let outOfStock: Int

    /// Three grouped counts, each a scan of the rows its filter matches (planned per
    /// execution, like the listing). A category counts every product of its subtree, as the
    /// `category` filter does; only categories with products are listed, most first.
    static func count(
        _ query: ProductListQuery, categoryId: String?, corrections: [String: [String]], categoryMatchesNothing: Bool = false,
        on db: PostgresClient
    ) throws -> ProductFacets {
        func filter(_ omitted: ProductStore.Filter.Part) -> ProductStore.Filter {
            ProductStore.Filter(query, categoryId: categoryId, corrections: corrections, omitting: omitted)
        }
        let direct = try ProductStore.countsByCategory(filter(.category), on: db)
        let all = try CategoryStore.list(includeInactive: query.includeInactive, on: db)
        let parents = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.parentId) })
        var rolled: [String: Int] = [:]
        for (id, count) in direct {
            var current: String? = id
            var seen = Set<String>()
            while let node = current, seen.insert(node).inserted {
                rolled[node, default: 0] += count
                current = parents[node] ?? nil
            }
        }
        let categories = all.compactMap { category in rolled[category.id].map { CategoryCount(category: category, count: $0) } }
            .sorted { ($0.count, $1.category.name) > ($1.count, $0.category.name) }
        if categoryMatchesNothing {
            return ProductFacets(categories: categories, priceCounts: Array(repeating: 0, count: priceBounds.count), inStock: 0, outOfStock: 0)
        }
        let stock = try ProductStore.countsByStock(filter(.inStock), on: db)
        return ProductFacets(
            categories: categories, priceCounts: try ProductStore.countsByPrice(filter(.price), on: db), inStock: stock.inStock,
            outOfStock: stock.outOfStock)
    }

    var json: JSONValue {
        let bounds = Self.priceBounds
        return .object([
            "categories": .array(
                categories.map {
                    .object(["id": .string($0.category.id), "slug": .string($0.category.slug), "name": .string($0.category.name), "count": .int($0.count)])
                }),
            "price": .array(
                bounds.indices.map { index in
                    .object([
                        "min": .string(bounds[index].description),
                        "max": index + 1 < bounds.count ? .string(bounds[index + 1].description) : .null,
                        "count": .int(priceCounts[index]),
                    ])
                }),
            "inStock": .object(["true": .int(inStock), "false": .int(outOfStock)]),
        ])
    }
}
