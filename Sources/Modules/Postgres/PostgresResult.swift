import CLibPQ

/// Owns one `PGresult`; values are read in place (text format) and the result is cleared
/// exactly once, when the last reference goes.
public final class PostgresResult {
    private let handle: OpaquePointer
    public let rowCount: Int
    public let columnCount: Int
    /// Column name → index, resolved once per result rather than once per cell.
    private lazy var columnIndexes: [String: Int] = {
        var indexes: [String: Int] = [:]
        indexes.reserveCapacity(columnCount)
        for column in 0..<columnCount where indexes[columnName(column)] == nil { indexes[columnName(column)] = column }
        return indexes
    }()

    init(handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
    }

    deinit { PQclear(handle) }

    /// Rows changed by an INSERT/UPDATE/DELETE.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

    public func columnIndex(_ name: String) -> Int? { columnIndexes[name] }

    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    public func string(_ row: Int, _ column: Int) -> String? {
        guard row < rowCount, column < columnCount, !isNull(row, column), let value = PQgetvalue(handle, Int32(row), Int32(column)) else {
            return nil
        }
        return String(cString: value)
    }

    public func int(_ row: Int, _ column: Int) -> Int? { string(row, column).flatMap { Int($0) } }

    /// Rows as accessors: `for row in result.rows { try row.decode("email", as: String.self) }`.
    public var rows: [PostgresRow] { (0..<rowCount).map { PostgresRow(result: self, index: $0) } }

    public var first: PostgresRow? { rowCount > 0 ? PostgresRow(result: self, index: 0) : nil }

    /// The one row a statement must return (`INSERT … RETURNING`, `SELECT count(*)`).
    public func single() throws(PostgresDecodingError) -> PostgresRow {
        guard rowCount == 1 else { throw PostgresDecodingError(column: "", type: "row", problem: .rowCount(rowCount)) }
        return PostgresRow(result: self, index: 0)
    }

    /// Each row through `transform`, which may throw a decoding error.
    public func map<T>(_ transform: (PostgresRow) throws -> T) rethrows -> [T] {
        var out: [T] = []
        out.reserveCapacity(rowCount)
        for index in 0..<rowCount { out.append(try transform(PostgresRow(result: self, index: index))) }
        return out
    }
}

public struct PostgresRow {
    public let result: PostgresResult
    public let index: Int

    /// The cell of `column` as `T`; throws naming the column when it is missing, NULL (for a
    /// non-optional `T`) or not text of `T`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresDecodingError) -> T {
        guard let position = result.columnIndex(column) else {
            throw PostgresDecodingError(column: column, type: String(describing: T.self), problem: .missingColumn)
        }
        guard let text = result.string(index, position) else {
            guard let null = T.postgresNull else {
                throw PostgresDecodingError(column: column, type: String(describing: T.self), problem: .unexpectedNull)
            }
            return null
        }
        guard let value = T(postgresText: text) else {
            throw PostgresDecodingError(column: column, type: String(describing: T.self), problem: .invalidText)
        }
        return value
    }

    // Untyped reads for tests and tools: nil for NULL and for a column that is not there.
    public func string(_ name: String) -> String? { result.columnIndex(name).flatMap { result.string(index, $0) } }
    public func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }
    public func bool(_ name: String) -> Bool? { string(name).map { $0 == "t" } }
    public func isNull(_ name: String) -> Bool { result.columnIndex(name).map { result.isNull(index, $0) } ?? true }
}
