import Auth
import HTTP

/// Which scope an API key needs for each route it may call (API.md §12.5), in one place. A
/// route missing here is closed to keys (403): managing keys, users' roles, and everything a
/// person does for themselves (carts, checkout, their profile).
enum APIKeyScopeTable {
    /// By method, then by route pattern: a lookup hashes the pattern once and builds nothing.
    static let scopes: [HTTPMethod: [String: APIKeyScope]] = {
        var table: [HTTPMethod: [String: APIKeyScope]] = [:]
        func allow(_ scope: APIKeyScope, _ routes: [(HTTPMethod, String)]) {
            for (method, pattern) in routes { table[method, default: [:]][pattern] = scope }
        }
        allow(
            .catalogWrite,
            [
                (.post, "/api/categories"), (.patch, "/api/categories/:idOrSlug"), (.delete, "/api/categories/:idOrSlug"),
                (.post, "/api/products"), (.patch, "/api/products/:idOrSlug"), (.delete, "/api/products/:idOrSlug"),
                (.post, "/api/upload/single"), (.post, "/api/upload/products"), (.delete, "/api/upload/*filepath"),
            ])
        allow(.catalogRead, [(.get, "/api/products/export.csv")])
        allow(.ordersRead, [(.get, "/api/orders"), (.get, "/api/orders/:id")])
        allow(.ordersWrite, [(.patch, "/api/orders/:id/status"), (.patch, "/api/orders/:id/cancel"), (.post, "/api/orders/:id/refunds")])
        allow(.customersRead, [(.get, "/api/users"), (.get, "/api/users/:id")])
        allow(
            .couponsWrite,
            [(.post, "/api/coupons"), (.get, "/api/coupons"), (.get, "/api/coupons/:id"), (.patch, "/api/coupons/:id"), (.delete, "/api/coupons/:id")])
        allow(.auditRead, [(.get, "/api/audit-log")])
        allow(
            .webhooksWrite,
            [
                (.post, "/api/webhook-endpoints"), (.get, "/api/webhook-endpoints"), (.get, "/api/webhook-endpoints/:id"),
                (.patch, "/api/webhook-endpoints/:id"), (.delete, "/api/webhook-endpoints/:id"), (.get, "/api/webhook-endpoints/:id/deliveries"),
                (.post, "/api/webhook-deliveries/:id/retry"),
            ])
        return table
    }()

    /// The scope a key needs for the route; nil when no key may call it.
    static func scope(_ method: HTTPMethod, _ pattern: String) -> String? { scopes[method]?[pattern]?.rawValue }
}
