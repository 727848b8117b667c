import Auth
import Inventory
import Postgres

/// What the catalog needs from a worker: the account context (admin checks), the cache it
/// keeps its pages in, and the stock it fills them with.
public protocol CatalogContext: AuthContext {
    var catalogCache: CatalogCache { get }
    var stockLevels: StockLevels { get }
    var currency: String { get }
    /// Where this request's public catalog reads go: the read replica when it has replayed
    /// every catalog write, else the primary (`database`).
    var catalogReads: PostgresClient { get }
}
