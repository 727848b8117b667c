import Foundation
import HTTP
import HTTPClient
import Postgres
import Testing

extension EndToEndTests {
    /// API.md §7 and §8 through nginx, the pool, the local fake of Stripe and the SMTP sink.
    @Suite struct Payments {
        let stack: Stack
        let stripe: FakeStripe
        init() throws {
            stack = try Stack.current()
            stripe = try FakeStripe(stack: stack)
            try stripe.reset()
        }

        /// A shopper with one PENDING order of `quantity` × a 10.00 product: total 10.00 × q + 8.25 % + 5.00.
        func placedOrder(quantity: Int = 2, stock: Int = 10) throws -> (shopper: Shopper, order: JSONValue, product: JSONValue, fixture: CatalogFixture) {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Lamp", price: "10.00", stock: stock)
            let shopper = try stack.shopper()
            try shopper.add(product.id, quantity: quantity)
            return (shopper, try shopper.order(), product, f)
        }

        func order(_ id: String, _ shopper: Shopper) throws -> JSONValue {
            let response = try stack.send("GET", "/api/orders/\(id)", token: shopper.token)
            guard response.status == 200, let data = try response.json["data"] else { throw Stack.StackError("order: \(response.status)") }
            return data
        }

        func intentId(_ order: JSONValue) throws -> String {
            try #require(order["payment"]?["paymentIntentId"]?.stringValue)
        }

        func createIntent(_ orderId: String, _ shopper: Shopper, key: String? = nil) throws -> HTTPClientResponse {
            var headers = [("Content-Type", "application/json"), ("Authorization", "Bearer " + shopper.token)]
            if let key { headers.append(("Idempotency-Key", key)) }
            return try stack.request("POST", "/api/stripe/create-payment-intent", headers: headers, body: Array(#"{"orderId":"\#(orderId)"}"#.utf8))
        }

        /// The order emails to the shopper (after the welcome email), waiting for `count` of them.
        func orderMails(_ shopper: Shopper, count: Int) -> [Mailbox.Message] {
            Mailbox(stack: stack).waitForMessages(to: shopper.account.email, count: count + 1).filter { $0.subject != "Welcome to the store" }
        }

        func eventCount(_ intentId: String) throws -> Int {
            try stack.database().query("SELECT count(*) AS n FROM stripe_events WHERE payment_intent_id = $1", [intentId]).first!.int("n")!
        }

        @Test func theSeedDocumentsFlowEndsPaidWithAConfirmationEmail() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Desk & <Chair>", price: "40.00", stock: 3)
            let before = try stack.metrics()
            // Register, browse, cart, order.
            let shopper = try stack.shopper()
            let found = try stack.get("/api/products?search=\(f.marker)")
            #expect(try found.json["data"]?[0]?["id"] == .string(product.id))
            try shopper.add(product.id, quantity: 2)
            let placed = try shopper.order()
            // 80.00 + 6.60 tax + 5.00 shipping = 91.60 → 9160 cents.
            #expect(placed["total"] == "91.60" && placed["status"] == "PENDING")
            let intent = try intentId(placed)
            let secret = try #require(placed["payment"]?["clientSecret"]?.stringValue)
            #expect(intent.hasPrefix("pi_") && secret.hasPrefix(intent + "_secret_"))

            // What reached Stripe: one form-encoded create with the order's amount, key and metadata.
            let creates = try stripe.calls().filter { $0.path == "/v1/payment_intents" }
            #expect(creates.count == 1)
            let create = try #require(creates.first)
            #expect(create.field("amount") == "9160" && create.field("currency") == "usd")
            #expect(create.field("metadata[order_id]") == placed.id && create.field("metadata[order_number]") == placed["orderNumber"]?.stringValue)
            #expect(create.headers["idempotency-key"] == "order-\(placed.id)-intent-0")
            #expect(create.headers["content-type"] == "application/x-www-form-urlencoded")
            #expect(create.headers["authorization"]?.hasPrefix("Bearer sk_test_") == true)
            #expect(create.headers["stripe-version"] == "2024-06-20")
            #expect(create.body.contains("metadata[order_id]=\(placed.id)"))

            // The storefront asks for the intent again: the same one, no second create.
            let again = try createIntent(placed.id, shopper)
            #expect(again.status == 200)
            let data = try again.json["data"]
            #expect(data?.objectValue?.keys == ["paymentIntentId", "clientSecret", "amount", "currency"])
            #expect(data?["paymentIntentId"] == .string(intent) && data?["clientSecret"] == .string(secret))
            #expect(data?["amount"] == 9160 && data?["currency"] == "usd")
            #expect(try stripe.calls().filter { $0.path == "/v1/payment_intents" }.count == 1)

            // The customer pays; Stripe's signed event arrives through nginx.
            let (_, status) = try stripe.pay(intent)
            #expect(status == 200)
            let paid = try order(placed.id, shopper)
            #expect(paid["status"] == "PAID" && paid["paymentStatus"] == "SUCCEEDED")
            #expect(paid["paidAt"]?.stringValue?.hasSuffix("Z") == true)
            #expect(paid["payment"]?["paymentIntentId"] == .string(intent) && paid["payment"]?["clientSecret"] == .null)
            #expect(
                try stack.database().query("SELECT status, amount_cents FROM payments WHERE payment_intent_id = $1", [intent]).first.map {
                    [$0.string("status"), $0.string("amount_cents")]
                } == ["succeeded", "9160"])

            // The confirmation email, text and HTML, with the lines and totals.
            let mail = try #require(orderMails(shopper, count: 1).first)
            #expect(mail.subject == "Order \(paid["orderNumber"]?.stringValue ?? "?") confirmed")
            #expect(mail.decodedBody.contains("2 × Desk & <Chair> \(f.marker)"))
            #expect(mail.decodedBody.contains("Total: 91.60 USD") && mail.decodedBody.contains("1 Main St"))
            let html = try #require(mail.html)
            #expect(html.contains("<td>Desk &amp; &lt;Chair&gt; \(f.marker)</td>"))
            #expect(html.contains("<strong>91.60 USD</strong>"))

            let after = try stack.metrics()
            #expect(after.value("payments_total", ["status": "created"]) == before.value("payments_total", ["status": "created"]) + 1)
            #expect(after.value("payments_total", ["status": "succeeded"]) == before.value("payments_total", ["status": "succeeded"]) + 1)
            // Sent by the jobs process, counted in its own scoreboard slot.
            #expect(
                try stack.eventually(10) {
                    try stack.metrics().value("emails_sent_total", ["result": "sent"]) >= before.value("emails_sent_total", ["result": "sent"]) + 1
                })
        }

