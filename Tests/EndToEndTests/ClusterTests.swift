import Foundation
import HTTP
import HTTPClient
import Testing

/// `make test-cluster` (scripts/cluster.sh): a front nginx, two app hosts on TCP, a PostgreSQL
/// primary and its streaming standby, and Redis, each in a network namespace; these tests run
/// from a client namespace, through the front only. Not part of `make test`, whose one-host
/// stack has none of this (test.sh skips this suite).
@Suite(.serialized) struct ClusterTests {
    let stack: Stack
    init() throws { stack = try Stack.current() }

    /// scripts/cluster.sh COMMAND…, e.g. `pool-kill app1` (it sets its own profile).
    func cluster(_ arguments: String...) throws {
        try stack.script("cluster.sh", arguments)
    }

    /// Several scrapes of /api/metrics (the front spreads them over both hosts): the largest
    /// value each shows for the sample.
    func largestMetric(_ name: String, _ labels: [String: String]) throws -> Double {
        var largest = 0.0
        for _ in 0..<6 { largest = max(largest, try stack.metrics().value(name, labels)) }
        return largest
    }

    @Test func aShopperRegistersBrowsesAndChecksOutThroughTheFront() throws {
        let f = try CatalogFixture(stack: stack)
        let product = try f.product("Lamp", price: "12.50", stock: 3)
        let shopper = try stack.shopper()
        let listing = try stack.get("/api/products?search=\(f.marker)")
        #expect(listing.status == 200)
        #expect(try listing.json["data"]?.arrayValue?.map(\.id) == [product.id])
        try shopper.add(product.id, quantity: 2)
        let order = try shopper.order()
        #expect(order["total"] != nil && order["items"]?[0]?["quantity"] == .int(2))
        // The stock every page shows moved on every host at once.
        for _ in 0..<6 {
            #expect(try stack.get("/api/products/\(product.id)").json["data"]?["stockQuantity"] == .int(1))
        }
        let orders = try stack.send("GET", "/api/orders", token: shopper.token)
        #expect(try orders.json["data"]?.arrayValue?.map(\.id) == [order.id])
    }

