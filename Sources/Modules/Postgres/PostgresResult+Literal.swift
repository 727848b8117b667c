import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

extension PostgresResult {
    /// A result built in memory with libpq's own constructors, as a server would send it in
    /// text format (`nil` is NULL): for unit tests of row decoding without a server.
    static func literal(columns: [String], rows: [[String?]]) -> PostgresResult? {
        guard let handle = PQmakeEmptyPGresult(nil, PGRES_TUPLES_OK) else { return nil }
        let names = columns.map { strdup($0) }
        defer { names.forEach { free($0) } }
        var descriptions = names.map { PGresAttDesc(name: $0, tableid: 0, columnid: 0, format: 0, typid: 25, typlen: -1, atttypmod: -1) }
        guard PQsetResultAttrs(handle, Int32(columns.count), &descriptions) == 1 else { PQclear(handle); return nil }
        for (rowIndex, row) in rows.enumerated() {
            for (column, value) in row.enumerated() {
                let stored: Int32
                if let value {
                    var bytes = Array(value.utf8CString)
                    stored = bytes.withUnsafeMutableBufferPointer { PQsetvalue(handle, Int32(rowIndex), Int32(column), $0.baseAddress, Int32($0.count - 1)) }
                } else {
                    stored = PQsetvalue(handle, Int32(rowIndex), Int32(column), nil, -1)
                }
                guard stored == 1 else { PQclear(handle); return nil }
            }
        }
        return PostgresResult(handle: handle)
    }
}
