import HTTP
import Users

/// `POST /api/orders`: where the order goes, as an address-book id or inline.
struct CheckoutInput {
    enum AddressChoice: Equatable {
        case saved(id: String)
        case inline(PostalAddress)
    }

    let shipping: AddressChoice
    /// nil: bill to the shipping address.
    let billing: AddressChoice?

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let shipping = Self.choice(&body, idField: "shippingAddressId", inlineField: "shippingAddress", required: true)
        billing = Self.choice(&body, idField: "billingAddressId", inlineField: "billingAddress", required: false)
        try body.finish()
        self.shipping = shipping!
    }

    /// Exactly one of the id and the inline form; neither is fine only when not required.
    private static func choice(_ body: inout ObjectReader, idField: String, inlineField: String, required: Bool) -> AddressChoice? {
        let id = body.uuid(idField, required: false, nullable: true)
        var inline: PostalAddress?
        body.object(inlineField, required: false) { reader in inline = PostalAddress.read(&reader) }
        switch (body.has(idField) && !body.isNull(idField), body.has(inlineField) && !body.isNull(inlineField)) {
        case (true, true):
            body.fail(inlineField, "give either \(idField) or \(inlineField), not both")
            return nil
        case (true, false):
            return id.map { .saved(id: $0) }
        case (false, true):
            return inline.map { .inline($0) }
        case (false, false):
            if required { body.fail(idField, "is required (or \(inlineField))") }
            return nil
        }
    }
}

/// `PATCH /api/orders/:id/status`.
struct OrderStatusChange {
    let status: OrderStatus

    init(_ request: Request) throws(APIError) {
        var body = try ObjectReader(request.body)
        let text = body.string("status")
        var status: OrderStatus?
        if let text {
            status = OrderStatus(rawValue: text)
            if status == nil { body.fail("status", OrderStatus.unknownMessage) }
        }
        try body.finish()
        self.status = status!
    }
}

extension OrderStore.ListQuery {
    /// `GET /api/orders`: the caller's own orders; an admin may ask for `scope=all`, optionally
    /// narrowed to one `userId`.
    init(_ request: Request, principal: Principal) throws(APIError) {
        var query = QueryReader(request.query)
        let (page, limit) = query.page()
        var status: OrderStatus?
        if let text = query.string("status") {
            status = OrderStatus(rawValue: text)
            if status == nil { query.fail("status", OrderStatus.unknownMessage) }
        }
        let scope = query.string("scope") ?? "mine"
        if scope != "mine" && scope != "all" { query.fail("scope", "must be mine or all") }
        let userId = query.string("userId", maxLength: 36)
        if let userId, !UUIDText.isValid(userId) { query.fail("userId", "must be a UUID") }
        if userId != nil && scope != "all" { query.fail("userId", "needs scope=all") }
        let sort = query.sort(allowed: ["createdAt", "total"], default: SortOrder(field: "createdAt", descending: true))
        try query.finish()
        if scope == "all" && principal.role != .admin { throw APIError.forbidden("scope=all is for administrators") }
        self.init(userId: scope == "all" ? userId?.lowercased() : principal.userId, status: status, sort: sort, page: page, limit: limit)
    }
}
