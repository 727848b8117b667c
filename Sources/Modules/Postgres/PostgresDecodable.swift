import Core

/// A type a text-format result cell decodes into. `row.decode("total", as: Cents.self)`
/// throws `PostgresDecodingError` naming the column when the cell is NULL, missing, or not
/// text of that type, so data from outside the process fails one request, never the worker.
public protocol PostgresDecodable {
    /// nil when `text` is not a value of this type.
    init?(postgresText text: String)
    /// What a NULL decodes to; nil when NULL is not acceptable (every type but Optional).
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension String: PostgresDecodable {
    public init?(postgresText text: String) { self = text }
}

extension Int: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Int64: PostgresDecodable {
    public init?(postgresText text: String) { self.init(text) }
}

extension Bool: PostgresDecodable {
    public init?(postgresText text: String) {
        switch text {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}

/// `numeric(10,2)` sent as `::text`: exact, never through a float.
extension Cents: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let cents = try? Cents.parse(text) else { return nil }
        self = cents
    }
}

/// A JSON document (`jsonb` or `json` sent as text).
extension JSONValue: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let value = try? JSONParser.parse(Array(text.utf8)) else { return nil }
        self = value
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText text: String) {
        guard let value = Wrapped(postgresText: text) else { return nil }
        self = .some(value)
    }

    public static var postgresNull: Self? { .some(nil) }
}

/// Enums stored as their raw text (`status`, `role`).
extension RawRepresentable where RawValue == String {
    public init?(postgresText text: String) { self.init(rawValue: text) }
}

/// A cell that could not be read as the code expects: the schema and the code disagree (a
/// migration renamed a column, a NULL where none was expected). The message names the column
/// and the expected type, never the cell's content.
public struct PostgresDecodingError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Problem: Sendable, Equatable {
        case missingColumn
        case unexpectedNull
        case invalidText
        /// A statement expected to return exactly one row returned `count`.
        case rowCount(Int)
    }

    public let column: String
    public let type: String
    public let problem: Problem

    public init(column: String, type: String, problem: Problem) {
        self.column = column
        self.type = type
        self.problem = problem
    }

    public var description: String {
        switch problem {
        case .missingColumn: "result has no column \"\(column)\" (expected \(type))"
        case .unexpectedNull: "column \"\(column)\" is NULL where \(type) was expected"
        case .invalidText: "column \"\(column)\" does not hold a valid \(type)"
        case .rowCount(let count): "expected exactly one row, got \(count)"
        }
    }
}
