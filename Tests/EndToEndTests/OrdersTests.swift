import Foundation
import HTTP
import Postgres
import Testing

extension EndToEndTests {
    /// API.md §6 through nginx: checkout, reads and the state machine.
    @Suite struct Orders {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func checkoutReservesStockSnapshotsTheItemsAndEmptiesTheCart() throws {
            let f = try CatalogFixture(stack: stack)
            // The test stack taxes 8.25 %: 3 × 10.31 + 19.99 = 50.92; tax 4.2009 → 4.20; under 100.00, so 5.00 shipping.
            let mug = try f.product("Mug", price: "10.31", stock: 5)
            let pen = try f.product("Pen", price: "19.99", stock: 2)
            let shopper = try stack.shopper()
            try shopper.add(mug.id, quantity: 3)
            try shopper.add(pen.id, quantity: 1)

            let order = try shopper.order()
            #expect(
                order.objectValue?.keys == [
                    "id", "orderNumber", "status", "paymentStatus", "items", "subtotal", "couponCode", "discount", "tax", "shipping", "total",
                    "currency", "shippingAddress", "billingAddress", "paidAt", "cancelledAt", "createdAt", "updatedAt", "payment", "refunds",
                    "refundedTotal",
                ])
            #expect(order["status"] == "PENDING" && order["paymentStatus"] == "PENDING")
            #expect(order["subtotal"] == "50.92" && order["tax"] == "4.20" && order["shipping"] == "5.00" && order["total"] == "60.12")
            #expect(order["currency"] == "usd" && order["paidAt"] == .null && order["cancelledAt"] == .null)
            // The PaymentIntent made after the commit (the local fake Stripe), shown to its owner.
            #expect(order["payment"]?.objectValue?.keys == ["paymentIntentId", "clientSecret"])
            #expect(order["payment"]?["paymentIntentId"]?.stringValue?.hasPrefix("pi_") == true)
            #expect(order["payment"]?["clientSecret"]?.stringValue?.contains("_secret_") == true)
            #expect(order["orderNumber"]?.stringValue?.hasPrefix("ORD-") == true)
            let items = try #require(order["items"]?.arrayValue)
            #expect(items.count == 2)
            #expect(items[0].objectValue?.keys == ["id", "productId", "name", "sku", "unitPrice", "quantity", "lineTotal"])
            #expect(items[0]["productId"] == .string(mug.id) && items[0]["quantity"] == 3 && items[0]["lineTotal"] == "30.93")
            #expect(items[1]["unitPrice"] == "19.99" && items[1]["sku"] == pen["sku"])
            // The inline address is stored as a copy, its country upper-cased; billing defaults to shipping.
            #expect(order["shippingAddress"]?["country"] == "US" && order["shippingAddress"]?["addressLine2"] == .null)
            #expect(order["shippingAddress"]?.objectValue?.keys == ["firstName", "lastName", "addressLine1", "addressLine2", "city", "state", "postalCode", "country", "phone"])
            #expect(order["billingAddress"] == order["shippingAddress"])

            #expect(try stack.stock(of: mug.id) == 2)
            #expect(try stack.stock(of: pen.id) == 1)
            #expect(try shopper.cart()["items"] == .array([]))
            // The public product page shows the new stock at once.
            #expect(try stack.get("/api/products/\(mug.id)").json["data"]?["stockQuantity"] == 2)

            // The snapshot keeps the name and price as they were.
            #expect(try stack.send("PATCH", "/api/products/\(mug.id)", json: #"{"name":"Renamed \#(f.marker)","price":"99.00"}"#, token: f.admin.accessToken).status == 200)
            let again = try stack.send("GET", "/api/orders/\(order.id)", token: shopper.token)
            #expect(again.status == 200)
            #expect(try again.json["data"]?["items"]?[0]?["name"] == .string("Mug \(f.marker)"))
            #expect(try again.json["data"]?["items"]?[0]?["unitPrice"] == "10.31")
            #expect(try again.json["data"]?["total"] == "60.12")
        }

