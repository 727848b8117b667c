import HTTP

/// The postal fields an address-book entry and an order's inline address share (API.md §3,
/// §6): everything but `id`, `type` and `isDefault`.
public struct PostalAddress: Equatable, Sendable, JSONRepresentable {
    public var firstName: String
    public var lastName: String
    public var addressLine1: String
    public var addressLine2: String?
    public var city: String
    public var state: String
    public var postalCode: String
    public var country: String
    public var phone: String

    public init(
        firstName: String, lastName: String, addressLine1: String, addressLine2: String?, city: String, state: String,
        postalCode: String, country: String, phone: String
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.addressLine1 = addressLine1
        self.addressLine2 = addressLine2
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.country = country
        self.phone = phone
    }

    /// In the contract's key order, which is also how an order stores its copy.
    public var json: JSONValue {
        .object([
            "firstName": .string(firstName), "lastName": .string(lastName), "addressLine1": .string(addressLine1),
            "addressLine2": addressLine2.map(JSONValue.string) ?? .null, "city": .string(city), "state": .string(state),
            "postalCode": .string(postalCode), "country": .string(country), "phone": .string(phone),
        ])
    }

    /// Reads a stored copy back; nil when a field is missing (never for rows this service wrote).
    public init?(json: JSONValue) {
        guard let firstName = json["firstName"]?.stringValue, let lastName = json["lastName"]?.stringValue,
            let line1 = json["addressLine1"]?.stringValue, let city = json["city"]?.stringValue,
            let state = json["state"]?.stringValue, let postalCode = json["postalCode"]?.stringValue,
            let country = json["country"]?.stringValue, let phone = json["phone"]?.stringValue
        else { return nil }
        self.init(
            firstName: firstName, lastName: lastName, addressLine1: line1, addressLine2: json["addressLine2"]?.stringValue,
            city: city, state: state, postalCode: postalCode, country: country, phone: phone)
    }

    /// Reads the fields of an inline address, every one required but `addressLine2`; nil
    /// when any is at fault (the reader then holds the details).
    public static func read(_ body: inout ObjectReader) -> PostalAddress? {
        let fields = PostalFields(&body, required: true)
        guard let firstName = fields.firstName, let lastName = fields.lastName, let line1 = fields.addressLine1,
            let city = fields.city, let state = fields.state, let postalCode = fields.postalCode,
            let country = fields.country, let phone = fields.phone, body.errors.isEmpty
        else { return nil }
        return PostalAddress(
            firstName: firstName, lastName: lastName, addressLine1: line1, addressLine2: fields.addressLine2 ?? nil,
            city: city, state: state, postalCode: postalCode, country: country, phone: phone)
    }
}

/// The postal fields as read from a body, each nil when absent or at fault; one set of rules
/// for the address book and for orders.
struct PostalFields {
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

    init(_ body: inout ObjectReader, required: Bool) {
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
            if upper.count == 2 && upper.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) {
                country = upper
            } else {
                body.fail("country", "must be an ISO 3166-1 alpha-2 code like US")
            }
        }
        if let text = body.string("phone", required: required, minLength: 1, maxLength: 32) {
            let allowed = text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || " +-().".unicodeScalars.contains($0) }
            let digits = text.unicodeScalars.filter { ("0"..."9").contains($0) }.count
            if allowed && digits >= 3 { phone = text } else { body.fail("phone", "must be a phone number (digits, spaces, + - ( ) .)") }
        }
    }
}
