import HTTP
import Postgres
import Redis

/// Errors from below the HTTP layer, as clients see them. The cause goes to the log, never
/// into the response.
enum ErrorMapping {
    static func apiError(for error: any Error) -> APIError? {
        if let failure = error as? PostgresError {
            switch failure.kind {
            case .connection, .timeout:
                return .unavailable("Database temporarily unavailable")
            case .uniqueViolation:
                return .conflict("Resource already exists")
            case .retryable:
                return .unavailable("Please retry")
            case .valueNotStorable:
                // PostgreSQL does not say which column; validation sizes every field to its
                // column, so this is a field validation missed: answer it as the client's.
                return .validation([FieldError(field: "body", message: "a value is too long or holds a character it cannot store")])
            default:
                return nil
            }
        }
        return nil
    }
}
