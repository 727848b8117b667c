import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// Owns one libpq connection. Every statement goes through `PQexecParams` or a prepared
/// statement with text parameters, so values never become SQL text; `executeScript` exists for
/// migrations only.
public final class PostgresConnection {
    let handle: OpaquePointer
    /// Statements prepared on this connection (`PQprepare`), by their SQL text: each is parsed
    /// and planned once per connection instead of on every request.
    var prepared: [String: String] = [:]
    /// Names are never reused on a connection: a statement forgotten while a transaction was
    /// open, or prepared by a pipeline whose statement then failed, still exists on the server.
    private var lastStatementNumber = 0
    /// Past this many, statements run unprepared: SQL assembled from many optional filters must
    /// not grow a worker's memory, or the server's, without bound.
    public static let maxPreparedStatements = 256

    /// Connects with `keywords` in order; a `dbname` holding a URL is expanded first, so the
    /// keywords after it override what the URL says.
    public static func connect(_ keywords: [(String, String)]) throws(PostgresError) -> PostgresConnection {
        let names = keywords.map { strdup($0.0) } + [nil]
        let values = keywords.map { strdup($0.1) } + [nil]
        defer {
            names.forEach { free($0) }
            values.forEach { free($0) }
        }
        let handle = names.map { UnsafePointer($0) }.withUnsafeBufferPointer { n in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { v in
                PQconnectdbParams(n.baseAddress, v.baseAddress, 1)
            }
        }
        guard let handle else { throw PostgresError(kind: .connection, sqlState: nil, message: "out of memory") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(kind: .connection, sqlState: nil, message: message)
        }
        return PostgresConnection(handle: handle)
    }

    private init(handle: OpaquePointer) { self.handle = handle }

    deinit { PQfinish(handle) }

    public var isBroken: Bool { PQstatus(handle) != CONNECTION_OK }

    public enum TransactionState: Equatable {
        case idle, active, inTransaction, failedTransaction, unknown
    }

    public var transactionState: TransactionState {
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE: .idle
        case PQTRANS_ACTIVE: .active
        case PQTRANS_INTRANS: .inTransaction
        case PQTRANS_INERROR: .failedTransaction
        default: .unknown
        }
    }

    /// A statement built with binds (`PostgresQuery`): the form every store uses.
    @discardableResult
    public func query(_ query: PostgresQuery) throws(PostgresError) -> PostgresResult {
        let (sql, parameters) = query.rendered
        return try execute(sql, parameters)
    }

    /// A statement built with binds, prepared on first use (by name, once per connection) and
    /// then executed with `PQexecPrepared`. Statements without binds run as they are.
    @discardableResult
    public func queryPrepared(_ query: PostgresQuery) throws(PostgresError) -> PostgresResult {
        let (sql, parameters) = query.rendered
        return try queryPrepared(sql: sql, parameters: parameters)
    }

    func queryPrepared(sql: String, parameters: [String?]) throws(PostgresError) -> PostgresResult {
        let name: String
        switch preparation(of: sql, parameters: parameters) {
        case .none:
            return try execute(sql, parameters)
        case .known(let known):
            name = known
        case .new(let new):
            name = new
            _ = try check(PQprepare(handle, name, sql, Int32(parameters.count), nil))
            prepared[sql] = name
        }
        do {
            let result = Self.withCStrings(parameters) { values in
                PQexecPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
            }
            return try check(result)
        } catch {
            // A table changed under the statement (a migration): "cached plan must not change
            // result type". It is prepared again on its next use.
            if error.sqlState == "0A000" || error.sqlState == "26000" { forget(sql) }
            throw error
        }
    }

    enum Preparation {
        /// Run unprepared: no binds, or the connection holds as many as it may.
        case none
        case known(String)
        /// To be prepared under this name.
        case new(String)
    }

    func preparation(of sql: String, parameters: [String?]) -> Preparation {
        guard !parameters.isEmpty else { return .none }
        if let known = prepared[sql] { return .known(known) }
        guard prepared.count < Self.maxPreparedStatements else { return .none }
        lastStatementNumber += 1
        return .new("cfcgi_\(lastStatementNumber)")
    }

    /// Drops a prepared statement, so its next use prepares it afresh.
    func forget(_ sql: String) {
        guard let name = prepared.removeValue(forKey: sql) else { return }
        if transactionState == .idle { PQclear(PQexec(handle, "DEALLOCATE " + name)) }
    }

    /// How many statements this connection holds prepared.
    public var preparedCount: Int { prepared.count }

    /// A statement with hand-numbered parameters: for migrations, tests and tools.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> PostgresResult {
        try execute(sql, parameters.map { $0.postgresText })
    }

    func execute(_ sql: String, _ texts: [String?]) throws(PostgresError) -> PostgresResult {
        // A statement without binds (BEGIN, COMMIT, a fixed query) goes as one simple Query
        // message: no parse-bind-describe round of the extended protocol. Its text is always
        // the service's own, never a client's.
        guard !texts.isEmpty else { return try check(PQexec(handle, sql)) }
        let result = Self.withCStrings(texts) { values in
            PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try check(result)
    }

    /// Several statements in one string, no parameters: for migration files only.
    public func executeScript(_ sql: String) throws(PostgresError) {
        _ = try check(PQexec(handle, sql))
    }

    func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(kind: .connection, sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(handle: result)
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let constraint = PQresultErrorField(result, Int32(UInt8(ascii: "n"))).map { String(cString: $0) }
            let message = PQresultErrorMessage(result).map { Self.trimmed($0) } ?? "unknown error"
            PQclear(result)
            let kind = isBroken ? .connection : PostgresError.kind(sqlState: state, constraint: constraint)
            throw PostgresError(kind: kind, sqlState: state, message: message)
        }
    }

    /// libpq's message without the line end it always carries.
    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        message.map { String(cString: $0).trimmingBlanks } ?? ""
    }

    static func withCStrings<R>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = texts.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}
