import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// Selling does not flush the catalog (issue 14): cached pages keep their bytes, the stock
    /// in them is filled in as they are served, so every page shows a sale at once and stays a
    /// cache hit.
    @Suite struct StockFreshness {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        /// The stock a page shows for `productId`, from every answer of eight concurrent reads
        /// (so from every worker); nil when they disagree or it is not listed.
        func shownStock(_ path: String, _ productId: String) -> (quantity: Int, inStock: Bool)? {
            let seen = Set(
                stack.concurrentResponses(8, path).map { response -> String in
                    guard response.status == 200, let json = try? response.json else { return "status \(response.status)" }
                    let data = json["data"]
                    let product = data?.arrayValue?.first { $0.id == productId } ?? (data?.id == productId ? data : nil)
                    guard let product, let quantity = product["stockQuantity"]?.intValue, let inStock = product["inStock"]?.boolValue else { return "absent" }
                    return "\(quantity) \(inStock)"
                })
            guard seen.count == 1, let only = seen.first, let space = only.firstIndex(of: " "), let quantity = Int(only[..<space]) else { return nil }
            return (quantity, only[only.index(after: space)...] == "true")
        }

        func catalogLookups() throws -> (hits: Double, misses: Double) {
            let metrics = try stack.metrics()
            return (
                metrics.value("cache_requests_total", ["cache": "catalog", "result": "hit"]),
                metrics.value("cache_requests_total", ["cache": "catalog", "result": "miss"])
            )
        }

        @Test func aSaleShowsAtOnceOnEveryPageAndFlushesNothing() throws {
            let f = try CatalogFixture(stack: stack)
            let category = try f.category("Stocked")
            let lamp = try f.product("Lamp", stock: 3, category: category.id)
            _ = try f.product("Vase", stock: 5, category: category.id)
            let slug = try #require(lamp["slug"]?.stringValue)
            let categorySlug = try #require(category["slug"]?.stringValue)
            let pages = [
                "/api/products/\(lamp.id)", "/api/products/\(slug)", "/api/products?search=\(f.marker)",
                "/api/products?category=\(categorySlug)", "/api/products?search=\(f.marker)&sort=price:asc&limit=5",
            ]
            for page in pages { #expect(shownStock(page, lamp.id)! == (3, true), "\(page)") }

            let before = try catalogLookups()
            let shopper = try stack.shopper()
            try shopper.add(lamp.id)
            _ = try shopper.order()
            for page in pages { #expect(shownStock(page, lamp.id)! == (2, true), "after a sale: \(page)") }
            try shopper.add(lamp.id, quantity: 2)
            _ = try shopper.order()
            for page in pages { #expect(shownStock(page, lamp.id)! == (0, false), "sold out: \(page)") }
            let after = try catalogLookups()
            #expect(after.misses == before.misses, "no page was rebuilt")
            #expect(after.hits - before.hits == Double(pages.count * 16))
        }

        @Test func aProductThatSellsOutLeavesInStockListingsAtOnce() throws {
            let f = try CatalogFixture(stack: stack)
            let last = try f.product("Last", stock: 1)
            let other = try f.product("Other", stock: 4)
            let listing = "/api/products?search=\(f.marker)&inStock=true"
            #expect(try f.names(listing).sorted() == ["Last", "Other"])
            #expect(try stack.get(listing).json["pagination"]?["total"] == 2)
            let shopper = try stack.shopper()
            try shopper.add(last.id)
            let order = try shopper.order()
            #expect(
                stack.concurrentResponses(8, listing).allSatisfy {
                    (try? $0.json["data"]?.arrayValue?.map(\.id)) == [other.id] && (try? $0.json["pagination"]?["total"]) == 1
                })
            // A cancel puts it back, and it is listed again at once.
            #expect(try stack.send("PATCH", "/api/orders/\(order.id)/cancel", token: shopper.token).status == 200)
            #expect(stack.concurrentResponses(8, listing).allSatisfy { (try? $0.json["pagination"]?["total"]) == 2 })
            #expect(shownStock("/api/products/\(last.id)", last.id)! == (1, true))
        }

        @Test func anAdminsStockEditIsSeenAtOnce() throws {
            let f = try CatalogFixture(stack: stack)
            let mug = try f.product("Mug", stock: 2)
            let list = "/api/products?search=\(f.marker)"
            #expect(shownStock(list, mug.id)! == (2, true))
            #expect(try stack.send("PATCH", "/api/products/\(mug.id)", json: #"{"stockQuantity":9}"#, token: f.admin.accessToken).status == 200)
            #expect(shownStock(list, mug.id)! == (9, true))
            #expect(shownStock("/api/products/\(mug.id)", mug.id)! == (9, true))
        }

        @Test func expiryReturnsStockToThePagesAtOnce() throws {
            let f = try CatalogFixture(stack: stack)
            let kettle = try f.product("Kettle", stock: 2)
            let page = "/api/products/\(kettle.id)"
            let shopper = try stack.shopper()
            try shopper.add(kettle.id, quantity: 2)
            let order = try shopper.order()
            #expect(shownStock(page, kettle.id)! == (0, false))
            // Overdue, then the jobs process (outside the pool) cancels it.
            _ = try stack.database().query("UPDATE orders SET created_at = now() - interval '2 days' WHERE id = $1", [order.id])
            let (status, _) = try Subprocess.run(stack.binary, ["jobs", "--once"], environment: try stack.environmentFile())
            #expect(status == 0)
            #expect(try stack.stock(of: kettle.id) == 2)
            #expect(shownStock(page, kettle.id)! == (2, true))
        }

        /// `CATALOG_CACHE_SCOPE=global`, as each of several app hosts runs it: a second pool
        /// with its own scoreboard (its own "host"), spoken to over FastCGI.
        @Test func withGlobalScopeEveryPageShowsASaleAtOnceToo() throws {
            let socket = stack.state + "/global-scope.sock"
            var env = try stack.environmentFile()
            env["SCOREBOARD_PATH"] = stack.state + "/global-scope.scoreboard"
            env["CATALOG_CACHE_SCOPE"] = "global"
            let process = try Subprocess(stack.binary, ["serve", "--workers", "2", "--socket", socket, "--checkout-workers", "0"], environment: env)
            defer { process.terminate() }
            #expect(stack.eventually(5) { FileManager.default.fileExists(atPath: socket) })
            func read(_ uri: String) throws -> JSONValue? {
                let answer = try FastCGIProbe.send(socket: socket, method: "GET", uri: uri)
                return answer.status == 200 ? try JSONParser.parse(Array(answer.body.utf8)) : nil
            }
            func stock(_ uri: String, _ id: String) throws -> String? {
                let data = try read(uri)?["data"]
                guard let product = data?.arrayValue?.first(where: { $0.id == id }) ?? (data?.id == id ? data : nil) else { return nil }
                return "\(product["stockQuantity"]?.intValue ?? -1) \(product["inStock"]?.boolValue ?? false)"
            }

            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", stock: 2)
            let pages = ["/api/products/\(lamp.id)", "/api/products?search=\(f.marker)", "/api/products?search=\(f.marker)&inStock=true"]
            for page in pages {
                for _ in 0..<3 { #expect(try stock(page, lamp.id) == "2 true", "\(page)") }
            }
            let shopper = try stack.shopper()
            func buy(_ quantity: Int) throws {
                try shopper.add(lamp.id, quantity: quantity)
                let answer = try FastCGIProbe.send(
                    socket: socket, method: "POST", uri: "/api/orders",
                    parameters: ["HTTP_AUTHORIZATION": "Bearer " + shopper.token, "CONTENT_TYPE": "application/json"],
                    body: Array(Shopper.inlineShipping.utf8))
                #expect(answer.status == 201, "\(answer.body)")
            }
            try buy(1)
            for page in pages {
                for _ in 0..<3 { #expect(try stock(page, lamp.id) == "1 true", "after a sale: \(page)") }
            }
            try buy(1)
            for _ in 0..<3 {
                #expect(try stock(pages[0], lamp.id) == "0 false")
                #expect(try stock(pages[1], lamp.id) == "0 false")
                #expect(try read(pages[2])?["pagination"]?["total"] == 0, "sold out leaves the inStock listing")
            }
        }

        @Test func gzipIsMadeOnceAndServedWithItsOwnETag() throws {
            let f = try CatalogFixture(stack: stack)
            for index in 0..<12 { _ = try f.product("Chair \(index)", description: String(repeating: "A comfortable chair. ", count: 20)) }
            let path = "/api/products?search=\(f.marker)&limit=20"
            let plain = try stack.get(path)
            #expect(plain.header("content-encoding") == nil)
            #expect(plain.header("vary") == "Accept-Encoding")
            let compressed = try stack.get(path, headers: [("Accept-Encoding", "gzip, deflate, br")])
            #expect(compressed.status == 200)
            #expect(compressed.header("content-encoding") == "gzip")
            #expect(compressed.header("vary") == "Accept-Encoding")
            #expect(compressed.body.count * 4 < plain.body.count, "\(compressed.body.count) of \(plain.body.count) bytes")
            let etag = try #require(plain.header("etag"))
            let gzipETag = try #require(compressed.header("etag"))
            #expect(gzipETag == String(etag.dropLast()) + "-gz\"")
            let (status, inflated) = try Subprocess.run("/bin/gzip", ["-dc"], environment: [:], input: compressed.body)
            #expect(status == 0 && inflated == plain.body)
            // Each tag revalidates its own representation only.
            #expect(try stack.get(path, headers: [("Accept-Encoding", "gzip"), ("If-None-Match", gzipETag)]).status == 304)
            #expect(try stack.get(path, headers: [("If-None-Match", gzipETag)]).status == 200)
            #expect(try stack.get(path, headers: [("Accept-Encoding", "gzip;q=0"), ("If-None-Match", etag)]).status == 304)
            // A sale changes the tag of both.
            let shopper = try stack.shopper()
            try shopper.add(try #require(try plain.json["data"]?[0]?.id))
            _ = try shopper.order()
            #expect(try stack.get(path, headers: [("Accept-Encoding", "gzip"), ("If-None-Match", gzipETag)]).status == 200)
            #expect(try stack.get(path, headers: [("If-None-Match", etag)]).status == 200)
        }
    }
}
