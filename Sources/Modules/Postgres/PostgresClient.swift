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

        public init(
            url: String, applicationName: String, connectTimeoutSeconds: Int = 5, statementTimeoutMilliseconds: Int = 5000,
            lockTimeoutMilliseconds: Int = 2000, idleInTransactionTimeoutMilliseconds: Int = 10000
        ) {
            self.url = url
            self.applicationName = applicationName
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
            self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
            self.idleInTransactionTimeoutMilliseconds = idleInTransactionTimeoutMilliseconds
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
    private var connection: PostgresConnection?
    private var transactionDepth = 0
    /// Called once per statement sent, for `db_queries_total`.
    public var onQuery: (() -> Void)?

    public init(settings: Settings) { self.settings = settings }

    /// Opens the connection if there is none (or it broke) and hands it out.
    private func connected() throws(PostgresError) -> PostgresConnection {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        let fresh = try PostgresConnection.connect(settings.keywords)
        connection = fresh
        return fresh
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
