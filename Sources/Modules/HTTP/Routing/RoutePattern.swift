/// A compiled route pattern: `/api/products/:idOrSlug`, or `/api/upload/*filepath` whose
/// last parameter takes the rest of the path, slashes included.
public struct RoutePattern: Hashable, Sendable {
    public enum Segment: Hashable, Sendable {
        case literal(String)
        case parameter(String)
        case remainder(String)
    }

    public let text: String
    public let segments: [Segment]

    public init(_ text: String) {
        precondition(text.hasPrefix("/"), "route pattern must start with /: \(text)")
        self.text = text
        segments = text.split(separator: "/", omittingEmptySubsequences: true).map { part in
            if part.hasPrefix(":") { return .parameter(String(part.dropFirst())) }
            if part.hasPrefix("*") { return .remainder(String(part.dropFirst())) }
            return .literal(String(part))
        }
        if let index = segments.firstIndex(where: { if case .remainder = $0 { true } else { false } }) {
            precondition(index == segments.count - 1, "a *remainder parameter must come last: \(text)")
        }
    }

    /// The OpenAPI form of the path: `/api/products/{idOrSlug}`.
    public var openAPIPath: String {
        "/"
            + segments.map { segment -> String in
                switch segment {
                case .literal(let s): s
                case .parameter(let s), .remainder(let s): "{\(s)}"
                }
            }.joined(separator: "/")
    }
}
