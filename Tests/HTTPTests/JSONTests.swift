import Testing
@testable import HTTP

@Suite struct JSONTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test func parsesNestedDocumentsKeepingNumberLiterals() throws {
        let value = try parse(#" { "a": [1, 2.50, -3e2], "b": {"c": null, "d": true}, "e": "x\u00e9\n" } "#)
        #expect(value["a"] == .array([.number("1"), .number("2.50"), .number("-3e2")]))
        #expect(value["b"]?["c"] == .null)
        #expect(value["b"]?["d"] == .bool(true))
        #expect(value["e"] == .string("xé\n"))
    }

    @Test func decodesSurrogatePairs() throws {
        #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "{'a':1}", "01", "1.", "-", "tru", "\"\\x\"", "\"a\nb\"", "{\"a\":1}x",
        "{\"a\":1,\"a\":2}", "\"\\ud83d\"", "NaN", "// c\n{}",
    ])
    func rejectsMalformedInput(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONParser.parse(Array(fine.utf8)) }
    }

    @Test func writerEscapesAndKeepsKeyOrder() {
        let value: JSONValue = .object(["z": "a\"b\\c\u{01}\t", "a": .array([.int(1), .null, true])])
        #expect(String(decoding: JSONWriter.encode(value), as: UTF8.self) == #"{"z":"a\"b\\c\u0001\t","a":[1,null,true]}"#)
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value: JSONValue = .object(["name": "Ünïcode ✓ \"quoted\"", "n": .number("12.50"), "list": .array([.object([:]), .array([])])])
        #expect(try JSONParser.parse(JSONWriter.encode(value)) == value)
    }
}
