import HTTP

/// What a coupon takes off (API.md §12.2), the one formula the cart and checkout share.
public struct CouponTerms: Equatable, Sendable {
    public enum Kind: String, Sendable {
        case percentage
        case fixed
    }

    public let code: String
    public let kind: Kind
    /// A whole percentage as cents of a percent (10 % is 1000), or money.
    public let value: Cents

    public init(code: String, kind: Kind, value: Cents) {
        self.code = code
        self.kind = kind
        self.value = value
    }

    /// subtotal × value / 100 rounded half-up to the cent, or min(value, subtotal). Never more
    /// than the subtotal; subtotal ≤ 10^10 cents and the percentage ≤ 10^4, far inside Int64.
    public func discount(on subtotal: Cents) -> Cents {
        switch kind {
        case .percentage: return Cents((subtotal.value * value.value + 5_000) / 10_000)
        case .fixed: return min(value, subtotal)
        }
    }

    /// `value` as the contract writes it: an integer percentage, or a money string.
    public var valueJSON: JSONValue {
        kind == .percentage ? .int(Int(value.value / 100)) : .string(value.description)
    }

    /// The cart's `coupon` (`{code, type, value}`).
    public var json: JSONValue { .object(["code": .string(code), "type": .string(kind.rawValue), "value": valueJSON]) }
}
