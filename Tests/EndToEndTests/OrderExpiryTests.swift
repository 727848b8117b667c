import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// The running jobs process cancels orders left unpaid past ORDER_PAYMENT_TIMEOUT.
    @Suite struct OrderExpiry {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func unpaidOrdersPastTheTimeoutAreCancelledAndRestocked() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 5)
            let shopper = try stack.shopper()
            try shopper.add(cup.id, quantity: 2)
            let stale = try shopper.order()
            try shopper.add(cup.id, quantity: 1)
            let fresh = try shopper.order()
            try shopper.add(cup.id, quantity: 1)
            let paid = try shopper.order()
            #expect(try stack.stock(of: cup.id) == 1)

            let db = try stack.database()
            // The test stack's timeout is the default 1800 s; these two are older than that.
            try db.query("UPDATE orders SET created_at = now() - interval '31 minutes' WHERE id = ANY($1::uuid[])", ["{\(stale.id),\(paid.id)}"])
            try db.query("UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED', paid_at = now() WHERE id = $1", [paid.id])

            let status = { (id: String) in try db.query("SELECT status FROM orders WHERE id = $1", [id]).first!.string("status")! }
            #expect(try stack.eventually(10) { try status(stale.id) == "CANCELLED" })
            #expect(try status(fresh.id) == "PENDING")
            #expect(try status(paid.id) == "PAID")
            #expect(try stack.stock(of: cup.id) == 3)
            #expect(try stack.get("/api/products/\(cup.id)").json["data"]?["stockQuantity"] == 3)
            let notice = Mailbox(stack: stack).waitForMessages(to: shopper.account.email, count: 2).last
            #expect(notice?.decodedBody.contains("payment did not arrive within 30 minutes") == true)
        }

        @Test func idempotencyKeysArePurgedAfterADay() throws {
            let shopper = try stack.shopper()
            let db = try stack.database()
            try db.query(
                """
                INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, created_at)
                VALUES ($1, 'orders', 'old', '\\x00', 'done', now() - interval '25 hours'), ($1, 'orders', 'recent', '\\x00', 'done', now() - interval '23 hours')
                """, [shopper.account.id])
            let (status, _) = try Subprocess.run(stack.binary, ["jobs", "--once"], environment: try stack.environmentFile())
            #expect(status == 0)
            let keys = try db.query("SELECT key FROM idempotency_keys WHERE user_id = $1 ORDER BY key", [shopper.account.id]).rows.map { $0.string("key")! }
            #expect(keys == ["recent"])
        }
    }
}
