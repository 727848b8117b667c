@testable import Auth
import HTTP
import Testing

@Suite struct ValidationTests {
    func request(_ json: String) -> Request { Request(method: .post, rawPath: "/api/auth/register", body: Array(json.utf8)) }

    func details(_ body: () throws -> Void) -> [String] {
        do {
            try body()
            return []
        } catch let error as APIError {
            return error.details.map { "\($0.field): \($0.message)" }
        } catch {
            return ["unexpected \(error)"]
        }
    }

    @Test func registrationNormalisesTheEmail() throws {
        let input = try RegisterInput(request(#"{"email":"Ann@Example.COM","password":"12345678","firstName":"Ann","lastName":"Lee"}"#))
        #expect(input.email == "ann@example.com")
    }

    @Test func registrationReportsEveryFieldAtFault() {
        let found = details { _ = try RegisterInput(request(#"{"email":"nope","password":"short","firstName":"","lastName":"   ","role":"admin"}"#)) }
        #expect(
            found == [
                "email: must be a valid email address", "password: must be at least 8 characters", "firstName: must not be empty",
                "lastName: must not be blank", "role: is not a known field",
            ])
    }

    @Test func passwordsAreLimitedTo128Characters() {
        let long = String(repeating: "x", count: 129)
        let found = details { _ = try RegisterInput(request(#"{"email":"a@b.co","password":"\#(long)","firstName":"A","lastName":"B"}"#)) }
        #expect(found == ["password: must be at most 128 characters"])
    }

    @Test func namesAreLimitedTo100Characters() {
        let long = String(repeating: "é", count: 101)
        let found = details { _ = try RegisterInput(request(#"{"email":"a@b.co","password":"12345678","firstName":"\#(long)","lastName":"B"}"#)) }
        #expect(found == ["firstName: must be at most 100 characters"])
    }

    @Test func logoutTakesAnEmptyBodyOrTheAllSessionsFlag() throws {
        #expect(try LogoutInput(Request(method: .post, rawPath: "/api/auth/logout")).allSessions == false)
        #expect(try LogoutInput(request(#"{"allSessions":true}"#)).allSessions == true)
        #expect(details { _ = try LogoutInput(request(#"{"allSessions":"yes"}"#)) } == ["allSessions: must be a boolean"])
    }

    @Test func bearerTokensAreReadFromTheAuthorizationHeader() {
        func token(_ header: String?) -> String? {
            var headers = Headers()
            if let header { headers = Headers(["authorization": header]) }
            return Authenticator.bearerToken(Request(method: .get, rawPath: "/", headers: headers))
        }
        #expect(token("Bearer abc.def.ghi") == "abc.def.ghi")
        #expect(token("bearer  abc") == "abc")
        #expect(token("Basic abc") == nil)
        #expect(token("Bearer ") == nil)
        #expect(token(nil) == nil)
    }
}
