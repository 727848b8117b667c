/// One SQL statement whose interpolations can only bind: `"… WHERE id = \(bind: id)"` sends
/// `$1` with `id` as a text parameter, so a value never becomes SQL text. A `PostgresQuery`
/// interpolated into another one (a column list, a condition) keeps its own binds, renumbered
/// where it lands; nothing else can be interpolated, so SQL text comes only from literals.
public struct PostgresQuery: ExpressibleByStringInterpolation, Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case sql(String)
        /// A parameter's text form; nil is SQL NULL.
        case bind(String?)
    }

    private(set) var parts: [Part]

    public init(stringLiteral value: String) { parts = value.isEmpty ? [] : [.sql(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    init(parts: [Part]) { self.parts = parts }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) { parts.reserveCapacity(interpolationCount * 2 + 1) }

        public mutating func appendLiteral(_ literal: String) {
            guard !literal.isEmpty else { return }
            if case .sql(let text)? = parts.last {
                parts[parts.count - 1] = .sql(text + literal)
            } else {
                parts.append(.sql(literal))
            }
        }

        /// A value, sent as a parameter.
        public mutating func appendInterpolation(bind value: some PostgresEncodable) {
            parts.append(.bind(value.postgresText))
        }

        /// An optional value: SQL NULL when nil. (Spelled out so the compiler sees the optional
        /// is meant, not interpolated by mistake.)
        public mutating func appendInterpolation<Value: PostgresEncodable>(bind value: Value?) {
            parts.append(.bind(value.postgresText))
        }

        /// A fragment built the same way (its literals and its binds).
        public mutating func appendInterpolation(_ fragment: PostgresQuery) {
            for part in fragment.parts {
                if case .sql(let text) = part { appendLiteral(text) } else { parts.append(part) }
            }
        }
    }

    /// The statement with `$1…$n` in place of the binds, and the binds in that order.
    public var rendered: (sql: String, parameters: [String?]) {
        var sql = ""
        var parameters: [String?] = []
        for part in parts {
            switch part {
            case .sql(let text): sql += text
            case .bind(let value):
                parameters.append(value)
                sql += "$" + String(parameters.count)
            }
        }
        return (sql, parameters)
    }

    public static func + (lhs: PostgresQuery, rhs: PostgresQuery) -> PostgresQuery { "\(lhs)\(rhs)" }

    public static func += (lhs: inout PostgresQuery, rhs: PostgresQuery) { lhs = lhs + rhs }

    public var isEmpty: Bool { parts.isEmpty }
}

extension Sequence where Element == PostgresQuery {
    /// The fragments one after the other with `separator` between them (`" AND "`).
    public func joined(separator: PostgresQuery) -> PostgresQuery {
        var out: PostgresQuery = ""
        for (index, fragment) in enumerated() {
            if index > 0 { out += separator }
            out += fragment
        }
        return out
    }
}
