import Testing
@testable import HTTP

@Suite struct ObjectReaderTests {
    private func details(_ body: String, read: (inout ObjectReader) -> Void) -> [FieldError] {
        do {
            var reader = try ObjectReader(Array(body.utf8))
            read(&reader)
            try reader.finish()
            return []
        } catch {
            return error.details
        }
    }

    @Test func acceptsAValidBody() throws {
        var reader = try ObjectReader(Array(#"{"name":"Mug","quantity":3,"price":12.5,"id":"0E9A3D2C-1B4F-4A5E-9C8D-7F6E5D4C3B2A"}"#.utf8))
        #expect(reader.string("name", maxLength: 100) == "Mug")
        #expect(reader.int("quantity", range: 1...999) == 3)
        #expect(reader.money("price") == Cents(1250))
        #expect(reader.uuid("id") == "0e9a3d2c-1b4f-4a5e-9c8d-7f6e5d4c3b2a")
        try reader.finish()
    }

    @Test func reportsEveryProblemWithItsField() {
        let problems = details(#"{"name":7,"quantity":1.5,"price":"-1.00","role":"admin"}"#) { r in
            _ = r.string("name")
            _ = r.int("quantity", range: 1...999)
            _ = r.money("price")
            _ = r.email("email")
        }
        #expect(problems.map(\.field) == ["name", "quantity", "price", "email", "role"])
        #expect(problems.map(\.message) == ["must be a string", "must be an integer", "must not be negative", "is required", "is not a known field"])
    }

    @Test func enforcesStringLengthsInUnicodeScalars() {
        let long = String(repeating: "é", count: 101)
        #expect(details("{\"name\":\"\(long)\"}") { _ = $0.string("name", maxLength: 100) }.map(\.message) == ["must be at most 100 characters"])
        #expect(details("{\"name\":\"\(long.dropLast())\"}") { _ = $0.string("name", maxLength: 100) }.isEmpty)
        // One Character of a letter and 500 combining marks is 501 scalars, as PostgreSQL counts it.
        let zalgo = "a" + String(repeating: "\u{0301}", count: 500)
        #expect(zalgo.count == 1)
        #expect(details("{\"name\":\"\(zalgo)\"}") { _ = $0.string("name", maxLength: 100) }.map(\.message) == ["must be at most 100 characters"])
    }

    @Test func refusesNULInStrings() {
        #expect(details(#"{"name":"a\u0000b"}"#) { _ = $0.string("name") }.map(\.message) == ["must not contain NUL characters"])
    }

    @Test func namesTheLimitWhenAnObjectHasTooManyMembers() {
        let body = "{" + (0...1000).map { "\"f\($0)\":1" }.joined(separator: ",") + "}"
        let problems = details(body) { _ in }
        #expect(problems.map(\.field) == ["body"])
        #expect(problems.map(\.message) == ["too large: more than 1000 members in one object"])
    }

    @Test func rejectsBodiesThatAreNotObjects() {
        #expect(details("[1]") { _ in }.map(\.message) == ["must be a JSON object"])
        #expect(details("{oops") { _ in }.first?.field == "body")
    }

    @Test func nullOnlyWhereNullable() {
        #expect(details(#"{"a":null}"#) { _ = $0.string("a", required: false) }.map(\.message) == ["must not be null"])
        #expect(details(#"{"a":null}"#) { _ = $0.string("a", required: false, nullable: true) }.isEmpty)
    }

    @Test func nestedObjectsCarryTheirPrefixAndRejectUnknownFields() {
        let problems = details(#"{"shippingAddress":{"city":"","zip":"1"}}"#) { r in
            r.object("shippingAddress") { nested in _ = nested.string("city", minLength: 1) }
        }
        #expect(problems.map(\.field) == ["shippingAddress.city", "shippingAddress.zip"])
    }

    @Test(arguments: ["a@b", "@b.com", "a b@c.com", "a@b..com", "a@.com", "<a@b.com>"])
    func rejectsImplausibleEmails(_ email: String) {
        #expect(!EmailAddress.isPlausible(email))
    }

    @Test func acceptsOrdinaryEmails() {
        #expect(EmailAddress.isPlausible("first.last+tag@example.co.uk"))
    }
}
