import HTTP
import Testing
@testable import Payments

@Suite struct StripeRetryPolicyTests {
    let policy = StripeRetryPolicy()

    @Test func networkFailures409s429sAnd5xxAreRetriedTwice() {
        for outcome: StripeRetryPolicy.Outcome in [
            .transport(transient: true), .answer(status: 409, shouldRetry: nil),
            .answer(status: 429, shouldRetry: nil), .answer(status: 500, shouldRetry: nil),
            .answer(status: 503, shouldRetry: nil),
        ] {
            #expect(policy.shouldRetry(outcome, retriesSoFar: 0))
            #expect(policy.shouldRetry(outcome, retriesSoFar: 1))
            #expect(!policy.shouldRetry(outcome, retriesSoFar: 2))
        }
    }

    @Test func clientErrorsAndPermanentTransportFailuresAreNot() {
        #expect(!policy.shouldRetry(.answer(status: 400, shouldRetry: nil), retriesSoFar: 0))
        #expect(!policy.shouldRetry(.answer(status: 401, shouldRetry: nil), retriesSoFar: 0))
        #expect(!policy.shouldRetry(.answer(status: 404, shouldRetry: nil), retriesSoFar: 0))
        // A malformed URL or a TLS failure will not go away by asking again.
        #expect(!policy.shouldRetry(.transport(transient: false), retriesSoFar: 0))
    }

    @Test func stripeShouldRetryOverridesTheStatus() {
        #expect(policy.shouldRetry(.answer(status: 400, shouldRetry: true), retriesSoFar: 0))
        #expect(!policy.shouldRetry(.answer(status: 500, shouldRetry: false), retriesSoFar: 0))
    }

    @Test func backoffDoublesWithJitterInTheUpperHalf() {
        #expect(policy.delayMilliseconds(beforeRetry: 0, jitterPermille: 0) == 125)
        #expect(policy.delayMilliseconds(beforeRetry: 0, jitterPermille: 999) == 249)
        #expect(policy.delayMilliseconds(beforeRetry: 1, jitterPermille: 0) == 250)
        #expect(policy.delayMilliseconds(beforeRetry: 1, jitterPermille: 500) == 375)
    }
}

@Suite struct StripeObjectTests {
    @Test func theErrorEnvelopeBecomesATypedError() {
        let body = Array(#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such payment_intent"}}"#.utf8)
        let error = StripeError.parse(status: 404, body: body)
        #expect(error == .api(status: 404, type: "invalid_request_error", code: "resource_missing", message: "No such payment_intent"))
        #expect(error.stripeAnswered)
        #expect(StripeError.parse(status: 502, body: Array("<html>".utf8)) == .api(status: 502, type: "api_error", code: nil, message: "HTTP 502 without an error body"))
        #expect(!StripeError.unreachable("timeout").stripeAnswered)
    }

    @Test func aPaymentIntentIsReadWithItsMetadata() throws {
        let json = try JSONParser.parse(
            Array(
                #"""
                {"id":"pi_1","object":"payment_intent","amount":2665,"currency":"usd","status":"requires_payment_method",
                 "client_secret":"pi_1_secret_x","metadata":{"order_id":"o-1","order_number":"ORD-1"}}
                """#.utf8))
        let intent = try PaymentIntent(json: json)
        #expect(intent.id == "pi_1" && intent.amount == 2665 && intent.currency == "usd" && intent.clientSecret == "pi_1_secret_x")
        #expect(intent.metadata == ["order_id": "o-1", "order_number": "ORD-1"])
        #expect(throws: StripeError.invalidResponse("not a payment_intent")) { try PaymentIntent(json: .object(["object": "refund"])) }
    }

    @Test func eventsAreReadByType() throws {
        let succeeded = try StripeEvent(
            body: Array(
                #"""
                {"id":"evt_1","object":"event","type":"payment_intent.succeeded",
                 "data":{"object":{"id":"pi_1","object":"payment_intent","amount":100,"currency":"usd","metadata":{"order_id":"o-1"}}}}
                """#.utf8))
        #expect(succeeded.paymentIntentId == "pi_1")
        guard case .paymentSucceeded(let intent) = try succeeded.kind() else { Issue.record("not a success"); return }
        #expect(intent.amount == 100 && intent.orderIdHint == "o-1")

        let refunded = try StripeEvent(
            body: Array(
                #"""
                {"id":"evt_2","object":"event","type":"charge.refunded","data":{"object":{"id":"ch_1","object":"charge","payment_intent":"pi_1",
                 "amount":100,"amount_refunded":40,"refunded":false,"refunds":{"data":[
                   {"id":"re_2","status":"pending"},
                   {"id":"re_1","status":"succeeded","metadata":{"refund_id":"6D0E8F2A-4B1C-4D3E-9F5A-7B8C9D0E1F2A"}},
                   {"id":"re_0","status":"succeeded","metadata":{"refund_id":"not-a-uuid"}},
                   {"id":"bad id","status":"succeeded"}]}}}}
                """#.utf8))
        #expect(refunded.paymentIntentId == "pi_1")
        guard case .chargeRefunded(let charge) = try refunded.kind() else { Issue.record("not a refund"); return }
        #expect(charge.amountRefunded == 40 && !charge.fullyRefunded)
        // Only succeeded refunds with a well-formed id; a malformed refund_id is dropped.
        #expect(charge.succeededRefunds.map(\.stripeId) == ["re_1", "re_0"])
        #expect(charge.succeededRefunds.map(\.refundId) == ["6d0e8f2a-4b1c-4d3e-9f5a-7b8c9d0e1f2a", nil])

        let other = try StripeEvent(body: Array(#"{"id":"evt_3","object":"event","type":"customer.created","data":{"object":{"object":"customer"}}}"#.utf8))
        guard case .ignored = try other.kind() else { Issue.record("not ignored"); return }
        #expect(throws: StripeEvent.Malformed.self) { try StripeEvent(body: Array(#"{"id":"evt_4","type":"x"}"#.utf8)) }
        #expect(throws: StripeEvent.Malformed.self) {
            try StripeEvent(body: Array(#"{"id":"e","object":"event","type":"payment_intent.succeeded","data":{"object":{"object":"charge"}}}"#.utf8)).kind()
        }
    }
}
