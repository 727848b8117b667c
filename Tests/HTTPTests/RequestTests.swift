import Testing
@testable import HTTP

@Suite struct RequestTests {
    @Test func queryParametersAreDecodedInOrder() {
        let query = QueryParameters(parsing: "search=red+shoe&page=2&tag=a%26b&tag=c&empty&x=%E2%9C%93")
        #expect(query["search"] == "red shoe")
        #expect(query["page"] == "2")
        #expect(query["tag"] == "a&b")
        #expect(query.pairs.filter { $0.name == "tag" }.map(\.value) == ["a&b", "c"])
        #expect(query["empty"] == "")
        #expect(query["x"] == "✓")
    }

    @Test func uriSplitsIntoPathAndQuery() {
        let request = Request(method: .get, uri: "/api/products?limit=5")
        #expect(request.rawPath == "/api/products")
        #expect(request.query["limit"] == "5")
    }

    @Test func cgiParameterNamesBecomeHeaderNames() {
        #expect(Headers.name(fromCGIParameter: "HTTP_X_REQUEST_ID") == "x-request-id")
        #expect(Headers.name(fromCGIParameter: "HTTP_AUTHORIZATION") == "authorization")
        #expect(Headers.name(fromCGIParameter: "REQUEST_METHOD") == nil)
    }

    @Test func headersAreCaseInsensitive() {
        let headers = Headers(["Content-Type": "application/json"])
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
    }

    @Test func mediaTypeDropsParameters() {
        let request = Request(method: .post, uri: "/", headers: Headers(["content-type": " Application/Json ; charset=utf-8"]))
        #expect(request.mediaType == "application/json")
    }

    @Test func paginationQueryRules() throws {
        var ok = QueryReader(QueryParameters(parsing: "page=3&limit=100&sort=price:desc"))
        let (page, limit) = ok.page()
        #expect(page == 3 && limit == 100)
        #expect(ok.sort(allowed: ["price", "name"], default: SortOrder(field: "name", descending: false)) == SortOrder(field: "price", descending: true))
        try ok.finish()

        var bad = QueryReader(QueryParameters(parsing: "page=0&limit=101&sort=cost:up"))
        _ = bad.page()
        _ = bad.sort(allowed: ["price"], default: SortOrder(field: "price", descending: false))
        #expect(bad.errors.map(\.field) == ["page", "limit", "sort"])
        #expect(throws: APIError.self) { try bad.finish() }
    }

    @Test func paginationCountsPages() {
        #expect(Pagination(total: 150, page: 1, limit: 20).totalPages == 8)
        #expect(Pagination(total: 0, page: 1, limit: 20).totalPages == 0)
        #expect(Pagination(total: 40, page: 3, limit: 20).offset == 40)
    }

    @Test func listEnvelopeCarriesPagination() throws {
        let response = Envelope.list([JSONValue.int(1), JSONValue.int(2)], pagination: Pagination(total: 2, page: 1, limit: 20))
        #expect(
            String(decoding: response.body, as: UTF8.self)
                == #"{"statusCode":200,"message":"Success","data":[1,2],"pagination":{"total":2,"page":1,"limit":20,"totalPages":1}}"#)
    }

    @Test func acceptedEnvelopeHasNullData() {
        let response = Envelope.success(nil, status: .accepted)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"statusCode":202,"message":"Accepted","data":null}"#)
    }

    @Test func cgiHeadStartsWithStatus() {
        let response = Response(status: .created, headers: [("Content-Type", "application/json")])
        #expect(String(decoding: response.cgiHead(), as: UTF8.self) == "Status: 201 Created\r\nContent-Type: application/json\r\n\r\n")
    }
}