    @Test func anAdminWriteOnOneHostEmptiesTheCatalogCacheOfBoth() throws {
        let f = try CatalogFixture(stack: stack)
        let product = try f.product("Chair", price: "40.00")
        // Both hosts cache the page (the front alternates between them).
        for _ in 0..<6 { #expect(try stack.get("/api/products/\(product.id)").json["data"]?["price"] == "40.00") }
        #expect(try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"35.00"}"#, token: f.admin.accessToken).status == 200)
        for _ in 0..<6 { #expect(try stack.get("/api/products/\(product.id)").json["data"]?["price"] == "35.00") }
        for _ in 0..<6 { #expect(try f.names("/api/products?search=\(f.marker)") == ["Chair"]) }
    }

    /// The replica is behind the primary by a little; the client that wrote must never see it.
    @Test func aWriteIsAlwaysSeenByTheNextReadOfTheSameClient() throws {
        let f = try CatalogFixture(stack: stack)
        let product = try f.product("Desk", price: "100.00")
        for round in 1...30 {
            let price = "\(100 + round).00"
            #expect(try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"\#(price)"}"#, token: f.admin.accessToken).status == 200)
            #expect(try stack.get("/api/products/\(product.id)").json["data"]?["price"] == .string(price))
            #expect(try stack.get("/api/products?search=\(f.marker)").json["data"]?[0]?["price"] == .string(price))
        }
        let created = try f.product("Shelf \(UUID().uuidString.prefix(4))")
        #expect(try stack.get("/api/products/\(created.id)").status == 200)
        // The admin's export (the standby's, when it has caught up) has both.
        let export = try stack.send("GET", "/api/products/export.csv", token: f.admin.accessToken)
        #expect(export.status == 200)
        let rows = export.text.components(separatedBy: "\r\n").filter { $0.contains(f.marker) }
        #expect(rows.count == 2 && rows.contains { $0.contains(",130.00,") })
        // Uncached reads went to the replica when it had caught up.
        #expect(try largestMetric("catalog_db_reads_total", ["source": "replica"]) > 0)
    }

    @Test func readsFallBackToThePrimaryWhileTheReplicaIsDownAndReturnToIt() throws {
        let f = try CatalogFixture(stack: stack)
        let product = try f.product("Rug", price: "80.00")
        let ready = try stack.get("/api/health/ready").json
        #expect(ready["status"] == "ok" && ready["checks"]?["replica"]?["status"] == "up")
        try cluster("replica-stop")
        do {
            // Not needed to answer, so degraded, never down.
            let degraded = try stack.get("/api/health/ready")
            #expect(degraded.status == 200)
            #expect(try degraded.json["status"] == "degraded" && degraded.json["checks"]?["replica"]?["status"] == "down")
            for round in 1...10 {
                // A query no cache holds, so it reads PostgreSQL.
                let page = try stack.get("/api/products?search=\(f.marker)&minPrice=\(round).00")
                #expect(page.status == 200)
                #expect(try page.json["data"]?.arrayValue?.map(\.id) == [product.id])
            }
            #expect(try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"81.00"}"#, token: f.admin.accessToken).status == 200)
            #expect(try stack.get("/api/products/\(product.id)").json["data"]?["price"] == "81.00")
            #expect(try largestMetric("replica_fallbacks_total", ["reason": "down"]) > 0)
        } catch {
            try cluster("replica-start")
            throw error
        }
        let replicaReadsBefore = try largestMetric("catalog_db_reads_total", ["source": "replica"])
        try cluster("replica-start")
        // Once it is back (and after its rest), misses read it again, and it has the write.
        let back = try stack.eventually(15) {
            _ = try stack.get("/api/products?search=\(f.marker)&maxPrice=\(Int.random(in: 100...100_000)).00")
            return try largestMetric("catalog_db_reads_total", ["source": "replica"]) > replicaReadsBefore
        }
        #expect(back)
        #expect(try stack.get("/api/products?search=\(f.marker)&sort=price").json["data"]?[0]?["price"] == "81.00")
    }

    /// A standby that receives WAL but stops applying it: every catalog write after that must
    /// still be seen at once, so reads go to the primary until it catches up again.
    @Test func aReplicaThatFallsBehindIsNotReadUntilItHasTheWrite() throws {
        let f = try CatalogFixture(stack: stack)
        let product = try f.product("Lamp", price: "20.00")
        let fallbacksBefore =
            try largestMetric("replica_fallbacks_total", ["reason": "behind"]) + largestMetric("replica_fallbacks_total", ["reason": "lag"])
        try cluster("replica-pause")
        do {
            for round in 1...5 {
                let price = "\(20 + round).00"
                #expect(try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"\#(price)"}"#, token: f.admin.accessToken).status == 200)
                #expect(try stack.get("/api/products/\(product.id)").json["data"]?["price"] == .string(price))
                #expect(try stack.get("/api/products?search=\(f.marker)&minPrice=\(round).00").json["data"]?[0]?["price"] == .string(price))
            }
            let fallbacks =
                try largestMetric("replica_fallbacks_total", ["reason": "behind"]) + largestMetric("replica_fallbacks_total", ["reason": "lag"])
            #expect(fallbacks > fallbacksBefore)
        } catch {
            try cluster("replica-resume")
            throw error
        }
        try cluster("replica-resume")
        let replicaReadsBefore = try largestMetric("catalog_db_reads_total", ["source": "replica"])
        var prices: [JSONValue?] = []
        let caughtUp = try stack.eventually(10) {
            prices.append(try stack.get("/api/products?search=\(f.marker)&maxPrice=\(Int.random(in: 100...100_000)).00").json["data"]?[0]?["price"])
            return try largestMetric("catalog_db_reads_total", ["source": "replica"]) > replicaReadsBefore
        }
        #expect(caughtUp)
        #expect(prices.allSatisfy { $0 == "25.00" }, "\(prices)")
    }

    /// One app host's whole pool dies (SIGKILL) under reads and checkouts: nginx moves the GETs
    /// to the other host, and a checkout is never run twice.
    @Test func anAppHostsPoolKilledMidLoadFailsNoReadAndDuplicatesNoOrder() throws {
        let f = try CatalogFixture(stack: stack)
        let product = try f.product("Mug", price: "9.00", stock: 500)
        let shoppers = try (0..<8).map { _ in try stack.shopper() }
        for shopper in shoppers { try shopper.add(product.id) }
        let stop = Locked(false)
        let readStatuses = Locked([Int]())
        let readers = DispatchGroup()
        for reader in 0..<4 {
            DispatchQueue.global().async(group: readers) {
                var page = 1
                while !stop.value {
                    let path = reader % 2 == 0 ? "/api/products?page=\(page % 3 + 1)" : "/api/products/\(product.id)"
                    let status = (try? stack.get(path).status) ?? -1
                    readStatuses.mutate { $0.append(status) }
                    page += 1
                }
            }
        }
        Thread.sleep(forTimeInterval: 0.5)
        // Checkouts around the kill, each retried once with its key if it got no answer.
        let checkoutStatuses = stack.race(shoppers.count) { index -> [Int] in
            if index == 0 { try? cluster("pool-kill", "app1") }
            let key = "cluster-\(UUID().uuidString)"
            let first = (try? shoppers[index].checkout(idempotencyKey: key).status) ?? -1
            guard first != 201 else { return [first] }
            Thread.sleep(forTimeInterval: 0.3)
            return [first, (try? shoppers[index].checkout(idempotencyKey: key).status) ?? -1]
        }
        Thread.sleep(forTimeInterval: 1.5)
        stop.mutate { $0 = true }
        readers.wait()
        try cluster("pool-start", "app1")
        let statuses = readStatuses.value
        #expect(statuses.count > 50)
        #expect(statuses.allSatisfy { $0 == 200 }, "failed reads: \(statuses.filter { $0 != 200 })")
        // A checkout that reached the killed host got no answer (nginx never sends a POST to a
        // second host): its transaction died with the worker or had committed, and its retry is
        // refused while the key's claim stands (409) or runs once. Never two orders for one shopper.
        var ordered = 0
        for (shopper, statuses) in zip(shoppers, checkoutStatuses) {
            let orders = try stack.send("GET", "/api/orders", token: shopper.token).json["data"]?.arrayValue ?? []
            // A checkout killed after its commit (during its Stripe call) made its order although
            // its client never heard: one order, and the retry is told the key is taken (409).
            #expect(orders.count == 1 || (orders.count == 0 && statuses.last != 201), "checkout answered \(statuses), orders: \(orders.count)")
            #expect(statuses.allSatisfy { [201, 409, 502, 503].contains($0) }, "checkout answered \(statuses)")
            ordered += orders.count
        }
        #expect(ordered >= shoppers.count / 2)
        #expect(try stack.stock(of: product.id) == 500 - ordered)
        // The host is back: it answers requests again once nginx tries it (after fail_timeout).
        let served = try stack.logLines().count { $0.contains(#""msg":"request""#) }
        #expect(
            stack.eventually(20) {
                _ = try? stack.get("/health")
                return ((try? stack.logLines().count { $0.contains(#""msg":"request""#) }) ?? 0) > served
            })
    }

    @Test func anUploadThroughOneHostIsServedByTheFrontAndShownByBoth() throws {
        let f = try CatalogFixture(stack: stack)
        let product = try f.product("Vase")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<2000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let boundary = "----cluster\(UUID().uuidString.prefix(8))"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"vase.png\"\r\nContent-Type: image/png\r\n\r\n".utf8) + png
        body += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"productId\"\r\n\r\n\(product.id)\r\n--\(boundary)--\r\n".utf8)
        let response = try stack.request(
            "POST", "/api/upload/single", headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)"), ("Authorization", "Bearer " + f.admin.accessToken)],
            body: body)
        #expect(response.status == 201)
        let url = try #require(try response.json["data"]?["url"]?.stringValue)
        let served = try stack.get(url)
        #expect(served.status == 200 && served.body == png)
        for _ in 0..<6 { #expect(try stack.get("/api/products/\(product.id)").json["data"]?["images"]?[0]?["url"] == .string(url)) }
    }

    /// Each app host runs a jobs process: the two share the outbox and the webhook deliveries
    /// (SKIP LOCKED), so every mail and every event goes out once, in order.
    @Test func twoJobsProcessesSendEachMailAndEachWebhookOnce() throws {
        let sink = try WebhookSink(stack: stack)
        try sink.mode("ok")
        let f = try CatalogFixture(stack: stack)
        let path = "/cluster-\(f.marker)"
        let created = try stack.send(
            "POST", "/api/webhook-endpoints", json: #"{"url":"\#(sink.base)\#(path)","events":["product.updated"]}"#, token: f.admin.accessToken)
        #expect(created.status == 201)
        let product = try f.product("Clock", price: "30.00")
        for round in 1...12 {
            #expect(try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"\#(30 + round).00"}"#, token: f.admin.accessToken).status == 200)
        }
        let emails = (0..<6).map { _ in Stack.uniqueEmail("twojobs") }
        for email in emails { _ = try stack.register(email: email) }
        #expect(stack.eventually(20) { ((try? sink.received(at: path).count) ?? 0) >= 12 })
        let mailbox = Mailbox(stack: stack)
        #expect(emails.allSatisfy { mailbox.waitForMessages(to: $0).count >= 1 })
        // Time for a second delivery or mail, were one coming.
        Thread.sleep(forTimeInterval: 1.5)
        let deliveries = try sink.received(at: path)
        #expect(deliveries.count == 12)
        #expect(Set(deliveries.compactMap { $0.headers["commerce-event-id"] }).count == 12)
        let prices = deliveries.compactMap { try? JSONParser.parse(Array($0.body.utf8))["data"]?["price"]?.stringValue }
        #expect(prices == (1...12).map { "\(30 + $0).00" })
        #expect(emails.allSatisfy { mailbox.messages(to: $0).count == 1 })
    }

    /// Only the front may speak FastCGI to an app host: anyone else is closed unread.
    @Test func anAppHostClosesFastCGIConnectionsFromAnyoneButTheFront() throws {
        let answer = try RawHTTP.send("GET / HTTP/1.0\r\n\r\n", to: "http://10.77.0.11:9000")
        #expect(answer.status == 0 && answer.body.isEmpty)
        #expect(
            stack.eventually(5) {
                (try? stack.logLines().contains { $0.contains("FastCGI connection refused") && $0.contains("\"peer\":\"10.77.0.5\"") }) ?? false
            })
    }
}
