import Crypto
import HTTP

/// A client's `Idempotency-Key` for one kind of request (API.md §1), with the fingerprint of
/// the request it first came with.
public struct IdempotencyKey: Sendable, Equatable {
    public let userId: String
    /// What the key is for (`orders`, `payment-intents`): the same key may serve each once.
    public let scope: String
    public let key: String
    /// SHA-256 of the method, path and raw body: a replay must be the same request.
    public let requestHash: [UInt8]

    public init(userId: String, scope: String, key: String, requestHash: [UInt8]) {
        self.userId = userId
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
    }

    public static let headerName = "idempotency-key"

    /// The request's key, nil when it sent none; 1–255 characters, else 400.
    public init?(_ request: Request, userId: String, scope: String) throws(APIError) {
        guard let key = request.headers[Self.headerName] else { return nil }
        guard (1...255).contains(key.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7f }) else {
            throw APIError.validation([FieldError(field: "Idempotency-Key", message: "must be 1–255 printable ASCII characters")])
        }
        let fingerprint = Array((request.rawMethod + " " + request.rawPath + "\n").utf8) + request.body
        self.init(userId: userId, scope: scope, key: key, requestHash: Digest.sha256(fingerprint))
    }
}
