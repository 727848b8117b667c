/// SQL text shared by every store. Column names passed here are constants of the caller,
/// never request data.
public enum SQLFragment {
    /// A timestamptz column as the contract's RFC 3339 UTC text with milliseconds, formatted
    /// by PostgreSQL so no date parsing happens in Swift.
    public static func isoTimestamp(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// A LIKE pattern matching `text` anywhere, with `%`, `_` and `\` taken literally.
    public static func containsPattern(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }

    /// An array literal of text elements (`{"a","b c"}`) for one `$n::text[]`, `uuid[]`, `int[]`
    /// or `jsonb[]` parameter. Every element is quoted and escaped, so commas, quotes and braces
    /// in names or JSON arrive intact.
    public static func array(_ values: [String]) -> String {
        var out = "{"
        for (i, value) in values.enumerated() {
            if i > 0 { out += "," }
            out += "\""
            for character in value {
                if character == "\"" || character == "\\" { out.append("\\") }
                out.append(character)
            }
            out += "\""
        }
        return out + "}"
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
