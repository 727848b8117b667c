@testable import Catalog
import HTTP
import Postgres
import Testing

@Suite struct SlugTests {
    @Test func slugsComeFromNames() {
        #expect(Slug.make(from: "Laptops & Tablets") == "laptops-and-tablets")
        #expect(Slug.make(from: "  Crème Brûlée -- 2 pack!  ") == "creme-brulee-2-pack")
        #expect(Slug.make(from: "Straße") == "strasse")
        #expect(Slug.make(from: "日本") == nil)
        #expect(Slug.make(from: String(repeating: "ab ", count: 200))!.count <= Slug.maxLength)
        #expect(Slug.make(from: String(repeating: "ab ", count: 200))!.hasSuffix("-") == false)
    }

    @Test func givenSlugsAreCheckedNotRewritten() {
        for good in ["a", "summer-2026", "x1"] { #expect(Slug.isValid(good)) }
        for bad in ["", "-a", "a-", "a--b", "A", "a b", "ä", "a_b"] { #expect(!Slug.isValid(bad), "\(bad)") }
    }
}

@Suite struct ProductSearchTests {
    @Test func prefixQueriesKeepOnlyLettersAndDigits() {
        #expect(ProductSearch.prefixQuery("lapt") == "lapt:*")
        #expect(ProductSearch.prefixQuery("ThinkPad X1") == "thinkpad:* & x1:*")
        #expect(ProductSearch.prefixQuery("a' | !b:* & (c)") == "a:* & b:* & c:*")
        #expect(ProductSearch.prefixQuery("!!! ---") == nil)
        #expect(ProductSearch.prefixQuery("日本") == nil)
    }

    @Test func oneEditIsOneInsertionDeletionOrSubstitution() {
        for (a, b) in [("hedphones", "headphones"), ("studio", "studeo"), ("parka", "parka"), ("parka", "park"), ("abc", "xbc"), ("", "a")] {
            #expect(ProductSearch.withinOneEdit(a, b) && ProductSearch.withinOneEdit(b, a), "\(a) \(b)")
        }
        for (a, b) in [("hedphonez", "headphones"), ("parka", "prak"), ("abc", "cab"), ("abcd", "ab"), ("", "ab")] {
            #expect(!ProductSearch.withinOneEdit(a, b), "\(a) \(b)")
        }
    }

    @Test func correctionsJoinTheTypedWordAsAlternatives() {
        #expect(ProductSearch.correctedQuery("Hedphones studio", corrections: [:]) == nil)
        #expect(
            ProductSearch.correctedQuery("Hedphones studio", corrections: ["hedphones": ["headphones"]])
                == "(hedphones:* | headphones) & studio:*")
        // A known word outside [a-z0-9] never reaches the tsquery text.
        #expect(ProductSearch.correctedQuery("cafe", corrections: ["cafe": ["café", "cafes"]]) == "(cafe:* | cafes)")
        #expect(ProductSearch.correctedQuery("cafe", corrections: ["cafe": ["caf\u{e9}' | !x"]]) == nil)
        #expect(ProductSearch.typoCandidates("a tent of ultralight parkas") == ["tent", "ultralight", "parkas"])
    }

    @Test func theTsqueryUsesParametersOnly() {
        let withPrefix = ProductSearch.tsquery("Lapt | pro").rendered
        #expect(withPrefix.sql == "(websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $2) || to_tsquery('simple', $3))")
        #expect(withPrefix.parameters == ["Lapt | pro", "Lapt | pro", "lapt:* & pro:*"])
        let plain = ProductSearch.tsquery("!!!").rendered
        #expect(plain.sql == "(websearch_to_tsquery('english', $1) || websearch_to_tsquery('simple', $2))")
        #expect(plain.parameters == ["!!!", "!!!"])
    }
}

@Suite struct CatalogCacheTests {
    let productId = "6f9619ff-8b86-4011-b42d-00c04fc964ff"

