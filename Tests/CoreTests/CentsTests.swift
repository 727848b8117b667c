import Testing
@testable import Core

@Suite struct CentsTests {
    @Test(arguments: [("0", 0), ("12", 1200), ("12.5", 1250), ("12.50", 1250), ("0.01", 1), ("1.500", 150), ("99999999.99", 9_999_999_999), ("-3.10", -310)])
    func parsesExactly(_ text: String, _ cents: Int64) throws {
        #expect(try Cents.parse(text) == Cents(cents))
    }

    @Test func rejectsTooManyDecimalsTooLargeAndJunk() {
        #expect(throws: Cents.ParseError.tooPrecise) { try Cents.parse("1.005") }
        #expect(throws: Cents.ParseError.tooLarge) { try Cents.parse("100000000.00") }
        for junk in ["", ".5", "1.", "1e2", "1,00", "--1", "1.2.3", " 1", "0x10"] {
            #expect(throws: Cents.ParseError.notANumber, "\(junk)") { try Cents.parse(junk) }
        }
    }

    @Test func printsTwoPlaces() {
        #expect(Cents(129_900).description == "1299.00")
        #expect(Cents(5).description == "0.05")
        #expect(Cents(-310).description == "-3.10")
    }
}
