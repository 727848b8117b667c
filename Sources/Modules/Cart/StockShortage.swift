import HTTP

/// One line that asks for more than there is (API.md §6): rendered in a 409's `details` as
/// `{"field":"quantity","productId":…,"requested":n,"available":m,"message":…}`.
public struct StockShortage: Equatable, Sendable {
    public let productId: String
    public let requested: Int
    /// What can be sold now: 0 for a product that is no longer on sale.
    public let available: Int

    public init(productId: String, requested: Int, available: Int) {
        self.productId = productId
        self.requested = requested
        self.available = available
    }

    public var fieldError: FieldError {
        let message = available == 0 ? "is no longer available" : "only \(available) in stock"
        return FieldError(
            field: "quantity", message: message,
            extra: [
                "productId": .string(productId), "requested": .int(requested), "available": .int(available),
            ])
    }

    public static func conflict(_ shortages: [StockShortage]) -> APIError {
        APIError.conflict("Not enough stock", details: shortages.map(\.fieldError))
    }
}
