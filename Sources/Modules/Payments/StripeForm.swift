/// Stripe's request bodies: `application/x-www-form-urlencoded`, nested fields as
/// `metadata[order_id]=…`, fields in the order given (so a retry sends the same bytes).
public struct StripeForm: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: String)] = []

    public init(_ fields: [(String, String)] = []) {
        for (name, value) in fields { append(name, value) }
    }

    public mutating func append(_ name: String, _ value: String) { fields.append((name, value)) }

    /// `metadata` entries as `metadata[key]`.
    public mutating func metadata(_ key: String, _ value: String) { append("metadata[\(key)]", value) }

    public var encoded: String {
        fields.map { Self.escape($0.name, keeping: Self.keyExtras) + "=" + Self.escape($0.value, keeping: []) }.joined(separator: "&")
    }

    public static func == (lhs: StripeForm, rhs: StripeForm) -> Bool { lhs.encoded == rhs.encoded }

    /// Brackets stay readable in names; in values, everything but RFC 3986's unreserved
    /// characters is percent-encoded, byte by byte of its UTF-8.
    private static let keyExtras: Set<UInt8> = [UInt8(ascii: "["), UInt8(ascii: "]")]
    private static let hex = Array("0123456789ABCDEF".utf8)

    static func escape(_ text: String, keeping extras: Set<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                if extras.contains(byte) { out.append(byte); continue }
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
