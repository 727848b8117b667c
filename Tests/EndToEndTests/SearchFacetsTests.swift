import Foundation
import HTTP
import Postgres
import Testing

extension EndToEndTests {
    /// API.md §12.3 through nginx: facets, typo tolerance, suggestions.
    @Suite struct SearchFacets {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func aMisspeltWordStillFindsTheProductBelowExactMatches() throws {
            let f = try CatalogFixture(stack: stack)
            let real = try f.product("Studio Headphones")
            let literal = try f.product("Hedphones Stand")
            let page = try stack.get("/api/products?search=hedphones%20\(f.marker)")
            #expect(page.status == 200)
            // The exact word first, the product one edit away after it.
            #expect(try page.json["data"]?.arrayValue?.map(\.id) == [literal.id, real.id])
            // Every word one edit off, in any case, and a dropped letter.
            #expect(try f.names("/api/products?search=STUDEO%20headphone%20\(f.marker)") == ["Studio Headphones"])
            #expect(try f.names("/api/products?search=studio%20hedphones%20\(f.marker)&sort=name:asc") == ["Studio Headphones"])
            // Two words corrected to two different products is no match; a word found as typed is found as typed.
            #expect(try f.names("/api/products?search=hedphonez%20studdio%20\(f.marker)&facets=true") == [])
            #expect(try f.names("/api/products?search=stand%20\(f.marker)") == ["Hedphones Stand"])
        }

        @Test func facetCountsMatchADirectCountOnRandomFilters() throws {
            let f = try CatalogFixture(stack: stack)
            let root = try f.category("Audio")
            let phones = try f.category("Phones", parent: root.id)
            let speakers = try f.category("Speakers", parent: root.id)
            let other = try f.category("Books")
            var generator = SystemRandomNumberGenerator()
            let homes = [phones.id, speakers.id, other.id]
            for index in 0..<24 {
                let price = ["9.99", "25.00", "49.99", "75.00", "120.00", "300.00", "499.99", "500.00", "1200.00"][index % 9]
                try f.product("Item \(index)", price: price, stock: index % 4 == 0 ? 0 : index, category: homes[index % 3])
            }
            let db = try stack.database()
            for round in 0..<12 {
                let categories: [JSONValue?] = [nil, root, phones, other]
                let ranges: [(String?, String?)] = [(nil, nil), ("25.00", nil), (nil, "300.00"), ("40", "600")]
                let category = categories[Int.random(in: 0..<4, using: &generator)]
                let bounds = ranges[Int.random(in: 0..<4, using: &generator)]
                let inStock = Bool.random(using: &generator)
                var query = "search=\(f.marker)&facets=true&limit=1"
                if let category { query += "&category=\(category["slug"]?.stringValue ?? "")" }
                if let low = bounds.0 { query += "&minPrice=\(low)" }
                if let high = bounds.1 { query += "&maxPrice=\(high)" }
                if inStock { query += "&inStock=true" }
                let answer = try stack.get("/api/products?" + query)
                #expect(answer.status == 200, "\(query)")
                let facets = try #require(try answer.json["facets"], "\(query)")

                // The same counts, straight from PostgreSQL, each over the other filters.
                func count(_ conditions: [String]) throws -> Int {
                    let sql =
                        "SELECT count(*) AS n FROM products p WHERE p.is_active AND p.name LIKE '% ' || $1 AND "
                        + (conditions.isEmpty ? "true" : conditions.joined(separator: " AND "))
                    return try db.query(sql, [f.marker]).first?.int("n") ?? -1
                }
                func subtree(_ id: String) -> String {
                    "p.category_id IN (WITH RECURSIVE t AS (SELECT id FROM categories WHERE id = '\(id)' UNION ALL SELECT c.id FROM categories c JOIN t ON c.parent_id = t.id) SELECT id FROM t)"
                }
                let priceConditions = [bounds.0.map { "p.price >= \($0)" }, bounds.1.map { "p.price <= \($0)" }].compactMap { $0 }
                let stockConditions = inStock ? ["p.stock_quantity > 0"] : []
                let categoryConditions = category.map { [subtree($0.id)] } ?? []

                var expectedCategories: [String: Int] = [:]
                for node in [root, phones, speakers, other] {
                    let n = try count(priceConditions + stockConditions + [subtree(node.id)])
                    if n > 0 { expectedCategories[node.id] = n }
                }
                let shownCategories = Dictionary(
                    uniqueKeysWithValues: (facets["categories"]?.arrayValue ?? []).map { ($0.id, $0["count"]?.intValue ?? -1) })
                #expect(shownCategories == expectedCategories, "round \(round): \(query)")

                let edges = ["0", "25", "50", "100", "250", "500"]
                let expectedPrices = try edges.indices.map { index in
                    var conditions = categoryConditions + stockConditions + ["p.price >= \(edges[index])"]
                    if index + 1 < edges.count { conditions.append("p.price < \(edges[index + 1])") }
                    return try count(conditions)
                }
                #expect(facets["price"]?.arrayValue?.map { $0["count"]?.intValue ?? -1 } == expectedPrices, "round \(round): \(query)")
                #expect(facets["price"]?[5]?["min"] == "500.00" && facets["price"]?[5]?["max"] == .null)

                let withStock = try count(categoryConditions + priceConditions + ["p.stock_quantity > 0"])
                let without = try count(categoryConditions + priceConditions + ["p.stock_quantity <= 0"])
                #expect(facets["inStock"] == .object(["true": .int(withStock), "false": .int(without)]), "round \(round): \(query)")
                // The page itself still obeys every filter.
                #expect(try answer.json["pagination"]?["total"]?.intValue == (try count(categoryConditions + priceConditions + stockConditions)))
            }
        }

