import HTTP

/// An address body: every field for a create, any of them for a patch.
struct AddressInput {
    enum Kind: String { case shipping, billing }

    var type: Kind?
    var postal: PostalFields
    var isDefault: Bool?

    init(_ request: Request, creating: Bool) throws(APIError) {
        var body = try ObjectReader(request.body)
        let required = creating
        if let text = body.string("type", required: required) {
            type = Kind(rawValue: text)
            if type == nil { body.fail("type", "must be shipping or billing") }
        }
        postal = PostalFields(&body, required: required)
        isDefault = body.bool("isDefault", required: false)
        if creating { try body.finish() } else { try body.finishRequiringSomething() }
    }
}

extension ObjectReader {
    /// A free-text address line: 1–`maxLength` characters, not only spaces.
    mutating func line(_ name: String, required: Bool, nullable: Bool = false, maxLength: Int = 255) -> String? {
        guard let text = string(name, required: required, nullable: nullable, minLength: 1, maxLength: maxLength) else { return nil }
        guard text.contains(where: { !$0.isWhitespace }) else { fail(name, "must not be blank"); return nil }
        return text
    }
}
