import Foundation
import HTTP
import HTTPClient
import Testing

/// A guest's cart, driven by its token as a storefront does before anyone signs in.
struct GuestCart {
    let stack: Stack
    let token: String

    init(stack: Stack) throws {
        self.stack = stack
        let response = try stack.send("POST", "/api/cart/guest")
        guard response.status == 201, let token = try response.json["data"]?["cartToken"]?.stringValue else {
            throw Stack.StackError("guest cart: \(response.status) \(response.text)")
        }
        self.token = token
    }

    func send(_ method: String, _ path: String, json: String? = nil, bearer: String? = nil) throws -> HTTPClientResponse {
        var headers = [("X-Cart-Token", token)]
        if json != nil { headers.append(("Content-Type", "application/json")) }
        if let bearer { headers.append(("Authorization", "Bearer " + bearer)) }
        return try stack.request(method, path, headers: headers, body: json.map { Array($0.utf8) })
    }

    @discardableResult
    func add(_ productId: String, quantity: Int) throws -> JSONValue {
        let response = try send("POST", "/api/cart/items", json: #"{"productId":"\#(productId)","quantity":\#(quantity)}"#)
        guard response.status == 201, let data = try response.json["data"] else { throw Stack.StackError("guest add: \(response.status) \(response.text)") }
        return data
    }

    /// Register or log in with this cart's token; the answer's data.
    func signIn(_ path: String, _ body: String) throws -> JSONValue {
        let response = try send("POST", path, json: body)
        guard (200...201).contains(response.status), let data = try response.json["data"] else {
            throw Stack.StackError("\(path): \(response.status) \(response.text)")
        }
        return data
    }
}

extension EndToEndTests {
    /// API.md §12.1 through nginx.
    @Suite struct GuestCarts {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func aGuestCartIsMadeAndUsedByItsTokenAlone() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", price: "12.50", stock: 10)
            let created = try stack.send("POST", "/api/cart/guest")
            #expect(created.status == 201)
            let data = try #require(try created.json["data"])
            let token = try #require(data["cartToken"]?.stringValue)
            // 32 random bytes, base64url without padding; only its hash is stored.
            #expect(token.count == 43 && token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect(data["cart"]?["items"] == .array([]) && data["cart"]?["subtotal"] == "0.00" && data["cart"]?["coupon"] == .null)
            let stored = try stack.database().query("SELECT count(*) AS n FROM carts WHERE guest_token_hash = sha256(convert_to($1, 'UTF8'))", [token])
            #expect(stored.first?.int("n") == 1)
            #expect(try stack.database().query("SELECT count(*) AS n FROM carts WHERE encode(guest_token_hash, 'escape') = $1", [token]).first?.int("n") == 0)

            let guest = try GuestCart(stack: stack)
            try guest.add(mug.id, quantity: 2)
            let cart = try guest.send("GET", "/api/cart")
            #expect(cart.status == 200)
            #expect(try cart.json["data"]?["itemCount"] == 2 && cart.json["data"]?["subtotal"] == "25.00")
            let line = try #require(try cart.json["data"]?["items"]?[0]?.id)
            #expect(try guest.send("PATCH", "/api/cart/items/\(line)", json: #"{"quantity":3}"#).json["data"]?["subtotal"] == "37.50")
            // Another guest's token does not reach this cart's lines.
            let other = try GuestCart(stack: stack)
            #expect(try other.send("DELETE", "/api/cart/items/\(line)").status == 404)
            #expect(try other.send("GET", "/api/cart").json["data"]?["items"] == .array([]))

            // No token and no bearer: 401; a made-up token: 404; checkout needs an account.
            #expect(try stack.send("GET", "/api/cart").status == 401)
            let madeUp = try stack.request("GET", "/api/cart", headers: [("X-Cart-Token", String(repeating: "A", count: 43))])
            #expect(madeUp.status == 404)
            #expect(try madeUp.json["error"] == "NotFound")
            #expect(try guest.send("POST", "/api/orders", json: Shopper.inlineShipping).status == 401)
            #expect(try stack.stock(of: mug.id) == 10)
        }

        @Test func withBothABearerAndATokenTheBearerWins() throws {
            let f = try CatalogFixture(stack: stack)
            let pen = try f.product("Pen", price: "2.00", stock: 10)
            let guest = try GuestCart(stack: stack)
            try guest.add(pen.id, quantity: 1)
            let shopper = try stack.shopper()
            let both = try guest.send("GET", "/api/cart", bearer: shopper.token)
            #expect(try both.json["data"]?["items"] == .array([]))
            #expect(try both.json["data"]?.id == shopper.cart().id)
            // A bad bearer beside a good token is still a 401: the bearer is what counts.
            #expect(try guest.send("GET", "/api/cart", bearer: "not-a-token").status == 401)
        }

