/// Matches a request path to a route; built once per worker.
///
/// A tree of path segments: literals are looked up by dictionary, so a match costs one
/// lookup per segment however many routes there are. Literals win over parameters.
public final class Router<Context> {
    public enum Match {
        case found(Route<Context>, index: Int, parameters: [String: String])
        /// The path exists but not with this method.
        case methodNotAllowed(pattern: String, allowed: [HTTPMethod])
        case notFound
        /// A path segment that is not valid percent-encoded UTF-8.
        case malformedPath
    }

    private final class Node {
        var literals: [String: Node] = [:]
        var parameter: (name: String, node: Node)?
        var remainder: (name: String, node: Node)?
        var pattern: String?
        var routes: [HTTPMethod: Int] = [:]
    }

    private let root = Node()
    public private(set) var routes: [Route<Context>] = []

    public init(_ routes: [Route<Context>] = []) {
        for route in routes { add(route) }
    }

    public func add(_ route: Route<Context>) {
        let compiled = RoutePattern(route.pattern)
        var node = root
        for segment in compiled.segments {
            switch segment {
            case .literal(let text):
                if let next = node.literals[text] {
                    node = next
                } else {
                    let next = Node()
                    node.literals[text] = next
                    node = next
                }
            case .parameter(let name):
                if let existing = node.parameter {
                    precondition(existing.name == name, "conflicting parameter names at \(route.pattern)")
                    node = existing.node
                } else {
                    let next = Node()
                    node.parameter = (name, next)
                    node = next
                }
            case .remainder(let name):
                let next = node.remainder?.node ?? Node()
                node.remainder = (name, next)
                node = next
            }
        }
        precondition(node.routes[route.method] == nil, "duplicate route \(route.method.rawValue) \(route.pattern)")
        node.pattern = route.pattern
        node.routes[route.method] = routes.count
        routes.append(route)
    }

    public func match(method: HTTPMethod, path: String) -> Match {
        // Split by bytes, not Characters: a path is ASCII once percent-encoded.
        let segments = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map { Substring($0) }
        var parameters: [String: String] = [:]
        guard let node = find(root, segments[...], &parameters) else { return .notFound }
        // NUL marks a segment that did not decode (or decoded to NUL): neither is a valid id.
        if parameters.values.contains(where: { $0.utf8.contains(0) }) { return .malformedPath }
        let lookup = method == .head ? .get : method
        if let index = node.routes[lookup] ?? node.routes[method] {
            return .found(routes[index], index: index, parameters: parameters)
        }
        return .methodNotAllowed(pattern: node.pattern ?? path, allowed: Self.allowed(node.routes.keys))
    }

    /// The methods `path` answers (as a 405 lists them), or nil when no route has the path.
    public func allowedMethods(path: String) -> [HTTPMethod]? {
        switch match(method: .options, path: path) {
        case .found: [.options]
        case .methodNotAllowed(_, let allowed): allowed
        case .notFound, .malformedPath: nil
        }
    }

    /// The methods a path answers, in a stable order, with HEAD beside GET and OPTIONS always.
    private static func allowed(_ methods: Dictionary<HTTPMethod, Int>.Keys) -> [HTTPMethod] {
        var set = Set(methods)
        if set.contains(.get) { set.insert(.head) }
        set.insert(.options)
        return HTTPMethod.allCases.filter { set.contains($0) }
    }

    private func find(_ node: Node, _ segments: ArraySlice<Substring>, _ parameters: inout [String: String]) -> Node? {
        guard let first = segments.first else { return node.pattern == nil ? nil : node }
        let rest = segments.dropFirst()
        if let next = node.literals[String(first)], let found = find(next, rest, &parameters) { return found }
        if let (name, next) = node.parameter {
            if let found = find(next, rest, &parameters) {
                parameters[name] = PercentDecoding.decode(first) ?? "\u{0}"
                return found
            }
        }
        if let (name, next) = node.remainder, next.pattern != nil {
            // The raw remainder: its percent-escapes are the handler's to interpret.
            parameters[name] = segments.joined(separator: "/")
            return next
        }
        return nil
    }
}
