import Auth
import Inventory

/// What the catalog needs from a worker: the account context (admin checks), the cache it
/// keeps its pages in, and the stock it fills them with.
public protocol CatalogContext: AuthContext {
    var catalogCache: CatalogCache { get }
    var stockLevels: StockLevels { get }
    var currency: String { get }
}
