@testable import Auth
import Crypto
import Crypto
import HTTP
import JWT
import Testing

@Suite struct TokenIssuerTests {
    let settings = AuthSettings(
        jwtSecret: Array("0123456789abcdef0123456789abcdef".utf8), accessTTL: 900, refreshTTL: 604_800,
        passwordHasher: PasswordHasher(parameters: ScryptParameters(logN: 10)), publicBaseURL: "http://shop.test")
    let user = "6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01"
    let session = "0b2f6c1e-2222-4c2e-9a55-0a8c3c1e2b02"
    let now: Int64 = 1_800_000_000

    @Test func accessAndRefreshTokensCarryTheContractClaims() throws {
        let issuer = TokenIssuer(settings: settings)
        let pair = try issuer.issue(userId: user, email: "a@b.co", role: .admin, sessionId: session, nowSeconds: now)
        let access = try settings.signer.verify(pair.accessToken, nowSeconds: now)
        #expect(access.keys == ["sub", "email", "role", "type", "sid", "iat", "exp"])
        #expect(access["type"] == "access" && access["role"] == "admin" && access["exp"]?.intValue == Int(now) + 900)
        let refresh = try settings.signer.verify(pair.refreshToken, nowSeconds: now)
        #expect(refresh.keys == ["sub", "type", "sid", "jti", "iat", "exp"])
        #expect(refresh["jti"] == .string(pair.refreshTokenId))
        #expect(pair.expiresIn == 900)
    }

    @Test func onlyTheHashOfTheRefreshTokenIsKept() throws {
        let pair = try TokenIssuer(settings: settings).issue(userId: user, email: "a@b.co", role: .user, sessionId: session, nowSeconds: now)
        #expect(pair.refreshTokenHash == Digest.sha256(pair.refreshToken))
        #expect(pair.refreshTokenHash.count == 32)
        #expect(Hex.encode(Digest.sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func eachTokenIsRefusedAsTheOtherType() throws {
        let issuer = TokenIssuer(settings: settings)
        let pair = try issuer.issue(userId: user, email: "a@b.co", role: .user, sessionId: session, nowSeconds: now)
        #expect(throws: JWTError.wrongType) { try issuer.verifyAccess(pair.refreshToken, nowSeconds: now) }
        #expect(throws: JWTError.wrongType) { try issuer.verifyRefresh(pair.accessToken, nowSeconds: now) }
        #expect(try issuer.verifyAccess(pair.accessToken, nowSeconds: now) == AccessClaims(userId: user, sessionId: session, role: "user"))
    }

    @Test func anExpiredAccessTokenIsRefused() throws {
        let issuer = TokenIssuer(settings: settings)
        let pair = try issuer.issue(userId: user, email: "a@b.co", role: .user, sessionId: session, nowSeconds: now)
        #expect(throws: JWTError.expired) { try issuer.verifyAccess(pair.accessToken, nowSeconds: now + 900 + 31) }
    }

    @Test func nonUUIDIdsAreMalformed() throws {
        let token = settings.signer.sign(["sub": "1 OR 1=1", "type": "access", "sid": .string(session), "role": "user", "exp": .number(String(now + 60))])
        #expect(throws: JWTError.malformed) { try TokenIssuer(settings: settings).verifyAccess(token, nowSeconds: now) }
    }

    @Test func sessionCacheEntriesRoundTrip() throws {
        let profile = UserProfile(
            json: JSONValue.object([
                "id": .string(user), "email": "a|b@c.co", "firstName": "Ann", "lastName": "Lee", "role": "admin",
                "isActive": true, "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-02T00:00:00.000Z",
            ]))
        let sessionUser = SessionUser(try #require(profile))
        #expect(sessionUser.id == user && sessionUser.role == .admin && sessionUser.isActive)
        let live = SessionState.live(sessionUser)
        let entry = SessionCache.encode(live)
        #expect(SessionCache.decode(entry) == live)
        #expect(String(decoding: entry, as: UTF8.self).hasPrefix("u2|admin|1|\(user)|{\"id\":"))
        // The profile is kept as the bytes /api/users/me answers with.
        #expect(try JSONParser.parse(sessionUser.profileJSON) == profile?.json)
        // An inactive user's entry says so.
        let inactive = SessionUser(id: user, role: .user, isActive: false, profileJSON: Array("{}".utf8))
        #expect(SessionCache.decode(SessionCache.encode(.live(inactive))) == .live(inactive))
        // The previous release's entry (`u1|<profile JSON>`) is still read during an upgrade.
        let previous = Array("u1|".utf8) + JSONWriter.encode(try #require(profile).json)
        #expect(SessionCache.decode(previous) == live)
        #expect(SessionCache.decode(Array("\(user)|admin|1".utf8)) == nil, "an older release's entry is a miss")
        #expect(UserProfile(json: JSONValue.object(["id": .string(user)])) == nil)
        #expect(SessionCache.decode(SessionCache.encode(.revoked)) == .revoked)
        for broken in [
            "nonsense", "u2|", "u2|root|1|\(user)|{}", "u2|user|yes|\(user)|{}", "u2|user|1|not-a-uuid|{}", "u2|user|1|\(user)|[]",
            "u2|user|1|\(user)", "u2|user|1|\(user)|{",
        ] {
            #expect(SessionCache.decode(Array(broken.utf8)) == nil, "\(broken)")
        }
    }

    @Test func randomUUIDsAreVersion4() throws {
        let id = try UUIDGenerator.random()
        #expect(UUIDText.isValid(id))
        #expect(Array(id)[14] == "4")
        #expect("89ab".contains(Array(id)[19]))
        #expect(try UUIDGenerator.random() != id)
    }
}
