import HTTP
import Postgres

/// A checkout's stored answer as it may be replayed now: the PaymentIntent's `clientSecret`
/// only while the order can still be paid. A key replays for a day; an order paid or cancelled
/// meanwhile must not hand its secret to whoever holds the key.
enum CheckoutReplay {
    static func current(_ response: Response, on db: PostgresClient) throws -> Response {
        guard var envelope = (try? JSONParser.parse(response.body))?.objectValue, var order = envelope["data"]?.objectValue,
            let id = order["id"]?.stringValue, var payment = order["payment"]?.objectValue,
            let secret = payment["clientSecret"], secret != .null
        else { return response }
        if let now = try OrderStore.payable(id, ownerId: nil, on: db), now.order.isUnpaid { return response }
        payment["clientSecret"] = .null
        order["payment"] = .object(payment)
        envelope["data"] = .object(order)
        var scrubbed = response
        scrubbed.body = JSONWriter.encode(.object(envelope))
        return scrubbed
    }
}
