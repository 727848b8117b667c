import Testing
@testable import App
import Docs
import HTTP

/// The served document and the router must list exactly the same operations.
@Suite struct OpenAPIDocumentTests {
    private func documentOperations() throws -> Set<String> {
        let document = try JSONParser.parse(DocsRoutes.openAPIDocument)
        guard let paths = document["paths"]?.objectValue else { Issue.record("no paths"); return [] }
        var operations = Set<String>()
        for (path, item) in paths.entries {
            for method in item.objectValue?.keys ?? [] where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndNothingElse() throws {
        let routes = Set(RouteTable.routes(enableTestRoutes: false).map { "\($0.method.rawValue) \(RoutePattern($0.pattern).openAPIPath)" })
        let documented = try documentOperations()
        #expect(routes.subtracting(documented).sorted() == [], "routes missing from the document")
        #expect(documented.subtracting(routes).sorted() == [], "documented operations with no route")
    }

    /// The errors any operation can meet: another method (405), a failure inside (500), a JSON
    /// body over 1 MiB (413) and nginx's rate limits (429, everywhere under /api but the webhook).
    @Test func everyOperationDocumentsTheErrorsItCanReturn() throws {
        let document = try JSONParser.parse(DocsRoutes.openAPIDocument)
        for (path, item) in document["paths"]?.objectValue?.entries ?? [] {
            for (method, operation) in item.objectValue?.entries ?? [] where ["get", "post", "put", "patch", "delete"].contains(method) {
                let codes = Set(operation["responses"]?.objectValue?.keys ?? [])
                let name = "\(method.uppercased()) \(path)"
                #expect(codes.isSuperset(of: ["405", "500"]), "\(name)")
                if operation["requestBody"]?["content"]?["application/json"] != nil { #expect(codes.contains("413"), "\(name)") }
                if path.hasPrefix("/api") && path != "/api/stripe/webhook" { #expect(codes.contains("429"), "\(name)") }
            }
        }
        let examples = ["MethodNotAllowed", "InternalServerError", "BodyTooLarge", "TooManyRequests"].map {
            document["components"]?["responses"]?[$0]?["content"]?["application/json"]?["example"]?["statusCode"]
        }
        #expect(examples == [405, 500, 413, 429])
    }

    @Test func testRoutesStayOutOfTheDocument() throws {
        let documented = try documentOperations()
        for pattern in RouteTable.testOnlyPatterns {
            #expect(!documented.contains { $0.hasSuffix(" " + RoutePattern(pattern).openAPIPath) })
        }
    }

    @Test func pathParametersAreDeclared() throws {
        let document = try JSONParser.parse(DocsRoutes.openAPIDocument)
        for (path, item) in document["paths"]?.objectValue?.entries ?? [] where path.contains("{") {
            let names = path.split(separator: "{").dropFirst().map { String($0.prefix { $0 != "}" }) }
            for (_, operation) in item.objectValue?.entries ?? [] {
                let declared = ((item["parameters"]?.arrayValue ?? []) + (operation["parameters"]?.arrayValue ?? []))
                    .compactMap { $0["name"]?.stringValue ?? $0["$ref"]?.stringValue?.split(separator: "/").last.map(String.init) }
                for name in names { #expect(declared.contains(name), "\(path): {\(name)} undeclared") }
            }
        }
    }
}

@Suite struct APIKeyScopeTableTests {
    /// A renamed route must not silently leave the key table: every entry names a real admin route.
    @Test func everyScopedRouteExistsAndIsAnAdminOrBearerRoute() {
        let routes = RouteTable.routes(enableTestRoutes: false)
        for (method, patterns) in APIKeyScopeTable.scopes {
            for pattern in patterns.keys {
                let route = routes.first { $0.method == method && $0.pattern == pattern }
                #expect(route != nil, "\(method) \(pattern)")
                #expect(route.map { $0.access != .public } ?? false, "\(method) \(pattern)")
            }
        }
        // What a person must do themselves stays closed to keys.
        for (method, pattern) in [(HTTPMethod.post, "/api/api-keys"), (.patch, "/api/users/:id"), (.post, "/api/orders"), (.get, "/api/cart")] {
            #expect(APIKeyScopeTable.scope(method, pattern) == nil, "\(method) \(pattern)")
        }
        #expect(APIKeyScopeTable.scope(.patch, "/api/products/:idOrSlug") == "catalog:write")
    }
}
