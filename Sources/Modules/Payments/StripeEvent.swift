import HTTP

/// A webhook event as the service reads it (Stripe's `event` object, API version pinned in
/// `StripeSettings`). Only the fields the three handled types need.
struct StripeEvent: Sendable {
    let id: String
    let type: String
    let object: JSONValue

    enum Kind {
        case paymentSucceeded(IntentFields)
        case paymentFailed(IntentFields)
        case chargeRefunded(ChargeFields)
        case ignored
    }

    struct IntentFields {
        let id: String
        let amount: Int64
        let currency: String
        let orderIdHint: String?
        let failureMessage: String?
    }

    struct ChargeFields {
        let paymentIntentId: String
        let amountRefunded: Int64
        /// True once the whole charge is refunded.
        let fullyRefunded: Bool
        /// The charge's refunds that succeeded (Stripe lists the latest), each with the
        /// `metadata[refund_id]` it was created with.
        let succeededRefunds: [(stripeId: String, refundId: String?)]
    }

    struct Malformed: Error {
        let reason: String
    }

    init(body: [UInt8]) throws(Malformed) {
        guard let json = try? JSONParser.parse(body) else { throw Malformed(reason: "body is not JSON") }
        guard json["object"]?.stringValue == "event", let id = json["id"]?.stringValue, Self.isIdentifier(id),
            let type = json["type"]?.stringValue, Self.isIdentifier(type), let object = json["data"]?["object"], object.objectValue != nil
        else {
            throw Malformed(reason: "not a Stripe event")
        }
        self.id = id
        self.type = type
        self.object = object
    }

    /// Stripe's ids and event types are short printable ASCII (`evt_…`, `payment_intent.succeeded`);
    /// anything else (a NUL, a megabyte) is not an event worth a row.
    static func isIdentifier(_ text: String) -> Bool {
        (1...255).contains(text.utf8.count) && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }
    }

    /// The intent an event is about, for `stripe_events.payment_intent_id`.
    var paymentIntentId: String? {
        let id: String? =
            switch object["object"]?.stringValue {
            case "payment_intent": object["id"]?.stringValue
            case "charge": object["payment_intent"]?.stringValue
            default: nil
            }
        return id.flatMap { Self.isIdentifier($0) ? $0 : nil }
    }

    func kind() throws(Malformed) -> Kind {
        switch type {
        case "payment_intent.succeeded": return .paymentSucceeded(try intent())
        case "payment_intent.payment_failed": return .paymentFailed(try intent())
        case "charge.refunded":
            guard object["object"]?.stringValue == "charge", let intentId = object["payment_intent"]?.stringValue, Self.isIdentifier(intentId),
                let refunded = object["amount_refunded"].flatMap(StripeJSON.int64)
            else {
                throw Malformed(reason: "charge.refunded without a charge")
            }
            let refunds = (object["refunds"]?["data"]?.arrayValue ?? []).compactMap { refund -> (String, String?)? in
                guard let id = refund["id"]?.stringValue, Self.isIdentifier(id), refund["status"]?.stringValue == "succeeded" else { return nil }
                return (id, refund["metadata"]?["refund_id"]?.stringValue.flatMap { UUIDText.isValid($0) ? $0.lowercased() : nil })
            }
            return .chargeRefunded(
                ChargeFields(
                    paymentIntentId: intentId, amountRefunded: refunded,
                    fullyRefunded: object["refunded"]?.boolValue == true, succeededRefunds: refunds))
        default:
            return .ignored
        }
    }

    private func intent() throws(Malformed) -> IntentFields {
        guard object["object"]?.stringValue == "payment_intent", let id = object["id"]?.stringValue, Self.isIdentifier(id),
            let amount = object["amount"].flatMap(StripeJSON.int64), let currency = object["currency"]?.stringValue
        else {
            throw Malformed(reason: "\(type) without a payment_intent")
        }
        return IntentFields(
            id: id, amount: amount, currency: currency, orderIdHint: object["metadata"]?["order_id"]?.stringValue,
            failureMessage: object["last_payment_error"]?["message"]?.stringValue)
    }
}
