import Foundation
import HTTP
import HTTPClient
import Testing

extension EndToEndTests {
    /// Requests a hostile client sends on a shop's first day (issue 7): each costs no more than
    /// its share, crashes nothing, and gets the contract's envelope.
    @Suite struct HostileInput {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        /// `{"0":0,"1":0,…}` with `count` members, keys in base 36 so 100,000 fit in a mebibyte.
        private func wideObject(_ count: Int) -> [UInt8] {
            Array(("{" + (0..<count).map { "\"\(String($0, radix: 36))\":0" }.joined(separator: ",") + "}").utf8)
        }

        @Test func aMegabyteOfKeysIsRefusedNamingTheLimitWithoutAnyLogin() throws {
            var body = wideObject(100_000)
            #expect(body.count > 800_000 && body.count <= 1 << 20)
            let response = try stack.request("POST", "/api/auth/login", headers: [("Content-Type", "application/json")], body: body)
            #expect(response.status == 400)
            let details = try response.json["details"]?.arrayValue ?? []
            #expect(details == [.object(["field": "body", "message": "too large: more than 1000 members in one object"])])
            // A thousand members parse (and are each refused as unknown, in a capped list).
            body = wideObject(1000)
            let capped = try stack.request("POST", "/api/auth/login", headers: [("Content-Type", "application/json")], body: body)
            #expect(capped.status == 400)
            let listed = try capped.json["details"]?.arrayValue ?? []
            #expect(listed.count == 51)
            #expect(listed.last == .object(["field": "body", "message": "and 952 more"]))
        }

        @Test func aDocumentOfManySmallValuesIsRefusedToo() throws {
            let body = Array(("[" + Array(repeating: "{}", count: 200_000).joined(separator: ",") + "]").utf8)
            let response = try stack.request("POST", "/api/_test/echo", headers: [("Content-Type", "application/json")], body: body)
            #expect(response.status == 400)
            #expect(try response.json["details"]?[0]?["message"] == "too large: more than 10000 values in one document")
        }

        @Test func lengthsCountUnicodeScalarsNotCharacters() throws {
            // One Character: a letter and 200 combining accents, 201 scalars as PostgreSQL counts.
            let zalgo = "A" + String(repeating: "\u{0301}", count: 200)
            let email = Stack.uniqueEmail()
            let response = try stack.send("POST", "/api/auth/register", json: #"{"email":"\#(email)","password":"correct horse 1","firstName":"\#(zalgo)","lastName":"Lee"}"#)
            #expect(response.status == 400)
            #expect(try response.json["details"]?[0] == .object(["field": "firstName", "message": "must be at most 100 characters"]))
            // The inline address of an order has the address book's limits.
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 5)
            let shopper = try stack.shopper()
            try shopper.add(cup.id)
            let long = String(repeating: "x\u{0300}", count: 128)
            let order = try shopper.checkout(
                #"{"shippingAddress":{"firstName":"Ann","lastName":"Lee","addressLine1":"\#(long)","city":"Oslo","state":"Oslo","postalCode":"0150","country":"NO","phone":"+47 22 00 00 00"}}"#
            )
            #expect(order.status == 400)
            #expect(try order.json["details"]?[0] == .object(["field": "shippingAddress.addressLine1", "message": "must be at most 255 characters"]))
            // NUL never reaches a column (jsonb refused it with a 500 before).
            let nul = try shopper.checkout(
                #"{"shippingAddress":{"firstName":"Ann\u0000","lastName":"Lee","addressLine1":"1 Main St","city":"Oslo","state":"Oslo","postalCode":"0150","country":"NO","phone":"+47 22 00 00 00"}}"#
            )
            #expect(nul.status == 400)
            #expect(try nul.json["details"]?[0]?["message"] == "must not contain NUL characters")
            #expect(try shopper.cart()["itemCount"] == 1)
        }

