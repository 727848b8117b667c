import Foundation
import HTTP
import HTTPClient
import Postgres
import Testing

extension Stack {
    /// A new API key made by `admin`; the answer's data (with `key`).
    func apiKey(_ admin: Account, scopes: [String], name: String = "script", extra: String = "") throws -> JSONValue {
        let list = scopes.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try send("POST", "/api/api-keys", json: #"{"name":"\#(name)","scopes":[\#(list)]\#(extra)}"#, token: admin.accessToken)
        guard response.status == 201, let data = try response.json["data"] else { throw StackError("api key: \(response.status) \(response.text)") }
        return data
    }
}

extension EndToEndTests {
    /// API.md §12.5 and §12.7 through nginx.
    @Suite struct APIKeysAndAudit {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func aKeyIsShownOnceStoredHashedAndHeldToItsScopes() throws {
            let f = try CatalogFixture(stack: stack)
            let created = try stack.apiKey(f.admin, scopes: ["catalog:read"])
            let key = try #require(created["key"]?.stringValue)
            let prefix = try #require(created["prefix"]?.stringValue)
            #expect(key.hasPrefix("ck_\(prefix)_") && key.count == 3 + 8 + 1 + 64 && prefix.count == 8)
            #expect(created["scopes"] == .array(["catalog:read"]) && created["revokedAt"] == .null && created["lastUsedAt"] == .null)
            // Only its hash is stored, and the list never shows the key.
            let stored = try stack.database().query("SELECT encode(secret_hash, 'hex') AS h FROM api_keys WHERE id = $1", [created.id])
            #expect(stored.first?.string("h")?.count == 64 && stored.first?.string("h")?.contains(String(key.suffix(64))) == false)
            let list = try stack.send("GET", "/api/api-keys", token: f.admin.accessToken)
            #expect(!list.text.contains(key))
            let listed = try #require(try list.json["data"]?.arrayValue?.first { $0.id == created.id })
            #expect(listed.objectValue?.keys == ["id", "name", "prefix", "scopes", "createdAt", "expiresAt", "lastUsedAt", "revokedAt"])

            let product = try f.product("Lamp")
            let write = try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"1.00"}"#, token: key)
            #expect(write.status == 403)
            #expect(try write.json["message"] == "This API key lacks the scope catalog:write")
            #expect(try stack.send("GET", "/api/products?includeInactive=true&limit=1", token: key).status == 200)
            // Never: keys, roles, anything a person does for themselves.
            for (method, path, body) in [
                ("POST", "/api/api-keys", #"{"name":"x","scopes":["catalog:read"]}"#), ("GET", "/api/api-keys", nil),
                ("PATCH", "/api/users/\(f.admin.id)", #"{"role":"user"}"#), ("GET", "/api/users/me", nil), ("GET", "/api/cart", nil),
            ] {
                let refused = try stack.send(method, path, json: body, token: key)
                #expect(refused.status == 403, "\(method) \(path)")
                #expect(try refused.json["message"] == "API keys cannot call this route", "\(method) \(path)")
            }
            // A made-up or mangled key is a 401 like a bad token.
            #expect(try stack.send("GET", "/api/orders", token: "ck_\(prefix)_" + String(repeating: "0", count: 64)).status == 401)
            #expect(try stack.send("GET", "/api/orders", token: "ck_nope").status == 401)
            // Its use is written down, in batches.
            #expect(
                try stack.eventually(10) {
                    try stack.database().query("SELECT last_used_at IS NOT NULL AS used FROM api_keys WHERE id = $1", [created.id]).first?.string("used") == "t"
                })
        }

        @Test func aRevokedKeyIsRefusedOnItsVeryNextRequest() throws {
            let f = try CatalogFixture(stack: stack)
            let created = try stack.apiKey(f.admin, scopes: ["orders:read", "catalog:read"])
            let key = try #require(created["key"]?.stringValue)
            #expect(try stack.send("GET", "/api/orders?scope=all&limit=1", token: key).status == 200)
            #expect(try stack.send("DELETE", "/api/api-keys/\(created.id)", token: f.admin.accessToken).status == 200)
            let refused = try stack.send("GET", "/api/orders?scope=all&limit=1", token: key)
            #expect(refused.status == 401)
            #expect(refused.header("www-authenticate")?.hasPrefix("Bearer") == true)
            #expect(try stack.send("GET", "/api/products?includeInactive=true", token: key).status == 401)
            #expect(try stack.send("DELETE", "/api/api-keys/\(UUID().uuidString.lowercased())", token: f.admin.accessToken).status == 404)
            let listed = try stack.send("GET", "/api/api-keys", token: f.admin.accessToken).json["data"]?.arrayValue?.first { $0.id == created.id }
            #expect(listed?["revokedAt"]?.stringValue != nil)
        }

