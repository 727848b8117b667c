/// RFC 4648 §5 base64url without padding: the alphabet of JWTs and of the tokens we hand out.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(value) }
        return table
    }()

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let chunk = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((chunk >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var chunk = UInt32(bytes[index]) << 16
            if rest == 2 { chunk |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int((chunk >> 18) & 63)])
            out.append(alphabet[Int((chunk >> 12) & 63)])
            if rest == 2 { out.append(alphabet[Int((chunk >> 6) & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode(_ text: String) -> String { encode(Array(text.utf8)) }

    /// nil for padding, characters outside the alphabet, an impossible length, or non-zero
    /// trailing bits (so every byte string has exactly one accepted encoding).
    public static func decode<S: StringProtocol>(_ text: S) -> [UInt8]? {
        text.utf8.withContiguousStorageIfAvailable(decode(buffer:)) ?? decode(symbols: ArraySlice(text.utf8))
    }

    public static func decode(symbols: ArraySlice<UInt8>) -> [UInt8]? { symbols.withUnsafeBufferPointer(decode(buffer:)) }

    // Over a buffer, not generic over a collection: a generic function called from another
    // module runs unspecialised, through witness tables per byte (most of a token check's time).
    private static func decode(buffer symbols: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard symbols.count % 4 != 1 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(symbols.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        return reverse.withUnsafeBufferPointer { reverse -> [UInt8]? in
            for symbol in symbols {
                let value = reverse[Int(symbol)]
                guard value != 0xff else { return nil }
                buffer = buffer << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8((buffer >> UInt32(bits)) & 0xff))
                }
            }
            guard buffer & ((1 << UInt32(bits)) - 1) == 0 else { return nil }
            return out
        }
    }
}
