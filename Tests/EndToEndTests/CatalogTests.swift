import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// API.md §4 categories through nginx.
    @Suite struct Categories {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func categoriesNestAndKeepTheirRules() throws {
            let f = try CatalogFixture(stack: stack)
            let root = try f.category("Outdoor")
            #expect(root["slug"] == .string("outdoor-\(f.marker)"))
            #expect(root.objectValue?.keys == ["id", "name", "slug", "description", "parentId", "isActive", "createdAt", "updatedAt"])
            let child = try f.category("Tents", parent: root.id)
            let grandchild = try f.category("Ultralight Tents", parent: child.id)
            #expect(grandchild["parentId"] == .string(child.id))

            let tree = try stack.get("/api/categories?tree=true").json["data"]?.arrayValue ?? []
            let node = try #require(tree.first { $0.id == root.id })
            #expect(node["children"]?.arrayValue?.map(\.id) == [child.id])
            #expect(node["children"]?.arrayValue?.first?["children"]?.arrayValue?.map(\.id) == [grandchild.id])
            let flat = try stack.get("/api/categories").json["data"]?.arrayValue ?? []
            #expect(flat.contains { $0.id == grandchild.id } && flat.allSatisfy { $0["children"] == nil })

            // By id and by slug.
            #expect(try stack.get("/api/categories/\(child.id)").json["data"]?["name"] == .string("Tents \(f.marker)"))
            #expect(try stack.get("/api/categories/tents-\(f.marker)").json["data"]?.id == child.id)

            // A parent that would make a cycle, an unknown parent, taken names and slugs.
            let cycle = try stack.send("PATCH", "/api/categories/\(root.id)", json: #"{"parentId":"\#(grandchild.id)"}"#, token: f.admin.accessToken)
            #expect(cycle.status == 400)
            #expect(try cycle.json["details"]?.arrayValue?.first?["field"] == "parentId")
            #expect(try stack.send("PATCH", "/api/categories/\(root.id)", json: #"{"parentId":"\#(root.id)"}"#, token: f.admin.accessToken).status == 400)
            let unknown = UUID().uuidString.lowercased()
            #expect(try stack.send("POST", "/api/categories", json: #"{"name":"Orphan \#(f.marker)","parentId":"\#(unknown)"}"#, token: f.admin.accessToken).status == 400)
            #expect(try stack.send("POST", "/api/categories", json: #"{"name":"outdoor \#(f.marker)"}"#, token: f.admin.accessToken).status == 409)
            #expect(try stack.send("POST", "/api/categories", json: #"{"name":"Other \#(f.marker)","slug":"tents-\#(f.marker)"}"#, token: f.admin.accessToken).status == 409)
            #expect(try stack.send("POST", "/api/categories", json: #"{"name":"Bad \#(f.marker)","slug":"Not A Slug"}"#, token: f.admin.accessToken).status == 400)

            // Moving a subtree is fine; deleting a category with children or products is not.
            let moved = try stack.send("PATCH", "/api/categories/\(grandchild.id)", json: #"{"parentId":"\#(root.id)","description":"Light"}"#, token: f.admin.accessToken)
            #expect(moved.status == 200)
            #expect(try moved.json["data"]?["parentId"] == .string(root.id))
            #expect(try stack.send("DELETE", "/api/categories/\(root.id)", token: f.admin.accessToken).status == 409)
            _ = try f.product("Tent", category: child.id)
            #expect(try stack.send("DELETE", "/api/categories/\(child.id)", token: f.admin.accessToken).status == 409)
            let deleted = try stack.send("DELETE", "/api/categories/\(grandchild.id)", token: f.admin.accessToken)
            #expect(deleted.status == 200)
            #expect(try stack.get("/api/categories/\(grandchild.id)").status == 404)
        }

        @Test func inactiveCategoriesAreForAdminsOnly() throws {
            let f = try CatalogFixture(stack: stack)
            let hidden = try f.category("Hidden", extra: #","isActive":false"#)
            #expect(try stack.get("/api/categories/\(hidden.id)").status == 404)
            #expect(try stack.get("/api/categories").json["data"]?.arrayValue?.contains { $0.id == hidden.id } == false)
            let user = try stack.register()
            #expect(try stack.send("GET", "/api/categories?includeInactive=true").status == 401)
            #expect(try stack.send("GET", "/api/categories?includeInactive=true", token: user.accessToken).status == 403)
            let all = try stack.send("GET", "/api/categories?includeInactive=true", token: f.admin.accessToken)
            #expect(try all.json["data"]?.arrayValue?.contains { $0.id == hidden.id } == true)
            #expect(try stack.send("GET", "/api/categories/\(hidden.id)", token: f.admin.accessToken).status == 200)
        }

        @Test func writesNeedAnAdmin() throws {
            let user = try stack.register()
            #expect(try stack.send("POST", "/api/categories", json: #"{"name":"Nope"}"#).status == 401)
            #expect(try stack.send("POST", "/api/categories", json: #"{"name":"Nope"}"#, token: user.accessToken).status == 403)
            #expect(try stack.send("DELETE", "/api/products/\(UUID().uuidString.lowercased())", token: user.accessToken).status == 403)
        }
    }

    /// API.md §4 products through nginx.
    @Suite struct Products {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func productsAreCreatedReadUpdatedAndSoftDeleted() throws {
            let f = try CatalogFixture(stack: stack)
            let category = try f.category("Kitchen")
            let product = try f.product("Chef Knife", price: "89.9", stock: 3, category: category.id, extra: #","compareAtPrice":99.5"#)
            #expect(
                product.objectValue?.keys == [
                    "id", "name", "slug", "description", "price", "compareAtPrice", "currency", "sku", "stockQuantity",
                    "inStock", "isActive", "category", "images", "createdAt", "updatedAt",
                ])
            #expect(product["price"] == "89.90" && product["compareAtPrice"] == "99.50" && product["currency"] == "usd")
            #expect(product["category"]?["slug"] == .string("kitchen-\(f.marker)"))
            #expect(product["images"] == .array([]))
            let slug = try #require(product["slug"]?.stringValue)
            #expect(try stack.get("/api/products/\(slug)").json["data"]?.id == product.id)

            // The same name again gets its own slug; a taken SKU or chosen slug is 409.
            let twin = try f.product("Chef Knife")
            #expect(twin["slug"] == .string(slug + "-2"))
            let sku = try #require(product["sku"]?.stringValue)
            let dupSKU = try stack.send(
                "POST", "/api/products", json: #"{"name":"X","description":"","price":"1.00","sku":"\#(sku)","stockQuantity":1}"#, token: f.admin.accessToken)
            #expect(dupSKU.status == 409)
            #expect(try dupSKU.json["details"]?.arrayValue?.first?["field"] == "sku")
            #expect(
                try stack.send(
                    "POST", "/api/products", json: #"{"name":"X","description":"","price":"1.00","sku":"NEW-\#(f.marker)","stockQuantity":1,"slug":"\#(slug)"}"#,
                    token: f.admin.accessToken
                ).status == 409)

            let patched = try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"79.00","stockQuantity":0,"compareAtPrice":null}"#, token: f.admin.accessToken)
            #expect(patched.status == 200)
            let data = try #require(try patched.json["data"])
            #expect(data["price"] == "79.00" && data["stockQuantity"] == 0 && data["inStock"] == false && data["compareAtPrice"] == .null)

            let deleted = try stack.send("DELETE", "/api/products/\(product.id)", token: f.admin.accessToken)
            #expect(deleted.status == 200)
            #expect(try stack.get("/api/products/\(product.id)").status == 404)
            let asAdmin = try stack.send("GET", "/api/products/\(product.id)", token: f.admin.accessToken)
            #expect(try asAdmin.json["data"]?["isActive"] == false)
        }

        @Test func badProductsAre400AndWriteNothing() throws {
            let f = try CatalogFixture(stack: stack)
            let base = #""description":"d","sku":"B-\#(f.marker)","stockQuantity":1"#
            let cases = [
                #"{"name":"A \#(f.marker)",\#(base),"price":"-1.00"}"#,
                #"{"name":"A \#(f.marker)",\#(base),"price":"1.005"}"#,
                #"{"name":"A \#(f.marker)",\#(base),"price":1e3}"#,
                #"{"name":"A \#(f.marker)",\#(base),"price":"100000000.00"}"#,
                #"{"name":"A \#(f.marker)","description":"d","sku":"B-\#(f.marker)","stockQuantity":-1,"price":"1.00"}"#,
                #"{"name":"A \#(f.marker)",\#(base),"price":"1.00","categoryId":"\#(UUID().uuidString.lowercased())"}"#,
                #"{"name":"A \#(f.marker)",\#(base),"price":"1.00","categoryId":"nope"}"#,
                #"{"name":"A \#(f.marker)",\#(base),"price":"1.00","stock":3}"#,
                #"{"name":"\#(String(repeating: "n", count: 201))",\#(base),"price":"1.00"}"#,
            ]
            for body in cases {
                #expect(try stack.send("POST", "/api/products", json: body, token: f.admin.accessToken).status == 400, "\(body)")
            }
            #expect(try stack.send("GET", "/api/products?search=\(f.marker)&includeInactive=true", token: f.admin.accessToken).json["pagination"]?["total"] == 0)
            #expect(try stack.send("PATCH", "/api/products/\(UUID().uuidString.lowercased())", json: #"{"price":"1.00"}"#, token: f.admin.accessToken).status == 404)
        }

        @Test func listingsFilterSortPageAndIncludeDescendants() throws {
            let f = try CatalogFixture(stack: stack)
            let parent = try f.category("Audio")
            let child = try f.category("Headphones", parent: parent.id)
            let other = try f.category("Garden")
            _ = try f.product("Speaker", price: "50.00", stock: 2, category: parent.id)
            _ = try f.product("Earbuds", price: "20.00", stock: 0, category: child.id)
            _ = try f.product("Studio Cans", price: "150.00", stock: 9, category: child.id)
            _ = try f.product("Rake", price: "15.00", stock: 4, category: other.id)
            let scope = "search=\(f.marker)"
            #expect(Set(try f.names("/api/products?\(scope)&category=\(parent["slug"]!.stringValue!)")) == ["Speaker", "Earbuds", "Studio Cans"])
            #expect(Set(try f.names("/api/products?\(scope)&category=\(child.id)")) == ["Earbuds", "Studio Cans"])
            #expect(try f.names("/api/products?\(scope)&sort=price:asc") == ["Rake", "Earbuds", "Speaker", "Studio Cans"])
            #expect(try f.names("/api/products?\(scope)&sort=price:desc&minPrice=20&maxPrice=150") == ["Studio Cans", "Speaker", "Earbuds"])
            #expect(try f.names("/api/products?\(scope)&sort=name:asc&inStock=true") == ["Rake", "Speaker", "Studio Cans"])
            let page2 = try stack.get("/api/products?\(scope)&sort=price:asc&limit=3&page=2").json
            #expect(page2["pagination"] == .object(["total": 4, "page": 2, "limit": 3, "totalPages": 2]))
            #expect(page2["data"]?.arrayValue?.count == 1)
            #expect(try stack.get("/api/products?\(scope)&page=9").json["data"] == .array([]))
            #expect(try stack.get("/api/products?\(scope)&category=no-such-category").json["pagination"]?["total"] == 0)
            for bad in ["sort=relevance", "sort=stock:asc", "minPrice=x", "limit=500", "page=0"] {
                #expect(try stack.get("/api/products?\(bad)").status == 400, "\(bad)")
            }
        }

        @Test func searchMatchesPrefixesStemsAndSKUsAndRanksByRelevance() throws {
            let f = try CatalogFixture(stack: stack)
            let strong = try f.product("Trailrunner Shoes", description: "Running shoes for trails")
            _ = try f.product("Water Bottle", description: "Keeps water cold while running on trailrunner routes")
            _ = try f.product("Kettle", description: "Boils water")
            let ranked = try f.names("/api/products?search=trailrunner%20\(f.marker)")
            #expect(ranked == ["Trailrunner Shoes", "Water Bottle"], "a name match outranks a description match")
            #expect(try f.names("/api/products?search=trailr%20\(f.marker)").first == "Trailrunner Shoes", "partial words match")
            #expect(Set(try f.names("/api/products?search=runs%20\(f.marker)")) == ["Trailrunner Shoes", "Water Bottle"], "stems match")
            let sku = try #require(strong["sku"]?.stringValue)
            #expect(try f.names("/api/products?search=\(sku)") == ["Trailrunner Shoes"])
            #expect(try f.names("/api/products?search=%22boils%20water%22%20\(f.marker)") == ["Kettle"])
            #expect(try stack.get("/api/products?search=%27%3B%20DROP%20TABLE%20products%3B--").status == 200)
        }

        @Test func inactiveProductsAndCategoriesStayHidden() throws {
            let f = try CatalogFixture(stack: stack)
            let hidden = try f.category("Seasonal", extra: #","isActive":false"#)
            _ = try f.product("Snow Globe", category: hidden.id)
            _ = try f.product("Old Lamp", extra: #","isActive":false"#)
            _ = try f.product("Desk")
            #expect(try f.names("/api/products?search=\(f.marker)") == ["Desk"])
            #expect(try stack.get("/api/products?search=\(f.marker)&includeInactive=true").status == 401)
            let all = try stack.send("GET", "/api/products?search=\(f.marker)&includeInactive=true", token: f.admin.accessToken)
            #expect(try all.json["pagination"]?["total"] == 3)
        }
    }

    /// The catalog cache: fresh after every kind of write, ETags, Redis outages.
    @Suite struct CatalogCaching {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        /// Many reads in a row, so several workers answer, all of them seeing `expected`.
        func everyRead(_ path: String, _ expected: (JSONValue) -> Bool) -> Bool {
            stack.concurrentResponses(8, path).allSatisfy { $0.status == 200 && ((try? $0.json).map(expected) ?? false) }
        }

        @Test func everyKindOfWriteIsSeenByTheNextRead() throws {
            let f = try CatalogFixture(stack: stack)
            let category = try f.category("Cached")
            let product = try f.product("Lamp", price: "30.00", category: category.id)
            let list = "/api/products?search=\(f.marker)"
            let page = "/api/products/\(product["slug"]!.stringValue!)"
            #expect(everyRead(list) { $0["pagination"]?["total"] == 1 })
            #expect(everyRead(page) { $0["data"]?["price"] == "30.00" })

            _ = try f.product("Chair")
            #expect(everyRead(list) { $0["pagination"]?["total"] == 2 }, "create")
            #expect(try stack.send("PATCH", "/api/products/\(product.id)", json: #"{"price":"25.00"}"#, token: f.admin.accessToken).status == 200)
            #expect(everyRead(page) { $0["data"]?["price"] == "25.00" }, "update, page")
            #expect(everyRead(list + "&sort=price:desc") { $0["data"]?.arrayValue?.first?["price"] == "25.00" }, "update, list")
            #expect(try stack.send("PATCH", "/api/categories/\(category.id)", json: #"{"name":"Renamed \#(f.marker)"}"#, token: f.admin.accessToken).status == 200)
            #expect(everyRead(page) { $0["data"]?["category"]?["name"] == .string("Renamed \(f.marker)") }, "category rename")
            #expect(try stack.send("DELETE", "/api/products/\(product.id)", token: f.admin.accessToken).status == 200)
            #expect(everyRead(list) { $0["pagination"]?["total"] == 1 }, "delete")
            #expect(stack.concurrentResponses(8, page).allSatisfy { $0.status == 404 }, "deleted page")
            let hits = try stack.get("/api/metrics").text
            #expect(hits.contains(#"cache_requests_total{cache="catalog",result="hit"}"#))
        }

        @Test func etagsAnswer304() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Mug")
            let path = "/api/products/\(product.id)"
            let first = try stack.get(path)
            let etag = try #require(first.header("etag"))
            let again = try stack.get(path, headers: [("If-None-Match", etag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.header("etag") == etag)
            #expect(try stack.get(path, headers: [("If-None-Match", "\"other\"")]).status == 200)
            _ = try stack.send("PATCH", path, json: #"{"stockQuantity":1}"#, token: f.admin.accessToken)
            #expect(try stack.get(path, headers: [("If-None-Match", etag)]).status == 200, "a write changes the ETag")
            let list = try stack.get("/api/products?search=\(f.marker)")
            #expect(try stack.get("/api/products?search=\(f.marker)", headers: [("If-None-Match", list.header("etag") ?? "")]).status == 304)
        }

        @Test func withRedisDownTheCatalogAnswersFromPostgreSQL() throws {
            let f = try CatalogFixture(stack: stack)
            _ = try f.product("Globe")
            try stack.script("services.sh", "redis-stop")
            var restarted = false
            defer { if !restarted { try? stack.script("services.sh", "redis-start") } }
            #expect(everyRead("/api/products?search=\(f.marker)") { $0["pagination"]?["total"] == 1 })
            _ = try f.product("Atlas")
            #expect(everyRead("/api/products?search=\(f.marker)") { $0["pagination"]?["total"] == 2 })
            try stack.script("services.sh", "redis-start")
            restarted = true
            _ = try f.product("Map")
            #expect(try stack.eventually(10) { everyRead("/api/products?search=\(f.marker)") { $0["pagination"]?["total"] == 3 } })
        }
    }
}

extension Stack {
    func concurrentResponses(_ count: Int, _ path: String, token: String? = nil) -> [HTTPClientResponse] {
        let responses = Locked([HTTPClientResponse]())
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            let response = try? token.map { try send("GET", path, token: $0) } ?? get(path)
            if let response { responses.mutate { $0.append(response) } }
        }
        return responses.value
    }
}

import HTTPClient
