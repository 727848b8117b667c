import Inventory
import Postgres

/// The stock source with a read replica configured: a sale that takes a product across zero
/// changes which products `inStock` listings hold, so it raises the replica fence
/// (ReplicaReads.fence) before the boundary moves, as a catalog write does.
final class FencedStockLevels: StockLevels {
    private let inner: StockLevels
    private let fence: () -> Void

    init(_ inner: StockLevels, fence: @escaping () -> Void) {
        self.inner = inner
        self.fence = fence
    }

    func quantities(_ products: StockIds, on db: PostgresClient) throws -> [Int] { try inner.quantities(products, on: db) }
    func willChange(_ ids: [String]) -> StockChange { inner.willChange(ids) }
    func rolledBack(_ change: StockChange) { inner.rolledBack(change) }
    func boundaryVersion() -> String? { inner.boundaryVersion() }

    func committed(_ change: StockChange, levels: [StockLevel]) {
        if levels.contains(where: \.crossesZero) { fence() }
        inner.committed(change, levels: levels)
    }
}