        @Test func facetsFollowSalesThatEmptyAProduct() throws {
            let f = try CatalogFixture(stack: stack)
            let lamp = try f.product("Lamp", price: "30.00", stock: 1)
            try f.product("Rug", price: "60.00", stock: 5)
            let path = "/api/products?search=\(f.marker)&facets=true"
            #expect(try stack.get(path).json["facets"]?["inStock"] == .object(["true": 2, "false": 0]))
            let shopper = try stack.shopper()
            try shopper.add(lamp.id)
            _ = try shopper.order()
            // The cached page is not served with the old count once the lamp sold out.
            #expect(try stack.get(path).json["facets"]?["inStock"] == .object(["true": 1, "false": 1]))
        }

        @Test func suggestionsPutNamesThatStartWithTheTextFirst() throws {
            let f = try CatalogFixture(stack: stack)
            let stem = f.marker + "zz"
            let starts = try f.product("\(stem) Lamp")
            let contains = try f.product("Table \(stem)y")
            let hidden = try f.product("\(stem) Hidden")
            #expect(try stack.send("DELETE", "/api/products/\(hidden.id)", token: f.admin.accessToken).status == 200)
            let answer = try stack.get("/api/products/suggest?q=\(stem.uppercased())")
            #expect(answer.status == 200)
            let found = try #require(try answer.json["data"]?.arrayValue)
            #expect(found.map { $0["slug"] } == [starts["slug"], contains["slug"]])
            #expect(found.first?.objectValue?.keys == ["name", "slug"])
            #expect(found.first?["name"] == starts["name"])

            // At most ten, and bad input is a 400.
            for index in 0..<12 { try f.product("\(stem)q \(index)") }
            #expect(try stack.get("/api/products/suggest?q=\(stem)q").json["data"]?.arrayValue?.count == 10)
            for bad in ["", "?q=", "?q=%20%20", "?q=" + String(repeating: "a", count: 101)] {
                let refused = try stack.get("/api/products/suggest" + bad)
                #expect(refused.status == 400, "\(bad)")
                #expect(try refused.json["details"]?[0]?["field"] != nil, "\(bad)")
            }
            // A new product shows at once: the cache follows catalog writes.
            let later = try f.product("\(stem) Later")
            #expect(try stack.get("/api/products/suggest?q=\(stem)").json["data"]?.arrayValue?.contains { $0["slug"] == later["slug"] } == true)
        }
    }
}
