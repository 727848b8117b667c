import Auth

/// What the catalog needs from a worker: the account context (admin checks) and the cache
/// it keeps its pages in.
public protocol CatalogContext: AuthContext {
    var catalogCache: CatalogCache { get }
    var currency: String { get }
}
