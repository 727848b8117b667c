import Foundation
import HTTP
import Postgres
import Testing

extension EndToEndTests.Orders {
    // Orders moved along by admins, and counted in the metrics.
    @Test func adminsMoveOrdersAlongTheStateMachineOnly() throws {
        let f = try CatalogFixture(stack: stack)
        let cup = try f.product("Cup", stock: 10)
        let shopper = try stack.shopper()
        try shopper.add(cup.id)
        let order = try shopper.order()
        func move(_ status: String, token: String? = nil) throws -> Int {
            try stack.send("PATCH", "/api/orders/\(order.id)/status", json: #"{"status":"\#(status)"}"#, token: token ?? f.admin.accessToken).status
        }
        #expect(try move("PROCESSING", token: shopper.token) == 403)
        // Unpaid: nothing moves it but payment or cancel.
        for status in ["PAID", "PROCESSING", "SHIPPED", "DELIVERED", "CANCELLED", "PENDING"] { #expect(try move(status) == 409, "\(status)") }
        #expect(try move("LOST") == 400)
        #expect(try stack.send("PATCH", "/api/orders/\(order.id)/status", json: #"{"status":"SHIPPED","note":"x"}"#, token: f.admin.accessToken).status == 400)
        #expect(try stack.send("PATCH", "/api/orders/\(UUID().uuidString.lowercased())/status", json: #"{"status":"SHIPPED"}"#, token: f.admin.accessToken).status == 404)

        try stack.database().query("UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED', paid_at = now() WHERE id = $1", [order.id])
        #expect(try move("DELIVERED") == 409)
        #expect(try move("PROCESSING") == 200)
        #expect(try move("PAID") == 409)
        let shipped = try stack.send("PATCH", "/api/orders/\(order.id)/status", json: #"{"status":"SHIPPED"}"#, token: f.admin.accessToken)
        #expect(shipped.status == 200)
        #expect(try shipped.json["data"]?["status"] == "SHIPPED")
        #expect(try stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: shopper.token).status == 409)
        #expect(try move("DELIVERED") == 200)
        #expect(try move("SHIPPED") == 409)
        #expect(try stack.send("GET", "/api/orders/\(order.id)", token: shopper.token).json["data"]?["status"] == "DELIVERED")

        let mail = Mailbox(stack: stack).waitForMessages(to: shopper.account.email, count: 2)
        let notice = try #require(mail.first { $0.header("Subject")?.contains("has shipped") == true })
        #expect(notice.decodedBody.contains("1 Main St"))

        // PAID → SHIPPED directly is allowed.
        try shopper.add(cup.id)
        let second = try shopper.order()
        try stack.database().query("UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED' WHERE id = $1", [second.id])
        #expect(try stack.send("PATCH", "/api/orders/\(second.id)/status", json: #"{"status":"SHIPPED"}"#, token: f.admin.accessToken).status == 200)
    }

    @Test func ordersAreCountedInTheMetrics() throws {
        let f = try CatalogFixture(stack: stack)
        let cup = try f.product("Cup", stock: 10)
        let shopper = try stack.shopper()
        let before = try stack.metrics().value("orders_created_total")
        for _ in 0..<3 {
            try shopper.add(cup.id)
            _ = try shopper.order()
        }
        _ = try shopper.checkout() // an empty cart places nothing
        #expect(try stack.metrics().value("orders_created_total") - before == 3)
    }
}
