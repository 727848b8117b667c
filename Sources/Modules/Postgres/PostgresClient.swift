import Core

/// A worker's database access: one lazily opened connection (a worker serves one request at
/// a time, so more would sit idle), reopened after the server restarts.
public final class PostgresClient {
    public struct Settings: Sendable {
        public var url: String
        public var applicationName: String
        public var connectTimeoutSeconds: Int
        public var statementTimeoutMilliseconds: Int
        public var lockTimeoutMilliseconds: Int
        public var idleInTransactionTimeoutMilliseconds: Int
        /// After a failed connect, the next attempt waits this long: a worker answers 503 in
        /// between instead of hammering a PostgreSQL that is down (or starting) on every request.
        public var reconnectIntervalMilliseconds: Int
        /// Statements with binds are prepared once per connection (`DB_PREPARED_STATEMENTS`).
        /// Off for a pgbouncer in transaction mode before 1.21, which cannot carry them.
        public var preparedStatements: Bool

        public init(
            url: String, applicationName: String, connectTimeoutSeconds: Int = 5, statementTimeoutMilliseconds: Int = 5000,
            lockTimeoutMilliseconds: Int = 2000, idleInTransactionTimeoutMilliseconds: Int = 10000, reconnectIntervalMilliseconds: Int = 250,
            preparedStatements: Bool = true
        ) {
            self.url = url
            self.applicationName = applicationName
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
            self.idleInTransactionTimeoutMilliseconds = idleInTransactionTimeoutMilliseconds
            self.reconnectIntervalMilliseconds = reconnectIntervalMilliseconds
            self.preparedStatements = preparedStatements
        }

        var keywords: [(String, String)] {
            // GSSAPI is tried first on every TCP connect unless refused, which loads and starts
            // Kerberos in every worker (a megabyte of resident memory each) for a server that
            // almost never offers it; a URL that names `gssencmode` keeps its choice.
            let gss: [(String, String)] = url.contains("gssencmode") ? [] : [("gssencmode", "disable")]
            return [
                ("dbname", url),
                ("application_name", applicationName),
                ("connect_timeout", String(connectTimeoutSeconds)),
                ("keepalives", "1"),
                ("keepalives_idle", "30"),
                ("keepalives_interval", "10"),
                ("keepalives_count", "3"),
                // NOTICEs (a search of stop words only) would reach libpq's default processor and stderr.
                // Prepared statements keep one plan, made once (`Planning.perExecution` below is for
                // the few whose best plan depends on their values): left to itself, PostgreSQL plans
                // anew on every execution any statement whose generic plan it cannot price below a
                // custom one (an `unnest` of an array bind, every `WITH`), which was an eighth of its
                // CPU at checkout.
                (
                    "options",
                    "-c statement_timeout=\(statementTimeoutMilliseconds) -c lock_timeout=\(lockTimeoutMilliseconds) -c idle_in_transaction_session_timeout=\(idleInTransactionTimeoutMilliseconds) -c client_min_messages=warning"
                        + (preparedStatements ? " -c plan_cache_mode=force_generic_plan" : "")
                ),
            ] + gss
        }
    }

    private let settings: Settings
    private let monotonicNanoseconds: @Sendable () -> UInt64
    private var connection: PostgresConnection?
    private var transactionDepth = 0
    /// Inside `withTransaction`, before its first statement: BEGIN goes out with that statement.
    private var beginPending = false
    /// What the pending BEGIN sets for its transaction.
    private var beginSettings: [String] = []
    /// Statements that leave with the transaction's COMMIT (`queryWithCommit`).
    private var withCommit: [PostgresQuery] = []
    /// The transaction's COMMIT went out with its last statement (`queryCommitting`).
    private var committed = false

    /// How a transaction's COMMIT reaches the disk.
    public enum Durability: Sendable {
        /// COMMIT returns once the WAL is flushed: an order, a payment, an account.
        case flushed
        /// COMMIT returns at once and the WAL writer flushes within 200 ms (`synchronous_commit
        /// = off`): a crash of PostgreSQL may lose the last such transactions, never corrupt
        /// anything. For writes a client simply repeats if they vanish (a cart line).
        case deferred
    }
    /// When the last connect failed; no new attempt before `reconnectIntervalMilliseconds`.
    private var lastFailedConnect: UInt64?
    /// Called once per statement sent, for `db_queries_total`.
    public var onQuery: (() -> Void)?
    /// Called after each connect attempt with its outcome, for `db_connection_attempts_total`.
    public var onConnect: ((Bool) -> Void)?

