import Foundation
import HTTP
import Postgres
import Testing

extension EndToEndTests {
    /// API.md §2 through nginx: register, login, refresh, logout, forgot and reset password.
    @Suite struct Authentication {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func registrationAnswersTheUserAndTokensAndQueuesAWelcome() throws {
            let email = Stack.uniqueEmail("Reg")
            let response = try stack.send("POST", "/api/auth/register", json: #"{"email":"\#(email)","password":"correct horse 1","firstName":"Ann","lastName":"Lee"}"#)
            #expect(response.status == 201)
            let body = try response.json
            #expect(body["message"] == "Created")
            let data = try #require(body["data"])
            #expect(data["user"]?.objectValue?.keys == ["id", "email", "firstName", "lastName", "role", "isActive", "createdAt", "updatedAt"])
            #expect(data["user"]?["email"] == .string(email.lowercased()))
            #expect(data["user"]?["role"] == "user")
            #expect(data["tokenType"] == "Bearer")
            #expect(data["expiresIn"] == 900)
            #expect(!response.text.contains("scrypt") && !response.text.contains("password"))
            let welcome = Mailbox(stack: stack).waitForMessages(to: email.lowercased())
            #expect(welcome.count == 1)
            #expect(welcome.first?.subject == "Welcome to the store")
        }

        @Test func aTakenEmailIs409WhateverItsCase() throws {
            let account = try stack.register()
            let response = try stack.send(
                "POST", "/api/auth/register", json: #"{"email":"\#(account.email.uppercased())","password":"another pass 1","firstName":"B","lastName":"C"}"#)
            #expect(response.status == 409)
            #expect(try response.json["error"] == "Conflict")
        }

        @Test func badRegistrationsAre400AndWriteNothing() throws {
            let email = Stack.uniqueEmail("bad")
            let cases = [
                #"{"email":"\#(email)","password":"short","firstName":"A","lastName":"B"}"#,
                #"{"email":"not-an-email","password":"long enough","firstName":"A","lastName":"B"}"#,
                #"{"email":"\#(email)","password":"long enough","firstName":"A","lastName":"B","role":"admin"}"#,
                #"{"email":"\#(email)","password":"long enough","firstName":"A"}"#,
                #"{"email":"\#(email)","password":12345678,"firstName":"A","lastName":"B"}"#,
                #"{"email":"\#(email)","password":"long enough","firstName":"\#(String(repeating: "a", count: 101))","lastName":"B"}"#,
            ]
            for body in cases {
                let response = try stack.send("POST", "/api/auth/register", json: body)
                #expect(response.status == 400, "\(body)")
                #expect(try response.json["details"]?.arrayValue?.isEmpty == false)
            }
            #expect(try stack.database().query("SELECT count(*) FROM users WHERE email = $1", [email]).int(0, 0) == 0)
        }

        @Test func wrongPasswordAndUnknownEmailAnswerAlike() throws {
            let account = try stack.register()
            let wrong = try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(account.email)","password":"wrong password"}"#)
            let unknown = try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(Stack.uniqueEmail("nobody"))","password":"wrong password"}"#)
            #expect(wrong.status == 401 && unknown.status == 401)
            #expect(try wrong.json["message"] == unknown.json["message"])
            #expect(wrong.header("www-authenticate") == "Bearer")
            let good = try stack.login(account.email.uppercased(), account.password)
            #expect(good.id == account.id)
        }

        @Test func fiveFailuresSlowThatEmailFromThatAddressWithRetryAfter() throws {
            let account = try stack.register()
            let other = try stack.register()
            for _ in 0..<5 {
                #expect(try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(account.email)","password":"wrong password"}"#).status == 401)
            }
            let slowed = try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(account.email)","password":"\#(account.password)"}"#)
            #expect(slowed.status == 429)
            #expect(try slowed.json["error"] == "TooManyRequests")
            // The first wait is 15 s; each further failure doubles it, up to 15 min.
            let retryAfter = try #require(Int(slowed.header("retry-after") ?? ""))
            #expect(retryAfter >= 1 && retryAfter <= 15)
            // Another email is not affected.
            #expect(try stack.login(other.email, other.password).id == other.id)
        }

        @Test func refreshRotatesAndAReusedTokenRevokesTheSession() throws {
            let account = try stack.register()
            let first = try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(account.refreshToken)"}"#)
            #expect(first.status == 200)
            let rotated = try stack.account(from: first, password: account.password)
            #expect(rotated.refreshToken != account.refreshToken)
            #expect(try stack.send("GET", "/api/users/me", token: rotated.accessToken).status == 200)

            // The old token again: theft. The whole session goes, including the new pair.
            let reuse = try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(account.refreshToken)"}"#)
            #expect(reuse.status == 401)
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(rotated.refreshToken)"}"#).status == 401)
            #expect(stack.concurrentStatuses(8, "GET", "/api/users/me", token: rotated.accessToken) == Array(repeating: 401, count: 8))
            let stored = try stack.database().query("SELECT count(*) FROM refresh_tokens WHERE token_hash = sha256($1::bytea)", [rotated.refreshToken])
            #expect(stored.int(0, 0) == 1, "the token is found by its SHA-256 only")
        }

        @Test func tokensOnlyWorkAsTheirOwnKind() throws {
            let account = try stack.register()
            #expect(try stack.send("GET", "/api/users/me", token: account.refreshToken).status == 401)
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(account.accessToken)"}"#).status == 401)
            var parts = account.accessToken.split(separator: ".").map(String.init)
            parts[2] = String(parts[2].reversed())
            #expect(try stack.send("GET", "/api/users/me", token: parts.joined(separator: ".")).status == 401)
            let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + parts[1] + "."
            #expect(try stack.send("GET", "/api/users/me", token: none).status == 401)
        }

        @Test func logoutEndsTheSessionOnEveryWorkerAtOnce() throws {
            let account = try stack.register()
            let second = try stack.login(account.email, account.password)
            #expect(stack.concurrentStatuses(8, "GET", "/api/users/me", token: account.accessToken) == Array(repeating: 200, count: 8))
            let logout = try stack.request("POST", "/api/auth/logout", headers: account.bearer)
            #expect(logout.status == 200)
            #expect(try logout.json["data"] == .null)
            #expect(stack.concurrentStatuses(8, "GET", "/api/users/me", token: account.accessToken) == Array(repeating: 401, count: 8))
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(account.refreshToken)"}"#).status == 401)
            // The other login is untouched until it logs out everywhere.
            #expect(try stack.send("GET", "/api/users/me", token: second.accessToken).status == 200)
            let third = try stack.login(account.email, account.password)
            #expect(try stack.send("POST", "/api/auth/logout", json: #"{"allSessions":true}"#, token: second.accessToken).status == 200)
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: third.accessToken) == Array(repeating: 401, count: 6))
        }

