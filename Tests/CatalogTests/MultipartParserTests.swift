import HTTP
import Testing

@Suite struct MultipartParserTests {
    struct Part: Equatable {
        var name: String?
        var filename: String?
        var data: [UInt8]
    }

    /// Parses `body` fed in chunks of the given sizes (cycled), collecting whole parts.
    func parse(_ body: [UInt8], boundary: String = "XyZ", chunks: [Int] = [1 << 20], limits: MultipartParser.Limits = .init()) throws -> [Part] {
        var parser = try MultipartParser(boundary: boundary, limits: limits)
        var parts: [Part] = []
        var offset = 0
        var turn = 0
        while offset < body.count {
            let size = max(1, chunks[turn % chunks.count])
            turn += 1
            let end = min(body.count, offset + size)
            try parser.feed(body[offset..<end]) { event in
                switch event {
                case .partBegin(let headers): parts.append(Part(name: headers.name, filename: headers.filename, data: []))
                case .partData(let bytes): parts[parts.count - 1].data += bytes
                case .partEnd: break
                }
            }
            offset = end
        }
        try parser.finish()
        return parts
    }

    static func body(_ parts: [(name: String, filename: String?, data: [UInt8])], boundary: String = "XyZ") -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            out += Array("--\(boundary)\r\n".utf8)
            let file = part.filename.map { "; filename=\"\($0)\"" } ?? ""
            out += Array("Content-Disposition: form-data; name=\"\(part.name)\"\(file)\r\n".utf8)
            if part.filename != nil { out += Array("Content-Type: application/octet-stream\r\n".utf8) }
            out += Array("\r\n".utf8) + part.data + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    @Test func fieldsAndFilesComeOutWhole() throws {
        let body = Self.body([("productId", nil, Array("abc".utf8)), ("file", "a.png", [1, 2, 3])])
        #expect(try parse(body) == [Part(name: "productId", filename: nil, data: Array("abc".utf8)), Part(name: "file", filename: "a.png", data: [1, 2, 3])])
    }

    @Test func boundariesSplitAcrossEveryChunkSizeStillParse() throws {
        // Near-misses of the delimiter: without its CRLF, one dash short, cut off.
        let payload: [UInt8] = Array("a--XyZ is not a boundary, nor \r\n-XyZ, nor \r\n--Xy".utf8) + (0..<300).map { UInt8($0 % 256) }
        let body = Self.body([("file", "b.bin", payload), ("altText", nil, Array("hi".utf8))])
        let expected = try parse(body)
        #expect(expected[0].data == payload)
        for size in 1...40 {
            #expect(try parse(body, chunks: [size]) == expected, "chunk size \(size)")
        }
        #expect(try parse(body, chunks: [3, 1, 7, 2, 64]) == expected)
    }

    @Test func binaryContentWithCRLFsAndDashesSurvives() throws {
        let payload: [UInt8] = [13, 10, 45, 45, 13, 10, 13, 10, 0, 255, 45, 45, 88, 121, 13, 10]
        #expect(try parse(Self.body([("file", "c.bin", payload)]), chunks: [1])[0].data == payload)
    }

    @Test func aMissingFinalBoundaryIsTruncated() {
        var body = Self.body([("file", "d.bin", [1, 2, 3])])
        body.removeLast("--XyZ--\r\n".utf8.count)
        #expect(throws: MultipartParser.Failure.truncated) { try parse(body) }
        #expect(throws: MultipartParser.Failure.truncated) { try parse(Array("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc".utf8)) }
        #expect(throws: MultipartParser.Failure.truncated) { try parse([]) }
    }

    @Test func hugeHeadersAreRefused() {
        let header = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Padding: " + String(repeating: "p", count: 10_000) + "\r\n\r\nx\r\n--XyZ--\r\n"
        #expect(throws: MultipartParser.Failure.headerTooLarge) { try parse(Array(header.utf8), chunks: [100]) }
        #expect(throws: MultipartParser.Failure.headerTooLarge) { try parse(Array(header.utf8)) }
    }

    @Test func tooManyPartsAreRefused() {
        let body = Self.body((0..<30).map { ("f\($0)", nil, [UInt8(ascii: "x")]) })
        #expect(throws: MultipartParser.Failure.tooManyParts) { try parse(body, limits: .init(maxParts: 20)) }
    }

    @Test func preambleEpilogueAndQuotedNamesAreHandled() throws {
        let body = Array("ignored preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\";c.png\"\r\n\r\nDATA\r\n--XyZ--\r\nepilogue".utf8)
        #expect(try parse(body) == [Part(name: "file", filename: "a \"b\";c.png", data: Array("DATA".utf8))])
    }

    @Test func theBoundaryIsReadFromTheContentType() {
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; boundary=----abc123") == "----abc123")
        #expect(MultipartParser.boundary(contentType: "multipart/form-data; charset=utf-8; boundary=\"a b\"") == "a b")
        #expect(MultipartParser.boundary(contentType: "multipart/form-data") == nil)
    }

    /// A bounded randomized run (seeded, so a failure reproduces): random parts and chunkings
    /// must parse back to what was encoded, and random mutations must fail cleanly, never crash.
    @Test func randomBodiesRoundTripAndMutationsFailCleanly() throws {
        var rng = SplitMix(seed: 0xC0FFEE)
        for _ in 0..<300 {
            let count = Int(rng.next() % 5) + 1
            let parts: [(name: String, filename: String?, data: [UInt8])] = (0..<count).map { index in
                let length = Int(rng.next() % 2000)
                let data = (0..<length).map { _ in rng.next() % 7 == 0 ? [13, 10, 45, 45][Int(rng.next() % 4)] : UInt8(truncatingIfNeeded: rng.next()) }
                return ("p\(index)", rng.next() % 2 == 0 ? "f\(index).bin" : nil, data)
            }
            let body = Self.body(parts, boundary: "bNd")
            let chunking = (0..<5).map { _ in Int(rng.next() % 97) + 1 }
            let parsed = try parse(body, boundary: "bNd", chunks: chunking)
            #expect(parsed.map(\.data) == parts.map(\.data))
            var mutated = body
            for _ in 0..<3 { mutated[Int(rng.next() % UInt64(mutated.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? parse(mutated, boundary: "bNd", chunks: chunking)
        }
    }
}

/// A tiny deterministic generator for the randomized test.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
