import Catalog
import Inventory
import Postgres
import Redis
import Scoreboard

/// The catalog cache version of `CATALOG_CACHE_SCOPE=host`: a counter in the scoreboard that
/// every process of this host shares.
enum CatalogVersion {
    static func host(_ scoreboard: Scoreboard) -> CatalogCache.HostVersion {
        nonisolated(unsafe) let board = scoreboard
        return CatalogCache.HostVersion(
            current: {
                let (epoch, version) = board.catalogVersion
                return "h\(epoch)-\(version)"
            },
            bump: { board.bumpCatalogVersion() })
    }

    /// After a write made outside the workers (seed-demo, imports): raises the replica fence,
    /// bumps Redis's version and, when a pool of this build runs here, the scoreboard's, and
    /// forgets the host's stock table.
    static func bumpEverywhere(configuration: Configuration, cache: RedisClient, database: PostgresClient) {
        if configuration.databaseReadURL != nil { CatalogFence(primary: database, cache: cache).raise() }
        _ = try? cache.increment("catalog:version")
        if let board = Scoreboard.existing(
            path: configuration.pool.scoreboardPath,
            layout: Application.scoreboardLayout(configuration: configuration),
            slots: configuration.pool.scoreboardSlots)
        {
            board.bumpCatalogVersion()
            HostStockTable(cells: board.stockCells, slots: Scoreboard.stockSlots, boundary: nil, now: { 0 }).forgetAll()
        }
    }
}
