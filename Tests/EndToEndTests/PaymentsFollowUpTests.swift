import Foundation
import HTTP
import HTTPClient
import Postgres
import Testing

extension EndToEndTests.Payments {
    // After payment: cancels and refunds, the shipped mail, refunds retried by the jobs process,
    // and the webhook while the database is down.
    @Test func cancellingAnUnpaidOrderCancelsItsIntent() throws {
        let (shopper, placed, product, _) = try placedOrder()
        let intent = try intentId(placed)
        let before = try stack.metrics().value("payments_total", ["status": "canceled"])
        #expect(try stack.send("PATCH", "/api/orders/\(placed.id)/cancel", token: shopper.token).status == 200)
        let cancel = try #require(try stripe.calls().first { $0.path == "/v1/payment_intents/\(intent)/cancel" })
        #expect(cancel.headers["idempotency-key"] == "order-\(placed.id)-cancel-\(intent)")
        #expect(try stack.stock(of: product.id) == 10)
        #expect(try stack.database().query("SELECT status FROM payments WHERE payment_intent_id = $1", [intent]).first?.string("status") == "canceled")
        #expect(try stack.metrics().value("payments_total", ["status": "canceled"]) == before + 1)
        #expect(try createIntent(placed.id, shopper).status == 409)
    }

    @Test func cancellingAPaidOrderRefundsItAndChargeRefundedCompletesIt() throws {
        let (shopper, placed, product, _) = try placedOrder()
        let intent = try intentId(placed)
        _ = try stripe.pay(intent)
        let cancelled = try stack.send("PATCH", "/api/orders/\(placed.id)/cancel", token: shopper.token)
        #expect(cancelled.status == 200)
        #expect(try cancelled.json["data"]?["status"] == "CANCELLED")
        #expect(try stack.stock(of: product.id) == 10)
        let refunds = try stripe.calls().filter { $0.path == "/v1/refunds" }
        #expect(refunds.count == 1)
        #expect(refunds.first?.field("payment_intent") == intent)
        #expect(refunds.first?.headers["idempotency-key"] == "order-\(placed.id)-refund-\(intent)")
        // The fake delivers charge.refunded, as Stripe does.
        #expect(try stack.eventually(10) { try order(placed.id, shopper)["paymentStatus"] == "REFUNDED" })
        #expect(try order(placed.id, shopper)["status"] == "CANCELLED")
        let number = placed["orderNumber"]?.stringValue ?? "?"
        let mails = orderMails(shopper, count: 3)
        #expect(mails.map { $0.subject ?? "" } == ["Order \(number) confirmed", "Your order \(number) was cancelled", "Refund issued for order \(number)"])
        #expect(mails.last?.decodedBody.contains("refunded 26.65 USD") == true)
        #expect(mails.last?.html?.contains("<strong>26.65 USD</strong>") == true)
        // Cancelling again is a 409 and makes no second refund.
        #expect(try stack.send("PATCH", "/api/orders/\(placed.id)/cancel", token: shopper.token).status == 409)
        #expect(try stripe.calls().filter { $0.path == "/v1/refunds" }.count == 1)
    }

    @Test func shippingAPaidOrderMailsTheCustomerWithItsLinesAndAddress() throws {
        let (shopper, placed, _, f) = try placedOrder(quantity: 3)
        _ = try stripe.pay(try intentId(placed))
        let shipped = try stack.send("PATCH", "/api/orders/\(placed.id)/status", json: #"{"status":"SHIPPED"}"#, token: f.admin.accessToken)
        #expect(shipped.status == 200)
        let number = placed["orderNumber"]?.stringValue ?? "?"
        let mails = orderMails(shopper, count: 2)
        #expect(mails.map { $0.subject ?? "" } == ["Order \(number) confirmed", "Your order \(number) has shipped"])
        let mail = try #require(mails.last)
        // 30.00 + 2.48 tax + 5.00 shipping.
        #expect(mail.decodedBody.contains("3 × Lamp \(f.marker)") && mail.decodedBody.contains("Total: 37.48 USD"))
        #expect(mail.decodedBody.contains("1 Main St"))
        #expect(mail.html?.contains("<td>Lamp \(f.marker)</td>") == true)
        #expect(mail.html?.contains("<strong>37.48 USD</strong>") == true)
    }

    @Test func aPaymentThatLandsOnACancelledOrderIsRefunded() throws {
        let (shopper, placed, _, _) = try placedOrder()
        let intent = try intentId(placed)
        #expect(try stack.send("PATCH", "/api/orders/\(placed.id)/cancel", token: shopper.token).status == 200)
        // The customer's payment went through before the cancel reached Stripe.
        #expect(try stripe.pay(intent).webhookStatus == 200)
        #expect(try stack.eventually(10) { try order(placed.id, shopper)["paymentStatus"] == "REFUNDED" })
        let now = try order(placed.id, shopper)
        #expect(now["status"] == "CANCELLED" && now["paidAt"] == .null)
        #expect(try stripe.calls().filter { $0.path == "/v1/refunds" }.count == 1)
    }

    @Test func aRefundStripeCouldNotTakeIsRetriedByTheJobsProcess() throws {
        let (shopper, placed, _, _) = try placedOrder()
        let intent = try intentId(placed)
        _ = try stripe.pay(intent)
        try stripe.mode("drop")
        #expect(try stack.send("PATCH", "/api/orders/\(placed.id)/cancel", token: shopper.token).status == 200)
        try stripe.mode("ok")
        let db = try stack.database()
        #expect(
            try db.query("SELECT refund_id, last_error FROM payments WHERE payment_intent_id = $1", [intent]).first.map {
                $0.string("refund_id") == nil && $0.string("last_error") != nil
            } == true)
        #expect(try order(placed.id, shopper)["paymentStatus"] == "SUCCEEDED")
        // The jobs process waits 30 s after the last try; the test makes that time pass.
        try db.query("UPDATE payments SET updated_at = now() - interval '1 minute' WHERE payment_intent_id = $1", [intent])
        #expect(try stack.eventually(15) { try order(placed.id, shopper)["paymentStatus"] == "REFUNDED" })
        #expect(try stripe.calls().filter { $0.path == "/v1/refunds" && $0.headers["idempotency-key"] == "order-\(placed.id)-refund-\(intent)" }.count >= 2)
    }

    @Test func theWebhookAnswers5xxWhileTheDatabaseIsDownAndALaterRetrySucceeds() throws {
        let (shopper, placed, _, _) = try placedOrder()
        let intent = try intentId(placed)
        try stack.script("services.sh", "pg-stop")
        var restarted = false
        defer { if !restarted { try? stack.script("services.sh", "pg-start") } }
        let (event, status) = try stripe.pay(intent)
        #expect(status == 503)
        try stack.script("services.sh", "pg-start")
        restarted = true
        // Stripe retries the same event.
        let body = JSONWriter.encode(event)
        #expect(try stack.eventually(10) { try stack.webhook(body, signature: stripe.signature(body)).status == 200 })
        let now = try order(placed.id, shopper)
        #expect(now["status"] == "PAID" && now["paymentStatus"] == "SUCCEEDED")
        #expect(try eventCount(intent) == 1)
    }
}
