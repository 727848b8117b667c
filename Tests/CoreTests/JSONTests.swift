import Testing
@testable import Core

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

    /// Strings are copied in runs between the bytes that need an escape: runs at either end,
    /// empty runs between escapes, and multi-byte characters inside a run.
    @Test func writerEscapesAtEveryPositionOfAString() {
        let cases: [(String, String)] = [
            ("", #""""#), ("plain", #""plain""#), ("\"", #""\"""#), ("\n\r", #""\n\r""#), ("\"start", #""\"start""#),
            ("end\\", #""end\\""#), ("é\u{1F}✓\"x", #""é\u001f✓\"x""#), ("\u{7F}", "\"\u{7F}\""),
        ]
        for (text, encoded) in cases {
            #expect(String(decoding: JSONWriter.encode(.string(text)), as: UTF8.self) == encoded, "\(text.debugDescription)")
        }
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value: JSONValue = .object(["name": "Ünïcode ✓ \"quoted\"", "n": .number("12.50"), "list": .array([.object([:]), .array([])])])
        #expect(try JSONParser.parse(JSONWriter.encode(value)) == value)
    }

    /// `{"k0":0,"k1":1,…}` with `count` members.
    private func wideObject(_ count: Int) -> [UInt8] {
        Array(("{" + (0..<count).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}").utf8)
    }

    @Test func objectsUpToTheMemberLimitParseAndLookUpEveryKey() throws {
        let value = try JSONParser.parse(wideObject(JSONParser.maxMembersPerObject))
        let object = try #require(value.objectValue)
        #expect(object.count == 1000)
        #expect(object["k0"] == .int(0) && object["k517"] == .int(517) && object["k999"] == .int(999) && object["k1000"] == nil)
        #expect(object.keys.prefix(3) == ["k0", "k1", "k2"])
    }

    @Test func oneMemberPastTheLimitIsRefusedAsALimit() {
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(wideObject(1001)) }
        #expect(error?.exceedsLimit == true)
        #expect(error?.message == "more than 1000 members in one object")
    }

    @Test func aDocumentOfTooManyValuesIsRefusedAsALimit() {
        let many = Array(("[" + Array(repeating: "0", count: 10_000).joined(separator: ",") + "]").utf8)
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(many) }
        #expect(error?.exceedsLimit == true)
        #expect(error?.message == "more than 10000 values in one document")
    }

    @Test func duplicateKeysAreFoundInLargeObjectsToo() {
        var text = String(decoding: wideObject(40), as: UTF8.self)
        text.removeLast()
        let error = #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array((text + ",\"k7\":1}").utf8)) }
        #expect(error?.message == "duplicate key \"k7\"")
        #expect(error?.exceedsLimit == false)
    }

    @Test func objectsKeepOrderThroughSetsAndRemovalsOnBothSidesOfTheIndex() {
        var object = JSONObject()
        for i in 0..<30 { object["k\(i)"] = .int(i) }
        object["k3"] = .int(300)
        object["k20"] = nil
        object["k2"] = nil
        object["new"] = "x"
        #expect(object.count == 29)
        #expect(object["k3"] == .int(300) && object["k20"] == nil && object["k29"] == .int(29) && object["new"] == "x")
        #expect(Array(object.keys.prefix(3)) == ["k0", "k1", "k3"])
        #expect(object.keys.last == "new")
        for i in 0..<25 { object["k\(i)"] = nil }
        #expect(object.keys == ["k25", "k26", "k27", "k28", "k29", "new"])
        #expect(object["k27"] == .int(27))
    }
}
