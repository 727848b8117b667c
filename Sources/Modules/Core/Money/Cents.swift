/// Money as integer minor units. Parsed from decimal text exactly and printed with two
/// places; there is no conversion to or from a binary float anywhere.
public struct Cents: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: Int64

    public init(_ value: Int64) { self.value = value }

    public static let zero = Cents(0)
    /// 99999999.99, the largest amount NUMERIC(10,2) holds.
    public static let maximum = Cents(9_999_999_999)

    public static func < (lhs: Cents, rhs: Cents) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Cents, rhs: Cents) -> Cents { Cents(lhs.value + rhs.value) }
    public static func * (lhs: Cents, rhs: Int64) -> Cents { Cents(lhs.value * rhs) }

    /// `"1299.00"`, `"-0.05"`.
    public var description: String {
        let sign = value < 0 ? "-" : ""
        let magnitude = value.magnitude
        let fraction = magnitude % 100
        return sign + String(magnitude / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    public enum ParseError: Error, Equatable {
        case notANumber
        case tooPrecise
        case tooLarge
    }

    /// Parses `"12"`, `"12.5"`, `"12.50"` or a JSON number literal with at most two decimals.
    public static func parse(_ text: String) throws(ParseError) -> Cents {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") { negative = true; bytes = bytes.dropFirst() }
        guard let firstDigit = bytes.first, firstDigit >= 0x30, firstDigit <= 0x39 else { throw .notANumber }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var seenPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !seenPoint else { throw .notANumber }
                seenPoint = true
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { throw .notANumber }
            let digit = Int64(byte - 0x30)
            if seenPoint {
                // Trailing zeros past the cents are exact, so "1.500" is 1.50.
                if fractionDigits >= 2 {
                    guard digit == 0 else { throw .tooPrecise }
                    continue
                }
                fraction = fraction * 10 + digit
                fractionDigits += 1
            } else {
                guard whole < 1_000_000_000_000 else { throw .tooLarge }
                whole = whole * 10 + digit
            }
        }
        if seenPoint && fractionDigits == 0 { throw .notANumber }
        if fractionDigits == 1 { fraction *= 10 }
        let cents = whole * 100 + fraction
        guard cents <= maximum.value else { throw .tooLarge }
        return Cents(negative ? -cents : cents)
    }
}