    public init(settings: Settings, monotonicNanoseconds: @escaping @Sendable () -> UInt64 = Clock.system.monotonicNanoseconds) {
        self.settings = settings
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    /// Opens the connection if there is none (or it broke) and hands it out; at most one
    /// connect attempt per `reconnectIntervalMilliseconds` while the server stays away.
    private func connected() throws(PostgresError) -> PostgresConnection {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        let now = monotonicNanoseconds()
        if let failed = lastFailedConnect, now - failed < UInt64(settings.reconnectIntervalMilliseconds) * 1_000_000 {
            throw PostgresError(kind: .connection, sqlState: nil, message: "not connected; the last attempt failed moments ago")
        }
        do {
            let fresh = try PostgresConnection.connect(settings.keywords)
            connection = fresh
            lastFailedConnect = nil
            onConnect?(true)
            return fresh
        } catch {
            lastFailedConnect = now
            onConnect?(false)
            throw error
        }
    }

    /// How a statement is planned.
    public enum Planning: Sendable {
        /// Prepared once per connection, planned once (the default).
        case cached
        /// Planned for the values of each execution: a listing whose filters and search pick
        /// the plan (a price range, a text search, an optional owner).
        case perExecution
    }

    /// Runs one statement. Outside a transaction, a statement marked `idempotent` that fails
    /// because the connection broke (the server restarted since the last request) is sent once
    /// more on a fresh connection; anything else fails to the caller.
    @discardableResult
    public func query(_ query: PostgresQuery, idempotent: Bool = false, planning: Planning = .cached) throws(PostgresError) -> PostgresResult {
        let opensTransaction = beginPending
        do {
            return try send(query, planning)
        } catch  where error.kind == .connection && opensTransaction {
            // The connection had gone stale (the server restarted since the last request): the
            // transaction it would have opened is gone with it, so BEGIN and its first statement
            // are sent again on a fresh connection.
            connection = nil
            beginPending = true
            return try send(query, planning)
        } catch  where error.kind == .connection && idempotent && transactionDepth == 0 {
            connection = nil
            return try send(query, planning)
        } catch  where error.sqlState == "0A000" && transactionDepth == 0 {
            // Its prepared plan outlived a migration; it was dropped, and is prepared again now.
            return try send(query, planning)
        }
    }

    private func send(_ query: PostgresQuery, _ planning: Planning) throws(PostgresError) -> PostgresResult {
        let connection = try connected()
        onQuery?()
        let prepare = settings.preparedStatements && planning == .cached
        // Unprepared but under the connection's generic planning: it must ask for its own plan.
        let forItsValues = settings.preparedStatements && planning == .perExecution
        do {
            if beginPending {
                beginPending = false
                return try connection.begin(with: query, settings: beginSettings, prepare: prepare, forItsValues: forItsValues)
            }
            if forItsValues { return try connection.queryPlannedForItsValues(query) }
            return prepare ? try connection.queryPrepared(query) : try connection.query(query)
        } catch {
            if error.kind == .connection { self.connection = nil }
            throw error
        }
    }

    /// Statements of a transaction whose binds do not depend on each other's results, in one
    /// round trip (with the transaction's BEGIN when they open it): checkout's cart lock and the
    /// lines it locks next. Each runs once the one before it finished, as if sent one by one.
    /// One result per statement, in order; the first failure is thrown, and the transaction is
    /// then aborted.
    public func queries(_ queries: [PostgresQuery]) throws(PostgresError) -> [PostgresResult] {
        precondition(transactionDepth > 0 && !committed, "statements sent together belong to a transaction")
        let opensTransaction = beginPending
        do {
            return try sendAll(queries)
        } catch  where error.kind == .connection && opensTransaction {
            // As in `query`: a stale connection took no transaction with it; open it again.
            connection = nil
            beginPending = true
            return try sendAll(queries)
        }
    }

    private func sendAll(_ queries: [PostgresQuery]) throws(PostgresError) -> [PostgresResult] {
        let connection = try connected()
        for _ in queries { onQuery?() }
        let opening = beginPending ? beginSettings : nil
        beginPending = false
        do {
            return try connection.queryAll(queries, opening: opening, prepare: settings.preparedStatements)
        } catch {
            if error.kind == .connection { self.connection = nil }
            throw error
        }
    }

    /// Runs `body` in one transaction: COMMIT when it returns, ROLLBACK when it throws. A
    /// serialization failure or deadlock (40001/40P01) reruns the whole body, up to `attempts`.
    public func withTransaction<T>(attempts: Int = 3, durability: Durability = .flushed, _ body: (PostgresClient) throws -> T) throws -> T {
        precondition(transactionDepth == 0, "nested transactions are not supported")
        var attempt = 1
        while true {
            // BEGIN leaves with the transaction's first statement (`PostgresConnection.begin`);
            // a transaction that sent none has nothing to commit or roll back.
            beginPending = true
            beginSettings = durability == .deferred ? ["SET LOCAL synchronous_commit TO off"] : []
            withCommit = []
            committed = false
            transactionDepth = 1
            do {
                let value = try body(self)
                if !committed { _ = try commit(returning: nil) }
                transactionDepth = 0
                return value
            } catch {
                let opened = !beginPending
                beginPending = false
                withCommit = []
                transactionDepth = 0
                if opened { rollBackQuietly() }
                if let failure = error as? PostgresError, failure.kind == .retryable, attempt < attempts {
                    attempt += 1
                    continue
                }
                throw error
            }
        }
    }

    /// Runs `query` with the transaction's COMMIT, in the same round trip: for a write whose
    /// result nobody reads (an outbox row, a stored answer). A failure of it fails the
    /// transaction, as at once would. Outside a transaction it runs at once.
    public func queryWithCommit(_ query: PostgresQuery) throws(PostgresError) {
        guard transactionDepth > 0 else {
            try self.query(query)
            return
        }
        withCommit.append(query)
    }

    /// The transaction's last statement, sent with its COMMIT (after what `queryWithCommit`
    /// held back) in one round trip: its result, once the COMMIT succeeded. For a read the
    /// answer shows of what the transaction wrote (the cart after a change); nothing may follow
    /// it in the transaction.
    public func queryCommitting(_ query: PostgresQuery) throws(PostgresError) -> PostgresResult {
        precondition(transactionDepth > 0 && !committed, "queryCommitting ends a transaction")
        committed = true
        guard let result = try commit(returning: query) else {
            throw PostgresError(kind: .connection, sqlState: nil, message: "no result")
        }
        return result
    }

    /// Sends what waits for the COMMIT (and `returning`), and the COMMIT, together; a
    /// transaction that sent nothing yet opens with the first of them. `returning`'s result.
    private func commit(returning last: PostgresQuery?) throws(PostgresError) -> PostgresResult? {
        var pending = withCommit
        withCommit = []
        if beginPending {
            if !pending.isEmpty {
                try query(pending.removeFirst())
            } else if let last {
                let result = try query(last)
                _ = try commit(after: [], returning: nil)
                return result
            } else {
                beginPending = false
                return nil
            }
        }
        return try commit(after: pending, returning: last)
    }

    private func commit(after pending: [PostgresQuery], returning last: PostgresQuery?) throws(PostgresError) -> PostgresResult? {
        // The transaction's own connection: a new one would have no transaction to commit.
        guard let connection, !connection.isBroken else {
            self.connection = nil
            throw PostgresError(kind: .connection, sqlState: nil, message: "the connection broke before COMMIT")
        }
        for _ in 0...(pending.count + (last == nil ? 0 : 1)) { onQuery?() }
        do {
            let result = try connection.commit(after: pending, returning: last, prepare: settings.preparedStatements)
            return last == nil ? nil : result
        } catch {
            if error.kind == .connection { self.connection = nil }
            throw error
        }
    }

    private func rollBackQuietly() {
        guard let connection, !connection.isBroken else { self.connection = nil; return }
        if (try? connection.query("ROLLBACK")) == nil || connection.transactionState != .idle {
            self.connection = nil
        }
    }

    /// Drops the connection; the next statement opens a new one.
    public func disconnect() { connection = nil }

    public var isConnected: Bool { connection.map { !$0.isBroken } ?? false }
}