        @Test func nginxLimitsEachKeyByKeyNotByAddress() throws {
            let f = try CatalogFixture(stack: stack)
            let first = try #require(try stack.apiKey(f.admin, scopes: ["orders:read"])["key"]?.stringValue)
            let second = try #require(try stack.apiKey(f.admin, scopes: ["orders:read"])["key"]?.stringValue)
            // From 127.0.0.2, which the local stack limits like any client (127.0.0.1 is exempt).
            let client = HTTPClient()
            func status(_ key: String) throws -> Int {
                try client.send(
                    HTTPClientRequest(
                        method: "GET", url: stack.baseURL + "/api/orders/\(UUID().uuidString.lowercased())",
                        headers: [(name: "Authorization", value: "Bearer " + key)], localAddress: "127.0.0.2")
                ).status
            }
            let statuses = try (0..<220).map { _ in try status(first) }
            // Past the address zone's burst of 40 without a 429: keys are not counted by address.
            #expect(statuses.prefix(60).allSatisfy { $0 == 404 }, "\(statuses.prefix(60))")
            #expect(statuses.contains(429), "\(statuses)")
            // Another key from the same address has its own allowance.
            #expect(try status(second) == 404)
        }

        @Test func keysAreValidatedAndExpire() throws {
            let f = try CatalogFixture(stack: stack)
            for bad in [
                #"{"name":"x","scopes":[]}"#, #"{"name":"x","scopes":["catalog:all"]}"#, #"{"scopes":["catalog:read"]}"#,
                #"{"name":"x","scopes":["catalog:read"],"expiresAt":"2001-01-01T00:00:00Z"}"#, #"{"name":"x","scopes":"catalog:read"}"#,
            ] {
                let refused = try stack.send("POST", "/api/api-keys", json: bad, token: f.admin.accessToken)
                #expect(refused.status == 400, "\(bad)")
            }
            let soon = Timestamp.format(epochMilliseconds: Int64(Date().timeIntervalSince1970 * 1000) + 1500)
            let key = try #require(try stack.apiKey(f.admin, scopes: ["customers:read"], extra: #","expiresAt":"\#(soon)""#)["key"]?.stringValue)
            #expect(try stack.send("GET", "/api/users?limit=1", token: key).status == 200)
            Thread.sleep(forTimeInterval: 2)
            #expect(try stack.send("GET", "/api/users?limit=1", token: key).status == 401)
        }

        @Test func everyAdminWriteIsLoggedWithBeforeAndAfterAndTheLogCannotChange() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Kettle", price: "10.00")
            let change = try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"12.50"}"#, token: f.admin.accessToken)
            #expect(change.status == 200)
            let log = try stack.send("GET", "/api/audit-log?entityType=product&entityId=\(product.id)", token: f.admin.accessToken)
            #expect(log.status == 200)
            let entries = try #require(try log.json["data"]?.arrayValue)
            #expect(entries.map { $0["action"] } == ["product.update", "product.create"])
            let update = entries[0]
            #expect(
                update.objectValue?.keys == [
                    "id", "actorType", "actorId", "action", "entityType", "entityId", "changes", "requestId", "ip", "createdAt",
                ])
            #expect(update["changes"] == .object(["price": .array(["10.00", "12.50"])]))
            #expect(update["actorType"] == "user" && update["actorId"] == .string(f.admin.id))
            #expect(update["requestId"] == change.header("x-request-id").map(JSONValue.string) && update["ip"]?.stringValue?.isEmpty == false)

