import Crypto
import HTTP
import JWT

/// A fresh access and refresh token for one session, with what the database keeps of the
/// refresh token: its id and its SHA-256, never the token.
public struct TokenPair: Sendable {
    public let accessToken: String
    public let refreshToken: String
    public let refreshTokenId: String
    public let refreshTokenHash: [UInt8]
    public let refreshExpiresAt: Int64
    public let expiresIn: Int
}

/// The claims of a verified access token.
public struct AccessClaims: Equatable, Sendable {
    public let userId: String
    public let sessionId: String
    public let role: String
}

/// The claims of a verified refresh token.
public struct RefreshClaims: Equatable, Sendable {
    public let userId: String
    public let sessionId: String
    public let tokenId: String
}

/// Signs and checks the two token kinds of API.md §2. `type` keeps them apart: a refresh
/// token presented as an access token (or the reverse) is refused.
public struct TokenIssuer: Sendable {
    let settings: AuthSettings

    public init(settings: AuthSettings) { self.settings = settings }

    public func issue(userId: String, email: String, role: Principal.Role, sessionId: String, nowSeconds: Int64) throws -> TokenPair {
        let access = settings.signer.sign([
            "sub": .string(userId), "email": .string(email), "role": .string(role.rawValue), "type": "access",
            "sid": .string(sessionId), "iat": .number(String(nowSeconds)), "exp": .number(String(nowSeconds + Int64(settings.accessTTL))),
        ])
        let tokenId = try UUIDGenerator.random()
        let refreshExpiry = nowSeconds + Int64(settings.refreshTTL)
        let refresh = settings.signer.sign([
            "sub": .string(userId), "type": "refresh", "sid": .string(sessionId), "jti": .string(tokenId),
            "iat": .number(String(nowSeconds)), "exp": .number(String(refreshExpiry)),
        ])
        return TokenPair(
            accessToken: access, refreshToken: refresh, refreshTokenId: tokenId,
            refreshTokenHash: Digest.sha256(refresh), refreshExpiresAt: refreshExpiry, expiresIn: settings.accessTTL)
    }

    public func verifyAccess(_ token: String, nowSeconds: Int64) throws(JWTError) -> AccessClaims {
        let claims = try settings.signer.verify(token, nowSeconds: nowSeconds)
        guard claims["type"] == .string("access") else { throw .wrongType }
        guard let userId = Self.uuid(claims["sub"]), let sessionId = Self.uuid(claims["sid"]),
            case .string(let role)? = claims["role"]
        else { throw .malformed }
        return AccessClaims(userId: userId, sessionId: sessionId, role: role)
    }

    public func verifyRefresh(_ token: String, nowSeconds: Int64) throws(JWTError) -> RefreshClaims {
        let claims = try settings.signer.verify(token, nowSeconds: nowSeconds)
        guard claims["type"] == .string("refresh") else { throw .wrongType }
        guard let userId = Self.uuid(claims["sub"]), let sessionId = Self.uuid(claims["sid"]), let tokenId = Self.uuid(claims["jti"]) else {
            throw .malformed
        }
        return RefreshClaims(userId: userId, sessionId: sessionId, tokenId: tokenId)
    }

    /// Ids go into SQL parameters typed uuid: a malformed one must be refused here, not by PostgreSQL.
    private static func uuid(_ value: JSONValue?) -> String? {
        guard case .string(let text)? = value, UUIDText.isValid(text) else { return nil }
        return text.lowercased()
    }
}
