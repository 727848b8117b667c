import Crypto
import Foundation
import HTTP
import HTTPClient
import Testing

extension EndToEndTests {
    /// Accounts and secrets (issue 7 item 4): an admin nobody can pre-register, reset links that
    /// never rest in the database, guesses at a current password throttled, unpaid orders capped,
    /// and the local stack honouring the settings it is given.
    @Suite struct AccountHardening {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        private func createAdmin(_ email: String, _ password: String, promote: Bool) throws -> (status: Int32, output: String) {
            var env = try stack.environmentFile()
            env["ADMIN_PASSWORD"] = password
            let (status, output) = try Subprocess.run(
                stack.binary, ["create-admin", "--email", email] + (promote ? ["--promote-existing"] : []),
                environment: env)
            return (status, String(decoding: output, as: UTF8.self))
        }

        @Test func createAdminRefusesAnExistingAccountUnlessToldAndThenEndsItsSessions() throws {
            // Someone registered the address first and holds tokens for it.
            let squatter = try stack.register(password: "squatter pass 1")
            let refused = try createAdmin(squatter.email, "admin password 1", promote: false)
            #expect(refused.status == 64)
            #expect(refused.output.isEmpty)
            #expect(try stack.send("GET", "/api/users/me", token: squatter.accessToken).json["data"]?["role"] == "user")

            let promoted = try createAdmin(squatter.email, "admin password 1", promote: true)
            #expect(promoted.status == 0, "\(promoted.output)")
            #expect(try stack.send("GET", "/api/users/me", token: squatter.accessToken).status == 401)
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(squatter.refreshToken)"}"#).status == 401)
            #expect(try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(squatter.email)","password":"squatter pass 1"}"#).status == 401)
            let admin = try stack.login(squatter.email, "admin password 1")
            #expect(try stack.send("GET", "/api/users/me", token: admin.accessToken).json["data"]?["role"] == "admin")
        }

        @Test func aResetLinkNeverRestsInTheOutboxAndOnlyItsHashIsStored() throws {
            let account = try stack.register()
            #expect(try stack.send("POST", "/api/auth/forgot-password", json: #"{"email":"\#(account.email)"}"#).status == 202)
            let mail = try #require(Mailbox(stack: stack).waitForMessages(to: account.email, count: 2).first { $0.subject == "Reset your password" })
            let token = try #require(mail.decodedBody.components(separatedBy: "token=").dropFirst().first?.components(separatedBy: .newlines).first)
            #expect(token.count >= 40)
            let db = try stack.database()
            let outbox = try #require(
                db.query(
                    "SELECT body_text, status FROM email_outbox WHERE to_address = $1 AND template = 'password-reset'",
                    [account.email]
                ).first)
            #expect(outbox.string("status") == "sent")
            let stored = try #require(outbox.string("body_text"))
            #expect(!stored.contains(token))
            #expect(!stored.contains("token="))
            #expect(stored.contains("{{reset-link:"))
            let hashes = try db.query(
                "SELECT count(*) FROM password_reset_tokens WHERE token_hash = $1::bytea",
                [SQLHex.bytea(Digest.sha256(token))]
            ).int(0, 0)
            #expect(hashes == 1)
            #expect(try stack.send("POST", "/api/auth/reset-password", json: #"{"token":"\#(token)","password":"brand new pass"}"#).status == 200)
        }

