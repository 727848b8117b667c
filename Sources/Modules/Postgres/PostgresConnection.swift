import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// Owns one libpq connection. Every statement goes through `PQexecParams` with text
/// parameters, so values never become SQL text; `executeScript` exists for migrations only.
public final class PostgresConnection {
    private let handle: OpaquePointer

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

    /// A statement with hand-numbered parameters: for migrations, tests and tools.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> PostgresResult {
        try execute(sql, parameters.map { $0.postgresText })
    }

    private func execute(_ sql: String, _ texts: [String?]) throws(PostgresError) -> PostgresResult {
        let result = Self.withCStrings(texts) { values in
            PQexecParams(handle, sql, Int32(texts.count), nil, values, nil, nil, 0)
        }
        return try check(result)
    }

    /// Several statements in one string, no parameters: for migration files only.
    public func executeScript(_ sql: String) throws(PostgresError) {
        _ = try check(PQexec(handle, sql))
    }

    private func check(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
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

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        var text = String(cString: message)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    private static func withCStrings<R>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = texts.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}
