import Testing
@testable import HTTP

@Suite struct ResponderTests {
    final class Context {}
    struct Boom: Error {}
    struct Mapped: Error {}

    private let fixedClock = Clock(epochMilliseconds: { 1_795_608_000_000 }, monotonicNanoseconds: { 0 })

    private func responder(guardAccess: @escaping Responder<Context>.Guard = { _, _, _ in }) -> Responder<Context> {
        let router = Router<Context>([
            Route(.get, "/api/things/:id") { _, context in Envelope.success(JSONValue.object(["id": .string(context.parameter("id") ?? "")])) },
            Route(.get, "/api/whoami", access: .bearer) { _, context in
                Envelope.success(JSONValue.object(["userId": .string(try context.requirePrincipal().userId), "requestId": .string(context.requestId)]))
            },
            Route(.post, "/api/things", body: .json) { request, _ in
                var body = try ObjectReader(request.body)
                let name = body.string("name")
                try body.finish()
                return Envelope.success(JSONValue.object(["name": .string(name!)]), status: .created)
            },
            Route(.get, "/api/private", access: .admin) { _, _ in Response(status: .ok) },
            Route(.get, "/api/boom") { _, _ in throw Boom() },
            Route(.get, "/api/mapped") { _, _ in throw Mapped() },
            Route(.delete, "/api/things/:id") { _, _ in Response(status: .noContent) },
            Route(.get, "/api/unchanged") { _, _ in Response(status: .notModified) },
            Route(.get, "/api/streamed") { _, _ in Response(status: .ok, body: Array("head,".utf8), stream: ResponseStream { write in try write(Array("rest".utf8)) }) },
        ])
        return Responder(
            router: router, cors: CORSPolicy(allowedOrigins: ["https://shop.example"]), clock: fixedClock, guardAccess: guardAccess,
            mapError: { $0 is Mapped ? APIError.unavailable() : nil })
    }

    private func request(_ method: HTTPMethod, _ uri: String, headers: [String: String] = [:], body: String = "") -> Request {
        Request(method: method, uri: uri, headers: Headers(headers), body: Array(body.utf8), requestId: "req-1")
    }

    private func requestContext() -> RequestContext<Context> {
        RequestContext(app: Context(), requestId: "req-1", logger: Logger(level: .error, clock: fixedClock))
    }

    private func json(_ response: Response) throws -> JSONValue { try JSONParser.parse(response.body) }

    @Test func successIsWrappedInTheEnvelope() throws {
        let outcome = responder().respond(to: request(.get, "/api/things/42"), context: requestContext())
        #expect(outcome.routeLabel == "/api/things/:id")
        #expect(String(decoding: outcome.response.body, as: UTF8.self) == #"{"statusCode":200,"message":"Success","data":{"id":"42"}}"#)
        #expect(outcome.response.header("X-Request-Id") == "req-1")
        #expect(outcome.response.header("Content-Type") == "application/json; charset=utf-8")
        #expect(outcome.response.header("Cache-Control") == "no-store")
    }

    @Test func everyAnswerWithABodyTellsItsLengthAndAHeadTheGetsLength() throws {
        let get = responder().respond(to: request(.get, "/api/things/42"), context: requestContext()).response
        #expect(get.header("Content-Length") == String(get.body.count))
        #expect(get.body.count == 57)
        let head = responder().respond(to: request(.head, "/api/things/42"), context: requestContext()).response
        #expect(head.header("Content-Length") == "57")
        #expect(head.body.isEmpty)
        let missing = responder().respond(to: request(.get, "/api/nothing"), context: requestContext()).response
        #expect(missing.header("Content-Length") == String(missing.body.count))
        // No body, no length; and none for an answer whose body is still to be produced.
        #expect(responder().respond(to: request(.delete, "/api/things/42"), context: requestContext()).response.header("Content-Length") == nil)
        #expect(responder().respond(to: request(.get, "/api/unchanged"), context: requestContext()).response.header("Content-Length") == nil)
        #expect(responder().respond(to: request(.get, "/api/streamed"), context: requestContext()).response.header("Content-Length") == nil)
    }

    @Test func theGuardsPrincipalReachesTheHandlerThroughTheContext() throws {
        let guarded = responder(guardAccess: { route, request, context in
            guard route.access != .public else { return }
            guard request.headers["authorization"] == "Bearer good" else { throw APIError.unauthorized() }
            context.principal = Principal(userId: "u-7", sessionId: "s-1", role: .user)
        })
        let outcome = guarded.respond(to: request(.get, "/api/whoami", headers: ["Authorization": "Bearer good"]), context: requestContext())
        #expect(String(decoding: outcome.response.body, as: UTF8.self) == #"{"statusCode":200,"message":"Success","data":{"userId":"u-7","requestId":"req-1"}}"#)
        let refused = guarded.respond(to: request(.get, "/api/whoami"), context: requestContext())
        #expect(refused.response.status == .unauthorized)
    }

