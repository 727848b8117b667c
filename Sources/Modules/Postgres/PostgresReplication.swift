/// Where a server stands in streaming replication: the primary's WAL position after a write,
/// and how far a standby has replayed. Server functions only; no table.
public enum PostgresReplication {
    /// A standby as `pg_is_in_recovery()` and the replay functions describe it.
    public struct StandbyStatus: Equatable, Sendable {
        /// False for a primary (a promoted standby is one): never read from it as a replica.
        public let inRecovery: Bool
        /// `pg_last_wal_replay_lsn()` as a byte position; nil when not replaying.
        public let replayed: Int64?
        /// How old the last replayed transaction is while WAL is left to replay; 0 when
        /// everything received is replayed (an idle primary is no lag).
        public let lagMilliseconds: Int64
    }

    /// The WAL position every transaction committed so far on this connection's server is at
    /// or before: the insert position runs ahead of what is flushed, so a write committed with
    /// synchronous_commit off is covered too.
    public static func writePosition(on db: PostgresClient) throws -> Int64? {
        try db.query("SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::int8 AS lsn", idempotent: true).first?.string("lsn").flatMap { Int64($0) }
    }

    public static func standbyStatus(on db: PostgresClient) throws -> StandbyStatus? {
        guard
            let row = try db.query(
                """
                SELECT pg_is_in_recovery() AS in_recovery,
                       (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8 AS replayed,
                       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                            ELSE COALESCE((EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::int8, 0)
                       END AS lag_ms
                """, idempotent: true
            ).first,
            let inRecovery = row.bool("in_recovery"), let lag = row.string("lag_ms").flatMap({ Int64($0) })
        else { return nil }
        return StandbyStatus(inRecovery: inRecovery, replayed: row.string("replayed").flatMap { Int64($0) }, lagMilliseconds: lag)
    }
}
