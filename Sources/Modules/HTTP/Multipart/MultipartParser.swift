/// A streaming multipart/form-data parser (RFC 7578): fed the body in chunks of any size,
/// it reports each part's headers, then its content in pieces, then its end. It holds at most
/// one part's header block and a boundary's length of content: a 5 MiB file passes through a
/// few kilobytes of memory.
public struct MultipartParser {
    public struct Limits: Sendable {
        public var maxParts: Int
        public var maxHeaderBytes: Int

        public init(maxParts: Int = 20, maxHeaderBytes: Int = 8 * 1024) {
            self.maxParts = maxParts
            self.maxHeaderBytes = maxHeaderBytes
        }
    }

    public enum Event: Equatable {
        case partBegin(MultipartPartHeaders)
        case partData([UInt8])
        case partEnd
    }

    public enum Failure: Error, Equatable {
        case missingBoundary
        case malformed(String)
        case tooManyParts
        case headerTooLarge
        /// The body ended before the closing boundary.
        case truncated
    }

    private enum State {
        case preamble
        case headers
        case content
        case afterBoundary
        case epilogue
    }

    private let limits: Limits
    /// `\r\n--boundary`: what ends a part's content.
    private let delimiter: [UInt8]
    private var buffer: [UInt8] = []
    private var state = State.preamble
    private var parts = 0
    public private(set) var isComplete = false

    public init(boundary: String, limits: Limits = Limits()) throws(Failure) {
        guard (1...70).contains(boundary.utf8.count) else { throw .missingBoundary }
        self.limits = limits
        delimiter = Array("\r\n--\(boundary)".utf8)
        // The first boundary may start the body without a preceding CRLF.
        buffer = Array("\r\n".utf8)
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type.
    public static func boundary(contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingBlanks }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = pair[1]
            if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.isEmpty ? nil : value
        }
        return nil
    }

    /// Feeds the next chunk; `emit` receives the events it completes.
    public mutating func feed(_ chunk: some Collection<UInt8>, _ emit: (Event) throws -> Void) throws {
        buffer.append(contentsOf: chunk)
        var progress = true
        while progress { progress = try step(emit) }
    }

    /// Call when the body has ended: a missing closing boundary is `truncated`.
    public func finish() throws(Failure) {
        guard isComplete else { throw .truncated }
    }

    private mutating func step(_ emit: (Event) throws -> Void) throws -> Bool {
        switch state {
        case .preamble:
            guard let index = find(delimiter, in: buffer) else {
                // Keep only what could still be the start of the delimiter.
                if buffer.count > delimiter.count { buffer.removeFirst(buffer.count - delimiter.count) }
                return false
            }
            buffer.removeFirst(index + delimiter.count)
            state = .afterBoundary
            return true
        case .afterBoundary:
            guard buffer.count >= 2 else { return false }
            if buffer[0] == UInt8(ascii: "-") && buffer[1] == UInt8(ascii: "-") {
                state = .epilogue
                isComplete = true
                buffer.removeAll()
                return false
            }
            // Transport padding (spaces, tabs) may follow a boundary before its CRLF.
            guard let lineEnd = find([13, 10], in: buffer) else {
                if buffer.count > 256 { throw Failure.malformed("junk after a boundary") }
                return false
            }
            guard buffer[..<lineEnd].allSatisfy({ $0 == 32 || $0 == 9 }) else { throw Failure.malformed("junk after a boundary") }
            buffer.removeFirst(lineEnd + 2)
            parts += 1
            guard parts <= limits.maxParts else { throw Failure.tooManyParts }
            state = .headers
            return true
        case .headers:
            guard let end = find([13, 10, 13, 10], in: buffer) else {
                if buffer.count > limits.maxHeaderBytes { throw Failure.headerTooLarge }
                // A part with no headers at all: the blank line comes first.
                if buffer.count >= 2 && buffer[0] == 13 && buffer[1] == 10 {
                    buffer.removeFirst(2)
                    try emit(.partBegin(MultipartPartHeaders(lines: [])))
                    state = .content
                    return true
                }
                return false
            }
            guard end <= limits.maxHeaderBytes else { throw Failure.headerTooLarge }
            let block = Array(buffer[..<end])
            buffer.removeFirst(end + 4)
            try emit(.partBegin(try MultipartPartHeaders(block: block)))
            state = .content
            return true
        case .content:
            if let index = find(delimiter, in: buffer) {
                if index > 0 { try emit(.partData(Array(buffer[..<index]))) }
                buffer.removeFirst(index + delimiter.count)
                try emit(.partEnd)
                state = .afterBoundary
                return true
            }
            // Everything but a possible partial delimiter at the end is content.
            let safe = buffer.count - (delimiter.count - 1)
            if safe > 0 {
                try emit(.partData(Array(buffer[..<safe])))
                buffer.removeFirst(safe)
            }
            return false
        case .epilogue:
            buffer.removeAll()
            return false
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            guard let candidate = haystack[index...last].firstIndex(of: first) else { return nil }
            if haystack[candidate..<(candidate + needle.count)].elementsEqual(needle) { return candidate }
            index = candidate + 1
        }
        return nil
    }
}

/// A part's headers: its form field name, the client's file name, and its declared type
/// (which the uploads module ignores in favour of the bytes).
public struct MultipartPartHeaders: Equatable, Sendable {
    public let name: String?
    public let filename: String?
    public let contentType: String?

    init(lines: [String]) {
        var name: String?
        var filename: String?
        var contentType: String?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingBlanks
            if key == "content-type" { contentType = value }
            if key == "content-disposition" {
                name = Self.parameter("name", in: value)
                filename = Self.parameter("filename", in: value)
            }
        }
        self.name = name
        self.filename = filename
        self.contentType = contentType
    }

    init(block: [UInt8]) throws(MultipartParser.Failure) {
        guard let text = String(validating: block, as: UTF8.self) else { throw .malformed("part headers are not UTF-8") }
        self.init(lines: text.split(separator: "\r\n", omittingEmptySubsequences: true).map(String.init))
    }

    /// `name="file"` or `name=file` inside a Content-Disposition value; quoted strings may
    /// hold `;` and backslash-escaped quotes.
    static func parameter(_ wanted: String, in value: String) -> String? {
        var index = value.startIndex
        while index < value.endIndex {
            guard let semicolon = value[index...].firstIndex(of: ";") else { return nil }
            index = value.index(after: semicolon)
            while index < value.endIndex, value[index] == " " || value[index] == "\t" { index = value.index(after: index) }
            guard let equals = value[index...].firstIndex(of: "=") else { return nil }
            let key = value[index..<equals].trimmingBlanks.lowercased()
            index = value.index(after: equals)
            var result = ""
            if index < value.endIndex, value[index] == "\"" {
                index = value.index(after: index)
                while index < value.endIndex, value[index] != "\"" {
                    if value[index] == "\\", value.index(after: index) < value.endIndex { index = value.index(after: index) }
                    result.append(value[index])
                    index = value.index(after: index)
                }
                if index < value.endIndex { index = value.index(after: index) }
            } else {
                while index < value.endIndex, value[index] != ";" {
                    result.append(value[index])
                    index = value.index(after: index)
                }
            }
            if key == wanted { return result }
        }
        return nil
    }
}