        @Test func slugsTake255CharactersAsTheContractSays() throws {
            let f = try CatalogFixture(stack: stack)
            let slug = String(repeating: "a", count: 250) + String(UUID().uuidString.lowercased().prefix(5))
            #expect(slug.count == 255)
            let made = try f.product("Long slug", extra: #","slug":"\#(slug)""#)
            #expect(made["slug"] == .string(slug))
            let tooLong = try stack.send("POST", "/api/categories", json: #"{"name":"Too long \#(f.marker)","slug":"\#(slug)x"}"#, token: f.admin.accessToken)
            #expect(tooLong.status == 400)
            #expect(try tooLong.json["details"]?[0] == .object(["field": "slug", "message": "must be at most 255 characters"]))
        }

        @Test func orderEmailsEscapeMarkupHiddenBehindAPrependedMark() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 5)
            let shopper = try stack.shopper()
            try shopper.add(cup.id)
            // U+0600 joins the `<` after it into one Character; escaping Characters let it through.
            let name = "\u{0600}<a href=x>click</a>"
            let placed = try shopper.order(
                #"{"shippingAddress":{"firstName":"\#(name)","lastName":"Lee","addressLine1":"1 Main St","city":"Oslo","state":"Oslo","postalCode":"0150","country":"NO","phone":"+47 22 00 00 00"}}"#
            )
            let id = try #require(placed["id"]?.stringValue)
            try stack.database().query("UPDATE orders SET status = 'PAID', payment_status = 'SUCCEEDED' WHERE id = $1", [id])
            #expect(try stack.send("PATCH", "/api/orders/\(id)/status", json: #"{"status":"SHIPPED"}"#, token: f.admin.accessToken).status == 200)
            // Other mail (the order's confirmation) may arrive first: wait for the shipping one.
            var shipped: Mailbox.Message?
            #expect(
                stack.eventually(10) {
                    shipped = Mailbox(stack: stack).messages(to: shopper.account.email).first { $0.subject?.contains("shipped") == true }
                    return shipped != nil
                })
            let html = try #require(shipped?.html)
            #expect(html.contains("\u{0600}&lt;a href=x&gt;click&lt;/a&gt;"))
            #expect(!html.contains("<a href"))
        }

        @Test func unknownMethodsAre405OnKnownPathsAndNeverRoutedAsGET() throws {
            let response = try stack.request("FROB", "/api/products")
            #expect(response.status == 405)
            #expect(response.header("allow") == "GET, HEAD, POST, OPTIONS")
            #expect(try response.json["error"] == "MethodNotAllowed")
            #expect(try response.json["data"] == nil)
            let unknown = try stack.request("FROB", "/api/nowhere")
            #expect(unknown.status == 404)
            #expect(try unknown.json["error"] == "NotFound")
        }

        @Test func bareAPIPathsAreTheJSON404NotAnHTMLRedirect() throws {
            for path in ["/api/auth", "/api", "/api/upload"] {
                let response = try stack.get(path)
                #expect(response.status == 404, "\(path)")
                #expect(response.header("content-type") == "application/json; charset=utf-8", "\(path)")
                #expect(try response.json["path"] == .string(path), "\(path)")
            }
        }

