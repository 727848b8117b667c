/// Request headers, keyed by lowercase name with dashes (`content-type`), built from the
/// FastCGI `HTTP_*` and `CONTENT_*` parameters.
public struct Headers: Sendable, Equatable {
    private var storage: [String: String]

    public init(_ values: [String: String] = [:]) {
        storage = [:]
        for (name, value) in values { storage[name.lowercased()] = value }
    }

    public subscript(name: String) -> String? {
        get { storage[name.lowercased()] }
        set { storage[name.lowercased()] = newValue }
    }

    public var names: [String] { Array(storage.keys) }

    /// `HTTP_X_REQUEST_ID` → `x-request-id`.
    public static func name(fromCGIParameter parameter: String) -> String? {
        guard parameter.hasPrefix("HTTP_") else { return nil }
        return String(parameter.dropFirst(5)).lowercased().map { $0 == "_" ? "-" : $0 }.reduce(into: "") { $0.append($1) }
    }
}
