import Postgres
import Redis

/// `CATALOG_CACHE_SCOPE=global` (several app hosts): quantities come from PostgreSQL, one
/// indexed query per page served, since no host can see another's memory; the zero-crossing
/// version lives in Redis beside the catalog version.
public final class DatabaseStockLevels: StockLevels {
    private let cache: RedisClient
    static let boundaryKey = "catalog:stock-boundary"

    public init(cache: RedisClient) { self.cache = cache }

    public func quantities(_ products: StockIds, on db: PostgresClient) throws -> [Int] {
        guard !products.isEmpty else { return [] }
        let found = try StockStore.quantities(products.ids, on: db)
        return products.ids.map { found[$0] ?? 0 }
    }

    public func willChange(_ ids: [String]) -> StockChange { .none }

    public func committed(_ change: StockChange, levels: [StockLevel]) {
        guard levels.contains(where: \.crossesZero) else { return }
        _ = try? cache.increment(Self.boundaryKey)
    }

    public func rolledBack(_ change: StockChange) {}

    public func boundaryVersion() -> String? {
        do { return try cache.get(Self.boundaryKey).map { String(decoding: $0, as: UTF8.self) } ?? "0" } catch { return nil }
    }
}
