import HTTP

/// A category body: `name` required on create; any field on update.
struct CategoryInput {
    var name: String?
    var slug: String?
    /// Set when the body names it; a null clears it.
    var description: String??
    var parentId: String??
    var isActive: Bool?

    init(_ request: Request, creating: Bool) throws(APIError) {
        var body = try ObjectReader(request.body)
        name = body.catalogName(required: creating)
        slug = body.slug("slug")
        let text = body.string("description", required: false, nullable: true, maxLength: 10_000)
        if body.has("description") { description = .some(text) }
        let parent = body.uuid("parentId", required: false, nullable: true)
        if body.has("parentId") { parentId = .some(parent) }
        isActive = body.bool("isActive", required: false)
        if creating {
            try body.finish()
        } else {
            if body.isEmpty { body.fail("body", "must contain at least one field") }
            try body.finish()
        }
    }
}