        @Test func nginxsOwnRefusalsUseTheEnvelope() throws {
            // 414: a request line past large_client_header_buffers.
            let longURI = try stack.get("/api/products?search=" + String(repeating: "a", count: 9000))
            #expect(longURI.status == 414)
            #expect(try longURI.json["error"] == "URITooLong")
            // 494, sent as 400: one header past the buffers.
            let bigHeader = try stack.get("/health", headers: [("X-Filler", String(repeating: "b", count: 9000))])
            #expect(bigHeader.status == 400)
            #expect(try bigHeader.json["message"] == "Request headers too large")
            // 400: a request nginx cannot take (two Host headers).
            let twoHosts = try RawHTTP.send("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", to: stack.baseURL)
            #expect(twoHosts.status == 400)
            #expect(try JSONParser.parse(Array(twoHosts.body.utf8))["error"] == "BadRequest")
            // 405: nginx serves /uploads/ itself and only reads it.
            let name = "probe-\(UUID().uuidString).gif"
            try Data([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]).write(to: URL(fileURLWithPath: stack.state + "/uploads/" + name))
            let post = try stack.request("POST", "/uploads/" + name, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
            #expect(post.status == 405)
            #expect(post.header("allow") == "GET, HEAD")
            #expect(try post.json["error"] == "MethodNotAllowed")
        }

        @Test func catalogWritesNeedAnIdAndSayWhenItIsMalformed() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Lamp")
            let slug = try #require(product["slug"]?.stringValue)
            for (method, path) in [
                ("PATCH", "/api/products/\(slug)"), ("DELETE", "/api/products/\(slug)"), ("PATCH", "/api/categories/not-a-uuid"),
                ("DELETE", "/api/categories/not-a-uuid"),
            ] {
                let response = try stack.send(method, path, json: method == "PATCH" ? #"{"name":"x"}"# : nil, token: f.admin.accessToken)
                #expect(response.status == 400, "\(method) \(path)")
                #expect(try response.json["details"]?[0] == .object(["field": "id", "message": "must be a UUID"]), "\(method) \(path)")
            }
            // Reads still take a slug; the product is unchanged.
            #expect(try stack.get("/api/products/\(slug)").json["data"]?["name"] == product["name"])
        }

        @Test func aWebhookEventHoldingNULIsRecordedWithoutA500() throws {
            let stripe = try FakeStripe(stack: stack)
            let id = "evt_nul_" + UUID().uuidString.lowercased()
            let object = JSONValue.object([
                "id": "pi_not_ours", "object": "payment_intent", "amount": 100, "currency": "usd",
                "description": "nul \u{0}here",
            ])
            let body = Stack.stripeEvent(id: id, type: "payment_intent.created", object: object)
            #expect(String(decoding: body, as: UTF8.self).contains("\\u0000"))
            let answer = try stack.webhook(body, signature: stripe.signature(body))
            #expect(answer.status == 200)
            let stored = try stack.database().query("SELECT payload FROM stripe_events WHERE id = $1", [id]).first?.string("payload")
            #expect(stored == String(decoding: body, as: UTF8.self))
        }

        @Test func aRowTheCodeCannotReadFailsThatRequestAndNoWorker() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Broken image")
            let id = try #require(product["id"]?.stringValue)
            let db = try stack.database()
            let workers = try stack.workerPIDs()
            // A migration gone wrong: a column the code needs lets NULL in, and a row has one.
            try db.query("ALTER TABLE product_images ALTER COLUMN path DROP NOT NULL")
            defer { _ = try? db.query("DELETE FROM product_images WHERE path IS NULL"); _ = try? db.query("ALTER TABLE product_images ALTER COLUMN path SET NOT NULL") }
            try db.query("INSERT INTO product_images (product_id, path, filename, size_bytes, mime_type) VALUES ($1, NULL, 'x.gif', 1, 'image/gif')", [id])

            let broken = try stack.send("GET", "/api/products/\(id)", token: f.admin.accessToken)
            #expect(broken.status == 500)
            let requestId = try #require(broken.header("x-request-id"))
            #expect(try broken.json["requestId"] == .string(requestId))
            #expect(!broken.text.contains("column") && !broken.text.contains("NULL"))
            let logged = try stack.logLines().filter { $0.contains(requestId) && $0.contains("request failed") }
            #expect(logged.count == 1)
            #expect(logged.first?.contains(#"column \"path\" is NULL where String was expected"#) == true)

            // Every worker is still the one it was, and answers the next request.
            #expect(try stack.workerPIDs() == workers)
            try db.query("DELETE FROM product_images WHERE path IS NULL")
            #expect(try stack.send("GET", "/api/products/\(id)", token: f.admin.accessToken).status == 200)
            #expect(try stack.workerPIDs() == workers)
        }
    }
}
