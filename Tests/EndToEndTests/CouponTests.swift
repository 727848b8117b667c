import Foundation
import HTTP
import HTTPClient
import Testing

extension CatalogFixture {
    /// A coupon made by the fixture's admin; `fields` are extra JSON members.
    func coupon(_ code: String, type: String = "percentage", value: String = "10", _ fields: String = "") throws -> JSONValue {
        let response = try stack.send(
            "POST", "/api/coupons", json: #"{"code":"\#(code)","type":"\#(type)","value":\#(value)\#(fields)}"#, token: admin.accessToken)
        guard response.status == 201, let data = try response.json["data"] else { throw Stack.StackError("coupon: \(response.status) \(response.text)") }
        return data
    }

    /// A code no other test uses.
    func code(_ prefix: String) -> String { (prefix + "-" + marker).uppercased() }

    /// The coupon's redemption count as PostgreSQL has it.
    func redemptions(of code: String) throws -> Int? {
        try stack.database().query("SELECT redemptions FROM coupons WHERE code = $1", [code]).first?.int("redemptions")
    }
}

extension Shopper {
    func applyCoupon(_ code: String) throws -> HTTPClientResponse {
        try stack.send("POST", "/api/cart/coupon", json: #"{"code":"\#(code)"}"#, token: token)
    }
}

extension EndToEndTests {
    /// API.md §12.2 through nginx.
    @Suite struct Coupons {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func adminsCreateListChangeAndDeleteCoupons() throws {
            let f = try CatalogFixture(stack: stack)
            let code = f.code("save")
            let created = try f.coupon(code.lowercased(), value: "15", #","minSubtotal":"20.00","maxRedemptions":100,"endsAt":"2099-01-01T00:00:00Z""#)
            #expect(
                created.objectValue?.keys == [
                    "id", "code", "type", "value", "minSubtotal", "startsAt", "endsAt", "maxRedemptions", "maxRedemptionsPerUser",
                    "redemptions", "isActive", "createdAt", "updatedAt",
                ])
            // Stored upper-case; a percentage is an integer, money a string.
            #expect(created["code"] == .string(code) && created["type"] == "percentage" && created["value"] == 15)
            #expect(created["minSubtotal"] == "20.00" && created["endsAt"] == "2099-01-01T00:00:00.000Z" && created["startsAt"] == .null)
            #expect(created["redemptions"] == 0 && created["isActive"] == true && created["maxRedemptionsPerUser"] == .null)
            let fixed = try f.coupon(f.code("five"), type: "fixed", value: #""5.00""#)
            #expect(fixed["value"] == "5.00")

            // Unique ignoring case.
            let taken = try stack.send("POST", "/api/coupons", json: #"{"code":"\#(code.lowercased())","type":"fixed","value":"1.00"}"#, token: f.admin.accessToken)
            #expect(taken.status == 409)
            #expect(try taken.json["details"]?[0]?["field"] == "code")

            // Bad input: 400 with every field named, and nothing written.
            let bad = try stack.send(
                "POST", "/api/coupons",
                json: #"{"code":"x!","type":"percentage","value":150,"startsAt":"2026-02-30T00:00:00Z","maxRedemptions":0,"extra":1}"#,
                token: f.admin.accessToken)
            #expect(bad.status == 400)
            let fields = Set((try bad.json["details"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue })
            #expect(fields == ["code", "value", "startsAt", "maxRedemptions", "extra"])
            let window = try stack.send(
                "POST", "/api/coupons",
                json: #"{"code":"\#(f.code("win"))","type":"fixed","value":"1.00","startsAt":"2026-12-02T00:00:00Z","endsAt":"2026-12-01T00:00:00+01:00"}"#,
                token: f.admin.accessToken)
            #expect(window.status == 400)
            #expect(try window.json["details"]?[0]?["field"] == "endsAt")
            #expect(try stack.database().query("SELECT count(*) AS n FROM coupons WHERE code = $1", [f.code("win")]).first?.int("n") == 0)

            // Read, list, change.
            let id = created.id
            #expect(try stack.send("GET", "/api/coupons/\(id)", token: f.admin.accessToken).json["data"]?["code"] == .string(code))
            let list = try stack.send("GET", "/api/coupons?limit=100&isActive=true", token: f.admin.accessToken)
            #expect(list.status == 200)
            #expect(try list.json["data"]?.arrayValue?.contains { $0.id == id } == true)
            #expect(try (list.json["pagination"]?["total"]?.intValue ?? 0) >= 2)
            let patched = try stack.send("PATCH", "/api/coupons/\(id)", json: #"{"value":20,"minSubtotal":null,"isActive":false}"#, token: f.admin.accessToken)
            #expect(patched.status == 200)
            #expect(try patched.json["data"]?["value"] == 20 && patched.json["data"]?["minSubtotal"] == .null && patched.json["data"]?["isActive"] == false)
            #expect(try stack.send("PATCH", "/api/coupons/\(id)", json: #"{"value":101}"#, token: f.admin.accessToken).status == 400)
            #expect(try stack.send("PATCH", "/api/coupons/\(id)", json: #"{"type":"fixed"}"#, token: f.admin.accessToken).status == 400)

            // Admins only.
            let shopper = try stack.shopper()
            #expect(try stack.send("GET", "/api/coupons", token: shopper.token).status == 403)
            #expect(try stack.send("POST", "/api/coupons", json: #"{"code":"NOPE1","type":"fixed","value":"1.00"}"#, token: shopper.token).status == 403)

            // Never redeemed: deleted.
            #expect(try stack.send("DELETE", "/api/coupons/\(fixed.id)", token: f.admin.accessToken).status == 200)
            #expect(try stack.send("GET", "/api/coupons/\(fixed.id)", token: f.admin.accessToken).status == 404)
        }

        @Test func aCouponComesOffBeforeTaxAndShippingIsMeasuredAfterIt() throws {
            let f = try CatalogFixture(stack: stack)
            let kettle = try f.product("Kettle", price: "52.50", stock: 10)
            let code = f.code("ten")
            try f.coupon(code)
            let shopper = try stack.shopper()
            try shopper.add(kettle.id, quantity: 2)

            let applied = try shopper.applyCoupon(code.lowercased())
            #expect(applied.status == 200)
            let cart = try #require(try applied.json["data"])
            #expect(cart["coupon"] == .object(["code": .string(code), "type": "percentage", "value": 10]))
            // 105.00 less 10 % (10.50) is 94.50: below the 100.00 of free shipping.
            #expect(cart["subtotal"] == "105.00" && cart["discount"] == "10.50")

            let order = try shopper.order()
            #expect(order["couponCode"] == .string(code) && order["discount"] == "10.50")
            // Tax on 94.50 at the test profile's 8.25 % is 7.79625, half-up 7.80; shipping 5.00.
            #expect(order["subtotal"] == "105.00" && order["tax"] == "7.80" && order["shipping"] == "5.00" && order["total"] == "107.30")
            let stored = try stack.database().query("SELECT total::text AS total, discount::text AS discount FROM orders WHERE id = $1", [order.id])
            #expect(stored.first?.string("total") == "107.30" && stored.first?.string("discount") == "10.50")
            // The cart is empty and without its coupon once it became an order.
            let after = try shopper.cart()
            #expect(after["coupon"] == .null && after["discount"] == "0.00")
            #expect(try f.redemptions(of: code) == 1)

            // Stripe is asked for the discounted total; once paid, the confirmation mail shows the
            // coupon and the discount.
            let intent = try #require(order["payment"]?["paymentIntentId"]?.stringValue)
            let stripe = try FakeStripe(stack: stack)
            #expect(try stripe.calls().last { $0.path == "/v1/payment_intents" }?.form.first { $0.0 == "amount" }?.1 == "10730")
            #expect(try stripe.pay(intent).webhookStatus == 200)
            let mail = Mailbox(stack: stack).waitForMessages(to: shopper.account.email, count: 2).first { $0.subject?.contains("confirmed") == true }
            let body = try #require(mail?.decodedBody)
            #expect(body.contains("Discount (coupon \(code)): -10.50 USD"))
            #expect(mail?.html?.contains("Discount (coupon \(code))") == true)
        }

        @Test func aFixedCouponNeverTakesMoreThanTheSubtotalAndRemovingItRestoresTheTotals() throws {
            let f = try CatalogFixture(stack: stack)
            let pen = try f.product("Pen", price: "3.00", stock: 10)
            let code = f.code("big")
            try f.coupon(code, type: "fixed", value: #""25.00""#)
            let shopper = try stack.shopper()
            try shopper.add(pen.id, quantity: 2)
            #expect(try shopper.applyCoupon(code).json["data"]?["discount"] == "6.00")
            let removed = try stack.send("DELETE", "/api/cart/coupon", token: shopper.token)
            #expect(try removed.json["data"]?["coupon"] == .null && removed.json["data"]?["discount"] == "0.00")
            try shopper.applyCoupon(code)
            let order = try shopper.order()
            #expect(order["discount"] == "6.00" && order["tax"] == "0.00" && order["shipping"] == "5.00" && order["total"] == "5.00")
        }

        @Test func aCouponThatDoesNotApplyIsRefusedSayingWhy() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", price: "10.00", stock: 10)
            let shopper = try stack.shopper()
            try shopper.add(mug.id, quantity: 1)
            try f.coupon(f.code("off"), #","isActive":false"#)
            try f.coupon(f.code("soon"), #","startsAt":"2099-01-01T00:00:00Z""#)
            try f.coupon(f.code("old"), #","endsAt":"2001-01-01T00:00:00Z""#)
            try f.coupon(f.code("min"), #","minSubtotal":"50.00""#)
            let cases: [(String, String)] = [
                ("NOSUCH-\(f.marker.uppercased())", "is not a valid coupon code"), (f.code("off"), "is no longer active"),
                (f.code("soon"), "is not valid yet"), (f.code("old"), "has expired"), (f.code("min"), "needs a subtotal of at least 50.00"),
            ]
            for (code, message) in cases {
                let refused = try shopper.applyCoupon(code)
                #expect(refused.status == 409, "\(code)")
                #expect(try refused.json["details"] == .array([.object(["field": "code", "message": .string(message)])]), "\(code)")
            }
            #expect(try shopper.cart()["coupon"] == .null)
            // Malformed bodies are 400s, not lookups.
            #expect(try stack.send("POST", "/api/cart/coupon", json: #"{"code":""}"#, token: shopper.token).status == 400)
            #expect(try stack.send("POST", "/api/cart/coupon", json: #"{"code":1}"#, token: shopper.token).status == 400)

            // A coupon deactivated after it was applied: the cart shows no discount, checkout
            // refuses it with the same 409 and nothing changes.
            let code = f.code("late")
            let late = try f.coupon(code)
            #expect(try shopper.applyCoupon(code).json["data"]?["discount"] == "1.00")
            #expect(try stack.send("PATCH", "/api/coupons/\(late.id)", json: #"{"isActive":false}"#, token: f.admin.accessToken).status == 200)
            #expect(try shopper.cart()["discount"] == "0.00")
            let refused = try shopper.checkout()
            #expect(refused.status == 409)
            #expect(try refused.json["details"] == .array([.object(["field": "code", "message": "is no longer active"])]))
            #expect(try stack.stock(of: mug.id) == 10)
            #expect(try shopper.cart()["itemCount"] == 1)
        }

        @Test func fiftyConcurrentCheckoutsRedeemACouponOfTenExactlyTenTimes() throws {
            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", price: "20.00", stock: 100)
            let code = f.code("ten")
            _ = try f.coupon(code, #","maxRedemptions":10"#)
            let buyers = try (0..<50).map { _ in try stack.shopper() }
            for buyer in buyers {
                try buyer.add(lamp.id)
                #expect(try buyer.applyCoupon(code).status == 200)
            }
            let answers = stack.race(buyers.count) { index in try? buyers[index].checkout() }
            let placed = answers.filter { $0?.status == 201 }
            let refused = answers.filter { $0?.status == 409 }
            #expect(placed.count == 10)
            #expect(refused.count == 40)
            #expect(try placed.allSatisfy { try $0?.json["data"]?["couponCode"] == .string(code) })
            #expect(try refused.allSatisfy { try $0?.json["details"] == .array([.object(["field": "code", "message": "has been fully redeemed"])]) })
            let db = try stack.database()
            #expect(try db.query("SELECT count(*) AS n FROM orders WHERE coupon_code = $1", [code]).first?.int("n") == 10)
            #expect(try f.redemptions(of: code) == 10)
            #expect(try stack.stock(of: lamp.id) == 90)
            // The refused ones check out without it once they take it off.
            let retry = buyers.first { buyer in (try? buyer.cart()["itemCount"]) == 1 }
            let buyer = try #require(retry)
            #expect(try stack.send("DELETE", "/api/cart/coupon", token: buyer.token).status == 200)
            #expect(try buyer.order()["couponCode"] == .null)
        }

        @Test func aOnePerCustomerCouponComesBackWhenItsOrderIsCancelled() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", price: "10.00", stock: 10)
            let code = f.code("once")
            let coupon = try f.coupon(code, #","maxRedemptionsPerUser":1"#)
            let shopper = try stack.shopper()
            try shopper.add(mug.id)
            #expect(try shopper.applyCoupon(code).status == 200)
            let first = try shopper.order()
            #expect(first["couponCode"] == .string(code))

            try shopper.add(mug.id)
            let again = try shopper.applyCoupon(code)
            #expect(again.status == 409)
            #expect(try again.json["details"]?[0]?["field"] == "code")

            // The per-customer limit holds at checkout too: a guest cart carrying the coupon,
            // merged at login, is refused there.
            let guest = try GuestCart(stack: stack)
            try guest.add(mug.id, quantity: 1)
            #expect(try guest.send("POST", "/api/cart/coupon", json: #"{"code":"\#(code)"}"#).status == 200)
            _ = try guest.signIn("/api/auth/login", #"{"email":"\#(shopper.account.email)","password":"\#(shopper.account.password)"}"#)
            #expect(try shopper.cart()["coupon"]?["code"] == .string(code))
            let refused = try shopper.checkout()
            #expect(refused.status == 409)
            #expect(try refused.json["details"]?[0]?["field"] == "code")

            // Cancelling the first order gives the redemption back.
            #expect(try stack.send("PATCH", "/api/orders/\(first.id)/cancel", token: shopper.token).status == 200)
            #expect(try f.redemptions(of: code) == 0)
            let second = try shopper.order()
            #expect(second["couponCode"] == .string(code))
            // A redeemed coupon is deactivated, never deleted.
            let delete = try stack.send("DELETE", "/api/coupons/\(coupon.id)", token: f.admin.accessToken)
            #expect(delete.status == 409)
        }

        @Test func anOrderExpiringUnpaidGivesItsRedemptionBack() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", price: "10.00", stock: 10)
            let code = f.code("exp")
            _ = try f.coupon(code, #","maxRedemptions":1"#)
            let shopper = try stack.shopper()
            try shopper.add(mug.id)
            try shopper.applyCoupon(code)
            let order = try shopper.order()
            #expect(try f.redemptions(of: code) == 1)
            try stack.database().query("UPDATE orders SET created_at = now() - interval '2 days' WHERE id = $1", [order.id])
            #expect(try stack.eventually(15) { try stack.database().query("SELECT status FROM orders WHERE id = $1", [order.id]).first?.string("status") == "CANCELLED" })
            #expect(try f.redemptions(of: code) == 0)
            let released = try stack.database().query("SELECT released_at IS NOT NULL AS released FROM coupon_redemptions WHERE order_id = $1", [order.id])
            #expect(released.first?.string("released") == "t")
        }
    }
}
