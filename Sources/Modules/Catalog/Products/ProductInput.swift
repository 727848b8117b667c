import HTTP

/// A product body: on create `name`, `description`, `price`, `sku`, `stockQuantity` are
/// required; on update any field.
struct ProductInput {
    var name: String?
    var slug: String?
    var description: String?
    var price: Cents?
    var compareAtPrice: Cents??
    var sku: String?
    var stockQuantity: Int?
    var categoryId: String??
    var isActive: Bool?

    init(_ request: Request, creating: Bool) throws(APIError) {
        var body = try ObjectReader(request.body)
        name = body.catalogName(required: creating)
        slug = body.slug("slug")
        description = body.string("description", required: creating, maxLength: 10_000)
        price = body.money("price", required: creating)
        let compare = body.money("compareAtPrice", required: false, nullable: true)
        if body.has("compareAtPrice") { compareAtPrice = .some(compare) }
        sku = body.string("sku", required: creating, minLength: 1, maxLength: 255)
        if let sku, !sku.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            body.fail("sku", "must be letters, digits, - _ or ."); self.sku = nil
        }
        stockQuantity = body.int("stockQuantity", required: creating, range: 0...1_000_000_000)
        let category = body.uuid("categoryId", required: false, nullable: true)
        if body.has("categoryId") { categoryId = .some(category) }
        isActive = body.bool("isActive", required: false)
        if !creating && body.isEmpty { body.fail("body", "must contain at least one field") }
        try body.finish()
    }
}
