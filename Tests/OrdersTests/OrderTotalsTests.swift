import Coupons
import HTTP
import Postgres
import Testing
@testable import Orders

@Suite struct OrderTotalsTests {
    let settings = OrderSettings(
        currency: "usd", taxRatePartsPerMillion: 80_000, shippingFlat: Cents(500), freeShippingMinimum: Cents(10_000),
        paymentTimeoutSeconds: 1800)

    @Test func taxRoundsToTheNearestCent() throws {
        // 3 × 10.31 = 30.93; 8 % of it is 2.4744 → 2.47.
        #expect(try OrderTotals.compute(lines: [(Cents(1031), 3)], settings: settings).tax == Cents(247))
        // 19.99 × 8 % = 1.5992 → 1.60.
        #expect(try OrderTotals.compute(lines: [(Cents(1999), 1)], settings: settings).tax == Cents(160))
        // Several lines are taxed on their sum, not line by line: 2 × 0.06 = 0.12 → 0.0096 → 0.01.
        #expect(try OrderTotals.compute(lines: [(Cents(6), 1), (Cents(6), 1)], settings: settings).tax == Cents(1))
    }

    @Test func aHalfCentGoesUp() throws {
        // 6.25 × 8 % = 0.50 exactly; 0.0625 → 0.005 → 0.01 (half-up, not to even).
        let rate = OrderSettings(currency: "usd", taxRatePartsPerMillion: 80_000, shippingFlat: .zero, freeShippingMinimum: .zero, paymentTimeoutSeconds: 1)
        #expect(try OrderTotals.compute(lines: [(Cents(625), 1)], settings: rate).tax == Cents(50))
        let tenPercent = OrderSettings(currency: "usd", taxRatePartsPerMillion: 100_000, shippingFlat: .zero, freeShippingMinimum: .zero, paymentTimeoutSeconds: 1)
        #expect(try OrderTotals.compute(lines: [(Cents(5), 1)], settings: tenPercent).tax == Cents(1)) // 0.005 → 0.01
        #expect(try OrderTotals.compute(lines: [(Cents(4), 1)], settings: tenPercent).tax == Cents(0)) // 0.004 → 0.00
        #expect(try OrderTotals.compute(lines: [(Cents(15), 1)], settings: tenPercent).tax == Cents(2)) // 0.015 → 0.02
    }

    @Test func shippingIsFreeFromTheThresholdOn() throws {
        let below = try OrderTotals.compute(lines: [(Cents(9_999), 1)], settings: settings)
        #expect(below.shipping == Cents(500))
        #expect(below.total == Cents(9_999 + 800 + 500))
        let at = try OrderTotals.compute(lines: [(Cents(5_000), 2)], settings: settings)
        #expect(at.shipping == .zero)
        #expect(at.subtotal == Cents(10_000))
        #expect(at.tax == Cents(800))
        #expect(at.total == Cents(10_800))
    }

    @Test func totalsPastNumericTenTwoAreRefused() {
        #expect(throws: OrderTotals.Failure.tooLarge) {
            try OrderTotals.compute(lines: [(Cents.maximum, 2)], settings: settings)
        }
        #expect(throws: OrderTotals.Failure.tooLarge) {
            // The subtotal fits, but tax and shipping push the total over.
            try OrderTotals.compute(lines: [(Cents(9_999_999_000), 1)], settings: settings)
        }
        #expect(throws: OrderTotals.Failure.tooLarge) {
            try OrderTotals.compute(lines: [(Cents(Int64.max / 2), 999)], settings: settings)
        }
    }
}

@Suite struct OrderStateMachineTests {
    @Test func adminMovesFollowTheContract() {
        #expect(OrderStatus.processing.adminPredecessors == [.paid])
        #expect(OrderStatus.shipped.adminPredecessors == [.paid, .processing])
        #expect(OrderStatus.delivered.adminPredecessors == [.shipped])
        for target in [OrderStatus.pending, .paid, .cancelled] { #expect(target.adminPredecessors.isEmpty) }
    }

    @Test func onlyUnshippedOrdersCanBeCancelled() {
        #expect(OrderStatus.cancellable == [.pending, .paid, .processing])
    }
}

@Suite struct SQLArrayLiteralTests {
    @Test func arrayLiteralsQuoteEveryElement() {
        #expect(SQLFragment.array([]) == "{}")
        #expect(SQLFragment.array(["a", "b c"]) == #"{"a","b c"}"#)
        #expect(SQLFragment.array(["a", nil, #"q""#] as [String?]) == #"{"a",NULL,"q\""}"#)
        #expect(SQLFragment.array([#"say "hi", {ok}\"#]) == #"{"say \"hi\", {ok}\\"}"#)
    }
}

@Suite struct CouponTotalsTests {
    let settings = OrderSettings(
        currency: "usd", taxRatePartsPerMillion: 80_000, shippingFlat: Cents(500), freeShippingMinimum: Cents(10_000),
        paymentTimeoutSeconds: 1800)

    @Test func aCouponComesOffBeforeTaxAndFreeShippingCountsWhatIsLeft() throws {
        let tenPercent = CouponTerms(code: "TEN", kind: .percentage, value: Cents(1000))
        // 105.00 less 10.50 is 94.50: tax 7.56, and below the 100.00 of free shipping.
        let totals = try OrderTotals.compute(lines: [(Cents(5250), 2)], coupon: tenPercent, settings: settings)
        #expect(totals == OrderTotals(subtotal: Cents(10_500), discount: Cents(1050), tax: Cents(756), shipping: Cents(500)))
        #expect(totals.total == Cents(10_706))
        // Half a cent of discount rounds up: 15 % of 0.10 is 0.015 → 0.02.
        #expect(CouponTerms(code: "F", kind: .percentage, value: Cents(1500)).discount(on: Cents(10)) == Cents(2))
        #expect(CouponTerms(code: "ALL", kind: .percentage, value: Cents(10_000)).discount(on: Cents(12_345)) == Cents(12_345))
        // A fixed coupon never takes more than the subtotal.
        let big = CouponTerms(code: "BIG", kind: .fixed, value: Cents(2500))
        let small = try OrderTotals.compute(lines: [(Cents(300), 2)], coupon: big, settings: settings)
        #expect(small.discount == Cents(600) && small.tax == .zero && small.total == Cents(500))
        #expect(big.valueJSON == "25.00" && tenPercent.valueJSON == 10)
    }
}