            // A key's writes are the key's.
            let writer = try stack.apiKey(f.admin, scopes: ["catalog:write", "audit:read"])
            let key = try #require(writer["key"]?.stringValue)
            #expect(try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"stockQuantity":7}"#, token: key).status == 200)
            let byKey = try stack.send("GET", "/api/audit-log?actorId=\(writer.id)", token: key)
            #expect(try byKey.json["data"]?[0]?["actorType"] == "apiKey")
            #expect(try byKey.json["data"]?[0]?["changes"]?["stockQuantity"] == .array([5, 7]))
            // The key's creation is logged without its secret.
            let made = try stack.send("GET", "/api/audit-log?action=apiKey.create&entityId=\(writer.id)", token: f.admin.accessToken)
            #expect(try made.json["data"]?.arrayValue?.count == 1)
            #expect(!made.text.contains(key) && !made.text.contains(String(key.suffix(64))))
            #expect(try stack.send("GET", "/api/audit-log?actorId=nope", token: f.admin.accessToken).status == 400)
            #expect(try stack.send("GET", "/api/audit-log?from=yesterday", token: f.admin.accessToken).status == 400)

            // The database refuses to change or drop history, whoever asks.
            let db = try stack.database()
            for statement in ["UPDATE audit_log SET action = 'x' WHERE entity_id = $1", "DELETE FROM audit_log WHERE entity_id = $1"] {
                do {
                    try db.query(statement, [product.id])
                    Issue.record("\(statement) was allowed")
                } catch {
                    #expect(error.description.contains("audit_log is append-only"), "\(error)")
                }
            }
            #expect(try db.query("SELECT count(*) AS n FROM audit_log WHERE entity_id = $1", [product.id]).first?.int("n") == 3)
        }

        @Test func theJobsProcessPurgesOnlyEntriesPastTheRetention() throws {
            let db = try stack.database()
            let marker = UUID().uuidString.lowercased()
            // Old history can be written (an insert), never edited; the purge takes it.
            try db.query(
                "INSERT INTO audit_log (actor_type, action, entity_type, entity_id, created_at) VALUES ('system', 'test.old', 'test', $1, now() - interval '400 days')",
                [marker])
            try db.query("INSERT INTO audit_log (actor_type, action, entity_type, entity_id) VALUES ('system', 'test.new', 'test', $1)", [marker])
            // The jobs process purges on its first pass, then every ten minutes.
            try stack.script("pool.sh", "jobs-stop")
            try stack.script("pool.sh", "jobs-start")
            #expect(try stack.eventually(15) { try db.query("SELECT count(*) AS n FROM audit_log WHERE entity_id = $1", [marker]).first?.int("n") == 1 })
            #expect(try db.query("SELECT action FROM audit_log WHERE entity_id = $1", [marker]).first?.string("action") == "test.new")
        }

        @Test func ordersStatusCancelAndRefundsAndRolesAreLogged() throws {
            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", price: "10.00", stock: 5)
            let shopper = try stack.shopper()
            try shopper.add(lamp.id)
            let order = try shopper.order()
            #expect(try stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: f.admin.accessToken).status == 200)
            let user = try stack.register()
            #expect(try stack.send("PATCH", "/api/users/\(user.id)", json: #"{"isActive":false}"#, token: f.admin.accessToken).status == 200)
            let log = try stack.send("GET", "/api/audit-log?entityId=\(order.id)", token: f.admin.accessToken)
            #expect(try log.json["data"]?[0]?["action"] == "order.cancel")
            #expect(try log.json["data"]?[0]?["changes"] == .object(["status": .array(["PENDING", "CANCELLED"])]))
            let deactivated = try stack.send("GET", "/api/audit-log?entityType=user&entityId=\(user.id)", token: f.admin.accessToken)
            #expect(try deactivated.json["data"]?[0]?["changes"] == .object(["isActive": .array([true, false])]))
            // A shopper cancelling their own order is not an admin write.
            try shopper.add(lamp.id)
            let own = try shopper.order()
            #expect(try stack.send("PATCH", "/api/orders/\(own.id)/cancel", token: shopper.token).status == 200)
            #expect(try stack.send("GET", "/api/audit-log?entityId=\(own.id)", token: f.admin.accessToken).json["data"] == .array([]))
            #expect(try stack.send("GET", "/api/audit-log", token: shopper.token).status == 403)
        }
    }
}
