import Catalog
import Foundation
import Redis
import Testing

extension EndToEndTests {
    /// The two version scopes of the catalog cache, as two workers would use them, against the
    /// test stack's Redis. (The pool itself runs the default, `host`; the suites above test it
    /// through nginx.)
    @Suite struct CatalogCacheScopes {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        func redis() throws -> RedisClient {
            let url = try #require(try stack.environmentFile()["REDIS_URL"])
            return RedisClient(settings: .init(endpoint: try #require(RedisEndpoint.parse(url))))
        }

        func check(_ a: CatalogCache, _ b: CatalogCache) throws {
            let identity = "scope-test-\(UUID().uuidString)"
            guard case .miss(let missing) = a.lookup(kind: "products", identity: identity) else { Issue.record("expected a miss"); return }
            let template = PageTemplate(body: Array("one".utf8))
            _ = a.store(template, as: missing)
            #expect(b.lookup(kind: "products", identity: identity).template == template, "another worker reads it from Redis")
            #expect(a.lookup(kind: "products", identity: identity).template == template, "and the first from memory")
            b.bump()
            #expect(a.lookup(kind: "products", identity: identity).isMiss, "a write by another worker is seen by the next read")
            #expect(b.lookup(kind: "products", identity: identity).isMiss)
        }

        @Test func globalScopeReadsTheVersionFromRedis() throws {
            try check(CatalogCache(cache: try redis(), ttlSeconds: 60), CatalogCache(cache: try redis(), ttlSeconds: 60))
        }

        @Test func hostScopeSharesACounter() throws {
            let counter = Locked(0)
            let epoch = UUID().uuidString
            let version = CatalogCache.HostVersion(current: { "h\(epoch)-\(counter.value)" }, bump: { counter.mutate { $0 += 1 } })
            try check(
                CatalogCache(cache: try redis(), ttlSeconds: 60, hostVersion: version),
                CatalogCache(cache: try redis(), ttlSeconds: 60, hostVersion: version))
            #expect(counter.value == 1)
        }
    }
}

extension CatalogCache.Lookup {
    var isMiss: Bool { if case .miss = self { true } else { false } }
    var template: PageTemplate? { if case .hit(let page) = self { page.template } else { nil } }
}