        @Test func aRepeatedEventTakesEffectOnce() throws {
            let (shopper, placed, _, _) = try placedOrder()
            let intent = try intentId(placed)
            let (event, status) = try stripe.pay(intent)
            #expect(status == 200)
            let before = try stack.metrics().value("payments_total", ["status": "succeeded"])
            // Stripe delivers the same event again (a retry after a lost answer), twice.
            let body = JSONWriter.encode(event)
            for _ in 0..<2 {
                let repeatAnswer = try stack.webhook(body, signature: stripe.signature(body))
                #expect(repeatAnswer.status == 200)
                #expect(repeatAnswer.text.contains(#""data":{"received":true}"#))
            }
            #expect(try eventCount(intent) == 1)
            #expect(try stack.metrics().value("payments_total", ["status": "succeeded"]) == before)
            Thread.sleep(forTimeInterval: 1)
            #expect(orderMails(shopper, count: 1).count == 1)
        }

        @Test func anAmountOrCurrencyThatDiffersFromTheOrderNeverMarksItPaid() throws {
            let (shopper, placed, _, _) = try placedOrder()
            let intent = try intentId(placed)
            let before = try stack.metrics().value("payments_total", ["status": "amount_mismatch"])
            // 2 × 10.00 + 1.65 + 5.00 = 26.65; the event says 26.64, then the right amount in eur.
            #expect(try stripe.pay(intent, amount: 2664).webhookStatus == 200)
            #expect(try stripe.pay(intent, currency: "eur").webhookStatus == 200)
            let now = try order(placed.id, shopper)
            #expect(now["status"] == "PENDING" && now["paymentStatus"] == "PENDING" && now["paidAt"] == .null)
            let row = try stack.database().query("SELECT status, last_error FROM payments WHERE payment_intent_id = $1", [intent]).first
            #expect(row?.string("status") == "amount_mismatch")
            #expect(row?.string("last_error") == "paid 2665 eur, order total 2665 usd")
            #expect(try stack.metrics().value("payments_total", ["status": "amount_mismatch"]) == before + 2)
        }

