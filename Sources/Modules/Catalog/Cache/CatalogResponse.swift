import HTTP

/// Public catalog answers: cached bytes when Redis has them, built from PostgreSQL otherwise,
/// always with an ETag so clients can revalidate with `If-None-Match` (304).
enum CatalogResponse {
    /// What a build made: the answer, and whether it may be stored. Only canonical answers
    /// are (a filter on a category that does not exist is answered, never remembered), so the
    /// cache holds what the shop has, not what clients can make up.
    struct Built {
        let response: Response
        let storable: Bool

        static func page(_ response: Response) -> Built { Built(response: response, storable: true) }
        static func once(_ response: Response) -> Built { Built(response: response, storable: false) }
    }

    static func cached(_ request: Request, _ cache: CatalogCache, kind: String, identity: String, build: () throws -> Built) rethrows -> Response {
        switch cache.lookup(kind: kind, identity: identity) {
        case .hit(let page):
            return respond(request, page)
        case .miss(let version):
            let built = try build()
            guard built.response.status == .ok else { return built.response }
            let page = CachedPage(body: built.response.body)
            if built.storable { cache.store(kind: kind, identity: identity, version: version, page: page) }
            return respond(request, page)
        case .unavailable:
            let response = try build().response
            guard response.status == .ok else { return response }
            return respond(request, CachedPage(body: response.body))
        }
    }

    /// A public answer that is not cached (a page past the cached ones), with the same ETag.
    static func fresh(_ request: Request, _ response: Response) -> Response {
        guard response.status == .ok else { return response }
        return respond(request, CachedPage(body: response.body))
    }

    /// Not cached (admin views), but still revalidatable.
    static func uncached(_ request: Request, _ response: Response) -> Response {
        guard response.status == .ok else { return response }
        var answer = respond(request, CachedPage(body: response.body))
        answer.setHeader("Cache-Control", "private, no-cache")
        return answer
    }

    static func respond(_ request: Request, _ page: CachedPage) -> Response {
        let headers = [("ETag", page.etag), ("Cache-Control", "public, no-cache")]
        if let tags = request.headers["if-none-match"], matches(tags, page.etag) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: [("Content-Type", Response.jsonContentType)] + headers, body: page.body)
    }

    /// `If-None-Match: "a", W/"b"` or `*`.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { tag in
            var value = tag.trimmingCharacters(in: " \t")
            if value == "*" { return true }
            if value.hasPrefix("W/") { value = String(value.dropFirst(2)) }
            return value == etag
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let first = s.first, set.contains(first) { s.removeFirst() }
        while let last = s.last, set.contains(last) { s.removeLast() }
        return String(s)
    }
}
