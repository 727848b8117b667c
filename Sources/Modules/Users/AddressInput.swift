import HTTP

/// An address body: every field for a create, any of them for a patch.
struct AddressInput {
    enum Kind: String { case shipping, billing }

    var type: Kind?
    var firstName: String?
    var lastName: String?
    var addressLine1: String?
    /// Set when the body names `addressLine2` (a null clears it).
    var addressLine2: String??
    var city: String?
    var state: String?
    var postalCode: String?
    var country: String?
    var phone: String?
    var isDefault: Bool?

    init(_ request: Request, creating: Bool) throws(APIError) {
        var body = try ObjectReader(request.body)
        let required = creating
        if let text = body.string("type", required: required) {
            type = Kind(rawValue: text)
            if type == nil { body.fail("type", "must be shipping or billing") }
        }
        firstName = body.name("firstName", required: required)
        lastName = body.name("lastName", required: required)
        addressLine1 = body.line("addressLine1", required: required)
        let line2 = body.line("addressLine2", required: false, nullable: true)
        if body.has("addressLine2") { addressLine2 = .some(line2) }
        city = body.line("city", required: required)
        state = body.line("state", required: required)
        postalCode = body.line("postalCode", required: required, maxLength: 20)
        if let text = body.string("country", required: required, maxLength: 2) {
            let upper = text.uppercased()
            if upper.count == 2 && upper.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) { country = upper }
            else { body.fail("country", "must be an ISO 3166-1 alpha-2 code like US") }
        }
        if let text = body.string("phone", required: required, minLength: 1, maxLength: 32) {
            let allowed = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || " +-().".unicodeScalars.contains($0) }
            let digits = text.unicodeScalars.filter { ("0"..."9").contains($0) }.count
            if allowed && digits >= 3 { phone = text } else { body.fail("phone", "must be a phone number (digits, spaces, + - ( ) .)") }
        }
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
