import Crypto
import Foundation
import HTTP
import HTTPClient
import Postgres
import Testing

extension EndToEndTests {
    /// `Idempotency-Key` on POST /api/orders (API.md §1).
    @Suite struct OrderIdempotency {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        private func orderCount(_ shopper: Shopper) throws -> Int {
            try stack.database().query("SELECT count(*) AS n FROM orders WHERE user_id = $1", [shopper.account.id]).first!.int("n")!
        }

        @Test func aRepeatReplaysTheFirstAnswerWithoutOrderingTwice() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            try shopper.add(cup.id, quantity: 2)
            let key = "checkout-" + UUID().uuidString

            let first = try shopper.checkout(idempotencyKey: key)
            #expect(first.status == 201)
            #expect(first.header("Idempotent-Replayed") == nil)
            // The cart is empty now, so only a replay can answer 201 again.
            let second = try shopper.checkout(idempotencyKey: key)
            #expect(second.status == 201)
            #expect(second.header("Idempotent-Replayed") == "true")
            #expect(second.body == first.body)
            #expect(try orderCount(shopper) == 1)
            #expect(try stack.stock(of: cup.id) == 8)

            // Keys belong to their user: another user's same key is a new request.
            let other = try stack.shopper()
            try other.add(cup.id)
            let theirs = try other.checkout(idempotencyKey: key)
            #expect(theirs.status == 201)
            #expect(try theirs.json["data"]?.id != first.json["data"]?.id)
        }

