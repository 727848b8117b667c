/// What an API key may do (API.md §12.5): each admin route needs one scope, the table of which
/// is `APIKeyScopeTable` in the wiring. Managing keys and users' roles needs a person.
public enum APIKeyScope: String, CaseIterable, Sendable {
    case catalogRead = "catalog:read"
    case catalogWrite = "catalog:write"
    case ordersRead = "orders:read"
    case ordersWrite = "orders:write"
    case customersRead = "customers:read"
    case couponsWrite = "coupons:write"
    case webhooksWrite = "webhooks:write"
    case auditRead = "audit:read"
}
