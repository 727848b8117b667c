import Foundation
import HTTP
import Postgres
import Testing

extension EndToEndTests {
    /// API.md §3: the profile, the admin user routes and their guards.
    @Suite struct Users {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func meAnswersTheCallerOnly() throws {
            let account = try stack.register(firstName: "Mia", lastName: "Wong")
            let response = try stack.send("GET", "/api/users/me", token: account.accessToken)
            #expect(response.status == 200)
            let data = try response.json["data"]
            #expect(data?["id"] == .string(account.id))
            #expect(data?["firstName"] == "Mia")
            #expect(data?["isActive"] == true)
            #expect(data?.objectValue?.keys.contains("passwordHash") == false)
        }

        @Test func protectedRoutesAnswer401WithoutAValidToken() throws {
            for path in ["/api/users/me", "/api/users/me/addresses", "/api/users"] {
                let response = try stack.send("GET", path)
                #expect(response.status == 401)
                #expect(response.header("www-authenticate") == "Bearer")
                #expect(try response.json["error"] == "Unauthorized")
                #expect(try stack.request("GET", path, headers: [("Authorization", "Basic YTpi")]).status == 401)
            }
        }

        @Test func usersGet403OnAdminRoutes() throws {
            let account = try stack.register()
            for (method, path, body) in [("GET", "/api/users", nil), ("GET", "/api/users/\(account.id)", nil), ("PATCH", "/api/users/\(account.id)", #"{"role":"admin"}"#)] {
                let response = try stack.send(method, path, json: body, token: account.accessToken)
                #expect(response.status == 403, "\(method) \(path)")
                #expect(try response.json["error"] == "Forbidden")
            }
            #expect(try stack.database().query("SELECT role FROM users WHERE id = $1", [account.id]).string(0, 0) == "user")
        }

        @Test func massAssignmentIsRefusedAndChangesNothing() throws {
            let account = try stack.register()
            for body in [#"{"role":"admin"}"#, #"{"isActive":false}"#, #"{"firstName":"X","role":"admin"}"#, #"{"passwordHash":"x"}"#, "{}"] {
                let response = try stack.send("PATCH", "/api/users/me", json: body, token: account.accessToken)
                #expect(response.status == 400, "\(body)")
            }
            let row = try #require(try stack.database().query("SELECT role, is_active, first_name FROM users WHERE id = $1", [account.id]).first)
            #expect(row.string("role") == "user" && row.bool("is_active") == true && row.string("first_name") == "Ann")
        }

        @Test func profileChangesAndTheCurrentPasswordRule() throws {
            let account = try stack.register()
            let names = try stack.send("PATCH", "/api/users/me", json: #"{"firstName":"Zoë","lastName":"Ng"}"#, token: account.accessToken)
            #expect(names.status == 200)
            #expect(try names.json["data"]?["firstName"] == "Zoë")

            let newEmail = Stack.uniqueEmail("moved")
            let missing = try stack.send("PATCH", "/api/users/me", json: #"{"email":"\#(newEmail)"}"#, token: account.accessToken)
            #expect(missing.status == 400)
            #expect(try missing.json["details"]?.arrayValue?.first?["field"] == "currentPassword")
            let wrong = try stack.send("PATCH", "/api/users/me", json: #"{"email":"\#(newEmail)","currentPassword":"wrong password"}"#, token: account.accessToken)
            #expect(wrong.status == 401)
            let taken = try stack.register()
            let clash = try stack.send("PATCH", "/api/users/me", json: #"{"email":"\#(taken.email)","currentPassword":"\#(account.password)"}"#, token: account.accessToken)
            #expect(clash.status == 409)
            let moved = try stack.send(
                "PATCH", "/api/users/me", json: #"{"email":"\#(newEmail.uppercased())","currentPassword":"\#(account.password)"}"#, token: account.accessToken)
            #expect(moved.status == 200)
            #expect(try moved.json["data"]?["email"] == .string(newEmail))
            #expect(try stack.login(newEmail, account.password).id == account.id)
        }

        @Test func aPasswordChangeEndsTheOtherSessionsOnly() throws {
            let account = try stack.register()
            let other = try stack.login(account.email, account.password)
            let change = try stack.send("PATCH", "/api/users/me", json: #"{"newPassword":"a newer password","currentPassword":"\#(account.password)"}"#, token: account.accessToken)
            #expect(change.status == 200)
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: other.accessToken) == Array(repeating: 401, count: 6))
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: account.accessToken) == Array(repeating: 200, count: 6))
            #expect(try stack.login(account.email, "a newer password").id == account.id)
        }

        @Test func adminsListSearchAndFilterUsers() throws {
            let admin = try stack.admin()
            let marker = "Qx" + UUID().uuidString.prefix(6).lowercased()
            var ids: [String] = []
            for index in 0..<3 { ids.append(try stack.register(firstName: marker, lastName: "Number\(index)").id) }
            let page = try stack.send("GET", "/api/users?search=\(marker)&limit=2&sort=lastName:asc", token: admin.accessToken)
            #expect(page.status == 200)
            let body = try page.json
            #expect(body["pagination"] == .object(["total": 3, "page": 1, "limit": 2, "totalPages": 2]))
            #expect(body["data"]?.arrayValue?.map { $0["lastName"] } == ["Number0", "Number1"])
            let second = try stack.send("GET", "/api/users?search=\(marker)&limit=2&page=2&sort=lastName:asc", token: admin.accessToken).json
            #expect(second["data"]?.arrayValue?.map { $0["lastName"] } == ["Number2"])
            let admins = try stack.send("GET", "/api/users?role=admin&limit=100", token: admin.accessToken).json
            #expect(admins["data"]?.arrayValue?.allSatisfy { $0["role"] == "admin" } == true)
            // LIKE wildcards in a search are literal.
            #expect(try stack.send("GET", "/api/users?search=%25", token: admin.accessToken).json["pagination"]?["total"] == 0)
            for bad in ["sort=password:asc", "role=root", "limit=0", "page=x", "isActive=maybe"] {
                #expect(try stack.send("GET", "/api/users?\(bad)", token: admin.accessToken).status == 400, "\(bad)")
            }
            #expect(try stack.send("GET", "/api/users/\(ids[0])", token: admin.accessToken).json["data"]?["firstName"] == .string(marker))
            #expect(try stack.send("GET", "/api/users/\(UUID().uuidString.lowercased())", token: admin.accessToken).status == 404)
            #expect(try stack.send("GET", "/api/users/not-a-uuid", token: admin.accessToken).status == 400)
        }

        @Test func deactivationEndsEverySessionAtOnce() throws {
            let admin = try stack.admin()
            let account = try stack.register()
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: account.accessToken) == Array(repeating: 200, count: 6))
            let response = try stack.send("PATCH", "/api/users/\(account.id)", json: #"{"isActive":false}"#, token: admin.accessToken)
            #expect(response.status == 200)
            #expect(try response.json["data"]?["isActive"] == false)
            #expect(stack.concurrentStatuses(8, "GET", "/api/users/me", token: account.accessToken) == Array(repeating: 401, count: 8))
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(account.refreshToken)"}"#).status == 401)
            #expect(try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(account.email)","password":"\#(account.password)"}"#).status == 401)
        }

        @Test func roleChangesApplyOnTheNextRequest() throws {
            let admin = try stack.admin()
            let account = try stack.register()
            #expect(try stack.send("GET", "/api/users", token: account.accessToken).status == 403)
            #expect(try stack.send("PATCH", "/api/users/\(account.id)", json: #"{"role":"admin"}"#, token: admin.accessToken).status == 200)
            // Same token, minted with role "user": the current role counts.
            #expect(stack.concurrentStatuses(6, "GET", "/api/users", token: account.accessToken) == Array(repeating: 200, count: 6))
            #expect(try stack.send("PATCH", "/api/users/\(account.id)", json: #"{"role":"user"}"#, token: admin.accessToken).status == 200)
            #expect(stack.concurrentStatuses(6, "GET", "/api/users", token: account.accessToken) == Array(repeating: 403, count: 6))
            #expect(try stack.send("PATCH", "/api/users/\(account.id)", json: #"{"email":"x@y.co"}"#, token: admin.accessToken).status == 400)
        }

        /// `GET /api/users/me` is answered from the session's cache entry (no query), and every
        /// change of the user, by them or by an admin, shows on the next read on every worker.
        @Test func theProfileComesWithTheSessionAndEveryChangeShowsAtOnce() throws {
            let admin = try stack.admin()
            let account = try stack.register(firstName: "Ivy", lastName: "Fox")
            let other = try stack.login(account.email, account.password)
            func everyRead(_ token: String, _ field: String) -> Set<String> {
                Set(stack.concurrentResponses(8, "/api/users/me", token: token).map { (try? $0.json["data"]?[field]?.stringValue) ?? "status \($0.status)" })
            }
            #expect(everyRead(account.accessToken, "firstName") == ["Ivy"])
            let queries = try stack.metrics().value("db_queries_total")
            for _ in 0..<10 { #expect(try stack.send("GET", "/api/users/me", token: account.accessToken).status == 200) }
            #expect(try stack.metrics().value("db_queries_total") == queries, "ten profiles, no query")

            #expect(try stack.send("PATCH", "/api/users/me", json: #"{"firstName":"Iris"}"#, token: account.accessToken).status == 200)
            #expect(everyRead(account.accessToken, "firstName") == ["Iris"])
            #expect(everyRead(other.accessToken, "firstName") == ["Iris"], "the user's other session too")
            #expect(try stack.send("PATCH", "/api/users/\(account.id)", json: #"{"lastName":"Moss","role":"admin"}"#, token: admin.accessToken).status == 200)
            #expect(everyRead(other.accessToken, "lastName") == ["Moss"])
            #expect(everyRead(other.accessToken, "role") == ["admin"])
            let updated = try #require(try stack.send("GET", "/api/users/\(account.id)", token: admin.accessToken).json["data"])
            #expect(try stack.send("GET", "/api/users/me", token: account.accessToken).json["data"] == updated)
            // Revocation stays exact: the profile never outlives the session.
            #expect(try stack.request("POST", "/api/auth/logout", headers: other.bearer).status == 200)
            #expect(everyRead(other.accessToken, "id") == ["status 401"])
            #expect(everyRead(account.accessToken, "lastName") == ["Moss"])
        }

        @Test func theLastActiveAdminCannotBeRemoved() throws {
            let admin = try stack.admin()
            let db = try stack.database()
            // Leave this admin as the only one; the other tests' admins are demoted.
            try db.query("UPDATE users SET role = 'user' WHERE role = 'admin' AND id <> $1", [admin.id])
            let demote = try stack.send("PATCH", "/api/users/\(admin.id)", json: #"{"role":"user"}"#, token: admin.accessToken)
            #expect(demote.status == 409)
            let deactivate = try stack.send("PATCH", "/api/users/\(admin.id)", json: #"{"isActive":false}"#, token: admin.accessToken)
            #expect(deactivate.status == 409)
            #expect(try db.query("SELECT role, is_active FROM users WHERE id = $1", [admin.id]).string(0, 0) == "admin")
            // With a second admin, the first may step down.
            let second = try stack.admin()
            #expect(try stack.send("PATCH", "/api/users/\(admin.id)", json: #"{"role":"user"}"#, token: second.accessToken).status == 200)
        }

        @Test func createAdminRefusesAShortPassword() throws {
            var env = try stack.environmentFile()
            env["ADMIN_PASSWORD"] = "short"
            #expect(try Subprocess.run(stack.binary, ["create-admin", "--email", Stack.uniqueEmail()], environment: env).status == 64)
        }
    }
}