    @Test func templatesKeepStockOutOfTheirBytes() throws {
        let body = Array((#"{"a":[{"stockQuantity":"# + PageTemplate.hole(productId) + #","x":"\u0001"}]}"#).utf8)
        let template = PageTemplate(body: body)
        #expect(template.productIds == [productId])
        #expect(template.segments.count == 2)
        #expect(String(decoding: template.render([3]), as: UTF8.self) == #"{"a":[{"stockQuantity":3,"inStock":true,"x":"\u0001"}]}"#)
        #expect(String(decoding: template.render([0]), as: UTF8.self) == #"{"a":[{"stockQuantity":0,"inStock":false,"x":"\u0001"}]}"#)
        #expect(PageTemplate(decoding: template.encoded) == template)
        #expect(PageTemplate(decoding: Array(template.encoded.dropLast())) == nil)
        #expect(PageTemplate(decoding: Array("T1\nx\n\n1\n{".utf8)) == nil, "a tag that does not match is refused")
        let plain = PageTemplate(body: Array("{}".utf8))
        #expect(plain.productIds.isEmpty && plain.render([]) == Array("{}".utf8))
    }

    @Test func eachStockStateAndEncodingHasItsOwnETag() throws {
        let template = PageTemplate(body: Array((#"{"s":"# + PageTemplate.hole(productId) + "}").utf8))
        let three = RenderedPage(template: template, quantities: [3])
        let two = RenderedPage(template: template, quantities: [2])
        #expect(three.etag != two.etag)
        #expect(three.etag == RenderedPage(template: template, quantities: [3]).etag)
        #expect(three.etag.hasPrefix("\"" + template.tag + "-"))
        let gzip = Request(method: .get, rawPath: "/api/products", headers: Headers(["accept-encoding": "gzip, br"]))
        let compressed = CatalogResponse.respond(gzip, three)
        #expect(compressed.headers.first { $0.0 == "Content-Encoding" }?.1 == "gzip")
        #expect(compressed.headers.first { $0.0 == "ETag" }?.1 == String(three.etag.dropLast()) + "-gz\"")
        #expect(Array(compressed.body.prefix(2)) == [0x1f, 0x8b])
        let plain = CatalogResponse.respond(Request(method: .get, rawPath: "/api/products"), three)
        #expect(plain.body == three.plain && plain.headers.contains { $0.0 == "Vary" && $0.1 == "Accept-Encoding" })
    }

    @Test func ifNoneMatchAcceptsListsWeakTagsAndStar() {
        let etag = "\"abc\""
        #expect(CatalogResponse.matches("\"abc\"", etag))
        #expect(CatalogResponse.matches("\"x\", W/\"abc\"", etag))
        #expect(CatalogResponse.matches("*", etag))
        #expect(!CatalogResponse.matches("\"abcd\"", etag))
        let page = RenderedPage(template: PageTemplate(body: [1]), quantities: [])
        let request = Request(method: .get, rawPath: "/api/products", headers: Headers(["if-none-match": page.etag]))
        #expect(CatalogResponse.respond(request, page).status == .notModified)
        #expect(CatalogResponse.respond(Request(method: .get, rawPath: "/api/products", headers: Headers(["if-none-match": etag])), page).status == .ok)
    }

    @Test func listQueriesWithTheSameMeaningShareAKey() throws {
        let a = try ProductListQuery(Request(method: .get, uri: "/api/products?maxPrice=10&minPrice=1.5&page=1"))
        let b = try ProductListQuery(Request(method: .get, uri: "/api/products?minPrice=1.50&maxPrice=10.00"))
        #expect(a.identity == b.identity)
        let c = try ProductListQuery(Request(method: .get, uri: "/api/products?minPrice=1.51&maxPrice=10.00"))
        #expect(a.identity != c.identity)
        // The total of a filter is one key whatever the page and order.
        let d = try ProductListQuery(Request(method: .get, uri: "/api/products?minPrice=1.5&maxPrice=10&page=3&sort=price:asc"))
        #expect(a.filterIdentity == d.filterIdentity && a.identity != d.identity)
    }

    /// A category, a price range or a search decides the plan, so such listings are planned for
    /// their values; the rest (pages, sorting, stock) keep one prepared plan.
    @Test func listingsWhosePlanDependsOnTheirValuesArePlannedPerExecution() throws {
        let cases: [(String, String?, PostgresClient.Planning)] = [
            ("/api/products", nil, .cached), ("/api/products?page=3&sort=price:asc&inStock=true", nil, .cached),
            ("/api/products?includeInactive=true", nil, .cached), ("/api/products?minPrice=10", nil, .perExecution),
            ("/api/products?search=parka", nil, .perExecution), ("/api/products?category=clothing", "6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01", .perExecution),
        ]
        for (uri, categoryId, planning) in cases {
            let query = try ProductListQuery(Request(method: .get, uri: uri))
            #expect(ProductStore.Filter(query, categoryId: categoryId).planning == planning, "\(uri)")
        }
    }

    @Test func badListQueriesAre400() {
        for uri in [
            "/api/products?sort=relevance", "/api/products?sort=stock:asc", "/api/products?minPrice=-1", "/api/products?minPrice=5&maxPrice=1",
            "/api/products?inStock=yes", "/api/products?limit=101", "/api/products?minPrice=1.005",
        ] {
            #expect(throws: APIError.self, "\(uri)") { try ProductListQuery(Request(method: .get, uri: uri)) }
        }
    }
}