        @Test func shippingIsFreeFromTheThresholdAndHalfCentsOfTaxRoundUp() throws {
            let f = try CatalogFixture(stack: stack)
            let fifty = try f.product("Fifty", price: "50.00", stock: 10)
            let almost = try f.product("Almost", price: "99.99", stock: 10)
            let two = try f.product("Two", price: "2.00", stock: 10)

            // Exactly 100.00: free shipping; tax 8.25.
            let a = try stack.shopper()
            try a.add(fifty.id, quantity: 2)
            let free = try a.order()
            #expect(free["subtotal"] == "100.00" && free["shipping"] == "0.00" && free["tax"] == "8.25" && free["total"] == "108.25")

            // One cent under: 5.00 shipping; tax 8.249175 → 8.25.
            let b = try stack.shopper()
            try b.add(almost.id)
            let charged = try b.order()
            #expect(charged["subtotal"] == "99.99" && charged["shipping"] == "5.00" && charged["tax"] == "8.25" && charged["total"] == "113.24")

            // 2.00 × 8.25 % = 0.165 exactly: half-up gives 0.17 (half-to-even would give 0.16).
            let c = try stack.shopper()
            try c.add(two.id)
            let half = try c.order()
            #expect(half["subtotal"] == "2.00" && half["tax"] == "0.17" && half["total"] == "7.17")
        }

        @Test func addressesComeFromTheBookOrInlineAndAreCopied() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            let saved = try stack.send(
                "POST", "/api/users/me/addresses",
                json:
                    #"{"type":"shipping","firstName":"Bo","lastName":"Ray","addressLine1":"9 Elm St","addressLine2":"Apt 2","city":"Austin","state":"TX","postalCode":"73301","country":"US","phone":"512 555 0101"}"#,
                token: shopper.token)
            #expect(saved.status == 201)
            let addressId = try #require(try saved.json["data"]?.id)

            try shopper.add(cup.id)
            let order = try shopper.order(#"{"shippingAddressId":"\#(addressId)","billingAddress":\#(Shopper.address)}"#)
            #expect(order["shippingAddress"]?["firstName"] == "Bo" && order["shippingAddress"]?["addressLine2"] == "Apt 2")
            #expect(order["billingAddress"]?["firstName"] == "Ann" && order["billingAddress"]?["country"] == "US")

            // Editing or deleting the address later leaves the order's copy alone.
            #expect(try stack.send("PATCH", "/api/users/me/addresses/\(addressId)", json: #"{"city":"Dallas"}"#, token: shopper.token).status == 200)
            #expect(try stack.send("DELETE", "/api/users/me/addresses/\(addressId)", token: shopper.token).status == 200)
            #expect(try stack.send("GET", "/api/orders/\(order.id)", token: shopper.token).json["data"]?["shippingAddress"]?["city"] == "Austin")
        }

