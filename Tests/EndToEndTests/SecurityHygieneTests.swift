import Crypto
import Foundation
import HTTP
import HTTPClient
import Testing

extension EndToEndTests {
    /// Security hygiene (issue 15): throttles nobody can aim at a victim, mail nobody can aim at
    /// a mailbox, tokens that die with what they protected, uploads that carry no secrets, and
    /// the smaller leaks. The test stack lets a request speak for another client address
    /// (`X-Test-Client-Address`, believed from loopback only).
    @Suite struct SecurityHygiene {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        private func login(_ email: String, _ password: String, from address: String) throws -> HTTPClientResponse {
            try stack.request(
                "POST", "/api/auth/login", headers: [("Content-Type", "application/json"), ("X-Test-Client-Address", address)],
                body: Array(#"{"email":"\#(email)","password":"\#(password)"}"#.utf8))
        }

        @Test func failuresFromOneNetworkSlowItDownAndNeverLockTheOwnerOut() throws {
            let victim = try stack.register()
            // Five wrong guesses from one address; the sixth try, even with the right password and
            // from another address of the same IPv6 /64, waits.
            for _ in 0..<5 { #expect(try login(victim.email, "wrong password", from: "2001:db8:a:1::1").status == 401) }
            let slowed = try login(victim.email, victim.password, from: "2001:db8:a:1:ffff::2")
            #expect(slowed.status == 429)
            #expect(try slowed.json["message"] == "Too many failed logins for this email; try again later")
            let wait = try #require(Int(slowed.header("retry-after") ?? ""))
            #expect((1...15).contains(wait))
            // The owner, anywhere else, is not locked out.
            #expect(try login(victim.email, victim.password, from: "2001:db8:b:1::7").status == 200)
            #expect(try login(victim.email, victim.password, from: "198.51.100.23").status == 200)
        }

        @Test func nginxCountsAnIPv6ClientByItsSlash64() throws {
            func key(_ address: String) throws -> String {
                try stack.request("GET", "/_test/client-key", headers: [("X-Test-Client-Address", address)]).text
            }
            #expect(try key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64")
            #expect(try key("2001:db8:1:2::1") == "2001:db8:1:2::/64")
            #expect(try key("2001:db8::5:6:7:8") == "2001:db8:0:0::/64")
            #expect(try key("2001:db8:7::1") == "2001:db8:7:0::/64")
            #expect(try key("1::2:3:4:5:6") == "1:0:0:2::/64")
            #expect(try key("::1") == "0:0:0:0::/64")
            #expect(try key("203.0.113.9") == "203.0.113.9")
        }

        @Test func aThirdMailToOneAddressWithinTheHourIsNotSent() throws {
            let account = try stack.register() // the welcome mail: one
            let mailbox = Mailbox(stack: stack)
            for _ in 0..<2 {
                let answer = try stack.send("POST", "/api/auth/forgot-password", json: #"{"email":"\#(account.email)"}"#)
                #expect(answer.status == 202)
            }
            let first = mailbox.waitForMessages(to: account.email, count: 2)
            #expect(first.compactMap(\.subject).sorted() == ["Reset your password", "Welcome to the store"])
            // The second reset request was taken (its row is gone) and dropped: nothing more arrives.
            let requests = { try stack.database().query("SELECT count(*) FROM password_reset_requests WHERE email = $1", [account.email]).int(0, 0) }
            #expect(try stack.eventually(5) { try requests() == 0 })
            Thread.sleep(forTimeInterval: 1)
            #expect(mailbox.messages(to: account.email).count == 2)
            let rows = try stack.database().query("SELECT count(*) FROM email_outbox WHERE to_address = $1", [account.email]).int(0, 0)
            #expect(rows == 2)
        }

        @Test func aPasswordChangeKillsResetLinksAndEveryOtherSession() throws {
            let account = try stack.register(password: "first password 1")
            let other = try stack.login(account.email, "first password 1")
            #expect(try stack.send("POST", "/api/auth/forgot-password", json: #"{"email":"\#(account.email)"}"#).status == 202)
            let mail = try #require(Mailbox(stack: stack).waitForMessages(to: account.email, count: 2).first { $0.subject == "Reset your password" })
            let token = try #require(mail.decodedBody.components(separatedBy: "token=").dropFirst().first?.components(separatedBy: .newlines).first)
            let changed = try stack.send(
                "PATCH", "/api/users/me", json: #"{"newPassword":"second password 2","currentPassword":"first password 1"}"#, token: account.accessToken)
            #expect(changed.status == 200)
            #expect(try stack.send("POST", "/api/auth/reset-password", json: #"{"token":"\#(token)","password":"third password 3"}"#).status == 400)
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(other.refreshToken)"}"#).status == 401)
            #expect(try stack.send("GET", "/api/users/me", token: account.accessToken).status == 200)
            #expect(try stack.login(account.email, "second password 2").id == account.id)
        }

        @Test func anEmailChangeEndsTheOtherSessionsToo() throws {
            let account = try stack.register(password: "first password 1")
            let other = try stack.login(account.email, "first password 1")
            let changed = try stack.send(
                "PATCH", "/api/users/me", json: #"{"email":"\#(Stack.uniqueEmail("moved"))","currentPassword":"first password 1"}"#,
                token: account.accessToken)
            #expect(changed.status == 200)
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(other.refreshToken)"}"#).status == 401)
            #expect(try stack.send("GET", "/api/users/me", token: account.accessToken).status == 200)
        }

        @Test func aSessionPastSessionMaxAgeCannotRefresh() throws {
            let account = try stack.register()
            let young = try stack.login(account.email, account.password)
            // The first session began 31 days ago (SESSION_MAX_AGE is 30 days on the test stack).
            try stack.database().query(
                "UPDATE sessions SET created_at = now() - interval '31 days' WHERE id = (SELECT session_id FROM refresh_tokens WHERE token_hash = sha256($1::bytea))",
                [account.refreshToken])
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(account.refreshToken)"}"#).status == 401)
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(young.refreshToken)"}"#).status == 200)
        }

        @Test func anAnonymousUploadIsRefusedBeforeItsBodyIsRead() throws {
            // 60 MB announced, 1 KB sent: nginx answers without waiting for the rest.
            let started = Date()
            let answer = try RawHTTP.send(
                "POST /api/upload/single HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                    + "Content-Length: 62914560\r\nConnection: close\r\n\r\n" + String(repeating: "A", count: 1024),
                to: stack.baseURL, until: "}\n")
            let elapsed = Date().timeIntervalSince(started)
            #expect(answer.status == 401)
            #expect(answer.headers["www-authenticate"] == "Bearer")
            #expect(answer.body.contains(#""error":"Unauthorized""#))
            #expect(elapsed < 2, "answered after \(elapsed) s")
        }

        @Test func anUploadedPhotoIsServedWithoutItsGPSPosition() throws {
            let admin = try stack.admin()
            func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
                [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
            }
            let jfif = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
            let exif = segment(0xE1, Array("Exif\0\0MM GPSLatitude 48.8584 N GPSLongitude 2.2945 E".utf8))
            let comment = segment(0xFE, Array("taken at home".utf8))
            let tables = segment(0xDB, [0] + Array(repeating: 1, count: 64)) + segment(0xC0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0])
            let scan = segment(0xDA, [1, 1, 0, 0, 0x3F, 0]) + [0x12, 0x34, 0x56, 0xFF, 0xD9]
            let photo = [0xFF, 0xD8] + jfif + exif + comment + tables + scan
            let boundary = "----cfcgi-exif"
            let body =
                Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"me.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n".utf8)
                + photo + Array("\r\n--\(boundary)--\r\n".utf8)
            let stored = try stack.request(
                "POST", "/api/upload/single",
                headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)"), ("Authorization", "Bearer " + admin.accessToken)], body: body)
            #expect(stored.status == 201)
            let path = try #require(try stored.json["data"]?["path"]?.stringValue)
            let expected = [0xFF, 0xD8] + jfif + tables + scan
            #expect(try stored.json["data"]?["size"] == .int(expected.count))
            let served = try stack.get("/uploads/" + path)
            #expect(served.status == 200)
            #expect(served.body == expected)
            #expect(!served.text.contains("GPS") && !served.text.contains("home"))
        }

        @Test func aPaidOrdersReplayCarriesNoClientSecret() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Lamp", price: "20.00", stock: 5)
            let shopper = try stack.shopper()
            try shopper.add(product["id"]?.stringValue ?? "")
            let key = "replay-" + UUID().uuidString
            let placed = try shopper.checkout(idempotencyKey: key)
            #expect(placed.status == 201)
            let intent = try #require(try placed.json["data"]?["payment"]?["paymentIntentId"]?.stringValue)
            #expect(try placed.json["data"]?["payment"]?["clientSecret"]?.stringValue != nil)
            // While it can still be paid, the replay is the answer as it was.
            let early = try shopper.checkout(idempotencyKey: key)
            #expect(early.header("idempotent-replayed") == "true")
            #expect(try early.json["data"]?["payment"]?["clientSecret"] == placed.json["data"]?["payment"]?["clientSecret"])
            #expect(try FakeStripe(stack: stack).pay(intent).webhookStatus == 200)
            let late = try shopper.checkout(idempotencyKey: key)
            #expect(late.status == 201)
            #expect(late.header("idempotent-replayed") == "true")
            #expect(try late.json["data"]?["payment"]?["paymentIntentId"] == .string(intent))
            #expect(try late.json["data"]?["payment"]?["clientSecret"] == .null)
        }

        @Test func aProductInAnInactiveCategoryCannotBeAddedOrBought() throws {
            let f = try CatalogFixture(stack: stack)
            let category = try f.category("Hidden")
            let categoryId = try #require(category["id"]?.stringValue)
            let product = try #require(try f.product("Secret", stock: 5, category: categoryId)["id"]?.stringValue)
            let shopper = try stack.shopper()
            try shopper.add(product)
            #expect(
                try stack.send("PATCH", "/api/categories/\(categoryId)", json: #"{"isActive":false}"#, token: f.admin.accessToken).status == 200)
            let added = try stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(product)","quantity":1}"#, token: shopper.token)
            #expect(added.status == 404, "\(added.status) \(added.text)")
            let checkout = try shopper.checkout()
            #expect(checkout.status == 409)
            #expect(try stack.stock(of: product) == 5)
        }
    }
}
