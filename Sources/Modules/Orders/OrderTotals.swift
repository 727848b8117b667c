import Coupons
import HTTP

/// The money of an order (API.md §6 and §12.2), in cents: the coupon's discount comes off
/// before tax, tax is rounded half-up to the cent, shipping is free from the threshold on
/// (measured after the discount).
public struct OrderTotals: Equatable, Sendable {
    public let subtotal: Cents
    public let discount: Cents
    public let tax: Cents
    public let shipping: Cents
    public var total: Cents { Cents(subtotal.value - discount.value) + tax + shipping }

    public enum Failure: Error, Equatable {
        /// The order would not fit in NUMERIC(10,2) (more than 99 999 999.99).
        case tooLarge
    }

    public init(subtotal: Cents, discount: Cents = .zero, tax: Cents, shipping: Cents) {
        self.subtotal = subtotal
        self.discount = discount
        self.tax = tax
        self.shipping = shipping
    }

    /// `lines` are (unit price, quantity) pairs.
    public static func compute(lines: [(unitPrice: Cents, quantity: Int)], coupon: CouponTerms? = nil, settings: OrderSettings) throws(Failure) -> OrderTotals {
        var subtotal: Int64 = 0
        for line in lines {
            let (lineTotal, overflowA) = line.unitPrice.value.multipliedReportingOverflow(by: Int64(line.quantity))
            let (sum, overflowB) = subtotal.addingReportingOverflow(lineTotal)
            guard !overflowA, !overflowB, sum <= Cents.maximum.value else { throw .tooLarge }
            subtotal = sum
        }
        let discount = coupon?.discount(on: Cents(subtotal)).value ?? 0
        let discounted = subtotal - discount
        // discounted ≤ 10^10 and the rate ≤ 10^6, so the product stays far inside Int64.
        let tax = (discounted * Int64(settings.taxRatePartsPerMillion) + 500_000) / 1_000_000
        let shipping = discounted >= settings.freeShippingMinimum.value ? 0 : settings.shippingFlat.value
        let totals = OrderTotals(subtotal: Cents(subtotal), discount: Cents(discount), tax: Cents(tax), shipping: Cents(shipping))
        guard totals.total <= Cents.maximum else { throw .tooLarge }
        return totals
    }
}
