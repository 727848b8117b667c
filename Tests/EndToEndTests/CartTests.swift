import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// API.md §5 through nginx.
    @Suite struct Cart {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func aCartIsMadeOnFirstUseAndPricesItsLines() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", price: "12.50", stock: 10)
            let pen = try f.product("Pen", price: "1.99", stock: 100)
            let shopper = try stack.shopper()

            let empty = try shopper.cart()
            #expect(empty.objectValue?.keys == ["id", "items", "itemCount", "subtotal", "coupon", "discount", "currency", "updatedAt"])
            #expect(empty["items"] == .array([]))
            #expect(empty["itemCount"] == 0 && empty["subtotal"] == "0.00" && empty["currency"] == "usd")
            #expect(try shopper.cart().id == empty.id)

            try shopper.add(mug.id, quantity: 2)
            // The same product again adds to its line.
            let cart = try shopper.add(mug.id, quantity: 1)
            try shopper.add(pen.id, quantity: 3)
            let full = try shopper.cart()
            #expect(cart["items"]?.arrayValue?.count == 1)
            let lines = try #require(full["items"]?.arrayValue)
            #expect(lines.map { $0["productId"] } == [.string(mug.id), .string(pen.id)])
            #expect(lines[0].objectValue?.keys == ["id", "productId", "name", "slug", "sku", "image", "unitPrice", "quantity", "lineTotal", "available"])
            #expect(lines[0]["quantity"] == 3 && lines[0]["unitPrice"] == "12.50" && lines[0]["lineTotal"] == "37.50")
            #expect(lines[0]["name"] == .string("Mug \(f.marker)") && lines[0]["image"] == .null && lines[0]["available"] == true)
            #expect(lines[1]["lineTotal"] == "5.97")
            #expect(full["itemCount"] == 6 && full["subtotal"] == "43.47")

            // Lines are repriced on read.
            #expect(try stack.send("PATCH", "/api/products/\(mug.id)", json: #"{"price":"10.00"}"#, token: f.admin.accessToken).status == 200)
            let repriced = try shopper.cart()
            #expect(repriced["items"]?[0]?["unitPrice"] == "10.00" && repriced["subtotal"] == "35.97")
        }

        @Test func linesChangeQuantityAndGo() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", price: "4.00", stock: 5)
            let pen = try f.product("Pen", price: "1.00", stock: 5)
            let shopper = try stack.shopper()
            try shopper.add(mug.id, quantity: 1)
            let cart = try shopper.add(pen.id, quantity: 1)
            let mugLine = try #require(cart["items"]?[0]?.id)
            let penLine = try #require(cart["items"]?[1]?.id)

            let patched = try stack.send("PATCH", "/api/cart/items/\(mugLine)", json: #"{"quantity":4}"#, token: shopper.token)
            #expect(patched.status == 200)
            #expect(try patched.json["data"]?["items"]?[0]?["quantity"] == 4)
            #expect(try patched.json["data"]?["subtotal"] == "17.00")

            let removed = try stack.send("DELETE", "/api/cart/items/\(penLine)", token: shopper.token)
            #expect(removed.status == 200)
            #expect(try removed.json["data"]?["items"]?.arrayValue?.map(\.id) == [mugLine])
            #expect(try stack.send("DELETE", "/api/cart/items/\(penLine)", token: shopper.token).status == 404)

            let emptied = try stack.send("DELETE", "/api/cart", token: shopper.token)
            #expect(emptied.status == 200)
            #expect(try emptied.json["data"]?["items"] == .array([]))
            #expect(try emptied.json["data"]?["itemCount"] == 0)
        }

        @Test func stockIsCheckedOnAddAndUpdate() throws {
            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", stock: 3)
            let shopper = try stack.shopper()
            let cart = try shopper.add(lamp.id, quantity: 2)

            // Adding 2 more would make the line 4 of 3.
            let over = try stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(lamp.id)","quantity":2}"#, token: shopper.token)
            #expect(over.status == 409)
            let detail = try #require(try over.json["details"]?[0])
            #expect(detail == .object(["field": "quantity", "productId": .string(lamp.id), "requested": 4, "available": 3, "message": "only 3 in stock"]))
            let line = try #require(cart["items"]?[0]?.id)
            let patch = try stack.send("PATCH", "/api/cart/items/\(line)", json: #"{"quantity":5}"#, token: shopper.token)
            #expect(patch.status == 409)
            #expect(try patch.json["details"]?[0]?["available"] == 3)
            #expect(try shopper.cart()["items"]?[0]?["quantity"] == 2)

            // Stock falling under the line marks it unavailable.
            #expect(try stack.send("PATCH", "/api/products/\(lamp.id)", json: #"{"stockQuantity":1}"#, token: f.admin.accessToken).status == 200)
            #expect(try shopper.cart()["items"]?[0]?["available"] == false)
            // An inactive product: unavailable in the cart, 404 to add.
            #expect(try stack.send("DELETE", "/api/products/\(lamp.id)", token: f.admin.accessToken).status == 200)
            #expect(try shopper.cart()["items"]?[0]?["available"] == false)
            let gone = try stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(lamp.id)","quantity":1}"#, token: shopper.token)
            #expect(gone.status == 404)
        }

        @Test func badCartRequestsAre400AndChangeNothing() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 5)
            let shopper = try stack.shopper()
            let cases: [(String, String)] = [
                (#"{"productId":"\#(cup.id)","quantity":0}"#, "quantity"),
                (#"{"productId":"\#(cup.id)","quantity":1000}"#, "quantity"),
                (#"{"productId":"\#(cup.id)","quantity":1.5}"#, "quantity"),
                (#"{"productId":"\#(cup.id)","quantity":"2"}"#, "quantity"),
                (#"{"productId":"not-a-uuid","quantity":1}"#, "productId"),
                (#"{"quantity":1}"#, "productId"),
                (#"{"productId":"\#(cup.id)","quantity":1,"price":"0.01"}"#, "price"),
            ]
            for (body, field) in cases {
                let response = try stack.send("POST", "/api/cart/items", json: body, token: shopper.token)
                #expect(response.status == 400, "\(body)")
                #expect(try response.json["details"]?.arrayValue?.contains { $0["field"] == .string(field) } == true, "\(body)")
            }
            #expect(try stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(UUID().uuidString.lowercased())","quantity":1}"#, token: shopper.token).status == 404)
            #expect(try shopper.cart()["items"] == .array([]))
            #expect(try stack.send("PATCH", "/api/cart/items/not-a-uuid", json: #"{"quantity":1}"#, token: shopper.token).status == 400)
            // A line holds at most 999.
            try shopper.add(cup.id, quantity: 1)
            #expect(try stack.send("PATCH", "/api/products/\(cup.id)", json: #"{"stockQuantity":5000}"#, token: f.admin.accessToken).status == 200)
            try shopper.add(cup.id, quantity: 998)
            #expect(try stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(cup.id)","quantity":1}"#, token: shopper.token).status == 400)
            #expect(try shopper.cart()["itemCount"] == 999)
        }

        @Test func oneUsersConcurrentAddsCannotOvershootTheStock() throws {
            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", stock: 3)
            let shopper = try stack.shopper()
            let statuses = stack.race(8) { _ in
                (try? stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(lamp.id)","quantity":1}"#, token: shopper.token).status) ?? -1
            }
            #expect(statuses.filter { $0 == 201 }.count == 3)
            #expect(statuses.filter { $0 == 409 }.count == 5)
            #expect(try shopper.cart()["items"]?[0]?["quantity"] == 3)
        }

        @Test func anotherUsersLinesAreNotFound() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 5)
            let owner = try stack.shopper()
            let other = try stack.shopper()
            let line = try #require(try owner.add(cup.id)["items"]?[0]?.id)
            #expect(try stack.send("PATCH", "/api/cart/items/\(line)", json: #"{"quantity":2}"#, token: other.token).status == 404)
            #expect(try stack.send("DELETE", "/api/cart/items/\(line)", token: other.token).status == 404)
            #expect(try owner.cart()["items"]?[0]?["quantity"] == 1)
            #expect(try stack.send("GET", "/api/cart").status == 401)
            #expect(try stack.send("DELETE", "/api/cart").status == 401)
        }
    }
}
