import Foundation
import HTTP
import HTTPClient
import Testing

extension EndToEndTests {
    /// API.md §1 through nginx: the envelopes, the bad-input table, request ids.
    @Suite struct RequestHandling {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        private func expectError(
            _ response: HTTPClientResponse, _ status: Int, _ name: String, path: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws -> JSONValue {
            #expect(response.status == status, sourceLocation: sourceLocation)
            #expect(response.header("content-type") == "application/json; charset=utf-8", sourceLocation: sourceLocation)
            let body = try response.json
            #expect(body["statusCode"] == .int(status), sourceLocation: sourceLocation)
            #expect(body["error"] == .string(name), sourceLocation: sourceLocation)
            #expect(body["path"] == .string(path), sourceLocation: sourceLocation)
            let requestId = response.header("x-request-id")
            #expect(requestId != nil && body["requestId"] == .string(requestId!), sourceLocation: sourceLocation)
            let timestamp = body["timestamp"]?.stringValue ?? ""
            #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"), "timestamp \(timestamp)", sourceLocation: sourceLocation)
            return body
        }

        @Test func healthAnswersFromAWorker() throws {
            for path in ["/health", "/api/health/live"] {
                let response = try stack.get(path)
                #expect(response.status == 200)
                #expect(try response.json == .object(["status": "ok"]))
            }
            let head = try stack.request("HEAD", "/health")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }

        /// The worker tells each answer's length, and nginx passes it on instead of re-framing
        /// the answer in chunks; a HEAD tells the GET's length.
        @Test func answersReachTheClientWithTheirLength() throws {
            for headers in [[], [("Accept-Encoding", "gzip")]] {
                let page = try stack.get("/api/products?limit=5", headers: headers)
                #expect(page.status == 200)
                #expect(page.header("content-length") == String(page.body.count), "\(headers)")
                #expect(page.header("transfer-encoding") == nil, "\(headers)")
                #expect(page.body.count > 100)
            }
            let get = try stack.get("/health")
            let head = try stack.request("HEAD", "/health")
            #expect(head.header("content-length") == String(get.body.count))
            #expect(head.header("content-length") == "15")
        }

        @Test func readinessReportsBothDependencies() throws {
            let response = try stack.get("/api/health/ready")
            #expect(response.status == 200)
            let body = try response.json
            #expect(body["status"] == "ok")
            #expect(body["checks"]?["database"]?["status"] == "up")
            #expect(body["checks"]?["cache"]?["status"] == "up")
            #expect(body["checks"]?["database"]?["latencyMs"]?.intValue != nil)
        }

        @Test func httpsServesTheSameAPIWithHSTS() throws {
            let client = HTTPClient()
            let response = try client.send(HTTPClientRequest(url: stack.httpsURL + "/health", caBundlePath: stack.state + "/tls/fullchain.pem"))
            #expect(response.status == 200)
            #expect(try response.json == .object(["status": "ok"]))
            #expect(response.header("strict-transport-security") == "max-age=63072000")
            #expect(response.header("x-content-type-options") == "nosniff")
        }

        @Test func unknownRoutesAre404InTheEnvelope() throws {
            _ = try expectError(try stack.get("/api/no-such-thing"), 404, "NotFound", path: "/api/no-such-thing")
            // Outside /api nginx answers itself, in the same envelope.
            _ = try expectError(try stack.get("/definitely/not/here"), 404, "NotFound", path: "/definitely/not/here")
        }

        @Test func wrongMethodIs405WithAllow() throws {
            let response = try stack.request("DELETE", "/api/health/ready")
            _ = try expectError(response, 405, "MethodNotAllowed", path: "/api/health/ready")
            #expect(response.header("allow") == "GET, HEAD, OPTIONS")
        }

        @Test func wrongMediaTypeIs415() throws {
            let response = try stack.postJSON("/api/_test/echo", #"{"name":"a","quantity":1,"price":"1.00"}"#, contentType: "text/plain")
            _ = try expectError(response, 415, "UnsupportedMediaType", path: "/api/_test/echo")
            let form = try stack.postJSON("/api/_test/echo", "name=a", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 415)
        }

        @Test func validBodiesAreAccepted() throws {
            let response = try stack.postJSON("/api/_test/echo", #"{"name":"Mug","quantity":2,"price":12.5,"id":"6F9619FF-8B86-D011-B42D-00C04FC964FF"}"#)
            #expect(response.status == 201)
            #expect(
                try response.json
                    == .object([
                        "statusCode": 201, "message": "Created",
                        "data": .object(["name": "Mug", "quantity": 2, "price": "12.50", "id": "6f9619ff-8b86-d011-b42d-00c04fc964ff"]),
                    ]))
        }

        @Test func malformedJSONIs400WithDetails() throws {
            let body = try expectError(try stack.postJSON("/api/_test/echo", #"{"name": "a",}"#), 400, "BadRequest", path: "/api/_test/echo")
            #expect(body["message"] == "Validation failed")
            #expect(body["details"]?.arrayValue?.first?["field"] == "body")
        }

        @Test func nonUTF8BodiesAre400() throws {
            let response = try stack.request(
                "POST", "/api/_test/echo", headers: [("Content-Type", "application/json")], body: Array(#"{"name":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8))
            let body = try expectError(response, 400, "BadRequest", path: "/api/_test/echo")
            #expect(body["details"]?.arrayValue?.first?["field"] == "body")
        }

        @Test func everyFieldProblemIsListed() throws {
            let response = try stack.postJSON("/api/_test/echo", #"{"name":42,"quantity":"2","price":"1.999","role":"admin","id":"not-a-uuid"}"#)
            let body = try expectError(response, 400, "BadRequest", path: "/api/_test/echo")
            let details = body["details"]?.arrayValue ?? []
            #expect(details.map { $0["field"]?.stringValue ?? "" } == ["name", "quantity", "price", "id", "role"])
            #expect(
                details.map { $0["message"]?.stringValue ?? "" } == [
                    "must be a string", "must be an integer", "must have at most two decimal places", "must be a UUID", "is not a known field",
                ])
        }

        @Test func missingFieldsAndLimitsAreReported() throws {
            let long = String(repeating: "x", count: 101)
            let response = try stack.postJSON("/api/_test/echo", "{\"name\":\"\(long)\",\"price\":\"-1\"}")
            let details = try expectError(response, 400, "BadRequest", path: "/api/_test/echo")["details"]?.arrayValue ?? []
            #expect(details.map { $0["field"]?.stringValue ?? "" } == ["name", "quantity", "price"])
            #expect(details.map { $0["message"]?.stringValue ?? "" } == ["must be at most 100 characters", "is required", "must not be negative"])
        }

        @Test func malformedUUIDInThePathIs400() throws {
            let body = try expectError(try stack.get("/api/_test/items/12345"), 400, "BadRequest", path: "/api/_test/items/12345")
            #expect(body["details"]?.arrayValue?.first?["field"] == "id")
            #expect(try stack.get("/api/_test/items/6f9619ff-8b86-d011-b42d-00c04fc964ff").status == 200)
        }

        @Test func bodiesOverOneMebibyteAre413FromNginx() throws {
            let big = [UInt8](repeating: UInt8(ascii: " "), count: (1 << 20) + 1)
            let response = try stack.request("POST", "/api/_test/echo", headers: [("Content-Type", "application/json")], body: big)
            _ = try expectError(response, 413, "PayloadTooLarge", path: "/api/_test/echo")
            // Exactly 1 MiB passes both limits and is judged as JSON.
            let limit = Array(#"{"name":"a","quantity":1,"price":"1.00"}"#.utf8)
            let padded = limit + [UInt8](repeating: UInt8(ascii: " "), count: (1 << 20) - limit.count)
            #expect(try stack.request("POST", "/api/_test/echo", headers: [("Content-Type", "application/json")], body: padded).status == 201)
        }

        @Test func theWorkerItselfRefusesBodiesOverTheLimit() throws {
            // nginx would stop this first; the worker's own check protects other front ends.
            let answer = try FastCGIProbe.send(
                socket: stack.state + "/commerce.sock", method: "POST", uri: "/api/_test/echo",
                parameters: ["CONTENT_TYPE": "application/json"], body: [UInt8](repeating: 0x20, count: 2 << 20))
            #expect(answer.status == 413)
            #expect(answer.body.contains(#""error":"PayloadTooLarge""#))
        }

        @Test func internalErrorsShowNothingAndAreLoggedWithTheRequestId() throws {
            let response = try stack.get("/api/_test/crash")
            let body = try expectError(response, 500, "InternalServerError", path: "/api/_test/crash")
            #expect(body["message"] == "Internal server error")
            #expect(!response.text.contains("Boom"))
            let id = try #require(response.header("x-request-id"))
            let found = try stack.eventually(3) {
                try stack.logLines().contains { $0.contains(id) && $0.contains(#""level":"error""#) && $0.contains("Boom") }
            }
            #expect(found)
        }

        @Test func linesLoggedInsideAFeatureCarryTheRequestId() throws {
            // The webhook's signature check logs from the Payments module, not the pipeline.
            let response = try stack.webhook(Array(#"{"id":"evt_x"}"#.utf8), signature: "t=1,v1=00")
            #expect(response.status == 400)
            let id = try #require(response.header("x-request-id"))
            let found = try stack.eventually(3) {
                try stack.logLines().contains { $0.contains(#""msg":"webhook signature rejected""#) && $0.contains(#""requestId":"\#(id)""#) }
            }
            #expect(found)
        }

        @Test func requestIdsComeFromNginxAndCannotBeInjected() throws {
            let response = try stack.get("/health", headers: [("X-Request-Id", "injected\"id")])
            let id = try #require(response.header("x-request-id"))
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            #expect(response.headers.filter { $0.name == "x-request-id" }.count == 1)
            let line = try #require(try stack.eventually(3) { try stack.logLines().contains { $0.contains(id) } } ? stack.logLines().first { $0.contains(id) } : nil)
            let entry = try JSONParser.parse(Array(line.utf8))
            #expect(entry["msg"] == "request")
            #expect(entry["method"] == "GET")
            #expect(entry["route"] == "/health")
            #expect(entry["status"] == 200)
            #expect(entry["durationMs"] != nil)
            #expect(entry["worker"]?.stringValue != nil)
        }

        @Test func theAuthZoneIsRateLimitedWithJSONAndRetryAfter() throws {
            var statuses: [Int] = []
            var limited: HTTPClientResponse?
            // From 127.0.0.2: the local stack exempts 127.0.0.1, which the other tests use.
            let client = HTTPClient()
            for _ in 0..<12 {
                let response = try client.send(
                    HTTPClientRequest(
                        method: "POST", url: stack.baseURL + "/api/auth/login", headers: [(name: "Content-Type", value: "application/json")],
                        body: Array("{}".utf8), localAddress: "127.0.0.2"))
                statuses.append(response.status)
                if response.status == 429 { limited = response }
            }
            #expect(statuses.contains(429), "statuses \(statuses)")
            #expect(Set(statuses) == [400, 429], "statuses \(statuses)")
            let response = try #require(limited)
            _ = try expectError(response, 429, "TooManyRequests", path: "/api/auth/login")
            #expect(response.header("retry-after") == "1")
        }

        @Test func passwordChangesGetTheStrictZoneButReadsDoNot() throws {
            let account = try stack.register()
            let client = HTTPClient()
            func send(_ method: String) throws -> Int {
                try client.send(
                    HTTPClientRequest(
                        method: method, url: stack.baseURL + "/api/users/me",
                        headers: [(name: "Content-Type", value: "application/json"), (name: "Authorization", value: "Bearer " + account.accessToken)],
                        body: method == "PATCH" ? Array("{}".utf8) : nil, localAddress: "127.0.0.2")
                ).status
            }
            let patches = try (0..<9).map { _ in try send("PATCH") }
            #expect(patches.prefix(6).allSatisfy { $0 == 400 }, "statuses \(patches)")
            #expect(patches.suffix(3).allSatisfy { $0 == 429 }, "statuses \(patches)")
            // Reading the profile from the same address is not held back by the password zone.
            #expect(try (0..<9).map { _ in try send("GET") }.allSatisfy { $0 == 200 })
        }

        @Test func theLocalAddressIsNotLimited() throws {
            // `{}` reaches the worker and fails validation: never nginx's 429.
            for _ in 0..<12 { #expect(try stack.postJSON("/api/auth/login", "{}").status == 400) }
        }

        @Test func corsAnswersAllowedOriginsOnly() throws {
            let preflight = try stack.request("OPTIONS", "/api/_test/echo", headers: [("Origin", "http://localhost:3000"), ("Access-Control-Request-Method", "POST")])
            #expect(preflight.status == 204)
            #expect(preflight.header("access-control-allow-origin") == "http://localhost:3000")
            #expect(preflight.header("access-control-allow-methods") == "POST, OPTIONS")
            #expect(preflight.header("access-control-allow-headers") == "Authorization, Content-Type, Idempotency-Key, X-Cart-Token")
            let allowed = try stack.get("/health", headers: [("Origin", "http://localhost:3000")])
            #expect(allowed.header("access-control-allow-origin") == "http://localhost:3000")
            #expect(allowed.header("vary") == "Origin")
            let other = try stack.get("/health", headers: [("Origin", "https://evil.example")])
            #expect(other.header("access-control-allow-origin") == nil)
        }

        @Test func theDocumentAndItsPageAreServed() throws {
            let document = try stack.get("/api/docs/openapi.json")
            #expect(document.status == 200)
            let json = try document.json
            #expect(json["openapi"]?.stringValue?.hasPrefix("3.") == true)
            #expect(json["paths"]?["/api/health/ready"]?["get"] != nil)
            let page = try stack.get("/api/docs")
            #expect(page.status == 200)
            #expect(page.header("content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains("openapi.json"))
            // Nothing is fetched from elsewhere at view time.
            #expect(!page.text.contains("http://") && !page.text.contains("https://") && !page.text.contains("//cdn"))
        }

        @Test func nginxCompressesTheDocumentAndNothingThatCarriesSecrets() throws {
            let gzip = [("Accept-Encoding", "gzip")]
            let document = try stack.get("/api/docs/openapi.json", headers: gzip)
            #expect(document.status == 200)
            #expect(document.header("content-encoding") == "gzip")
            #expect(document.body.count < 40_000, "\(document.body.count) bytes")
            #expect(try stack.get("/api/docs", headers: gzip).header("content-encoding") == "gzip")
            let account = try stack.register()
            let me = try stack.get("/api/users/me", headers: gzip + [("Authorization", "Bearer " + account.accessToken)])
            #expect(me.status == 200)
            #expect(me.header("content-encoding") == nil)
        }

        @Test func secretsNeverReachTheLogs() throws {
            let env = try stack.environmentFile()
            let secrets = [env["JWT_SECRET"], env["METRICS_TOKEN"], env["DATABASE_URL"].flatMap { URLComponents(string: $0)?.password }].compactMap { $0 }
            #expect(secrets.count == 3)
            _ = try stack.get("/api/health/ready")
            for file in ["pool.log", "migrate.log", "nginx-error.log"] {
                let text = (try? String(contentsOfFile: stack.state + "/logs/" + file, encoding: .utf8)) ?? ""
                for secret in secrets { #expect(!text.contains(secret), "a secret is in \(file)") }
            }
        }
    }
}
