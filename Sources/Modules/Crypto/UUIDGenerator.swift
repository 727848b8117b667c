/// Random (version 4) UUIDs from OpenSSL's generator: session ids, token ids, file names.
public enum UUIDGenerator {
    public static func random() throws -> String {
        var bytes = try SecureRandom.bytes(16)
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = Array(Hex.encode(bytes))
        return String(hex[0..<8]) + "-" + String(hex[8..<12]) + "-" + String(hex[12..<16]) + "-" + String(hex[16..<20]) + "-" + String(hex[20..<32])
    }
}
