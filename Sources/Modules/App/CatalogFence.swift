import Catalog
import Inventory
import Postgres
import Redis

/// The read replica's fence (ReplicaReads): the primary's WAL position after the latest
/// catalog write, in Redis (`catalog:fence`). Every process that writes the catalog or moves
/// the stock boundary raises it after its commit and before the cache version moves, so no
/// reader can see a new version and an older fence.
struct CatalogFence {
    static let key = "catalog:fence"
    /// What the fence says when the primary's position could not be read after a write: the
    /// primary serves catalog reads until it expires (then REPLICA_MAX_LAG bounds the rest).
    static let unknown = "9223372036854775807"
    static let unknownSeconds = 60

    let primary: PostgresClient
    let cache: RedisClient

    /// Call after a catalog write committed, before the catalog version or stock boundary moves.
    func raise() {
        do {
            guard let lsn = try PostgresReplication.writePosition(on: primary) else { throw Unknown() }
            _ = try cache.command(["EVAL", Self.raiseScript, "1", Self.key, String(lsn)].map { Array($0.utf8) })
        } catch {
            _ = try? cache.set(Self.key, Array(Self.unknown.utf8), expireSeconds: Self.unknownSeconds)
        }
    }

    /// The fence now; 0 when no write has raised it; nil when Redis cannot say.
    func current() -> Int64? {
        do {
            guard let bytes = try cache.get(Self.key) else { return 0 }
            return Int64(String(decoding: bytes, as: UTF8.self))
        } catch {
            return nil
        }
    }

    private struct Unknown: Error {}

    /// Raises the fence, never lowers it: writers on several hosts finish in any order.
    static let raiseScript = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
        if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) end
        return 1
        """

    /// With `DATABASE_READ_URL` set: `stock` raising the fence before a zero crossing moves the
    /// boundary, for processes that have no ReplicaReads (jobs' expiries, commands).
    static func guarding(_ stock: StockLevels, configuration: Configuration, primary: PostgresClient, cache: RedisClient) -> StockLevels {
        guard configuration.databaseReadURL != nil else { return stock }
        return FencedStockLevels(stock, fence: CatalogFence(primary: primary, cache: cache).raise)
    }
}
