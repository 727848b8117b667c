import COpenSSL

public enum CryptoError: Error, Equatable {
    case randomUnavailable
    case digestFailed
    case kdfFailed
}

/// Bytes from OpenSSL's DRBG, which reseeds itself after fork, so forked workers never share a stream.
public enum SecureRandom {
    public static func bytes(_ count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        guard ok == 1 else { throw CryptoError.randomUnavailable }
        return out
    }

    /// A lowercase hex string of `byteCount` random bytes.
    public static func hex(byteCount: Int) throws -> String {
        Hex.encode(try bytes(byteCount))
    }
}

extension SecureRandom {
    /// An opaque token for a client to hold (reset links): `byteCount` random bytes, base64url.
    public static func token(byteCount: Int = 32) throws -> String {
        Base64URL.encode(try bytes(byteCount))
    }
}
