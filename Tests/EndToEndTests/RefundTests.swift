import Foundation
import HTTP
import HTTPClient
import Postgres
import Testing

extension EndToEndTests.Payments {
    // API.md §12.4: partial refunds by an admin, confirmed by charge.refunded.

    /// A paid order of 20 × 10.00: 200.00 + 8.25 % tax (16.50), free shipping: 216.50.
    func paidOrder() throws -> (shopper: Shopper, order: JSONValue, fixture: CatalogFixture) {
        let (shopper, placed, _, f) = try placedOrder(quantity: 20, stock: 30)
        #expect(placed["total"] == "216.50")
        #expect(try stripe.pay(try intentId(placed)).webhookStatus == 200)
        #expect(try stack.eventually(10) { try order(placed.id, shopper)["status"] == "PAID" })
        return (shopper, placed, f)
    }

    func refund(_ orderId: String, _ body: String, admin: Account, key: String? = nil) throws -> HTTPClientResponse {
        var headers = [("Content-Type", "application/json"), ("Authorization", "Bearer " + admin.accessToken)]
        if let key { headers.append(("Idempotency-Key", key)) }
        return try stack.request("POST", "/api/orders/\(orderId)/refunds", headers: headers, body: Array(body.utf8))
    }

    @Test func anAdminRefundsPartOfAnOrderThenTheRestAndStripeConfirmsEach() throws {
        let (shopper, placed, f) = try paidOrder()
        let first = try refund(placed.id, #"{"amount":"50.00","reason":"one lamp arrived broken"}"#, admin: f.admin)
        #expect(first.status == 201)
        let created = try #require(try first.json["data"])
        #expect(created.objectValue?.keys == ["id", "amount", "reason", "status", "stripeRefundId", "createdAt"])
        #expect(created["amount"] == "50.00" && created["reason"] == "one lamp arrived broken" && created["status"] == "pending")
        #expect(created["stripeRefundId"]?.stringValue?.hasPrefix("re_") == true)
        let call = try #require(try stripe.calls().last { $0.path == "/v1/refunds" })
        let intent = try intentId(placed)
        #expect(call.field("amount") == "5000" && call.field("payment_intent") == intent)
        #expect(call.headers["idempotency-key"] == "order-\(placed.id)-refund-\(created.id)")

        #expect(try stack.eventually(10) { try order(placed.id, shopper)["paymentStatus"] == "PARTIALLY_REFUNDED" })
        let partly = try order(placed.id, shopper)
        #expect(partly["status"] == "PAID" && partly["refundedTotal"] == "50.00")
        #expect(partly["refunds"]?.arrayValue?.map { $0["status"] } == ["succeeded"])

        // What remains, and not a cent more.
        let tooMuch = try refund(placed.id, #"{"amount":"166.51"}"#, admin: f.admin)
        #expect(tooMuch.status == 409)
        #expect(try tooMuch.json["details"] == .array([.object(["field": "amount", "message": "at most 166.50 remains refundable"])]))
        #expect(try refund(placed.id, #"{"amount":166.5}"#, admin: f.admin).status == 201)
        #expect(try stack.eventually(10) { try order(placed.id, shopper)["paymentStatus"] == "REFUNDED" })
        let refunded = try order(placed.id, shopper)
        #expect(refunded["refundedTotal"] == "216.50" && refunded["refunds"]?.arrayValue?.count == 2)
        #expect(try refund(placed.id, #"{"amount":"0.01"}"#, admin: f.admin).status == 409)

        // One email per refund, each with its amount.
        let number = placed["orderNumber"]?.stringValue ?? "?"
        let mails = orderMails(shopper, count: 3).filter { $0.subject == "Refund issued for order \(number)" }
        #expect(mails.count == 2)
        #expect(mails.map(\.decodedBody).contains { $0.contains("50.00 USD") } && mails.map(\.decodedBody).contains { $0.contains("166.50 USD") })
    }

    @Test func refundsAreRefusedWhereTheContractSays() throws {
        let (shopper, placed, _, f) = try placedOrder()
        // Unpaid: nothing to refund.
        let unpaid = try refund(placed.id, #"{"amount":"1.00"}"#, admin: f.admin)
        #expect(unpaid.status == 409)
        #expect(try unpaid.json["message"] == "An order that is PENDING with payment PENDING cannot be refunded")
        for bad in [#"{"amount":"0.00"}"#, #"{"amount":-1}"#, #"{"amount":"1.001"}"#, #"{}"#, #"{"amount":"1.00","reason":"\#(String(repeating: "x", count: 501))"}"#] {
            let refused = try refund(placed.id, bad, admin: f.admin)
            #expect(refused.status == 400, "\(bad)")
            #expect(try refused.json["details"]?[0]?["field"] != nil, "\(bad)")
        }
        #expect(try refund(UUID().uuidString.lowercased(), #"{"amount":"1.00"}"#, admin: f.admin).status == 404)
        let notAdmin = try stack.request(
            "POST", "/api/orders/\(placed.id)/refunds", headers: [("Content-Type", "application/json"), ("Authorization", "Bearer " + shopper.token)],
            body: Array(#"{"amount":"1.00"}"#.utf8))
        #expect(notAdmin.status == 403)
        #expect(try stripe.calls().filter { $0.path == "/v1/refunds" }.isEmpty)
    }

    @Test func aRetriedRefundWithItsIdempotencyKeyIsMadeOnce() throws {
        let (shopper, placed, f) = try paidOrder()
        let first = try refund(placed.id, #"{"amount":"10.00"}"#, admin: f.admin, key: "refund-\(placed.id)")
        let again = try refund(placed.id, #"{"amount":"10.00"}"#, admin: f.admin, key: "refund-\(placed.id)")
        #expect(first.status == 201 && again.status == 201)
        #expect(again.header("idempotent-replayed") == "true")
        #expect(try again.json["data"]?.id == first.json["data"]?.id)
        #expect(try refund(placed.id, #"{"amount":"11.00"}"#, admin: f.admin, key: "refund-\(placed.id)").status == 409)
        #expect(try stripe.calls().filter { $0.path == "/v1/refunds" }.count == 1)
        #expect(try stack.eventually(10) { try order(placed.id, shopper)["refundedTotal"] == "10.00" })
    }

    @Test func twentyConcurrentRefundsOfATenthEachNeverPassWhatWasPaid() throws {
        let (shopper, placed, f) = try paidOrder()
        let statuses = stack.race(20) { _ in (try? refund(placed.id, #"{"amount":"21.65"}"#, admin: f.admin).status) ?? -1 }
        #expect(statuses.filter { $0 == 201 }.count == 10)
        #expect(statuses.filter { $0 == 409 }.count == 10)
        let db = try stack.database()
        let sums = try db.query(
            "SELECT (SELECT refunded_total::text FROM orders WHERE id = $1) AS reserved, (SELECT sum(amount)::text FROM refunds WHERE order_id = $1) AS made",
            [placed.id])
        #expect(sums.first?.string("reserved") == "216.50" && sums.first?.string("made") == "216.50")
        let asked = try stripe.calls().filter { $0.path == "/v1/refunds" && $0.field("payment_intent") == (try? intentId(placed)) }
        #expect(asked.compactMap { $0.field("amount").flatMap(Int.init) }.reduce(0, +) == 21_650)
        #expect(try stack.eventually(15) { try order(placed.id, shopper)["paymentStatus"] == "REFUNDED" })
    }

    @Test func cancellingAfterAPartialRefundRefundsOnlyWhatRemains() throws {
        let (shopper, placed, f) = try paidOrder()
        #expect(try refund(placed.id, #"{"amount":"16.50"}"#, admin: f.admin).status == 201)
        #expect(try stack.eventually(10) { try order(placed.id, shopper)["paymentStatus"] == "PARTIALLY_REFUNDED" })
        #expect(try stack.send("PATCH", "/api/orders/\(placed.id)/cancel", token: shopper.token).status == 200)
        let last = try #require(try stripe.calls().last { $0.path == "/v1/refunds" })
        #expect(last.field("amount") == "20000")
        #expect(try stack.eventually(10) { try order(placed.id, shopper)["paymentStatus"] == "REFUNDED" })
        let done = try order(placed.id, shopper)
        #expect(done["status"] == "CANCELLED" && done["refundedTotal"] == "216.50")
        #expect(done["refunds"]?.arrayValue?.map { $0["amount"] } == ["16.50", "200.00"])
        #expect(done["refunds"]?[1]?["reason"] == "order cancelled")
        // A cancelled order takes no more refunds.
        #expect(try refund(placed.id, #"{"amount":"1.00"}"#, admin: f.admin).status == 409)
    }

    @Test func aRefundStripeDidNotAnswerIsSentAgainByTheJobsProcess() throws {
        let (shopper, placed, f) = try paidOrder()
        try stripe.mode("drop")
        let pending = try refund(placed.id, #"{"amount":"5.00"}"#, admin: f.admin)
        try stripe.mode("ok")
        #expect(pending.status == 201)
        #expect(try pending.json["data"]?["status"] == "pending" && pending.json["data"]?["stripeRefundId"] == .null)
        let id = try #require(try pending.json["data"]?.id)
        // The jobs process waits 30 s after the last try; the test makes that time pass.
        try stack.database().query("UPDATE refunds SET updated_at = now() - interval '1 minute' WHERE id = $1", [id])
        #expect(try stack.eventually(15) { try order(placed.id, shopper)["paymentStatus"] == "PARTIALLY_REFUNDED" })
        let sent = try stripe.calls().filter { $0.path == "/v1/refunds" && $0.headers["idempotency-key"] == "order-\(placed.id)-refund-\(id)" }
        #expect(sent.count >= 2)
        #expect(try order(placed.id, shopper)["refundedTotal"] == "5.00")
    }
}
