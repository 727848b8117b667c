import Crypto
import Foundation
import HTTP
import HTTPClient
import Testing

/// The local fake of Stripe's API (scripts/fake-stripe.py) that the test stack's workers talk
/// to: its control endpoints set failure modes, show what the service sent and make it
/// deliver payment events to the webhook, as Stripe would.
struct FakeStripe {
    let base: String
    let webhookSecret: String
    let stackBaseURL: String

    init(stack: Stack) throws {
        let environment = try stack.environmentFile()
        guard let base = environment["STRIPE_API_BASE"], base.hasPrefix("http://127.0.0.1:"),
            let secret = environment["STRIPE_WEBHOOK_SECRET"]
        else {
            throw Stack.StackError("the test stack does not point STRIPE_API_BASE at the local fake")
        }
        self.base = base
        webhookSecret = secret
        stackBaseURL = stack.baseURL
    }

    struct Call {
        let method: String
        let path: String
        let form: [(String, String)]
        let body: String
        let headers: [String: String]

        func field(_ name: String) -> String? { form.first { $0.0 == name }?.1 }
    }

    @discardableResult
    private func control(_ method: String, _ path: String, _ json: String? = nil) throws -> JSONValue {
        let response = try HTTPClient().send(
            HTTPClientRequest(
                method: method, url: base + "/_control/" + path,
                headers: [("Content-Type", "application/json")], body: json.map { Array($0.utf8) }))
        guard response.status == 200 else { throw Stack.StackError("fake Stripe \(path) answered \(response.status): \(response.text)") }
        return try JSONParser.parse(response.body)
    }

    /// Forgets failure modes and the logs (intents and refunds stay), and closes the host's
    /// payment breaker, which earlier failures may have opened.
    func reset() throws {
        try control("POST", "reset")
        let closed = try HTTPClient().send(HTTPClientRequest(method: "POST", url: stackBaseURL + "/api/_test/payments-breaker/reset"))
        guard closed.status == 200 else { throw Stack.StackError("breaker reset answered \(closed.status)") }
    }

    /// `ok`, `error500`, `drop` or `hang` for the next `times` API calls (all of them without).
    func mode(_ mode: String, times: Int? = nil) throws {
        try control("POST", "mode", #"{"mode":"\#(mode)"\#(times.map { #","times":\#($0)"# } ?? "")}"#)
    }

    /// The next `times` API calls answer normally, each after `seconds`.
    func delay(_ seconds: Double, times: Int) throws {
        try control("POST", "mode", #"{"mode":"delay","seconds":\#(seconds),"times":\#(times)}"#)
    }

    func calls() throws -> [Call] {
        try (control("GET", "requests").arrayValue ?? []).map { call in
            Call(
                method: call["method"]?.stringValue ?? "", path: call["path"]?.stringValue ?? "",
                form: (call["form"]?.arrayValue ?? []).map { ($0[0]?.stringValue ?? "", $0[1]?.stringValue ?? "") },
                body: call["body"]?.stringValue ?? "",
                headers: Dictionary(uniqueKeysWithValues: (call["headers"]?.objectValue?.entries ?? []).map { ($0.key, $0.value.stringValue ?? "") }))
        }
    }

    /// Moves the intent to `outcome` and has the fake deliver the event through nginx; the event
    /// and the webhook's status. `amount`/`currency` make the event disagree with the intent.
    func pay(_ intentId: String, outcome: String = "succeeded", amount: Int? = nil, currency: String? = nil) throws -> (event: JSONValue, webhookStatus: Int) {
        var options = [#""outcome":"\#(outcome)""#]
        if let amount { options.append(#""amount":\#(amount)"#) }
        if let currency { options.append(#""currency":"\#(currency)""#) }
        let answer = try control("POST", "pay/" + intentId, "{" + options.joined(separator: ",") + "}")
        return (answer["event"] ?? .null, answer["webhookStatus"]?.intValue ?? -1)
    }

    /// Every event the fake delivered, with the webhook's status for each.
    func deliveries() throws -> [(event: JSONValue, status: Int)] {
        try (control("GET", "events").arrayValue ?? []).map { ($0["event"] ?? .null, $0["status"]?.intValue ?? -1) }
    }

    /// `Stripe-Signature` for `body` as Stripe would send it at `timestamp`, signed with `secret`.
    func signature(_ body: [UInt8], timestamp: Int = Int(Date().timeIntervalSince1970), secret: String? = nil) -> String {
        let key = Array((secret ?? webhookSecret).utf8)
        return "t=\(timestamp),v1=" + Hex.encode(Digest.hmacSHA256(key: key, data: Array("\(timestamp).".utf8) + body))
    }
}

extension Stack {
    /// Delivers `body` to the webhook as Stripe does (a fresh signature unless one is given).
    func webhook(_ body: [UInt8], signature: String?) throws -> HTTPClientResponse {
        var headers = [("Content-Type", "application/json; charset=utf-8")]
        if let signature { headers.append(("Stripe-Signature", signature)) }
        return try request("POST", "/api/stripe/webhook", headers: headers, body: body)
    }

    /// A Stripe event of `type` about `object`, as JSON text.
    static func stripeEvent(id: String = "evt_test_" + UUID().uuidString.lowercased(), type: String, object: JSONValue) -> [UInt8] {
        JSONWriter.encode(
            .object([
                "id": .string(id), "object": "event", "api_version": "2024-06-20", "type": .string(type),
                "created": .int(Int(Date().timeIntervalSince1970)), "data": .object(["object": object]),
            ]))
    }
}
