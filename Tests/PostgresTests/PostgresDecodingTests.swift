import Core
@testable import Postgres
import Testing

@Suite struct PostgresDecodingTests {
    enum Status: String, PostgresDecodable {
        case pending = "PENDING"
        case paid = "PAID"
    }

    private func row(_ columns: [String], _ values: [String?]) throws -> PostgresRow {
        let result = try #require(PostgresResult.literal(columns: columns, rows: [values]))
        return try result.single()
    }

    @Test func cellsDecodeIntoTheirTypes() throws {
        let row = try row(
            ["id", "count", "active", "total", "status", "note", "address"],
            ["abc", "42", "t", "1299.50", "PAID", nil, #"{"city":"Oslo"}"#])
        #expect(try row.decode("id", as: String.self) == "abc")
        #expect(try row.decode("count", as: Int.self) == 42)
        #expect(try row.decode("active", as: Bool.self) == true)
        #expect(try row.decode("total", as: Cents.self) == Cents(129_950))
        #expect(try row.decode("status", as: Status.self) == .paid)
        #expect(try row.decode("note", as: String?.self) == nil)
        #expect(try row.decode("count", as: Int?.self) == 42)
        #expect(try row.decode("address", as: JSONValue.self)["city"] == "Oslo")
    }

    @Test func aNullWhereNoneIsExpectedNamesTheColumn() throws {
        let row = try row(["first_name"], [nil])
        let error = #expect(throws: PostgresDecodingError.self) { try row.decode("first_name", as: String.self) }
        #expect(error?.problem == .unexpectedNull)
        #expect(error?.description == "column \"first_name\" is NULL where String was expected")
    }

    @Test func aMissingColumnAndBadTextAreTypedErrorsWithoutTheValue() throws {
        let row = try row(["total", "status"], ["12.345", "SHIPPED-SECRETLY"])
        #expect(throws: PostgresDecodingError(column: "renamed", type: "Int", problem: .missingColumn)) {
            try row.decode("renamed", as: Int.self)
        }
        let money = #expect(throws: PostgresDecodingError.self) { try row.decode("total", as: Cents.self) }
        #expect(money?.problem == .invalidText)
        let status = #expect(throws: PostgresDecodingError.self) { try row.decode("status", as: Status.self) }
        #expect(status?.description.contains("SHIPPED-SECRETLY") == false)
    }

    @Test func singleRefusesZeroOrSeveralRows() throws {
        let none = try #require(PostgresResult.literal(columns: ["id"], rows: []))
        #expect(throws: PostgresDecodingError.self) { try none.single() }
        let two = try #require(PostgresResult.literal(columns: ["id"], rows: [["a"], ["b"]]))
        #expect(throws: PostgresDecodingError.self) { try two.single() }
        #expect(try two.map { try $0.decode("id", as: String.self) } == ["a", "b"])
    }
}
