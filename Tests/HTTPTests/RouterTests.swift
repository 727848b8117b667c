import Testing
@testable import HTTP

@Suite struct RouterTests {
    struct NoContext {}

    private func router(_ specs: [(HTTPMethod, String)]) -> Router<NoContext> {
        Router(specs.map { method, pattern in Route(method, pattern) { _, _ in Response(status: .ok) } })
    }

    @Test func literalRoutesMatchExactly() {
        let r = router([(.get, "/api/products"), (.get, "/health")])
        guard case .found(let route, let index, let parameters) = r.match(method: .get, path: "/health") else {
            Issue.record("no match"); return
        }
        #expect(route.pattern == "/health")
        #expect(index == 1)
        #expect(parameters.isEmpty)
        guard case .notFound = r.match(method: .get, path: "/healthz") else { Issue.record("matched /healthz"); return }
    }

    @Test func parametersAreCapturedAndPercentDecoded() {
        let r = router([(.get, "/api/products/:idOrSlug")])
        guard case .found(_, _, let parameters) = r.match(method: .get, path: "/api/products/red%20shoe") else {
            Issue.record("no match"); return
        }
        #expect(parameters == ["idOrSlug": "red shoe"])
    }

    @Test func literalSegmentsWinOverParameters() {
        let r = router([(.get, "/api/users/:id"), (.get, "/api/users/me")])
        guard case .found(let route, _, let parameters) = r.match(method: .get, path: "/api/users/me") else {
            Issue.record("no match"); return
        }
        #expect(route.pattern == "/api/users/me")
        #expect(parameters.isEmpty)
    }

    @Test func backtracksFromALiteralDeadEndToAParameter() {
        let r = router([(.get, "/api/users/me/addresses"), (.get, "/api/users/:id")])
        guard case .found(let route, _, let parameters) = r.match(method: .get, path: "/api/users/me") else {
            Issue.record("no match"); return
        }
        #expect(route.pattern == "/api/users/:id")
        #expect(parameters["id"] == "me")
    }

    @Test func remainderTakesTheRestOfThePathRaw() {
        let r = router([(.delete, "/api/upload/*filepath")])
        guard case .found(_, _, let parameters) = r.match(method: .delete, path: "/api/upload/2026/11/a%2Fb.jpg") else {
            Issue.record("no match"); return
        }
        #expect(parameters["filepath"] == "2026/11/a%2Fb.jpg")
    }

    @Test func wrongMethodListsAllowedMethodsWithHeadAndOptions() {
        let r = router([(.get, "/api/products"), (.post, "/api/products")])
        guard case .methodNotAllowed(let pattern, let allowed) = r.match(method: .delete, path: "/api/products") else {
            Issue.record("expected 405"); return
        }
        #expect(pattern == "/api/products")
        #expect(allowed == [.get, .head, .post, .options])
    }

    @Test func headIsServedByTheGetRoute() {
        let r = router([(.get, "/health")])
        guard case .found(let route, _, _) = r.match(method: .head, path: "/health") else { Issue.record("no match"); return }
        #expect(route.method == .get)
    }

    @Test func malformedPercentEncodingIsRejected() {
        let r = router([(.get, "/api/products/:id")])
        guard case .malformedPath = r.match(method: .get, path: "/api/products/%zz") else { Issue.record("accepted %zz"); return }
        guard case .malformedPath = r.match(method: .get, path: "/api/products/a%00b") else { Issue.record("accepted NUL"); return }
    }

    @Test func trailingSlashAndDoubleSlashesMatchTheSameRoute() {
        let r = router([(.get, "/api/products")])
        guard case .found = r.match(method: .get, path: "/api/products/") else { Issue.record("trailing slash"); return }
        guard case .found = r.match(method: .get, path: "//api//products") else { Issue.record("double slash"); return }
    }

    @Test func openAPIPathUsesBraces() {
        #expect(RoutePattern("/api/products/:idOrSlug").openAPIPath == "/api/products/{idOrSlug}")
        #expect(RoutePattern("/api/upload/*filepath").openAPIPath == "/api/upload/{filepath}")
    }
}
