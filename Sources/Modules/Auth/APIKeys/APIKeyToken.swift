import Crypto

/// `ck_<prefix>_<secret>`: the prefix (8 of [a-z0-9]) finds the key and is shown in lists; the
/// secret is 64 hex digits (32 random bytes). Only the SHA-256 of the whole text is stored.
public enum APIKeyToken {
    static let marker = "ck_"

    static func make() throws -> (key: String, prefix: String, hash: [UInt8]) {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        // 252 is the largest multiple of 36 below 256: bytes above it are drawn again, so every
        // character is equally likely.
        var prefix: [UInt8] = []
        while prefix.count < 8 {
            for byte in try SecureRandom.bytes(16) where byte < 252 && prefix.count < 8 { prefix.append(alphabet[Int(byte) % 36]) }
        }
        let prefixText = String(decoding: prefix, as: UTF8.self)
        let key = marker + prefixText + "_" + (try SecureRandom.hex(byteCount: 32))
        return (key, prefixText, Digest.sha256(key))
    }

    /// Whether a bearer token is an API key rather than a JWT (a JWT starts with `eyJ`).
    public static func looksLikeKey(_ token: String) -> Bool { token.hasPrefix(marker) }

    /// The prefix of a well-formed key; nil otherwise (then it is as unknown as a made-up one).
    static func prefix(of token: String) -> String? {
        let bytes = Array(token.utf8)
        guard bytes.count == 3 + 8 + 1 + 64, token.hasPrefix(marker), bytes[11] == UInt8(ascii: "_") else { return nil }
        let prefix = bytes[3..<11]
        let secret = bytes[12...]
        guard prefix.allSatisfy({ (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }),
            secret.allSatisfy({ (0x61...0x66).contains($0) || (0x30...0x39).contains($0) })
        else { return nil }
        return String(decoding: prefix, as: UTF8.self)
    }
}