        @Test func eventsOutOfOrderNeverMoveAnOrderBackwards() throws {
            let (shopper, placed, _, _) = try placedOrder()
            let intent = try intentId(placed)
            // A decline first: FAILED, and the order stays open for another try.
            #expect(try stripe.pay(intent, outcome: "failed").webhookStatus == 200)
            var now = try order(placed.id, shopper)
            #expect(now["status"] == "PENDING" && now["paymentStatus"] == "FAILED")
            #expect(now["payment"]?["clientSecret"]?.stringValue != nil)
            #expect(
                try stack.database().query("SELECT last_error FROM payments WHERE payment_intent_id = $1", [intent]).first?.string("last_error")
                    == "Your card was declined.")
            // The second card works.
            let (success, _) = try stripe.pay(intent)
            #expect(try order(placed.id, shopper)["status"] == "PAID")
            // A late decline, as Stripe may deliver it after the success: no change.
            let lateFailure = Stack.stripeEvent(type: "payment_intent.payment_failed", object: success["data"]?["object"] ?? .null)
            #expect(try stack.webhook(lateFailure, signature: stripe.signature(lateFailure)).status == 200)
            now = try order(placed.id, shopper)
            #expect(now["status"] == "PAID" && now["paymentStatus"] == "SUCCEEDED")
            // An event type the service does not handle: 200 and ignored.
            let other = Stack.stripeEvent(type: "customer.created", object: .object(["object": "customer", "id": "cus_1"]))
            #expect(try stack.webhook(other, signature: stripe.signature(other)).status == 200)
        }

        @Test func theWebhookRefusesWhatStripeDidNotSign() throws {
            let (shopper, placed, _, _) = try placedOrder()
            let intent = try intentId(placed)
            let object = JSONValue.object(["id": .string(intent), "object": "payment_intent", "amount": 2665, "currency": "usd", "status": "succeeded"])
            let body = Stack.stripeEvent(type: "payment_intent.succeeded", object: object)
            let now = Int(Date().timeIntervalSince1970)
            var tampered = body
            tampered[tampered.count - 2] = UInt8(ascii: " ")
            let refusals: [(String, [UInt8], String?)] = [
                ("no header", body, nil),
                ("wrong secret", body, stripe.signature(body, secret: "whsec_wrong")),
                ("stale", body, stripe.signature(body, timestamp: now - 301)),
                ("future", body, stripe.signature(body, timestamp: now + 301)),
                ("tampered body", tampered, stripe.signature(body)),
                ("malformed", body, "v1=abc"),
            ]
            for (name, payload, signature) in refusals {
                let answer = try stack.webhook(payload, signature: signature)
                #expect(answer.status == 400, "\(name)")
                #expect(try answer.json["error"] == "BadRequest", "\(name)")
                #expect(try answer.json["path"] == "/api/stripe/webhook", "\(name)")
            }
            #expect(try eventCount(intent) == 0)
            #expect(try order(placed.id, shopper)["status"] == "PENDING")
            // Signed, but not an event: 400 too, and nothing recorded.
            let junk = Array(#"{"hello":"world"}"#.utf8)
            #expect(try stack.webhook(junk, signature: stripe.signature(junk)).status == 400)
            // Several v1 values (a secret being rolled): one matching is enough.
            let rolled = stripe.signature(body, secret: "whsec_old") + ",v1=" + stripe.signature(body).components(separatedBy: "v1=")[1]
            #expect(try stack.webhook(body, signature: rolled).status == 200)
            #expect(try order(placed.id, shopper)["status"] == "PAID")
        }

        @Test func whenStripeCannotBeReachedTheOrderStandsAndCreatePaymentIntentFinishesTheJob() throws {
            // No answer at all, to the first try and both retries (libcurl itself sends a request
            // once more when a kept-alive connection dies unanswered, so there may be more).
            try stripe.mode("drop")
            let (shopper, placed, product, _) = try placedOrder()
            try stripe.mode("ok")
            #expect(placed["payment"] == .null && placed["status"] == "PENDING")
            #expect(try stack.stock(of: product.id) == 8)
            var creates = try stripe.calls().filter { $0.path == "/v1/payment_intents" }
            #expect(creates.count >= 3)
            // Every retry is the same request under the same key.
            #expect(Set(creates.map { $0.headers["idempotency-key"] ?? "" }) == ["order-\(placed.id)-intent-0"])
            #expect(Set(creates.map(\.body)).count == 1)

            // Stripe may have made the intent it never answered for: the same key again.
            let retried = try createIntent(placed.id, shopper)
            #expect(retried.status == 200)
            let intent = try #require(try retried.json["data"]?["paymentIntentId"]?.stringValue)
            creates = try stripe.calls().filter { $0.path == "/v1/payment_intents" }
            #expect(creates.last?.headers["idempotency-key"] == "order-\(placed.id)-intent-0")
            #expect(try order(placed.id, shopper)["payment"]?["paymentIntentId"] == .string(intent))
        }

        @Test func afterStripeAnsweredAnErrorTheNextTryUsesANewKey() throws {
            // Stripe stores its 500 under the key and replays it to each retry.
            try stripe.mode("error500", times: 1)
            let (shopper, placed, _, _) = try placedOrder()
            #expect(placed["payment"] == .null)
            let calls = try stripe.calls().filter { $0.path == "/v1/payment_intents" }
            #expect(calls.count == 3)

            let retried = try createIntent(placed.id, shopper)
            #expect(retried.status == 200)
            #expect(try stripe.calls().last?.headers["idempotency-key"] == "order-\(placed.id)-intent-1")
        }

        @Test func whileStripeIsDownCreatePaymentIntentAnswers503AndChangesNothing() throws {
            try stripe.mode("drop")
            defer { try? stripe.mode("ok") }
            let (shopper, placed, _, _) = try placedOrder()
            let answer = try createIntent(placed.id, shopper)
            #expect(answer.status == 503)
            #expect(try answer.json["error"] == "ServiceUnavailable")
            #expect(answer.header("retry-after") != nil)
            #expect(!answer.text.contains("sk_test_"))
            #expect(try order(placed.id, shopper)["payment"] == .null)
        }

        @Test func aCheckoutAnswersWellInsideTwentySecondsWhenStripeHangs() throws {
            try stripe.mode("hang", times: 1)
            let started = Date()
            let (_, placed, _, _) = try placedOrder()
            // STRIPE_REQUEST_BUDGET is the whole Stripe part (4 s in the tests, 8 s by default); nginx waits 30 s.
            #expect(Date().timeIntervalSince(started) < 20)
            #expect(placed["payment"] == .null && placed["status"] == "PENDING")
        }

        @Test func createPaymentIntentIsTheOwnersForPendingOrdersOnly() throws {
            let (shopper, placed, _, _) = try placedOrder()
            let stranger = try stack.shopper()
            #expect(try createIntent(placed.id, stranger).status == 404)
            #expect(try createIntent(UUID().uuidString.lowercased(), shopper).status == 404)
            let bad = try stack.send("POST", "/api/stripe/create-payment-intent", json: #"{"orderId":"nope"}"#, token: shopper.token)
            #expect(bad.status == 400)
            #expect(try bad.json["details"]?[0]?["field"] == "orderId")
            #expect(try stack.send("POST", "/api/stripe/create-payment-intent", json: #"{"orderId":"\#(placed.id)"}"#).status == 401)

            // Idempotency-Key: the same answer, replayed.
            let first = try createIntent(placed.id, shopper, key: "pay-\(placed.id)")
            let replay = try createIntent(placed.id, shopper, key: "pay-\(placed.id)")
            #expect(first.status == 200 && replay.status == 200 && replay.text == first.text)
            #expect(replay.header("idempotent-replayed") == "true")

            _ = try stripe.pay(try intentId(placed))
            let paid = try createIntent(placed.id, shopper)
            #expect(paid.status == 409)
            #expect(try paid.json["error"] == "Conflict")
        }

    }
}