        @Test func logoutNeedsABearerToken() throws {
            let response = try stack.send("POST", "/api/auth/logout")
            #expect(response.status == 401)
            #expect(response.header("www-authenticate") == "Bearer")
        }

        @Test func forgotPasswordAnswersTheSameForUnknownEmails() throws {
            let account = try stack.register()
            let known = try stack.send("POST", "/api/auth/forgot-password", json: #"{"email":"\#(account.email)"}"#)
            let unknown = try stack.send("POST", "/api/auth/forgot-password", json: #"{"email":"\#(Stack.uniqueEmail("ghost"))"}"#)
            #expect(known.status == 202 && unknown.status == 202)
            #expect(try known.json == unknown.json)
            #expect(try known.json["data"] == .null)
            #expect(try stack.send("POST", "/api/auth/forgot-password", json: #"{"email":"nope"}"#).status == 400)
        }

        @Test func aResetTokenFromTheEmailWorksOnceAndEndsEverySession() throws {
            let account = try stack.register()
            #expect(try stack.send("POST", "/api/auth/forgot-password", json: #"{"email":"\#(account.email)"}"#).status == 202)
            let mail = Mailbox(stack: stack).waitForMessages(to: account.email, count: 2).first { $0.subject == "Reset your password" }
            let body = try #require(mail?.body)
            let token = try #require(body.components(separatedBy: "token=").dropFirst().first?.components(separatedBy: "\r\n").first)
            #expect(try stack.database().query("SELECT count(*) FROM password_reset_tokens WHERE token_hash = sha256($1::bytea)", [token]).int(0, 0) == 1)

            let reset = try stack.send("POST", "/api/auth/reset-password", json: #"{"token":"\#(token)","password":"brand new pass"}"#)
            #expect(reset.status == 200)
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: account.accessToken) == Array(repeating: 401, count: 6))
            #expect(try stack.send("POST", "/api/auth/login", json: #"{"email":"\#(account.email)","password":"\#(account.password)"}"#).status == 401)
            #expect(try stack.login(account.email, "brand new pass").id == account.id)

            let again = try stack.send("POST", "/api/auth/reset-password", json: #"{"token":"\#(token)","password":"another new pass"}"#)
            #expect(again.status == 400)
            #expect(try again.json["details"]?.arrayValue?.first?["field"] == "token")
            #expect(try stack.send("POST", "/api/auth/reset-password", json: #"{"token":"made-up","password":"another new pass"}"#).status == 400)
        }

        @Test func aLoginUpgradesAHashMadeWithOlderParameters() throws {
            let account = try stack.register()
            let db = try stack.database()
            let weaker = try PasswordHasherForTests.hash(account.password, logN: 12)
            try db.query("UPDATE users SET password_hash = $2 WHERE id = $1", [account.id, weaker])
            _ = try stack.login(account.email, account.password)
            let stored = try #require(db.query("SELECT password_hash FROM users WHERE id = $1", [account.id]).string(0, 0))
            let configured = try stack.environmentFile()["PASSWORD_SCRYPT_LOG_N"]!
            #expect(stored.hasPrefix("$scrypt$ln=\(configured),r=8,p=1$"))
            #expect(try stack.login(account.email, account.password).id == account.id)
        }
    }
}

import Crypto

enum PasswordHasherForTests {
    static func hash(_ password: String, logN: Int) throws -> String {
        try PasswordHasher(parameters: ScryptParameters(logN: logN)).hash(password)
    }
}
