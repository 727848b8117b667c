import HTTP

/// `GET /api/products` parameters, validated, and their canonical form for the cache key.
struct ProductListQuery {
    var page: Int
    var limit: Int
    var category: CatalogKey?
    var minPrice: Cents?
    var maxPrice: Cents?
    var search: String?
    var inStock: Bool
    var sort: SortOrder
    var includeInactive: Bool
    /// `facets=true`: the counts of API.md §12.3 beside the page.
    var facets: Bool

    static let sortFields = ["createdAt", "price", "name", "relevance"]
    /// Pages past this are answered from PostgreSQL every time, never cached.
    static let maxCachedPage = 20

    init(_ request: Request) throws(APIError) {
        var query = QueryReader(request.query)
        (page, limit) = query.page()
        category = query.string("category", maxLength: 255).map(CatalogKey.init)
        minPrice = query.money("minPrice")
        maxPrice = query.money("maxPrice")
        search = query.string("search", maxLength: 200).flatMap(Self.normalised)
        inStock = query.bool("inStock") ?? false
        includeInactive = query.bool("includeInactive") ?? false
        facets = query.bool("facets") ?? false
        let fallback = SortOrder(field: search == nil ? "createdAt" : "relevance", descending: true)
        sort = query.sort(allowed: Self.sortFields, default: fallback)
        if sort.field == "relevance" && search == nil { query.fail("sort", "relevance needs a search") }
        if let minPrice, let maxPrice, minPrice > maxPrice { query.fail("minPrice", "must not exceed maxPrice") }
        try query.finish()
    }

    /// A search as PostgreSQL reads it (case-folded, words split on whitespace): lowercased, its
    /// whitespace collapsed, so `Parka`, ` parka ` and `PARKA` are one query and one cache key.
    /// nil when nothing but whitespace is left.
    static func normalised(_ search: String) -> String? {
        let words = search.lowercased().split(whereSeparator: \.isWhitespace)
        return words.isEmpty ? nil : words.joined(separator: " ")
    }

    /// Same filters, same key, whatever order or spelling the query string used.
    var identity: String { "p=\(page)&l=\(limit)&o=\(sort.field):\(sort.descending)&f=\(facets)&" + filterIdentity }

    /// The rows the query matches, whatever page of them and in whatever order: the key of
    /// its pagination total.
    var filterIdentity: String {
        [
            "c=\(category?.text ?? "")", "min=\(minPrice?.description ?? "")", "max=\(maxPrice?.description ?? "")",
            "q=\(search ?? "")", "s=\(inStock)", "i=\(includeInactive)",
        ].joined(separator: "&")
    }
}
