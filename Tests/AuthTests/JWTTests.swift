import Crypto
import HTTP
import JWT
import Testing

@Suite struct JWTTests {
    let signer = JWTSigner(key: Array("0123456789abcdef0123456789abcdef".utf8))
    let now: Int64 = 1_800_000_000

    func claims(exp: Int64) -> JSONObject { ["sub": "u1", "type": "access", "iat": .number(String(now)), "exp": .number(String(exp))] }

    @Test func aSignedTokenVerifiesWithItsClaims() throws {
        let token = signer.sign(claims(exp: now + 60))
        #expect(token.split(separator: ".").count == 3)
        let verified = try signer.verify(token, nowSeconds: now)
        #expect(verified["sub"] == "u1")
        #expect(verified["exp"]?.intValue == Int(now + 60))
    }

    @Test func aTamperedPayloadFailsTheSignature() throws {
        let parts = signer.sign(claims(exp: now + 60)).split(separator: ".").map(String.init)
        let forged = Base64URL.encode(#"{"sub":"admin","type":"access","exp":9999999999}"#)
        #expect(throws: JWTError.badSignature) { try signer.verify(parts[0] + "." + forged + "." + parts[2], nowSeconds: now) }
    }

    @Test func aFlippedSignatureBitFails() throws {
        let token = signer.sign(claims(exp: now + 60))
        var signature = Base64URL.decode(token.split(separator: ".")[2])!
        signature[0] ^= 1
        let parts = token.split(separator: ".")
        #expect(throws: JWTError.badSignature) { try signer.verify(parts[0] + "." + parts[1] + "." + Base64URL.encode(signature), nowSeconds: now) }
    }

    @Test func algNoneIsRefusedEvenWithoutASignature() throws {
        let header = Base64URL.encode(#"{"alg":"none","typ":"JWT"}"#)
        let payload = Base64URL.encode(JSONWriter.encode(.object(claims(exp: now + 60))))
        #expect(throws: JWTError.unsupportedAlgorithm("none")) { try signer.verify(header + "." + payload + ".", nowSeconds: now) }
        let hs512 = Base64URL.encode(#"{"alg":"HS512","typ":"JWT"}"#)
        #expect(throws: JWTError.unsupportedAlgorithm("HS512")) { try signer.verify(hs512 + "." + payload + ".AAAA", nowSeconds: now) }
    }

    /// The header this signer writes is recognised by its bytes; any other is still read, so a
    /// token with another spelling of the same header verifies, and no spelling of another
    /// algorithm gets in.
    @Test func anotherSpellingOfTheHeaderIsReadNotSkipped() throws {
        let payload = Base64URL.encode(JSONWriter.encode(.object(claims(exp: now + 60))))
        func signed(_ header: String) -> String {
            let input = Base64URL.encode(header) + "." + payload
            return input + "." + Base64URL.encode(Digest.hmacSHA256(key: Array("0123456789abcdef0123456789abcdef".utf8), data: Array(input.utf8)))
        }
        #expect(try signer.verify(signed(#"{"typ":"JWT","alg":"HS256"}"#), nowSeconds: now)["sub"] == "u1")
        #expect(try signer.verify(signed(#"{"alg":"HS256"}"#), nowSeconds: now)["sub"] == "u1")
        #expect(throws: JWTError.unsupportedAlgorithm("HS384")) { try signer.verify(signed(#"{"typ":"JWT","alg":"HS384"}"#), nowSeconds: now) }
        #expect(throws: JWTError.malformed) { try signer.verify(signed(#"{"alg":"HS256","typ":"JWS"}"#), nowSeconds: now) }
    }

    @Test func aTokenFromAnotherKeyFails() throws {
        let other = JWTSigner(key: Array("another-secret-another-secret-123".utf8))
        #expect(throws: JWTError.badSignature) { try signer.verify(other.sign(claims(exp: now + 60)), nowSeconds: now) }
    }

    @Test func expiryHasAtMostThirtySecondsOfLeeway() throws {
        let token = signer.sign(claims(exp: now))
        _ = try signer.verify(token, nowSeconds: now + 30)
        #expect(throws: JWTError.expired) { try signer.verify(token, nowSeconds: now + 31) }
    }

    @Test func aTokenWithoutExpiryIsMalformed() throws {
        #expect(throws: JWTError.malformed) { try signer.verify(signer.sign(["sub": "u1"]), nowSeconds: now) }
    }

    @Test func garbageIsMalformed() throws {
        for token in ["", "a.b", "a.b.c.d", "!!!.e30.AAAA", "e30.e30.AAAA"] {
            #expect(throws: JWTError.self) { try signer.verify(token, nowSeconds: now) }
        }
    }
}
