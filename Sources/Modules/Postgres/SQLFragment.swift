/// SQL pieces and parameter encodings shared by every store.
public enum SQLFragment {
    /// A timestamptz column as the contract's RFC 3339 UTC text with milliseconds, formatted
    /// by PostgreSQL so no date parsing happens in Swift.
    public static func isoTimestamp(_ column: PostgresQuery) -> PostgresQuery {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// A LIKE pattern matching `text` anywhere, with `%`, `_` and `\` taken literally. Escaped
    /// by Unicode scalar: a combining mark cannot hide a `%` inside a larger Character.
    public static func containsPattern(_ text: String) -> String { "%" + likeLiteral(text) + "%" }

    /// A LIKE pattern matching text that starts with `text`, escaped the same way.
    public static func likePrefix(_ text: String) -> String { likeLiteral(text) + "%" }

    private static func likeLiteral(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return String(escaped)
    }

    /// An array literal of text elements (`{"a","b c"}`) for one `$n::text[]`, `uuid[]`, `int[]`
    /// or `jsonb[]` parameter. Every element is quoted and its quotes and backslashes escaped,
    /// scalar by scalar, so commas, quotes and braces in names or JSON arrive intact.
    public static func array(_ values: [String]) -> String { array(values.map(Optional.some)) }

    /// The same, with nil elements as SQL NULL (`{"a",NULL}`).
    public static func array(_ values: [String?]) -> String {
        // Built as UTF-8 bytes: the quote and backslash to escape are ASCII, so they never
        // occur inside a multi-byte character.
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(values.reduce(2) { $0 + ($1?.utf8.count ?? 4) + 3 })
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            guard let value else {
                out.append(contentsOf: "NULL".utf8)
                continue
            }
            out.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { out.append(UInt8(ascii: "\\")) }
                out.append(byte)
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// bytea in text format.
    public static func bytea(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