    @Test func unknownRouteIs404InTheErrorEnvelope() throws {
        let outcome = responder().respond(to: request(.get, "/api/nothing?x=1"), context: requestContext())
        #expect(outcome.response.status == .notFound)
        #expect(outcome.routeLabel == "unmatched")
        let body = try json(outcome.response)
        #expect(body["statusCode"] == 404)
        #expect(body["error"] == "NotFound")
        #expect(body["path"] == "/api/nothing")
        #expect(body["requestId"] == "req-1")
        #expect(body["timestamp"] == "2026-11-25T12:00:00.000Z")
        #expect(body["details"] == nil)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let outcome = responder().respond(to: request(.delete, "/api/things"), context: requestContext())
        #expect(outcome.response.status == .methodNotAllowed)
        #expect(outcome.response.header("Allow") == "POST, OPTIONS")
        #expect(try json(outcome.response)["error"] == "MethodNotAllowed")
    }

    @Test func wrongMediaTypeIs415BeforeTheHandlerRuns() throws {
        let outcome = responder().respond(to: request(.post, "/api/things", headers: ["Content-Type": "text/plain"], body: "{}"), context: requestContext())
        #expect(outcome.response.status == .unsupportedMediaType)
        let latin1 = responder().respond(to: request(.post, "/api/things", headers: ["Content-Type": "application/json; charset=latin1"], body: "{}"), context: requestContext())
        #expect(latin1.response.status == .unsupportedMediaType)
        let missing = responder().respond(to: request(.post, "/api/things", body: "{}"), context: requestContext())
        #expect(missing.response.status == .unsupportedMediaType)
    }

    @Test func jsonWithCharsetParameterIsAccepted() throws {
        let outcome = responder().respond(
            to: request(.post, "/api/things", headers: ["Content-Type": "Application/JSON; charset=UTF-8"], body: #"{"name":"x"}"#), context: requestContext())
        #expect(outcome.response.status == .created)
        #expect(try json(outcome.response)["message"] == "Created")
    }

    @Test func validationFailuresListDetails() throws {
        let outcome = responder().respond(
            to: request(.post, "/api/things", headers: ["Content-Type": "application/json"], body: #"{"name":5,"admin":true}"#), context: requestContext())
        #expect(outcome.response.status == .badRequest)
        let details = try json(outcome.response)["details"]?.arrayValue ?? []
        #expect(details.map { $0["field"] } == ["name", "admin"])
    }

    @Test func detailsAreCappedWithACountOfTheRest() throws {
        let many = (0..<120).map { FieldError(field: "f\($0)", message: "is not a known field") }
        let response = APIError.validation(many).response(path: "/x", requestId: "r", timestamp: "t")
        let details = try json(response)["details"]?.arrayValue ?? []
        #expect(details.count == 51)
        #expect(details[49]["field"] == "f49")
        #expect(details[50] == .object(["field": "body", "message": "and 70 more"]))
        let few = APIError.validation(Array(many.prefix(50))).response(path: "/x", requestId: "r", timestamp: "t")
        #expect(try json(few)["details"]?.arrayValue?.count == 50)
    }

    @Test func unexpectedErrorsBecomeA500WithoutInternals() throws {
        let outcome = responder().respond(to: request(.get, "/api/boom"), context: requestContext())
        #expect(outcome.response.status == .internalServerError)
        #expect(outcome.internalError is Boom)
        let text = String(decoding: outcome.response.body, as: UTF8.self)
        #expect(!text.contains("Boom"))
        #expect(try json(outcome.response)["message"] == "Internal server error")
    }

    @Test func mappedErrorsUseTheMapping() throws {
        let outcome = responder().respond(to: request(.get, "/api/mapped"), context: requestContext())
        #expect(outcome.response.status == .serviceUnavailable)
        #expect(outcome.response.header("Retry-After") == "5")
    }

    @Test func theGuardRunsBeforeTheHandler() throws {
        let guarded = responder(guardAccess: { route, _, _ in if route.access == .admin { throw APIError.unauthorized() } })
        let outcome = guarded.respond(to: request(.get, "/api/private"), context: requestContext())
        #expect(outcome.response.status == .unauthorized)
        #expect(outcome.response.header("WWW-Authenticate") == "Bearer")
    }

    @Test func preflightFromAnAllowedOriginGetsCORSHeaders() {
        let outcome = responder().respond(
            to: request(.options, "/api/things", headers: ["Origin": "https://shop.example", "Access-Control-Request-Method": "POST"]), context: requestContext())
        #expect(outcome.response.status == .noContent)
        #expect(outcome.response.header("Access-Control-Allow-Origin") == "https://shop.example")
        #expect(outcome.response.header("Access-Control-Allow-Methods") == "POST, OPTIONS")
        #expect(outcome.response.header("Access-Control-Allow-Headers") == "Authorization, Content-Type, Idempotency-Key, X-Cart-Token")
        #expect(outcome.response.header("Vary") == "Origin")
    }

    @Test func otherOriginsGetNoCORSHeaders() {
        let outcome = responder().respond(to: request(.get, "/api/things/1", headers: ["Origin": "https://evil.example"]), context: requestContext())
        #expect(outcome.response.status == .ok)
        #expect(outcome.response.header("Access-Control-Allow-Origin") == nil)
    }

    @Test func headDropsTheBody() {
        let outcome = responder().respond(to: request(.head, "/api/things/1"), context: requestContext())
        #expect(outcome.response.status == .ok)
        #expect(outcome.response.body.isEmpty)
    }

    @Test func rejectLabelsTheRouteThePathWouldHaveMatched() {
        let outcome = responder().reject(request(.post, "/api/things"), with: .payloadTooLarge(limit: 10))
        #expect(outcome.routeLabel == "/api/things")
        #expect(outcome.response.status == .payloadTooLarge)
    }
}
