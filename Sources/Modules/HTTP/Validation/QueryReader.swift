/// Reads list query parameters (`page`, `limit`, `sort`, filters) by the rules of API.md §1,
/// collecting every problem into one 400.
public struct QueryReader {
    private let query: QueryParameters
    public private(set) var errors: [FieldError] = []

    public init(_ query: QueryParameters) { self.query = query }

    public mutating func fail(_ name: String, _ message: String) {
        errors.append(FieldError(field: name, message: message))
    }

    public mutating func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = query[name] else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            fail(name, "must be an integer between \(range.lowerBound) and \(range.upperBound)")
            return fallback
        }
        return value
    }

    public mutating func page() -> (page: Int, limit: Int) {
        (int("page", default: 1, range: 1...1_000_000), int("limit", default: 20, range: 1...100))
    }

    public mutating func bool(_ name: String) -> Bool? {
        guard let text = query[name] else { return nil }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: fail(name, "must be true or false"); return nil
        }
    }

    /// An RFC 3339 time, as `ObjectReader.time` reads one.
    public mutating func time(_ name: String) -> String? {
        guard let text = string(name, maxLength: 40) else { return nil }
        guard RFC3339.isValid(text) else { fail(name, RFC3339.expectation); return nil }
        return text
    }

    public mutating func string(_ name: String, maxLength: Int = 255) -> String? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard text.unicodeScalars.count <= maxLength else { fail(name, "must be at most \(maxLength) characters"); return nil }
        guard !text.utf8.contains(0) else { fail(name, "must not contain NUL characters"); return nil }
        return text
    }

    public mutating func money(_ name: String) -> Cents? {
        guard let text = query[name] else { return nil }
        guard let cents = try? Cents.parse(text), cents >= .zero else {
            fail(name, "must be a non-negative amount with at most two decimals")
            return nil
        }
        return cents
    }

    /// `sort=field:asc|desc` with the field from `allowed`.
    public mutating func sort(allowed: [String], default fallback: SortOrder) -> SortOrder {
        guard let text = query["sort"] else { return fallback }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let field = String(parts[0])
        let direction = parts.count > 1 ? String(parts[1]) : "asc"
        guard parts.count <= 2, allowed.contains(field), direction == "asc" || direction == "desc" else {
            fail("sort", "must be one of \(allowed.joined(separator: ", ")) followed by :asc or :desc")
            return fallback
        }
        return SortOrder(field: field, descending: direction == "desc")
    }

    public func finish() throws(APIError) {
        if !errors.isEmpty { throw APIError.validation(errors) }
    }
}

public struct SortOrder: Equatable, Sendable {
    public let field: String
    public let descending: Bool

    public init(field: String, descending: Bool) {
        self.field = field
        self.descending = descending
    }
}
