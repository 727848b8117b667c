import Core
import Inventory
import Redis
import Scoreboard

/// Where the stock that catalog pages show comes from and every sale is published to, by
/// `CATALOG_CACHE_SCOPE`: the host's table in the scoreboard (`host`), or PostgreSQL with the
/// zero-crossing version in Redis (`global`, and any process that has no scoreboard to join).
enum CatalogStock {
    static func levels(configuration: Configuration, scoreboard: Scoreboard?, cache: RedisClient, clock: Core.Clock) -> StockLevels {
        guard configuration.catalogCacheScope == .host, let scoreboard else { return DatabaseStockLevels(cache: cache) }
        return HostStockTable(
            cells: scoreboard.stockCells, slots: Scoreboard.stockSlots, boundary: scoreboard.stockBoundaryCell,
            freshSeconds: configuration.cacheTTL, now: { [clock] in UInt64(max(0, clock.epochMilliseconds())) })
    }
}