        @Test func loginMergesCappedAtStockAndTheTokenIsDeadAfterwards() throws {
            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", price: "30.00", stock: 3)
            let pen = try f.product("Pen", price: "2.00", stock: 50)
            let shopper = try stack.shopper()
            try shopper.add(lamp.id, quantity: 2)
            let guest = try GuestCart(stack: stack)
            try guest.add(lamp.id, quantity: 3)
            try guest.add(pen.id, quantity: 4)

            let data = try guest.signIn("/api/auth/login", #"{"email":"\#(shopper.account.email)","password":"\#(shopper.account.password)"}"#)
            // 2 + 3 lamps asked for, 3 in stock: kept 3 and said so; the pens fitted whole.
            #expect(data["mergedCart"] == .array([.object(["productId": .string(lamp.id), "requested": 5, "kept": 3])]))
            let cart = try shopper.cart()
            let quantities = Dictionary(
                uniqueKeysWithValues: (cart["items"]?.arrayValue ?? []).map { ($0["productId"]?.stringValue ?? "", $0["quantity"]?.intValue ?? 0) })
            #expect(quantities == [lamp.id: 3, pen.id: 4])
            #expect(cart["subtotal"] == "98.00")

            let dead = try guest.send("GET", "/api/cart")
            #expect(dead.status == 404)
            #expect(try guest.send("POST", "/api/cart/items", json: #"{"productId":"\#(pen.id)","quantity":1}"#).status == 404)
            // Logging in again with the dead token works and merges nothing.
            let again = try guest.signIn("/api/auth/login", #"{"email":"\#(shopper.account.email)","password":"\#(shopper.account.password)"}"#)
            #expect(again["mergedCart"] == nil && again["accessToken"]?.stringValue != nil)
            #expect(try shopper.cart()["itemCount"] == 7)
        }

        @Test func registerMergesAndLinesAreCappedAt999AndGoneProductsLeave() throws {
            let f = try CatalogFixture(stack: stack)
            let bolt = try f.product("Bolt", price: "0.10", stock: 5000)
            let gone = try f.product("Gone", price: "1.00", stock: 10)
            let guest = try GuestCart(stack: stack)
            try guest.add(bolt.id, quantity: 999)
            try guest.add(gone.id, quantity: 2)
            #expect(try stack.send("DELETE", "/api/products/\(gone.id)", token: f.admin.accessToken).status == 200)

            let email = Stack.uniqueEmail("guest")
            let data = try guest.signIn("/api/auth/register", #"{"email":"\#(email)","password":"correct horse 1","firstName":"Gus","lastName":"Tee"}"#)
            #expect(data["mergedCart"] == .array([.object(["productId": .string(gone.id), "requested": 2, "kept": 0])]))
            let cart = try Shopper(stack: stack, account: try stack.login(email, "correct horse 1")).cart()
            #expect(cart["items"]?.arrayValue?.map { $0["productId"] } == [.string(bolt.id)])
            #expect(cart["items"]?[0]?["quantity"] == 999)

            // A second guest cart of 500 more bolts into a line of 999 keeps 999.
            let more = try GuestCart(stack: stack)
            try more.add(bolt.id, quantity: 500)
            let merged = try more.signIn("/api/auth/login", #"{"email":"\#(email)","password":"correct horse 1"}"#)
            #expect(merged["mergedCart"] == .array([.object(["productId": .string(bolt.id), "requested": 1499, "kept": 999])]))
        }

        @Test func twoLoginsRacingWithOneTokenMergeItOnce() throws {
            let f = try CatalogFixture(stack: stack)
            let pen = try f.product("Pen", price: "1.00", stock: 100)
            let shopper = try stack.shopper()
            let guest = try GuestCart(stack: stack)
            try guest.add(pen.id, quantity: 3)
            let body = #"{"email":"\#(shopper.account.email)","password":"\#(shopper.account.password)"}"#
            let merged = stack.race(4) { _ in (try? guest.signIn("/api/auth/login", body))?["mergedCart"] }
            // One login took the cart (an empty list: nothing capped); the others found it gone.
            #expect(merged.filter { $0 == .array([]) }.count == 1, "\(merged)")
            #expect(merged.filter { $0 == nil }.count == 3, "\(merged)")
            #expect(try shopper.cart()["items"]?[0]?["quantity"] == 3)
        }

        @Test func jobsDeleteGuestCartsLeftIdlePastTheirTTL() throws {
            let f = try CatalogFixture(stack: stack)
            let pen = try f.product("Pen", stock: 10)
            let idle = try GuestCart(stack: stack)
            try idle.add(pen.id, quantity: 1)
            let fresh = try GuestCart(stack: stack)
            try fresh.add(pen.id, quantity: 1)
            let ttl = Int(try stack.environmentFile()["GUEST_CART_TTL"] ?? "2592000") ?? 2_592_000
            try stack.database().query(
                "UPDATE carts SET updated_at = now() - make_interval(secs => $1) WHERE guest_token_hash = sha256(convert_to($2, 'UTF8'))",
                [ttl + 60, idle.token])
            #expect(try stack.eventually(15) { try idle.send("GET", "/api/cart").status == 404 })
            #expect(try fresh.send("GET", "/api/cart").status == 200)
            // Its lines went with it.
            #expect(try stack.database().query("SELECT count(*) AS n FROM cart_items ci LEFT JOIN carts c ON c.id = ci.cart_id WHERE c.id IS NULL").first?.int("n") == 0)
        }
    }
}
