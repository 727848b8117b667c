import HTTP
import Payments
#if canImport(Glibc)
import Glibc
#endif

/// Routes mounted only with `ENABLE_TEST_ROUTES=true` (the test stack), so the shared request
/// handling (strict JSON, media types, body limits) is exercised end to end through nginx
/// before any feature route takes a body. They touch no data.
enum DiagnosticRoutes {
    static func routes() -> [Route<AppContext>] {
        [
            Route(.post, "/api/_test/echo", body: .json) { request, _ in
                var body = try ObjectReader(request.body)
                let name = body.string("name", minLength: 1, maxLength: 100)
                let quantity = body.int("quantity", range: 1...999)
                let price = body.money("price")
                let id = body.uuid("id", required: false)
                try body.finish()
                var data: JSONObject = ["name": .string(name!), "quantity": .int(quantity!), "price": .string(price!.description)]
                data["id"] = id.map(JSONValue.string) ?? .null
                return Envelope.success(JSONValue.object(data), status: .created)
            },
            Route(.get, "/api/_test/items/:id") { _, context in
                guard let id = context.parameter("id"), UUIDText.isValid(id) else {
                    throw APIError.validation([FieldError(field: "id", message: "must be a UUID")])
                }
                return Envelope.success(JSONValue.object(["id": .string(id.lowercased())]))
            },
            // Holds the worker for a while: drains and rolling restarts are tested with a request in flight.
            Route(.get, "/api/_test/sleep") { request, _ in
                var query = QueryReader(request.query)
                let milliseconds = query.int("ms", default: 1000, range: 0...15_000)
                try query.finish()
                usleep(useconds_t(milliseconds * 1000))
                return Envelope.success(JSONValue.object(["sleptMs": .int(milliseconds)]))
            },
            Route(.get, "/api/_test/crash") { _, _ in
                struct Boom: Error {}
                throw Boom()
            },
            // Tests that make Stripe fail on purpose close the host's payment breaker again after.
            Route(.post, "/api/_test/payments-breaker/reset") { _, context in
                let settings = context.configuration.stripeSettings?.breaker ?? StripeSettings.defaultBreaker
                CircuitBreaker(cells: context.scoreboard.breakerCells, settings: settings).reset()
                return Envelope.success(nil)
            },
        ]
    }
}
