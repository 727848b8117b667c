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
    @Test func cachedPagesRoundTripWithTheirETag() {
        let page = CachedPage(body: Array(#"{"a":1}"#.utf8))
        #expect(page.etag.hasPrefix("\"") && page.etag.count == 34)
        #expect(CachedPage(decoding: page.encoded) == page)
        #expect(CachedPage(body: Array("{}".utf8)).etag != page.etag)
    }

    @Test func ifNoneMatchAcceptsListsWeakTagsAndStar() {
        let etag = "\"abc\""
        #expect(CatalogResponse.matches("\"abc\"", etag))
        #expect(CatalogResponse.matches("\"x\", W/\"abc\"", etag))
        #expect(CatalogResponse.matches("*", etag))
        #expect(!CatalogResponse.matches("\"abcd\"", etag))
        let request = Request(method: .get, rawPath: "/api/products", headers: Headers(["if-none-match": etag]))
        #expect(CatalogResponse.respond(request, CachedPage(body: [1])).status == .ok)
    }

    @Test func listQueriesWithTheSameMeaningShareAKey() throws {
        let a = try ProductListQuery(Request(method: .get, uri: "/api/products?maxPrice=10&minPrice=1.5&page=1"))
        let b = try ProductListQuery(Request(method: .get, uri: "/api/products?minPrice=1.50&maxPrice=10.00"))
        #expect(a.identity == b.identity)
        let c = try ProductListQuery(Request(method: .get, uri: "/api/products?minPrice=1.51&maxPrice=10.00"))
        #expect(a.identity != c.identity)
    }

    @Test func badListQueriesAre400() {
        for uri in ["/api/products?sort=relevance", "/api/products?sort=stock:asc", "/api/products?minPrice=-1", "/api/products?minPrice=5&maxPrice=1",
                    "/api/products?inStock=yes", "/api/products?limit=101", "/api/products?minPrice=1.005"] {
            #expect(throws: APIError.self, "\(uri)") { try ProductListQuery(Request(method: .get, uri: uri)) }
        }
    }
}
