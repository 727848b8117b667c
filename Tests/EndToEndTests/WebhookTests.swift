import Crypto
import Foundation
import HTTP
import HTTPClient
import Postgres
import Testing

/// The local receiver (scripts/webhook-sink.py) through its control routes.
struct WebhookSink {
    let base: String

    init(stack: Stack) throws {
        guard let url = try stack.environmentFile()["WEBHOOK_SINK_URL"] else { throw Stack.StackError("WEBHOOK_SINK_URL is not set") }
        base = url
    }

    func control(_ method: String, _ path: String, _ body: String? = nil) throws -> HTTPClientResponse {
        try HTTPClient().send(
            HTTPClientRequest(method: method, url: base + "/_control/" + path, headers: [("Content-Type", "application/json")], body: body.map { Array($0.utf8) }))
    }

    func mode(_ mode: String) throws { _ = try control("POST", "mode", #"{"mode":"\#(mode)"}"#) }

    /// Every request received at `path`, oldest first: (headers, raw body).
    func received(at path: String) throws -> [(headers: [String: String], body: String)] {
        try (JSONParser.parse(control("GET", "received").body).arrayValue ?? []).filter { $0["path"]?.stringValue == path }.map { entry in
            (
                Dictionary(uniqueKeysWithValues: (entry["headers"]?.objectValue?.entries ?? []).map { ($0.key, $0.value.stringValue ?? "") }),
                entry["body"]?.stringValue ?? ""
            )
        }
    }
}

extension EndToEndTests {
    /// API.md §12.6 through nginx, the jobs process and the local receiver.
    @Suite struct Webhooks {
        let stack: Stack
        let sink: WebhookSink
        init() throws {
            stack = try Stack.current()
            sink = try WebhookSink(stack: stack)
            try sink.mode("ok")
        }

        func endpoint(_ admin: Account, path: String, events: [String]) throws -> (id: String, secret: String) {
            let list = events.map { "\"\($0)\"" }.joined(separator: ",")
            let created = try stack.send(
                "POST", "/api/webhook-endpoints", json: #"{"url":"\#(sink.base)\#(path)","events":[\#(list)],"description":"test"}"#, token: admin.accessToken)
            guard created.status == 201, let data = try created.json["data"], let secret = data["secret"]?.stringValue else {
                throw Stack.StackError("endpoint: \(created.status) \(created.text)")
            }
            return (data.id, secret)
        }

        /// The Stripe-style signature: HMAC-SHA256(secret, "t.body") in hex.
        func signatureIsValid(_ headers: [String: String], _ body: String, secret: String) -> Bool {
            guard let header = headers["commerce-signature"] else { return false }
            let parts = Dictionary(
                uniqueKeysWithValues: header.split(separator: ",").compactMap { part -> (String, String)? in
                    let pair = part.split(separator: "=", maxSplits: 1)
                    return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
                })
            guard let t = parts["t"], let v1 = parts["v1"] else { return false }
            return Hex.encode(Digest.hmacSHA256(key: Array(secret.utf8), data: Array("\(t).\(body)".utf8))) == v1
        }

        @Test func endpointsAreManagedAndTheirSecretShownOnce() throws {
            let f = try CatalogFixture(stack: stack)
            let path = "/crud-\(f.marker)"
            let (id, secret) = try endpoint(f.admin, path: path, events: ["order.paid", "order.created"])
            #expect(secret.hasPrefix("whsec_") && secret.count > 40)
            let read = try stack.send("GET", "/api/webhook-endpoints/\(id)", token: f.admin.accessToken)
            #expect(try read.json["data"]?.objectValue?.keys == ["id", "url", "description", "events", "isActive", "createdAt", "updatedAt"])
            #expect(try read.json["data"]?["events"] == .array(["order.created", "order.paid"]))
            let listed = try stack.send("GET", "/api/webhook-endpoints", token: f.admin.accessToken)
            #expect(!read.text.contains(secret) && !listed.text.contains(secret))
            let sealed = try stack.database().query("SELECT encode(secret_sealed, 'escape') AS s FROM webhook_endpoints WHERE id = $1", [id])
            #expect(sealed.first?.string("s")?.contains(secret) == false)

            for bad in [
                #"{"url":"ftp://example.com/x","events":["order.paid"]}"#, #"{"url":"http://","events":["order.paid"]}"#,
                #"{"url":"https://user:pw@example.com/","events":["order.paid"]}"#, #"{"url":"https://example.com/","events":["order.eaten"]}"#,
                #"{"url":"https://example.com/","events":[]}"#,
            ] {
                let refused = try stack.send("POST", "/api/webhook-endpoints", json: bad, token: f.admin.accessToken)
                #expect(refused.status == 400, "\(bad)")
            }
            let patched = try stack.send("PATCH", "/api/webhook-endpoints/\(id)", json: #"{"events":["product.updated"],"isActive":false}"#, token: f.admin.accessToken)
            #expect(try patched.json["data"]?["events"] == .array(["product.updated"]) && patched.json["data"]?["isActive"] == false)
            // Keys need webhooks:write.
            let reader = try #require(try stack.apiKey(f.admin, scopes: ["catalog:read"])["key"]?.stringValue)
            #expect(try stack.send("GET", "/api/webhook-endpoints", token: reader).status == 403)
            let writer = try #require(try stack.apiKey(f.admin, scopes: ["webhooks:write"])["key"]?.stringValue)
            #expect(try stack.send("DELETE", "/api/webhook-endpoints/\(id)", token: writer).status == 200)
            #expect(try stack.send("GET", "/api/webhook-endpoints/\(id)", token: f.admin.accessToken).status == 404)
        }

        @Test func eventsArriveSignedInTheOrderOfTheirCausesAfterTheReceiverWasDown() throws {
            let f = try CatalogFixture(stack: stack)
            let path = "/orders-\(f.marker)"
            let (id, secret) = try endpoint(f.admin, path: path, events: ["order.created", "order.cancelled", "product.updated"])
            defer { _ = try? stack.send("DELETE", "/api/webhook-endpoints/\(id)", token: f.admin.accessToken) }
            let lamp = try f.product("Lamp", price: "10.00", stock: 5)
            try sink.mode("error503")
            let shopper = try stack.shopper()
            try shopper.add(lamp.id)
            let order = try shopper.order()
            #expect(try stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: shopper.token).status == 200)
            // Down: tried and refused, kept pending.
            #expect(
                try stack.eventually(10) {
                    let deliveries = try stack.send("GET", "/api/webhook-endpoints/\(id)/deliveries", token: f.admin.accessToken).json["data"]?.arrayValue ?? []
                    return deliveries.contains { $0["lastStatusCode"] == 503 && $0["status"] == "pending" && ($0["attempts"]?.intValue ?? 0) >= 1 }
                })
            try sink.mode("ok")
            #expect(try stack.eventually(30) { try sink.received(at: path).count >= 2 })
            let received = try sink.received(at: path)
            let events = try received.map { try JSONParser.parse(Array($0.body.utf8)) }
            #expect(events.map { $0["type"] } == ["order.created", "order.cancelled"])
            #expect(events.allSatisfy { $0["data"]?["id"] == .string(order.id) })
            #expect(events[1]["data"]?["status"] == "CANCELLED" && events[0]["data"]?["payment"] != nil)
            // The order as the API shows it, in the API's key order.
            #expect(events[0]["data"]?.objectValue?.keys.prefix(3) == ["id", "orderNumber", "status"])
            #expect(Set(events.compactMap { $0["id"]?.stringValue }).count == 2)
            for (index, delivery) in received.enumerated() {
                #expect(signatureIsValid(delivery.headers, delivery.body, secret: secret), "\(index)")
                #expect(delivery.headers["commerce-event-id"] == events[index]["id"]?.stringValue)
            }
            let deliveries = try stack.send("GET", "/api/webhook-endpoints/\(id)/deliveries", token: f.admin.accessToken)
            #expect(try deliveries.json["data"]?.arrayValue?.allSatisfy { $0["status"] == "succeeded" && $0["lastStatusCode"] == 200 } == true)
            #expect(try deliveries.json["pagination"]?["total"] == 2)
            let metrics = try stack.metrics()
            #expect(metrics.value("webhook_deliveries_total", ["result": "retried"]) >= 1)
            #expect(metrics.value("webhook_deliveries_total", ["result": "succeeded"]) >= 2)

            // A retry sends the same event again, with the same id.
            let first = try #require(try deliveries.json["data"]?.arrayValue?.last?.id)
            #expect(try stack.send("POST", "/api/webhook-deliveries/\(first)/retry", token: f.admin.accessToken).status == 202)
            #expect(try stack.eventually(10) { try sink.received(at: path).count == 3 })
            #expect(try sink.received(at: path).last?.headers["commerce-event-id"] == events[0]["id"]?.stringValue)
            #expect(try stack.send("POST", "/api/webhook-deliveries/\(UUID().uuidString.lowercased())/retry", token: f.admin.accessToken).status == 404)
        }

        @Test func aDeliveryRefusedUntilItsLastAttemptIsFailedAndCanBeRetried() throws {
            let f = try CatalogFixture(stack: stack)
            let path = "/last-\(f.marker)"
            let (id, _) = try endpoint(f.admin, path: path, events: ["product.updated"])
            defer { _ = try? stack.send("DELETE", "/api/webhook-endpoints/\(id)", token: f.admin.accessToken) }
            let mug = try f.product("Mug", price: "5.00", stock: 3)
            try sink.mode("error503")
            defer { try? sink.mode("ok") }
            #expect(try stack.send("PATCH", "/api/products/\(mug.id)", json: #"{"price":"6.00"}"#, token: f.admin.accessToken).status == 200)
            let db = try stack.database()
            #expect(try stack.eventually(10) { try db.query("SELECT attempts FROM webhook_deliveries WHERE endpoint_id = $1", [id]).first?.int("attempts") ?? 0 >= 1 })
            // As if it had been tried all but once (WEBHOOK_MAX_ATTEMPTS is 15): the next refusal is the last.
            try db.query("UPDATE webhook_deliveries SET attempts = 14, next_attempt_at = now() WHERE endpoint_id = $1", [id])
            let failed = try stack.eventually(10) {
                let list = try stack.send("GET", "/api/webhook-endpoints/\(id)/deliveries", token: f.admin.accessToken).json["data"]?.arrayValue ?? []
                return list.first?["status"] == "failed" && list.first?["attempts"] == 15 && list.first?["nextAttemptAt"] == .null
            }
            #expect(failed)
            #expect(try sink.received(at: path).isEmpty)
            // Failed is final for the jobs process; an admin's retry sends it once the receiver is back.
            try sink.mode("ok")
            let delivery = try #require(try stack.send("GET", "/api/webhook-endpoints/\(id)/deliveries", token: f.admin.accessToken).json["data"]?[0]?.id)
            #expect(try stack.send("POST", "/api/webhook-deliveries/\(delivery)/retry", token: f.admin.accessToken).status == 202)
            #expect(try stack.eventually(10) { try sink.received(at: path).count == 1 })
        }

        @Test func aWriteThatRollsBackSendsNothingAndUnsubscribedEventsAreNotKept() throws {
            let f = try CatalogFixture(stack: stack)
            let path = "/products-\(f.marker)"
            let (id, _) = try endpoint(f.admin, path: path, events: ["product.updated"])
            defer { _ = try? stack.send("DELETE", "/api/webhook-endpoints/\(id)", token: f.admin.accessToken) }
            let mug = try f.product("Mug", price: "5.00", stock: 3)
            // A refused update (a taken SKU) writes nothing, and no event.
            let other = try f.product("Other", price: "5.00", stock: 3)
            let refused = try stack.send("PATCH", "/api/products/\(mug.id)", json: #"{"sku":"\#(other["sku"]?.stringValue ?? "")"}"#, token: f.admin.accessToken)
            #expect(refused.status == 409)
            #expect(try stack.send("PATCH", "/api/products/\(mug.id)", json: #"{"price":"6.00"}"#, token: f.admin.accessToken).status == 200)
            #expect(try stack.eventually(10) { try sink.received(at: path).count == 1 })
            let event = try JSONParser.parse(Array(try #require(try sink.received(at: path).first).body.utf8))
            #expect(event["type"] == "product.updated" && event["data"]?["price"] == "6.00" && event["data"]?.id == mug.id)
            // product.created was not subscribed to: never written to the outbox.
            let kept = try stack.database().query(
                "SELECT count(*) AS n FROM webhook_events WHERE type = 'product.created' AND data->>'id' = $1", [mug.id])
            #expect(kept.first?.int("n") == 0)
        }
    }
}
