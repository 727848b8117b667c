import HTTP

/// The fields of a PaymentIntent the service reads (Stripe API `payment_intent` object).
public struct PaymentIntent: Sendable, Equatable {
    public let id: String
    /// Minor units (cents).
    public let amount: Int64
    public let currency: String
    public let status: String
    public let clientSecret: String?
    public let metadata: [String: String]

    init(json: JSONValue) throws(StripeError) {
        guard json["object"]?.stringValue == "payment_intent", let id = json["id"]?.stringValue,
            let amount = json["amount"].flatMap(StripeJSON.int64), let currency = json["currency"]?.stringValue,
            let status = json["status"]?.stringValue
        else {
            throw .invalidResponse("not a payment_intent")
        }
        self.id = id
        self.amount = amount
        self.currency = currency
        self.status = status
        clientSecret = json["client_secret"]?.stringValue
        metadata = StripeJSON.stringMap(json["metadata"])
    }
}

public struct Refund: Sendable, Equatable {
    public let id: String
    public let amount: Int64
    public let status: String
    public let paymentIntentId: String?

    init(json: JSONValue) throws(StripeError) {
        guard json["object"]?.stringValue == "refund", let id = json["id"]?.stringValue,
            let amount = json["amount"].flatMap(StripeJSON.int64), let status = json["status"]?.stringValue
        else {
            throw .invalidResponse("not a refund")
        }
        self.id = id
        self.amount = amount
        self.status = status
        paymentIntentId = json["payment_intent"]?.stringValue
    }
}

/// A failed Stripe call.
public enum StripeError: Error, Equatable, CustomStringConvertible {
    /// No answer (connect, timeout, reset): Stripe may or may not have acted, so a later try
    /// must reuse the same Idempotency-Key.
    case unreachable(String)
    /// Stripe answered with its error envelope (`{"error":{"type","code","message"}}`).
    case api(status: Int, type: String, code: String?, message: String)
    /// An answer that is not what Stripe sends.
    case invalidResponse(String)
    /// Not tried: the host's breaker is open after repeated failures.
    case circuitOpen

    /// Stripe answered, so it stored that answer under the key: a new try needs a new key.
    public var stripeAnswered: Bool {
        switch self {
        case .unreachable, .circuitOpen: false
        case .api, .invalidResponse: true
        }
    }

    /// Stripe answered and said no for good (a 4xx other than 429): retrying the same request
    /// cannot succeed, and with the same key would only replay the refusal.
    public var isFinalRefusal: Bool {
        if case .api(let status, _, _, _) = self { return (400..<500).contains(status) && status != 429 }
        return false
    }

    /// No answer, or one saying Stripe itself is in trouble (5xx, 429): what the breaker counts.
    /// A card declined or a bad parameter is Stripe working.
    var meansStripeIsFailing: Bool {
        switch self {
        case .unreachable: true
        case .api(let status, _, _, _): status >= 500 || status == 429
        case .invalidResponse, .circuitOpen: false
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let detail): "Stripe unreachable: \(detail)"
        case .api(let status, let type, let code, let message): "Stripe \(status) \(type)\(code.map { "/" + $0 } ?? ""): \(message)"
        case .invalidResponse(let detail): "unexpected Stripe response: \(detail)"
        case .circuitOpen: "Stripe calls paused: the circuit breaker is open after repeated failures"
        }
    }

    /// The envelope of an error answer; anything unparseable is still an API error with its status.
    static func parse(status: Int, body: [UInt8]) -> StripeError {
        guard let json = try? JSONParser.parse(body), let error = json["error"] else {
            return .api(status: status, type: "api_error", code: nil, message: "HTTP \(status) without an error body")
        }
        return .api(
            status: status, type: error["type"]?.stringValue ?? "api_error", code: error["code"]?.stringValue,
            message: error["message"]?.stringValue ?? "")
    }
}

enum StripeJSON {
    static func int64(_ value: JSONValue) -> Int64? {
        if case .number(let text) = value { return Int64(text) }
        return nil
    }

    static func stringMap(_ value: JSONValue?) -> [String: String] {
        guard let object = value?.objectValue else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in object.entries { if let text = value.stringValue { map[key] = text } }
        return map
    }
}
