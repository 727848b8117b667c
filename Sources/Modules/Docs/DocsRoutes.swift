import HTTP

/// The OpenAPI document and a page that renders it. Both are compiled into the binary
/// (`embedInCode`), so a deployed worker needs no extra files and the page fetches nothing
/// but the document from its own origin.
public enum DocsRoutes {
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_json }

    public static func routes<Context>() -> [Route<Context>] {
        [
            Route(.get, "/api/docs") { _, _ in
                var response = Response.bytes(PackageResources.docs_html, contentType: "text/html; charset=utf-8")
                response.setHeader("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'")
                response.setHeader("Cache-Control", "public, max-age=300")
                return response
            },
            Route(.get, "/api/docs/openapi.json") { _, _ in
                var response = Response.bytes(PackageResources.openapi_json, contentType: Response.jsonContentType)
                response.setHeader("Cache-Control", "public, max-age=300")
                return response
            },
        ]
    }
}
