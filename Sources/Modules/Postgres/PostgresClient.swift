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

        public init(
            url: String, applicationName: String, connectTimeoutSeconds: Int = 5, statementTimeoutMilliseconds: Int = 5000,
            lockTimeoutMilliseconds: Int = 2000, idleInTransactionTimeoutMilliseconds: Int = 10000, reconnectIntervalMilliseconds: Int = 250
        ) {
            self.url = url
            self.applicationName = applicationName
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
            self.idleInTransactionTimeoutMilliseconds = idleInTransactionTimeoutMilliseconds
            self.reconnectIntervalMilliseconds = reconnectIntervalMilliseconds
        }

        var keywords: [(String, String)] {
            [
                ("dbname", url),
                ("application_name", applicationName),
                ("connect_timeout", String(connectTimeoutSeconds)),
                ("keepalives", "1"),
                ("keepalives_idle", "30"),
                ("keepalives_interval", "10"),
                ("keepalives_count", "3"),
                // NOTICEs (a search of stop words only) would reach libpq's default processor and stderr.
                ("options", "-c statement_timeout=\(statementTimeoutMilliseconds) -c lock_timeout=\(lockTimeoutMilliseconds) -c idle_in_transaction_session_timeout=\(idleInTransactionTimeoutMilliseconds) -c client_min_messages=warning"),
            ]
        }
    }

    private let settings: Settings
    private let monotonicNanoseconds: @Sendable () -> UInt64
    private var connection: PostgresConnection?
    private var transactionDepth = 0
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

    /// Runs one statement. Outside a transaction, a statement marked `idempotent` that fails
    /// because the connection broke (the server restarted since the last request) is sent once
    /// more on a fresh connection; anything else fails to the caller.
    @discardableResult
    public func query(_ query: PostgresQuery, idempotent: Bool = false) throws(PostgresError) -> PostgresResult {
        do {
            return try send(query)
        } catch where error.kind == .connection && idempotent && transactionDepth == 0 {
            connection = nil
            return try send(query)
        }
    }

    private func send(_ query: PostgresQuery) throws(PostgresError) -> PostgresResult {
        let connection = try connected()
        onQuery?()
        do {
            return try connection.query(query)
        } catch {
            if error.kind == .connection { self.connection = nil }
            throw error
        }
    }

    /// Runs `body` in one transaction: COMMIT when it returns, ROLLBACK when it throws. A
    /// serialization failure or deadlock (40001/40P01) reruns the whole body, up to `attempts`.
    public func withTransaction<T>(attempts: Int = 3, _ body: (PostgresClient) throws -> T) throws -> T {
        precondition(transactionDepth == 0, "nested transactions are not supported")
        var attempt = 1
        while true {
            // BEGIN is the first statement on a connection that may have gone stale (the server
            // restarted since the last request): resending it on a fresh connection is safe.
            try query("BEGIN", idempotent: true)
            transactionDepth = 1
            do {
                let value = try body(self)
                try query("COMMIT")
                transactionDepth = 0
                return value
            } catch {
                transactionDepth = 0
                rollBackQuietly()
                if let failure = error as? PostgresError, failure.kind == .retryable, attempt < attempts {
                    attempt += 1
                    continue
                }
                throw error
            }
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
