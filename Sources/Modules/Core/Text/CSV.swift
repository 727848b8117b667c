/// RFC 4180 text: fields quoted when they hold a comma, a quote, CR or LF (quotes doubled),
/// records ended by CRLF. The reader also takes LF endings, and keeps the line each record
/// started on, so a report can name it.
public enum CSV {
    public static func record(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    public static func field(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return text }
        var quoted = String.UnicodeScalarView()
        quoted.append("\"")
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.append("\"") }
            quoted.append(scalar)
        }
        quoted.append("\"")
        return String(quoted)
    }

    public enum ReadError: Error, Equatable, CustomStringConvertible {
        /// A quote opened and never closed, or text after a closing quote.
        case malformed(line: Int, reason: String)
        case notUTF8(line: Int)
        case recordTooLong(line: Int)

        public var description: String {
            switch self {
            case .malformed(let line, let reason): "line \(line): \(reason)"
            case .notUTF8(let line): "line \(line): not UTF-8"
            case .recordTooLong(let line): "line \(line): record longer than the limit"
            }
        }
    }

    /// Reads records from chunks of bytes (`next` returns nil at the end), one at a time, so a
    /// file of any size is read in constant memory except for one record (at most
    /// `maxRecordBytes`).
    public struct Reader {
        private let next: () throws -> [UInt8]?
        private var buffer: [UInt8] = []
        private var position = 0
        private var finished = false
        /// The line the next record starts on (1-based, counting physical lines).
        public private(set) var line = 1
        public let maxRecordBytes: Int

        public init(maxRecordBytes: Int = 1 << 20, next: @escaping () throws -> [UInt8]?) {
            self.next = next
            self.maxRecordBytes = maxRecordBytes
        }

        private mutating func byte() throws -> UInt8? {
            if position == buffer.count {
                if finished { return nil }
                guard let chunk = try next(), !chunk.isEmpty else {
                    finished = true
                    return nil
                }
                buffer = chunk
                position = 0
            }
            defer { position += 1 }
            return buffer[position]
        }

        private mutating func peek() throws -> UInt8? {
            guard let value = try byte() else { return nil }
            position -= 1
            return value
        }

        /// The next record and the line it started on; nil at the end. A blank last line ends
        /// the file, as most writers leave one.
        public mutating func record() throws -> (line: Int, fields: [String])? {
            let start = line
            guard try peek() != nil else { return nil }
            var fields: [String] = []
            var field: [UInt8] = []
            var size = 0
            var quoted = false
            var afterQuote = false
            func finishField() throws {
                guard let text = String(validating: field, as: UTF8.self) else { throw ReadError.notUTF8(line: start) }
                fields.append(text)
                field.removeAll(keepingCapacity: true)
                quoted = false
                afterQuote = false
            }
            while true {
                guard let b = try byte() else {
                    if quoted && !afterQuote { throw ReadError.malformed(line: start, reason: "a quoted field is not closed") }
                    try finishField()
                    return (start, fields)
                }
                size += 1
                if size > maxRecordBytes { throw ReadError.recordTooLong(line: start) }
                if quoted && !afterQuote {
                    if b == UInt8(ascii: "\"") {
                        if try peek() == UInt8(ascii: "\"") {
                            _ = try byte()
                            field.append(b)
                        } else {
                            afterQuote = true
                        }
                    } else {
                        if b == 0x0A { line += 1 }
                        field.append(b)
                    }
                    continue
                }
                switch b {
                case UInt8(ascii: ","):
                    try finishField()
                case 0x0D:
                    if try peek() == 0x0A { _ = try byte() }
                    line += 1
                    try finishField()
                    return (start, fields)
                case 0x0A:
                    line += 1
                    try finishField()
                    return (start, fields)
                case UInt8(ascii: "\"") where field.isEmpty && !afterQuote:
                    quoted = true
                default:
                    if afterQuote { throw ReadError.malformed(line: start, reason: "text after a closing quote") }
                    field.append(b)
                }
            }
        }
    }
}
