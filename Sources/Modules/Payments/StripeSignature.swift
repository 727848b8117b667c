import Crypto

/// Verifies a webhook's `Stripe-Signature: t=…,v1=…[,v1=…]` (API.md §7): HMAC-SHA256 with the
/// endpoint secret over `"{t}.{raw body}"`, compared in constant time with every `v1` (Stripe
/// sends several while a secret is being rolled), and `t` within the tolerance of `now` either
/// way. Other schemes (`v0`) are ignored, as Stripe's libraries do.
public struct StripeSignature: Sendable {
    public enum Failure: Error, Equatable {
        /// No `t`, a non-numeric one, or no `v1` at all.
        case malformedHeader
        case timestampOutsideTolerance
        case noMatchingSignature
    }

    public let secret: [UInt8]
    public let toleranceSeconds: Int64

    public init(secret: String, toleranceSeconds: Int64 = 300) {
        self.secret = Array(secret.utf8)
        self.toleranceSeconds = toleranceSeconds
    }

    /// `now` is epoch seconds, injected so tests can move the clock.
    public func verify(header: String, body: [UInt8], now: Int64) throws(Failure) {
        var timestamp: Int64?
        var signatures: [String] = []
        for element in header.split(separator: ",") {
            let pair = element.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let key = pair[0].trimmingBlanks
            let value = pair[1].trimmingBlanks
            switch key {
            case "t":
                guard timestamp == nil, let seconds = Int64(value), seconds > 0 else { throw .malformedHeader }
                timestamp = seconds
            case "v1":
                signatures.append(value.lowercased())
            default:
                continue
            }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformedHeader }
        guard abs(now - timestamp) <= toleranceSeconds else { throw .timestampOutsideTolerance }
        let expected = Array(Hex.encode(Digest.hmacSHA256(key: secret, data: Array("\(timestamp).".utf8) + body)).utf8)
        // Every candidate is compared, matched or not, so the time taken says nothing of which.
        var matched = false
        for signature in signatures where ConstantTime.equals(Array(signature.utf8), expected) { matched = true }
        guard matched else { throw .noMatchingSignature }
    }

    /// The header Stripe would send for `body` at `timestamp`: for the local fake and tests.
    public func header(for body: [UInt8], timestamp: Int64) -> String {
        "t=\(timestamp),v1=" + Hex.encode(Digest.hmacSHA256(key: secret, data: Array("\(timestamp).".utf8) + body))
    }
}
