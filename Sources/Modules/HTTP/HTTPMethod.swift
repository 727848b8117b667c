public enum HTTPMethod: String, CaseIterable, Sendable {
    case get = "GET"
    case head = "HEAD"
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
    case delete = "DELETE"
    case options = "OPTIONS"

    /// Methods whose requests carry a body the service reads.
    public var hasBody: Bool { self == .post || self == .put || self == .patch }
}
