import HTTP

/// The catalog file of API.md §12.8: one product per record, matched by SKU on import.
/// `imageUrls` lists the product's images (`/uploads/…`, space-separated) for reference; an
/// import reads past it, since images come in through the upload routes.
public enum CatalogCSV {
    public static let columns = ["sku", "name", "slug", "description", "price", "compareAtPrice", "stockQuantity", "isActive", "categorySlug", "imageUrls"]
    public static var header: String { CSV.record(columns) }
    /// What a new product cannot do without (the create route's required fields).
    static let requiredForNew: Set<String> = ["name", "description", "price", "stockQuantity"]
}

/// One product as the file has it.
struct CatalogRow: Sendable {
    var sku: String
    var name: String?
    var slug: String?
    var description: String?
    var price: Cents?
    /// `.some(nil)`: the cell was empty, which clears it.
    var compareAtPrice: Cents??
    var stockQuantity: Int?
    var isActive: Bool?
    /// `.some(nil)`: no category.
    var categorySlug: String??
}
