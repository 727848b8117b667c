import Testing
@testable import Payments

@Suite struct StripeSignatureTests {
    let signer = StripeSignature(secret: "whsec_test_secret")
    let body = Array(#"{"id":"evt_1","type":"payment_intent.succeeded"}"#.utf8)
    let now: Int64 = 1_764_660_000

    @Test func aValidSignatureVerifies() throws {
        try signer.verify(header: signer.header(for: body, timestamp: now), body: body, now: now)
        // Within 300 s either way.
        try signer.verify(header: signer.header(for: body, timestamp: now - 300), body: body, now: now)
        try signer.verify(header: signer.header(for: body, timestamp: now + 300), body: body, now: now)
    }

    @Test func aKnownAnswerMatchesStripesScheme() throws {
        // HMAC-SHA256("whsec_test_secret", "1764660000.{body}"), computed independently with openssl dgst.
        let expected = "t=1764660000,v1=bb0111ecb4edc8bb87473da956298010ffe87a3ba9d0d2f2df518024a61095c6"
        #expect(signer.header(for: body, timestamp: now) == expected)
        try signer.verify(header: expected, body: body, now: now)
    }

    @Test func aTamperedBodyFails() {
        let header = signer.header(for: body, timestamp: now)
        var tampered = body
        tampered[tampered.count - 3] ^= 1
        #expect(throws: StripeSignature.Failure.noMatchingSignature) { try signer.verify(header: header, body: tampered, now: now) }
    }

    @Test func anotherSecretFails() {
        let header = StripeSignature(secret: "whsec_other").header(for: body, timestamp: now)
        #expect(throws: StripeSignature.Failure.noMatchingSignature) { try signer.verify(header: header, body: body, now: now) }
    }

    @Test func staleAndFutureTimestampsFail() {
        for offset: Int64 in [-301, 301, -86_400] {
            let header = signer.header(for: body, timestamp: now + offset)
            #expect(throws: StripeSignature.Failure.timestampOutsideTolerance) { try signer.verify(header: header, body: body, now: now) }
        }
    }

    @Test func anyOfSeveralV1SignaturesMayMatch() throws {
        let good = signer.header(for: body, timestamp: now).split(separator: "=").last!
        let header = "t=\(now),v1=\(String(repeating: "0", count: 64)),v0=abc,v1=\(good)"
        try signer.verify(header: header, body: body, now: now)
        try signer.verify(header: " t=\(now), v1=\(good.uppercased())", body: body, now: now)
    }

    @Test func malformedHeadersFail() {
        let good = signer.header(for: body, timestamp: now).split(separator: "=").last!
        for header in ["", "garbage", "v1=\(good)", "t=\(now)", "t=soon,v1=\(good)", "t=\(now),t=\(now),v1=\(good)", "t=\(now),v0=\(good)"] {
            #expect(throws: StripeSignature.Failure.malformedHeader, "\(header)") { try signer.verify(header: header, body: body, now: now) }
        }
        #expect(throws: StripeSignature.Failure.noMatchingSignature) { try signer.verify(header: "t=\(now),v1=short", body: body, now: now) }
    }
}

@Suite struct StripeFormTests {
    @Test func fieldsAreEncodedInOrderWithNestedMetadata() {
        var form = StripeForm([("amount", "5999"), ("currency", "usd")])
        form.metadata("order_id", "6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01")
        form.metadata("order_number", "ORD-100001")
        #expect(form.encoded == "amount=5999&currency=usd&metadata[order_id]=6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01&metadata[order_number]=ORD-100001")
    }

    @Test func reservedAndNonASCIICharactersArePercentEncoded() {
        let form = StripeForm([("description", "Mugs & pens = 2 × 50%"), ("automatic_payment_methods[enabled]", "true")])
        #expect(form.encoded == "description=Mugs%20%26%20pens%20%3D%202%20%C3%97%2050%25&automatic_payment_methods[enabled]=true")
        #expect(StripeForm.escape("a+b/c?d#e", keeping: []) == "a%2Bb%2Fc%3Fd%23e")
    }
}
