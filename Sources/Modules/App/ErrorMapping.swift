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
            default:
                return nil
            }
        }
        return nil
    }
}
