import Testing
@testable import Core

@Suite struct CSVTests {
    func read(_ text: String, chunk: Int = 3) throws -> [(Int, [String])] {
        var bytes = Array(text.utf8)[...]
        var reader = CSV.Reader {
            guard !bytes.isEmpty else { return nil }
            defer { bytes = bytes.dropFirst(chunk) }
            return Array(bytes.prefix(chunk))
        }
        var records: [(Int, [String])] = []
        while let record = try reader.record() { records.append((record.line, record.fields)) }
        return records
    }

    @Test func quotedFieldsKeepCommasQuotesAndNewlinesAcrossChunks() throws {
        let records = try read("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\r\nplain,\n")
        #expect(records.map(\.1) == [["a", "b"], [#"x, "y""#, "two\nlines"], ["plain", ""]])
        // A record's line is where it starts; the quoted newline counts.
        #expect(records.map(\.0) == [1, 2, 4])
        #expect(CSV.record(["a", #"x, "y""#, "two\nlines", "é"]) == "a,\"x, \"\"y\"\"\",\"two\nlines\",é\r\n")
    }

    @Test func malformedTextIsRefusedWithItsLine() {
        #expect(throws: CSV.ReadError.malformed(line: 2, reason: "a quoted field is not closed")) { try read("a\n\"open") }
        #expect(throws: CSV.ReadError.malformed(line: 1, reason: "text after a closing quote")) { try read("\"a\"b,c\n") }
        #expect(throws: CSV.ReadError.notUTF8(line: 1)) {
            var done = false
            var reader = CSV.Reader {
                defer { done = true }
                return done ? nil : [0x61, 0xFF, 0x0A]
            }
            _ = try reader.record()
        }
    }
}