        @Test func badCheckoutsAre400AndChangeNothing() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 10)
            let shopper = try stack.shopper()
            let stranger = try stack.shopper()
            let theirs = try stack.send(
                "POST", "/api/users/me/addresses",
                json: #"{"type":"shipping","firstName":"X","lastName":"Y","addressLine1":"1 A St","city":"B","state":"C","postalCode":"1","country":"US","phone":"555 0100"}"#,
                token: stranger.token)
            let theirId = try #require(try theirs.json["data"]?.id)

            // An empty cart.
            let empty = try shopper.checkout()
            #expect(empty.status == 400)
            #expect(try empty.json["message"] == "Cart is empty")

            try shopper.add(cup.id, quantity: 2)
            let cases: [(String, String)] = [
                ("{}", "shippingAddressId"),
                (#"{"shippingAddressId":"\#(theirId)"}"#, "shippingAddressId"),
                (#"{"shippingAddressId":"\#(UUID().uuidString.lowercased())"}"#, "shippingAddressId"),
                (#"{"shippingAddressId":"nope"}"#, "shippingAddressId"),
                (#"{"shippingAddressId":"\#(theirId)","shippingAddress":\#(Shopper.address)}"#, "shippingAddress"),
                (#"{"shippingAddress":{"firstName":"Ann"}}"#, "shippingAddress.lastName"),
                (
                    #"{"shippingAddress":{"firstName":"Ann","lastName":"Lee","addressLine1":"1 Main St","city":"S","state":"IL","postalCode":"1","country":"USA","phone":"555 0100"}}"#,
                    "shippingAddress.country"
                ),
                (#"{"shippingAddress":\#(Shopper.address),"billingAddress":"home"}"#, "billingAddress"),
                (#"{"shippingAddress":\#(Shopper.address),"cartId":"x"}"#, "cartId"),
                (
                    #"{"shippingAddress":{"id":"x","firstName":"Ann","lastName":"Lee","addressLine1":"1 Main St","city":"S","state":"IL","postalCode":"1","country":"US","phone":"555 0100"}}"#,
                    "shippingAddress.id"
                ),
            ]
            for (body, field) in cases {
                let response = try shopper.checkout(body)
                #expect(response.status == 400, "\(body)")
                #expect(try response.json["details"]?.arrayValue?.contains { $0["field"] == .string(field) } == true, "\(body): \(response.text)")
            }
            #expect(try stack.stock(of: cup.id) == 10)
            #expect(try shopper.cart()["itemCount"] == 2)
            #expect(try stack.send("GET", "/api/orders", token: shopper.token).json["pagination"]?["total"] == 0)
        }

        @Test func aShortLineRefusesTheWholeCheckoutAndNamesEveryShortLine() throws {
            let f = try CatalogFixture(stack: stack)
            let plenty = try f.product("Plenty", stock: 50)
            let scarce = try f.product("Scarce", stock: 3)
            let retired = try f.product("Retired", stock: 9)
            let shopper = try stack.shopper()
            try shopper.add(plenty.id, quantity: 5)
            try shopper.add(scarce.id, quantity: 3)
            try shopper.add(retired.id, quantity: 1)
            // After the lines were added, stock fell and a product left the catalog.
            let db = try stack.database()
            try db.query("UPDATE products SET stock_quantity = 1 WHERE id = $1", [scarce.id])
            #expect(try stack.send("DELETE", "/api/products/\(retired.id)", token: f.admin.accessToken).status == 200)

            let refused = try shopper.checkout()
            #expect(refused.status == 409)
            let details = try #require(try refused.json["details"]?.arrayValue)
            #expect(details.count == 2)
            #expect(details.contains(.object(["field": "quantity", "productId": .string(scarce.id), "requested": 3, "available": 1, "message": "only 1 in stock"])))
            #expect(details.contains(.object(["field": "quantity", "productId": .string(retired.id), "requested": 1, "available": 0, "message": "is no longer available"])))
            #expect(try stack.stock(of: plenty.id) == 50)
            #expect(try stack.stock(of: scarce.id) == 1)
            #expect(try shopper.cart()["itemCount"] == 9)
            #expect(try db.query("SELECT count(*) AS n FROM orders WHERE user_id = $1", [shopper.account.id]).first!.int("n") == 0)
        }

        @Test func ordersAreListedNewestFirstAndOnlyToTheirOwners() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", price: "3.00", stock: 20)
            let shopper = try stack.shopper()
            let other = try stack.shopper()
            var ids: [String] = []
            for quantity in 1...3 {
                try shopper.add(cup.id, quantity: quantity)
                ids.append(try shopper.order().id)
            }
            try other.add(cup.id)
            let theirs = try other.order()

            let list = try stack.send("GET", "/api/orders?limit=2", token: shopper.token)
            #expect(list.status == 200)
            #expect(try list.json["data"]?.arrayValue?.map(\.id) == [ids[2], ids[1]])
            #expect(try list.json["pagination"] == .object(["total": 3, "page": 1, "limit": 2, "totalPages": 2]))
            #expect(try stack.send("GET", "/api/orders?page=2&limit=2", token: shopper.token).json["data"]?.arrayValue?.map(\.id) == [ids[0]])
            #expect(try stack.send("GET", "/api/orders?sort=total:asc", token: shopper.token).json["data"]?.arrayValue?.map(\.id) == ids)
            #expect(try stack.send("GET", "/api/orders?status=PENDING", token: shopper.token).json["pagination"]?["total"] == 3)
            #expect(try stack.send("GET", "/api/orders?status=SHIPPED", token: shopper.token).json["data"] == .array([]))
            for bad in ["status=LOST", "sort=secret:asc", "limit=0", "page=x", "scope=everyone", "userId=nope"] {
                #expect(try stack.send("GET", "/api/orders?\(bad)", token: shopper.token).status == 400, "\(bad)")
            }

            // Another user's order does not exist for this one.
            #expect(try stack.send("GET", "/api/orders/\(theirs.id)", token: shopper.token).status == 404)
            #expect(try stack.send("GET", "/api/orders/\(UUID().uuidString.lowercased())", token: shopper.token).status == 404)
            #expect(try stack.send("GET", "/api/orders/nope", token: shopper.token).status == 400)
            #expect(try stack.send("GET", "/api/orders").status == 401)
            #expect(try stack.send("GET", "/api/orders?scope=all", token: shopper.token).status == 403)

            // Admins see everyone's, and one user's with userId.
            let admin = f.admin
            let all = try stack.send("GET", "/api/orders?scope=all&limit=100", token: admin.accessToken)
            #expect(all.status == 200)
            #expect(try all.json["data"]?.arrayValue?.contains { $0.id == theirs.id } == true)
            let one = try stack.send("GET", "/api/orders?scope=all&userId=\(shopper.account.id)", token: admin.accessToken)
            #expect(try one.json["data"]?.arrayValue?.map(\.id) == ids.reversed())
            #expect(try stack.send("GET", "/api/orders?userId=\(shopper.account.id)", token: admin.accessToken).status == 400)
            let read = try stack.send("GET", "/api/orders/\(theirs.id)", token: admin.accessToken)
            #expect(read.status == 200)
            // Without scope=all an admin's list is their own.
            #expect(try stack.send("GET", "/api/orders", token: admin.accessToken).json["pagination"]?["total"] == 0)
        }

        @Test func cancellingReturnsStockOnceAndTellsTheCustomer() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", price: "4.00", stock: 6)
            let shopper = try stack.shopper()
            let other = try stack.shopper()
            try shopper.add(cup.id, quantity: 4)
            let order = try shopper.order()
            #expect(try stack.stock(of: cup.id) == 2)

            #expect(try stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: other.token).status == 404)
            let cancelled = try stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: shopper.token)
            #expect(cancelled.status == 200)
            #expect(try cancelled.json["data"]?["status"] == "CANCELLED")
            #expect(try cancelled.json["data"]?["cancelledAt"]?.stringValue?.hasSuffix("Z") == true)
            #expect(try stack.stock(of: cup.id) == 6)
            #expect(try stack.get("/api/products/\(cup.id)").json["data"]?["stockQuantity"] == 6)

            let again = try stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: shopper.token)
            #expect(again.status == 409)
            #expect(try again.json["message"] == "An order that is CANCELLED cannot be cancelled")
            #expect(try stack.stock(of: cup.id) == 6)

            let mail = Mailbox(stack: stack).waitForMessages(to: shopper.account.email, count: 2)
            let notice = try #require(mail.first { $0.subject?.contains("was cancelled") == true })
            #expect(notice.decodedBody.contains(order["orderNumber"]?.stringValue ?? "?"))
            #expect(notice.decodedBody.contains("Nothing was charged"))
            #expect(notice.decodedBody.contains("4 × Cup \(f.marker)"))

            // An admin may cancel anyone's order; a paid one is refunded (told in the email).
            try shopper.add(cup.id, quantity: 1)
            let paid = try shopper.order()
            try stack.database().query("UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED', paid_at = now() WHERE id = $1", [paid.id])
            let byAdmin = try stack.send("PATCH", "/api/orders/\(paid.id)/cancel", token: f.admin.accessToken)
            #expect(byAdmin.status == 200)
            #expect(try stack.stock(of: cup.id) == 6)
            let refundMail = Mailbox(stack: stack).waitForMessages(to: shopper.account.email, count: 3).last
            #expect(refundMail?.decodedBody.contains("cancelled by the store") == true)
            #expect(refundMail?.decodedBody.contains("will be refunded") == true)
        }

    }
}
