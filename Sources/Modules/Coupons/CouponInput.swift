import HTTP

/// A coupon body (API.md §12.2): `code`, `type` and `value` required on create; any field on
/// update. A field set to null clears it.
struct CouponInput {
    var code: String?
    var kind: CouponTerms.Kind?
    /// As `CouponTerms.value`: a percentage in cents of a percent, or money.
    var value: Cents?
    var minSubtotal: Cents??
    var startsAt: String??
    var endsAt: String??
    var maxRedemptions: Int??
    var maxRedemptionsPerUser: Int??
    var isActive: Bool?

    init(_ request: Request, creating: Bool) throws(APIError) {
        var body = try ObjectReader(request.body)
        code = body.couponCode("code", required: creating)
        if let type = body.string("type", required: creating) {
            kind = CouponTerms.Kind(rawValue: type)
            if kind == nil { body.fail("type", "must be one of percentage, fixed") }
        }
        if body.has("value") {
            value = Self.value(&body, kind: kind)
        } else if creating {
            body.fail("value", "is required")
        } else if kind != nil {
            body.fail("value", "is required when type changes")
        }
        let minimum = body.money("minSubtotal", required: false, nullable: true)
        if body.has("minSubtotal") { minSubtotal = .some(minimum) }
        // The window's order is checked by the service, against the coupon's other end too.
        for (name, keyPath) in [("startsAt", \CouponInput.startsAt), ("endsAt", \CouponInput.endsAt)] {
            let text = body.time(name)
            if body.has(name) { self[keyPath: keyPath] = .some(text) }
        }
        for (name, keyPath) in [("maxRedemptions", \CouponInput.maxRedemptions), ("maxRedemptionsPerUser", \CouponInput.maxRedemptionsPerUser)] {
            let limit = body.int(name, required: false, nullable: true, range: 1...1_000_000_000)
            if body.has(name) { self[keyPath: keyPath] = .some(limit) }
        }
        isActive = body.bool("isActive", required: false)
        if !creating && body.isEmpty { body.fail("body", "must contain at least one field") }
        try body.finish()
    }

    /// A percentage is a whole number 1–100; a fixed value is money above zero.
    private static func value(_ body: inout ObjectReader, kind: CouponTerms.Kind?) -> Cents? {
        switch kind {
        case .percentage:
            guard let percent = body.int("value", range: 1...100) else { return nil }
            return Cents(Int64(percent) * 100)
        case .fixed, nil:
            // Without a type (an update of the value alone), read as a number the service then
            // checks against the coupon's current type.
            guard let money = body.money("value") else { return nil }
            if money == .zero { body.fail("value", "must be above zero"); return nil }
            return money
        }
    }
}

extension ObjectReader {
    /// 3–64 of `A–Z 0–9 - _`, in any case; upper-cased, as stored.
    mutating func couponCode(_ name: String, required: Bool) -> String? {
        guard let text = string(name, required: required, minLength: 3, maxLength: 64) else { return nil }
        let code = text.uppercased()
        guard CouponCode.isWellFormed(code) else {
            fail(name, "must be 3–64 letters, digits, '-' or '_'")
            return nil
        }
        return code
    }
}

public enum CouponCode {
    public static func isWellFormed(_ code: String) -> Bool {
        let bytes = Array(code.utf8)
        return (3...64).contains(bytes.count)
            && bytes.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }
}
