import CLibPQ

/// Owns one `PGresult`; values are read in place (text format) and the result is cleared
/// exactly once, when the last reference goes.
public final class PostgresResult {
    private let handle: OpaquePointer
    public let rowCount: Int
    public let columnCount: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        columnCount = Int(PQnfields(handle))
    }

    deinit { PQclear(handle) }

    /// Rows changed by an INSERT/UPDATE/DELETE.
    public var affectedRows: Int { Int(String(cString: PQcmdTuples(handle))) ?? 0 }

    public func columnName(_ column: Int) -> String { String(cString: PQfname(handle, Int32(column))) }

    public func columnIndex(_ name: String) -> Int? {
        let index = PQfnumber(handle, name)
        return index < 0 ? nil : Int(index)
    }

    public func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(handle, Int32(row), Int32(column)) == 1 }

    public func string(_ row: Int, _ column: Int) -> String? {
        guard !isNull(row, column), let value = PQgetvalue(handle, Int32(row), Int32(column)) else { return nil }
        return String(cString: value)
    }

    public func int(_ row: Int, _ column: Int) -> Int? { string(row, column).flatMap { Int($0) } }

    public func int64(_ row: Int, _ column: Int) -> Int64? { string(row, column).flatMap { Int64($0) } }

    public func bool(_ row: Int, _ column: Int) -> Bool? { string(row, column).map { $0 == "t" } }

    /// Rows as accessors, for `for row in result.rows { row.string("email") }`.
    public var rows: [PostgresRow] { (0..<rowCount).map { PostgresRow(result: self, index: $0) } }

    public var first: PostgresRow? { rowCount > 0 ? PostgresRow(result: self, index: 0) : nil }
}

public struct PostgresRow {
    public let result: PostgresResult
    public let index: Int

    private func column(_ name: String) -> Int {
        guard let column = result.columnIndex(name) else { preconditionFailure("no column \(name) in result") }
        return column
    }

    public func string(_ name: String) -> String? { result.string(index, column(name)) }
    public func int(_ name: String) -> Int? { result.int(index, column(name)) }
    public func int64(_ name: String) -> Int64? { result.int64(index, column(name)) }
    public func bool(_ name: String) -> Bool? { result.bool(index, column(name)) }
    public func isNull(_ name: String) -> Bool { result.isNull(index, column(name)) }
}
