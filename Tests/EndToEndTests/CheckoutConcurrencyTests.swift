import Foundation
import HTTP
import Inventory
import Postgres
import Testing

extension EndToEndTests {
    /// Checkouts, cancels and ships racing each other through nginx and the whole pool.
    @Suite struct CheckoutConcurrency {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func fiftyBuyersOfSevenUnitsSellExactlySeven() throws {
            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", stock: 7)
            let buyers = try (0..<50).map { _ in try stack.shopper() }
            for buyer in buyers { try buyer.add(lamp.id) }

            let statuses = stack.race(buyers.count) { index in (try? buyers[index].checkout().status) ?? -1 }
            #expect(statuses.filter { $0 == 201 }.count == 7)
            #expect(statuses.filter { $0 == 409 }.count == 43)
            #expect(try stack.stock(of: lamp.id) == 0)
            let sold = try stack.database().query("SELECT coalesce(sum(quantity), 0) AS n FROM order_items WHERE product_id = $1", [lamp.id])
            #expect(sold.first!.int("n") == 7)
        }

        /// The cart's lock and the lines read after it travel in one round trip; a checkout that
        /// waited for the lock still reads the cart as the winner left it.
        @Test func oneCartCheckedOutByManyRequestsAtOnceBecomesOneOrder() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", stock: 10)
            let shopper = try stack.shopper()
            try shopper.add(mug.id, quantity: 3)
            let answers = stack.race(6) { _ -> String in
                guard let response = try? shopper.checkout() else { return "no answer" }
                if response.status == 201 { return "order" }
                let message = (try? response.json["message"]) ?? nil
                return message == "Cart is empty" ? "\(response.status) empty" : "\(response.status) \(response.text)"
            }
            #expect(answers.filter { $0 == "order" }.count == 1, "\(answers)")
            #expect(answers.filter { $0 == "400 empty" }.count == 5, "\(answers)")
            #expect(try stack.stock(of: mug.id) == 7)
            let orders = try stack.database().query("SELECT count(*) AS n FROM orders WHERE user_id = $1", [shopper.account.id])
            #expect(orders.first?.int("n") == 1)
        }

        /// Checkout locks its products `FOR NO KEY UPDATE`: a cart add naming a product (its
        /// foreign key takes `KEY SHARE` on the row) does not wait for a checkout holding it.
        @Test func aCartAddDoesNotWaitForACheckoutHoldingTheProduct() throws {
            let f = try CatalogFixture(stack: stack)
            let vase = try f.product("Vase", stock: 10)
            let shopper = try stack.shopper()
            let url = try #require(try stack.environmentFile()["DATABASE_URL"])
            let db = PostgresClient(settings: .init(url: url, applicationName: "checkout-lock-test"))
            let (status, seconds) = try db.withTransaction { db in
                try db.query(StockStore.lockingProducts("p.id", from: "products p WHERE p.id = \(bind: vase.id)::uuid"))
                let started = Date()
                let status = try stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(vase.id)","quantity":1}"#, token: shopper.token).status
                return (status, Date().timeIntervalSince(started))
            }
            #expect(status == 201)
            #expect(seconds < 1, "the add waited \(seconds) s for the product's lock (lock_timeout is 2 s)")
            #expect(try shopper.cart()["itemCount"] == 1)
        }

        @Test func checkoutsLockingProductsInOppositeOrdersNeverDeadlock() throws {
            let f = try CatalogFixture(stack: stack)
            let a = try f.product("A", stock: 1000)
            let b = try f.product("B", stock: 1000)
            let c = try f.product("C", stock: 1000)
            // Half the carts hold A then B then C, the other half C, B, A.
            let buyers = try (0..<24).map { _ in try stack.shopper() }
            for (index, buyer) in buyers.enumerated() {
                for product in index % 2 == 0 ? [a, b, c] : [c, b, a] { try buyer.add(product.id, quantity: 2) }
            }
            let statuses = stack.race(buyers.count) { index in (try? buyers[index].checkout().status) ?? -1 }
            #expect(statuses == Array(repeating: 201, count: buyers.count))
            for product in [a, b, c] { #expect(try stack.stock(of: product.id) == 1000 - 2 * buyers.count) }
            let errors = try stack.logLines().filter { $0.contains("\"request failed\"") && $0.contains("/api/orders") }
            #expect(errors.isEmpty, "\(errors)")
        }

        @Test func aCancelRacingAShipmentHasExactlyOneWinner() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 100)
            let db = try stack.database()
            for _ in 0..<8 {
                let shopper = try stack.shopper()
                try shopper.add(cup.id, quantity: 3)
                let order = try shopper.order()
                try db.query("UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED', paid_at = now() WHERE id = $1", [order.id])
                let stockBefore = try stack.stock(of: cup.id)
                let statuses = stack.race(2) { index in
                    let response =
                        index == 0
                        ? try? stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: shopper.token)
                        : try? stack.send("PATCH", "/api/orders/\(order.id)/status", json: #"{"status":"SHIPPED"}"#, token: f.admin.accessToken)
                    return response?.status ?? -1
                }
                #expect(statuses.sorted() == [200, 409], "\(statuses)")
                let final = try db.query("SELECT status FROM orders WHERE id = $1", [order.id]).first!.string("status")
                if statuses[0] == 200 {
                    #expect(final == "CANCELLED")
                    #expect(try stack.stock(of: cup.id) == stockBefore + 3)
                } else {
                    #expect(final == "SHIPPED")
                    #expect(try stack.stock(of: cup.id) == stockBefore)
                }
            }
        }
    }
}
