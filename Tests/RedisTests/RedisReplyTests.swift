import Testing
@testable import Redis

@Suite struct RedisReplyTests {
    private func parse(_ text: String) throws -> [RedisReply] { try RedisReply.parse(Array(text.utf8)) }

    @Test func everyRESP2TypeBecomesItsCase() throws {
        #expect(try parse("+OK\r\n") == [.status("OK")])
        #expect(try parse("-WRONGTYPE Operation against a key\r\n") == [.error("WRONGTYPE Operation against a key")])
        #expect(try parse(":-42\r\n") == [.integer(-42)])
        #expect(try parse("$5\r\nhello\r\n") == [.string(Array("hello".utf8))])
        #expect(try parse("$0\r\n\r\n") == [.string([])])
        #expect(try parse("$-1\r\n") == [.null])
        #expect(try parse("*-1\r\n") == [.null])
        #expect(try parse("*3\r\n$1\r\na\r\n*1\r\n:7\r\n$-1\r\n") == [.array([.string([0x61]), .array([.integer(7)]), .null])])
    }

    @Test func bulkStringsAreBinarySafe() throws {
        let bytes: [UInt8] = [0x00, 0x0D, 0x0A, 0xFF, 0x2B]
        #expect(try RedisReply.parse(Array("$5\r\n".utf8) + bytes + Array("\r\n".utf8)) == [.string(bytes)])
    }

    @Test func repliesAreReadInTurnAndAPartialOneWaits() throws {
        #expect(try parse(":1\r\n+PONG\r\n$3\r\nab") == [.integer(1), .status("PONG")])
        #expect(try parse("") == [])
    }

    @Test func aProtocolErrorIsThrownNotGuessed() {
        #expect(throws: RedisError.self) { try parse("!oops\r\n") }
        #expect(throws: RedisError.self) { try parse(":12x\r\n") }
    }

    @Test func integersAndTextReadThroughTheirAccessors() throws {
        #expect(try parse("$3\r\n123\r\n").first?.integer == 123)
        #expect(try parse("+OK\r\n").first?.text == "OK")
        #expect(try parse(":5\r\n").first?.text == nil)
    }
}