        @Test func theSameKeyWithAnotherBodyIs409() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            try shopper.add(cup.id)
            let key = UUID().uuidString
            #expect(try shopper.checkout(idempotencyKey: key).status == 201)
            try shopper.add(cup.id)
            let billing = #"{"shippingAddress":\#(Shopper.address),"billingAddress":\#(Shopper.address)}"#
            let conflict = try shopper.checkout(billing, idempotencyKey: key)
            #expect(conflict.status == 409)
            #expect(try conflict.json["details"]?[0]?["field"] == "Idempotency-Key")
            #expect(try orderCount(shopper) == 1)
            #expect(try shopper.cart()["itemCount"] == 1)
            // Bad keys are 400.
            #expect(try shopper.checkout(idempotencyKey: String(repeating: "k", count: 256)).status == 400)
        }

        @Test func aRefusedCheckoutDoesNotUseUpItsKey() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 1)
            let shopper = try stack.shopper()
            try shopper.add(cup.id)
            try stack.database().query("UPDATE products SET stock_quantity = 0 WHERE id = $1", [cup.id])
            let key = UUID().uuidString
            #expect(try shopper.checkout(idempotencyKey: key).status == 409)
            try stack.database().query("UPDATE products SET stock_quantity = 1 WHERE id = $1", [cup.id])
            // Nothing was done, so the same key may try again, and then it replays that success.
            #expect(try shopper.checkout(idempotencyKey: key).status == 201)
            #expect(try shopper.checkout(idempotencyKey: key).header("Idempotent-Replayed") == "true")
            #expect(try orderCount(shopper) == 1)
        }

        @Test func anAbandonedClaimIsTakenOverAndAnExpiredKeyServesAgain() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            let db = try stack.database()
            let body = Shopper.inlineShipping
            let hash = SQLFragment.bytea(Digest.sha256(Array("POST /api/orders\n".utf8) + Array(body.utf8)))
            // A worker died holding a claim three minutes ago: the same request takes it over.
            try db.query(
                "INSERT INTO idempotency_keys (user_id, scope, key, request_hash, created_at) VALUES ($1, 'orders', 'abandoned', $2::bytea, now() - interval '3 minutes')",
                [shopper.account.id, hash])
            try shopper.add(cup.id)
            #expect(try shopper.checkout(body, idempotencyKey: "abandoned").status == 201)
            // A claim younger than that still counts as running.
            try db.query(
                "INSERT INTO idempotency_keys (user_id, scope, key, request_hash, created_at) VALUES ($1, 'orders', 'young', $2::bytea, now() - interval '30 seconds')",
                [shopper.account.id, hash])
            try shopper.add(cup.id)
            #expect(try shopper.checkout(body, idempotencyKey: "young").status == 409)
            // A finished key older than 24 h replays nothing, even for another body: the request runs anew.
            try db.query(
                """
                INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, response_status, response_body, created_at)
                VALUES ($1, 'orders', 'old', '\\x00', 'done', 201, convert_to('{}', 'UTF8'), now() - interval '25 hours')
                """, [shopper.account.id])
            let fresh = try shopper.checkout(body, idempotencyKey: "old")
            #expect(fresh.status == 201)
            #expect(fresh.header("Idempotent-Replayed") == nil)
            #expect(try orderCount(shopper) == 2)
        }

        @Test func aDuplicateWhileTheFirstRunsIs409() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            try shopper.add(cup.id)
            let key = UUID().uuidString

            // Hold the cart's row lock so the first checkout stops inside its transaction,
            // after it has claimed the key.
            let db = try stack.database()
            try db.query("BEGIN")
            try db.query("SELECT id FROM carts WHERE user_id = $1 FOR UPDATE", [shopper.account.id])
            let first = Locked<Int?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread {
                first.mutate { $0 = (try? shopper.checkout(idempotencyKey: key).status) ?? -1 }
                done.signal()
            }.start()
            #expect(
                stack.eventually(1.5) {
                    (try? db.query("SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND state = 'running'", [shopper.account.id, key]).rowCount) == 1
                })
            let duplicate = try shopper.checkout(idempotencyKey: key)
            try db.query("COMMIT")
            done.wait()

            #expect(duplicate.status == 409)
            #expect(try duplicate.json["message"] == "A request with this Idempotency-Key is still in progress")
            #expect(first.value == 201)
            #expect(try shopper.checkout(idempotencyKey: key).status == 201)
            #expect(try orderCount(shopper) == 1)
        }

        @Test func aDuplicateWhileThePaymentIsBeingMadeIs409AndTheReplayCarriesThePayment() throws {
            let stripe = try FakeStripe(stack: stack)
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            try shopper.add(cup.id)
            let key = UUID().uuidString
            // The order commits at once; its PaymentIntent takes Stripe two seconds.
            try stripe.delay(2, times: 1)
            let first = Locked<HTTPClientResponse?>(nil)
            let done = DispatchSemaphore(value: 0)
            Thread {
                first.mutate { $0 = try? shopper.checkout(idempotencyKey: key) }
                done.signal()
            }.start()
            let db = try stack.database()
            #expect(
                stack.eventually(1.5) {
                    (try? db.query("SELECT 1 FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND state = 'committed'", [shopper.account.id, key]).rowCount) == 1
                })
            let duplicate = try shopper.checkout(idempotencyKey: key)
            done.wait()
            try stripe.reset()

            #expect(duplicate.status == 409)
            #expect(try duplicate.json["details"]?[0]?["field"] == "Idempotency-Key")
            let answer = try #require(first.value)
            #expect(answer.status == 201)
            let intent = try answer.json["data"]?["payment"]?["paymentIntentId"]?.stringValue
            #expect(intent?.hasPrefix("pi_") == true)
            let replay = try shopper.checkout(idempotencyKey: key)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(try replay.json["data"]?["payment"]?["paymentIntentId"]?.stringValue == intent)
            #expect(replay.body == answer.body)
            #expect(try orderCount(shopper) == 1)
        }

        @Test func aCommittedAnswerWhoseRequestDiedIsReplayedOnceAbandoned() throws {
            let shopper = try stack.shopper()
            let db = try stack.database()
            let body = Shopper.inlineShipping
            let hash = SQLFragment.bytea(Digest.sha256(Array("POST /api/orders\n".utf8) + Array(body.utf8)))
            try db.query(
                """
                INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, response_status, response_body, created_at)
                VALUES ($1, 'orders', 'died-after-commit', $2::bytea, 'committed', 201, convert_to('{"data":"committed"}', 'UTF8'), now() - interval '3 minutes')
                """, [shopper.account.id, hash])
            let replay = try shopper.checkout(body, idempotencyKey: "died-after-commit")
            #expect(replay.status == 201)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(replay.text == #"{"data":"committed"}"#)
            #expect(try orderCount(shopper) == 0)
        }
    }
}
