import Core
import Health
import Metrics
import Postgres
import Redis

/// `DATABASE_READ_URL`: public catalog reads go to a streaming replica when it can answer them
/// exactly as the primary would.
///
/// Read-your-writes by LSN fence, not by time: every catalog write (an admin's, an import's, a
/// sale that takes a product across zero) records the primary's WAL position in Redis
/// (`catalog:fence`) after it commits and before the catalog version moves. A catalog read that
/// misses the cache asks the replica how far it has replayed: at or past the fence, every
/// catalog write anyone has seen answered is there, so the replica serves the read; behind it,
/// lagging past `REPLICA_MAX_LAG`, down, or not a standby at all, the primary does. So no client
/// (the writer included) reads a catalog write stale, and cached pages are always built from
/// data at least as new as the version they are filed under. Stock on pages comes from the
/// primary as they are served (`StockLevels`), and every other route reads the primary: they
/// read what their own client just wrote, in small indexed queries.
final class ReplicaReads {
    /// A replica that failed is left alone this long before it is tried again.
    static let downMilliseconds: Int64 = 2_000

    let replica: PostgresClient
    private let primary: PostgresClient
    let fence: CatalogFence
    private let maxLagMilliseconds: Int64
    private let clock: Clock
    private let count: (MetricCounter) -> Void
    private var downUntil: Int64 = 0

    init(replica: PostgresClient, primary: PostgresClient, cache: RedisClient, maxLagSeconds: Int, clock: Clock, count: @escaping (MetricCounter) -> Void) {
        self.replica = replica
        self.primary = primary
        fence = CatalogFence(primary: primary, cache: cache)
        self.maxLagMilliseconds = Int64(maxLagSeconds) * 1000
        self.clock = clock
        self.count = count
    }

    /// Where this request's catalog reads go; asked once per request, on its first read.
    func choose() -> PostgresClient {
        let now = clock.epochMilliseconds()
        guard now >= downUntil else { return fallBack(.replicaFallbackDown) }
        guard let required = fence.current() else { return fallBack(.replicaFallbackFence) }
        let status: PostgresReplication.StandbyStatus
        do {
            guard let known = try PostgresReplication.standbyStatus(on: replica) else { return markDown(now) }
            status = known
        } catch {
            return markDown(now)
        }
        // A promoted replica (no longer in recovery) is another primary: never read from it.
        guard status.inRecovery, let replayed = status.replayed else { return fallBack(.replicaFallbackDown) }
        let lag = status.lagMilliseconds
        guard lag <= maxLagMilliseconds else { return fallBack(.replicaFallbackLag) }
        guard replayed >= required else { return fallBack(.replicaFallbackBehind) }
        count(.catalogReadsReplica)
        return replica
    }

    /// Readiness: up, lagging past REPLICA_MAX_LAG, or down (unreachable, or no longer a standby).
    func probe() -> ReadinessCheck.ReplicaCheck {
        let started = clock.monotonicNanoseconds()
        let status = try? PostgresReplication.standbyStatus(on: replica)
        let latency = Int((clock.monotonicNanoseconds() - started) / 1_000_000)
        guard let status, status.inRecovery, status.replayed != nil else { return .init(status: .down, latencyMs: latency, lagMs: nil) }
        let lag = status.lagMilliseconds
        return .init(status: lag <= maxLagMilliseconds ? .up : .lagging, latencyMs: latency, lagMs: Int(lag))
    }

    /// The replica failed in the middle of a request: the request is answered again from the
    /// primary, and the replica rests.
    func failed() {
        replica.disconnect()
        _ = markDown(clock.epochMilliseconds())
    }

    private func markDown(_ now: Int64) -> PostgresClient {
        downUntil = now + Self.downMilliseconds
        return fallBack(.replicaFallbackDown)
    }

    private func fallBack(_ reason: MetricCounter) -> PostgresClient {
        count(reason)
        count(.catalogReadsPrimary)
        return primary
    }
}
