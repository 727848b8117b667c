/// A libpq or server error. `message` is for logs only: server messages can quote data
/// (a duplicate email, say) and never go into a response.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// The server is unreachable or the connection broke (08xxx, 57P0x, or no result).
        case connection
        case uniqueViolation(constraint: String?)
        case foreignKeyViolation(constraint: String?)
        case checkViolation(constraint: String?)
        case notNullViolation
        /// 40001 / 40P01: the whole transaction may be retried.
        case retryable
        /// 57014: statement_timeout or a cancel.
        case timeout
        case invalidInput
        /// 22001 (a string longer than its varchar) or 22P05 (a character the column cannot
        /// hold, such as NUL in jsonb): a value from the client that validation let through.
        case valueNotStorable
        case other
    }

    public let kind: Kind
    public let sqlState: String?
    public let message: String

    public init(kind: Kind, sqlState: String?, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// SQLSTATE → kind, in one table (DESIGN.md §4).
    public static func kind(sqlState: String?, constraint: String?) -> Kind {
        guard let state = sqlState else { return .connection }
        switch state {
        case "23505": return .uniqueViolation(constraint: constraint)
        case "23503": return .foreignKeyViolation(constraint: constraint)
        case "23514": return .checkViolation(constraint: constraint)
        case "23502": return .notNullViolation
        case "40001", "40P01": return .retryable
        // 57014: statement_timeout or a cancel; 55P03: lock_timeout, a row held too long.
        case "57014", "55P03": return .timeout
        case "57P01", "57P02", "57P03": return .connection
        case "22P02", "22003", "22007", "22008", "22023": return .invalidInput
        case "22001", "22P05": return .valueNotStorable
        default: return state.hasPrefix("08") ? .connection : .other
        }
    }

    public var description: String { "PostgreSQL error \(sqlState ?? "(no sqlstate)"): \(message)" }
}
