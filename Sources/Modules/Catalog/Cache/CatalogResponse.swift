import Gzip
import HTTP
import Inventory
import Postgres

/// Public catalog answers: a template from the cache when it has one, built from PostgreSQL
/// otherwise, filled with the stock of the moment, served plain or gzip-compressed (once per
/// stock state, never per request) with an ETag per encoding, so clients can revalidate with
/// `If-None-Match` (304).
enum CatalogResponse {
    /// What a build made: the answer (products written with stock holes), and whether it may be
    /// stored. Only canonical answers are (a filter on a category that does not exist is
    /// answered, never remembered), so the cache holds what the shop has, not what clients can
    /// make up.
    struct Built {
        let response: Response
        let storable: Bool

        static func page(_ response: Response) -> Built { Built(response: response, storable: true) }
        static func once(_ response: Response) -> Built { Built(response: response, storable: false) }
    }

    static func cached(_ request: Request, _ context: some CatalogContext, kind: String, identity: String, build: () throws -> Built) throws -> Response {
        let cache = context.catalogCache
        switch cache.lookup(kind: kind, identity: identity) {
        case .hit(let page):
            return respond(request, cache.rendered(page, quantities: try quantities(page.template, context)))
        case .miss(let missing):
            let built = try build()
            guard built.response.status == .ok else { return built.response }
            let template = PageTemplate(body: built.response.body)
            guard built.storable else { return try serve(request, context, template) }
            let page = cache.store(template, as: missing)
            return respond(request, cache.rendered(page, quantities: try quantities(template, context)))
        case .unavailable:
            let built = try build()
            guard built.response.status == .ok else { return built.response }
            return try serve(request, context, PageTemplate(body: built.response.body))
        }
    }

    /// The stock of the template's products, as of now.
    private static func quantities(_ template: PageTemplate, _ context: some CatalogContext) throws -> [Int] {
        template.stock.isEmpty ? [] : try context.stockLevels.quantities(template.stock, on: context.database)
    }

    /// A page filled with the stock of the moment and answered, kept nowhere.
    private static func serve(_ request: Request, _ context: some CatalogContext, _ template: PageTemplate) throws -> Response {
        respond(request, RenderedPage(template: template, quantities: try quantities(template, context)))
    }

    /// Not cached (admin views), but still revalidatable.
    static func uncached(_ request: Request, _ response: Response) -> Response {
        guard response.status == .ok else { return response }
        var answer = respond(request, RenderedPage(template: PageTemplate(body: response.body), quantities: []))
        answer.setHeader("Cache-Control", "private, no-cache")
        return answer
    }

    /// A public answer that is not kept (a page past the cached ones), with the same ETag.
    static func fresh(_ request: Request, _ context: some CatalogContext, _ built: Built) throws -> Response {
        guard built.response.status == .ok else { return built.response }
        return try serve(request, context, PageTemplate(body: built.response.body))
    }

    static func respond(_ request: Request, _ page: RenderedPage) -> Response {
        let compressed = AcceptEncoding.allowsGzip(request.headers["accept-encoding"]) ? page.gzip : nil
        // Each encoding is its own representation, with its own tag (RFC 9110 §8.8.3).
        let etag = compressed == nil ? page.etag : String(page.etag.dropLast()) + "-gz\""
        var headers = [("ETag", etag), ("Cache-Control", "public, no-cache"), ("Vary", "Accept-Encoding")]
        if let tags = request.headers["if-none-match"], matches(tags, etag) {
            return Response(status: .notModified, headers: headers)
        }
        headers.insert(("Content-Type", Response.jsonContentType), at: 0)
        if let compressed {
            headers.append(("Content-Encoding", "gzip"))
            return Response(status: .ok, headers: headers, body: compressed)
        }
        return Response(status: .ok, headers: headers, body: page.plain)
    }

    /// `If-None-Match: "a", W/"b"` or `*`.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { tag in
            var value = tag.trimmingBlanks
            if value == "*" { return true }
            if value.hasPrefix("W/") { value = String(value.dropFirst(2)) }
            return value == etag
        }
    }
}
