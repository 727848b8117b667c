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

    /// One scan (`ProductStore.facetCells`), then each facet summed over the cells that pass
    /// the other filters. A category counts every product of its subtree, as the `category`
    /// filter does; only categories with products are listed, most first. Products in an
    /// inactive category are left out here unless the request is an admin's `includeInactive`.
    static func count(
        _ query: ProductListQuery, categoryId: String?, corrections: [String: [String]], categoryMatchesNothing: Bool = false,
        on db: PostgresClient
    ) throws -> ProductFacets {
        let filter = ProductStore.Filter(query, categoryId: categoryId, corrections: corrections)
        let all = try CategoryStore.list(includeInactive: true, on: db)
        let byId = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
        let cells = try ProductStore.facetCells(filter, on: db).filter { cell in
            query.includeInactive || cell.categoryId.map { byId[$0]?.isActive ?? false } ?? true
        }
        let inCategory = { (cell: ProductStore.FacetCell) in cell.inCategory && !categoryMatchesNothing }
        let stockPasses = { (cell: ProductStore.FacetCell) in !query.inStock || cell.inStock }

        var direct: [String: Int] = [:]
        for cell in cells where cell.inPrice && stockPasses(cell) {
            if let id = cell.categoryId { direct[id, default: 0] += cell.count }
        }
        var rolled: [String: Int] = [:]
        for (id, count) in direct {
            var current: String? = id
            var seen = Set<String>()
            while let node = current, seen.insert(node).inserted {
                rolled[node, default: 0] += count
                current = byId[node]?.parentId
            }
        }
        let shown = all.filter { query.includeInactive || $0.isActive }
        let categories = shown.compactMap { category in rolled[category.id].map { CategoryCount(category: category, count: $0) } }
            .sorted { ($0.count, $1.category.name) > ($1.count, $0.category.name) }

        var prices = Array(repeating: 0, count: priceBounds.count)
        for cell in cells where inCategory(cell) && stockPasses(cell) && prices.indices.contains(cell.bucket) { prices[cell.bucket] += cell.count }
        var inStock = 0
        var outOfStock = 0
        for cell in cells where inCategory(cell) && cell.inPrice {
            if cell.inStock { inStock += cell.count } else { outOfStock += cell.count }
        }
        return ProductFacets(categories: categories, priceCounts: prices, inStock: inStock, outOfStock: outOfStock)
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
