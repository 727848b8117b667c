import Crypto
import HTTP

/// HS256 JSON Web Tokens (RFC 7519) with one key. Verification accepts exactly what signing
/// produces: `alg` must be `HS256` (`none` and every other algorithm are refused before any
/// signature work), `typ` if present must be `JWT`, the signature is compared in constant time,
/// and `exp` is enforced with a bounded leeway.
public struct JWTSigner: Sendable {
    private let key: [UInt8]
    public let leewaySeconds: Int64
    private static let header = Base64URL.encode(#"{"alg":"HS256","typ":"JWT"}"#)
    private static let headerBytes = Array(header.utf8)

    public init(key: [UInt8], leewaySeconds: Int64 = 30) {
        precondition(leewaySeconds <= 30, "more than 30 s of leeway weakens expiry")
        self.key = key
        self.leewaySeconds = leewaySeconds
    }

    public func sign(_ claims: JSONObject) -> String {
        let signingInput = Self.header + "." + Base64URL.encode(JSONWriter.encode(.object(claims)))
        return signingInput + "." + Base64URL.encode(Digest.hmacSHA256(key: key, data: Array(signingInput.utf8)))
    }

    /// The claims of a valid token. `nowSeconds` is injected so tests can pin time.
    public func verify(_ token: String, nowSeconds: Int64) throws(JWTError) -> JSONObject {
        // Split as bytes: every request with a token comes through here.
        let bytes = Array(token.utf8)
        guard bytes.count <= 4096 else { throw .malformed }
        let parts = bytes.split(separator: UInt8(ascii: "."), maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed }
        // The header this signer writes is accepted without decoding it; any other is read.
        if !parts[0].elementsEqual(Self.headerBytes) {
            guard let headerBytes = Base64URL.decode(symbols: parts[0]), let header = Self.object(headerBytes) else { throw .malformed }
            guard case .string(let algorithm)? = header["alg"] else { throw .malformed }
            guard algorithm == "HS256" else { throw .unsupportedAlgorithm(algorithm) }
            if let type = header["typ"], type != .string("JWT") { throw .malformed }
        }

        guard let signature = Base64URL.decode(symbols: parts[2]) else { throw .malformed }
        let signingInput = Array(bytes[..<parts[1].endIndex])
        guard ConstantTime.equals(Digest.hmacSHA256(key: key, data: signingInput), signature) else { throw .badSignature }

        guard let payloadBytes = Base64URL.decode(symbols: parts[1]), let claims = Self.object(payloadBytes) else { throw .malformed }
        guard let expiry = claims["exp"]?.intValue else { throw .malformed }
        guard nowSeconds <= Int64(expiry) + leewaySeconds else { throw .expired }
        if let issuedAt = claims["iat"]?.intValue, Int64(issuedAt) > nowSeconds + leewaySeconds { throw .issuedInTheFuture }
        return claims
    }

    private static func object(_ bytes: [UInt8]) -> JSONObject? {
        guard let value = try? JSONParser.parse(bytes), case .object(let object) = value else { return nil }
        return object
    }
}