        @Test func guessesAtTheCurrentPasswordAreThrottledPerUser() throws {
            let account = try stack.register(password: "right password 1")
            func change(_ current: String) throws -> HTTPClientResponse {
                try stack.send(
                    "PATCH", "/api/users/me", json: #"{"newPassword":"next password 1","currentPassword":"\#(current)"}"#,
                    token: account.accessToken)
            }
            for attempt in 1...5 { #expect(try change("guess \(attempt)").status == 401) }
            let locked = try change("right password 1")
            #expect(locked.status == 429)
            #expect(Int(locked.header("retry-after") ?? "") ?? 0 > 800)
            // Names may still change; the password stays the old one.
            #expect(try stack.send("PATCH", "/api/users/me", json: #"{"firstName":"Bo"}"#, token: account.accessToken).status == 200)
            #expect(try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(account.email)","password":"right password 1"}"#).status == 200)
            // The count lives in PostgreSQL: a Redis flush does not hand out fresh guesses.
            let (flushed, _) = try Subprocess.run("/usr/bin/redis-cli", ["-p", try redisPort(), "FLUSHALL"], environment: [:])
            #expect(flushed == 0)
            #expect(try change("right password 1").status == 429)
        }

        private func redisPort() throws -> String {
            let url = try stack.environmentFile()["REDIS_URL"] ?? ""
            return String(url.split(separator: ":").last?.split(separator: "/").first ?? "")
        }

        @Test func aUserHoldsAtMostFiveUnpaidOrders() throws {
            let f = try CatalogFixture(stack: stack)
            let cup = try f.product("Cup", stock: 50)
            let shopper = try stack.shopper()
            var orders: [String] = []
            for _ in 1...5 {
                try shopper.add(cup.id)
                orders.append(try shopper.order()["id"]?.stringValue ?? "")
            }
            try shopper.add(cup.id)
            let sixth = try shopper.checkout()
            #expect(sixth.status == 409)
            #expect(try sixth.json["details"]?[0] == .object(["field": "orders", "message": "at most 5 unpaid orders at a time"]))
            #expect(try stack.stock(of: cup.id) == 45)
            #expect(try shopper.cart()["itemCount"] == 1)
            // Cancelling one makes room.
            #expect(try stack.send("PATCH", "/api/orders/\(orders[0])/cancel", token: shopper.account.accessToken).status == 200)
            #expect(try shopper.checkout().status == 201)
        }

        @Test func makeRunHonoursEverySettingItIsGiven() throws {
            let state = NSTemporaryDirectory() + "env-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: state) }
            try "pw\n".write(toFile: state + "/db-password", atomically: true, encoding: .utf8)
            let given: [String: String] = [
                "DATABASE_URL": "postgresql://shop:pw@db.example:5432/shop", "REDIS_URL": "redis://cache.example:6379/2",
                "JWT_SECRET": #"a "quoted" $ecret of more than thirty-two bytes"#, "JWT_ACCESS_TTL": "600", "JWT_REFRESH_TTL": "86400",
                "STRIPE_SECRET_KEY": "sk_test_given", "STRIPE_WEBHOOK_SECRET": "whsec_given", "STRIPE_API_BASE": "https://stripe.example",
                "SMTP_URL": "smtp://mail.example:587", "SMTP_FROM": "Shop <shop@example.com>", "UPLOAD_DIR": "/srv/uploads",
                "UPLOAD_MAX_BYTES": "1048576", "PUBLIC_BASE_URL": "https://shop.example", "CURRENCY": "eur", "TAX_RATE": "0.2",
                "SHIPPING_FLAT": "4.90", "FREE_SHIPPING_MIN": "50.00", "ORDER_PAYMENT_TIMEOUT": "600", "CACHE_TTL": "77",
                "METRICS_TOKEN": "given-metrics-token", "CORS_ORIGINS": "https://a.example,https://b.example", "LOG_LEVEL": "debug",
            ]
            var env = ProcessInfo.processInfo.environment
            for (name, value) in given { env[name] = value }
            env["PROFILE"] = "run"
            env["STATE_DIR"] = state
            let (status, output) = try Subprocess.run(stack.root + "/scripts/pool.sh", ["env"], environment: env)
            #expect(status == 0, "\(String(decoding: output, as: UTF8.self))")
            // Read back the way bash reads it, as the scripts do.
            let (_, printed) = try Subprocess.run("/bin/bash", ["-c", "set -a; . \(state)/commerce.env; set +a; env -0"], environment: ["PATH": "/usr/bin:/bin"])
            var written: [String: String] = [:]
            for entry in String(decoding: printed, as: UTF8.self).split(separator: "\0") {
                guard let equals = entry.firstIndex(of: "=") else { continue }
                written[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            }
            for (name, value) in given { #expect(written[name] == value, "\(name)") }
        }
    }
}

/// bytea text of a digest, as the tests query it.
enum SQLHex {
    static func bytea(_ bytes: [UInt8]) -> String { "\\x" + Hex.encode(bytes) }
}
