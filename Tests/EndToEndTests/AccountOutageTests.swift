import Foundation
import HTTP
import Postgres
import Testing

extension EndToEndTests {
    /// Accounts while Redis or the SMTP relay is away, and the jobs process's lifecycle.
    @Suite struct AccountOutages {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func withRedisStoppedLoginAndSessionsStillWork() throws {
            let account = try stack.register()
            try stack.script("services.sh", "redis-stop")
            var restarted = false
            defer { if !restarted { try? stack.script("services.sh", "redis-start") } }
            let again = try stack.login(account.email, account.password)
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: again.accessToken) == Array(repeating: 200, count: 6))
            #expect(try stack.send("POST", "/api/auth/logout", token: again.accessToken).status == 200)
            // Revocation is read from PostgreSQL while Redis is down.
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: again.accessToken) == Array(repeating: 401, count: 6))
            try stack.script("services.sh", "redis-start")
            restarted = true
            #expect(stack.concurrentStatuses(6, "GET", "/api/users/me", token: again.accessToken) == Array(repeating: 401, count: 6))
            let recovered = try stack.eventually(10) { try stack.send("GET", "/api/users/me", token: account.accessToken).status == 200 }
            #expect(recovered)
        }

        @Test func withRedisStoppedAPIKeysAreCheckedInPostgreSQL() throws {
            let f = try CatalogFixture(stack: stack)
            let created = try stack.apiKey(f.admin, scopes: ["orders:read"])
            let key = try #require(created["key"]?.stringValue)
            try stack.script("services.sh", "redis-stop")
            var restarted = false
            defer { if !restarted { try? stack.script("services.sh", "redis-start") } }
            #expect(stack.concurrentStatuses(4, "GET", "/api/orders?scope=all&limit=1", token: key) == Array(repeating: 200, count: 4))
            #expect(try stack.send("GET", "/api/users?limit=1", token: key).status == 403)
            // Revoked while the cache is away: PostgreSQL says so at once.
            #expect(try stack.send("DELETE", "/api/api-keys/\(created.id)", token: f.admin.accessToken).status == 200)
            #expect(stack.concurrentStatuses(4, "GET", "/api/orders?scope=all&limit=1", token: key) == Array(repeating: 401, count: 4))
            try stack.script("services.sh", "redis-start")
            restarted = true
            #expect(stack.concurrentStatuses(4, "GET", "/api/orders?scope=all&limit=1", token: key) == Array(repeating: 401, count: 4))
        }

        @Test func mailQueuedWhileSMTPIsDownIsDeliveredWhenItReturns() throws {
            try stack.script("services.sh", "smtp-stop")
            var restarted = false
            defer { if !restarted { try? stack.script("services.sh", "smtp-start") } }
            let email = Stack.uniqueEmail("queued")
            _ = try stack.register(email: email)
            let db = try stack.database()
            // The jobs process tries, fails, and keeps the row for a later attempt.
            let tried = try stack.eventually(10) {
                try db.query("SELECT attempts FROM email_outbox WHERE to_address = $1 AND status = 'pending' AND last_error IS NOT NULL", [email]).rowCount == 1
            }
            #expect(tried)
            #expect(Mailbox(stack: stack).messages(to: email).isEmpty)
            try stack.script("services.sh", "smtp-start")
            restarted = true
            let delivered = Mailbox(stack: stack).waitForMessages(to: email, seconds: 20)
            #expect(delivered.count == 1)
            #expect(delivered.first?.subject == "Welcome to the store")
            #expect(try db.query("SELECT status FROM email_outbox WHERE to_address = $1", [email]).string(0, 0) == "sent")
        }

        @Test func theJobsProcessStopsCleanlyOnSIGTERM() throws {
            try stack.script("pool.sh", "jobs-stop")
            var restarted = false
            defer { if !restarted { try? stack.script("pool.sh", "jobs-start") } }
            #expect(try stack.logLines("jobs.log").last?.contains("\"jobs stopped\"") == true)
            try stack.script("pool.sh", "jobs-start")
            restarted = true
            let email = Stack.uniqueEmail("after-restart")
            _ = try stack.register(email: email)
            #expect(Mailbox(stack: stack).waitForMessages(to: email).count == 1)
        }

        @Test func twoJobsProcessesNeverSendAMessageTwice() throws {
            var env = try stack.environmentFile()
            env["JOBS_POLL_MS"] = "50"
            let extra = try Subprocess(stack.binary, ["jobs"], environment: env)
            defer { extra.terminate() }
            let emails = (0..<12).map { _ in Stack.uniqueEmail("burst") }
            DispatchQueue.concurrentPerform(iterations: emails.count) { index in _ = try? stack.register(email: emails[index]) }
            let mailbox = Mailbox(stack: stack)
            for email in emails {
                #expect(mailbox.waitForMessages(to: email).count == 1, "\(email)")
            }
            Thread.sleep(forTimeInterval: 0.5)
            #expect(emails.map { mailbox.messages(to: $0).count } == Array(repeating: 1, count: emails.count))
        }
    }
}

extension EndToEndTests {
    /// What the jobs process removes, and what it must keep.
    @Suite struct AccountRetention {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func expiredTokensAndOldSessionsArePurgedLiveOnesKept() throws {
            let account = try stack.register()
            let db = try stack.database()
            let old = try #require(
                db.query(
                    """
                    INSERT INTO sessions (user_id, expires_at, created_at) VALUES ($1, now() - interval '40 days', now() - interval '50 days') RETURNING id
                    """, [account.id]
                ).string(0, 0))
            try db.query(
                """
                INSERT INTO refresh_tokens (id, session_id, user_id, token_hash, expires_at)
                VALUES (gen_random_uuid(), $1, $2, sha256(gen_random_uuid()::text::bytea), now() - interval '40 days')
                """, [old, account.id])
            try db.query(
                """
                INSERT INTO password_reset_tokens (user_id, token_hash, expires_at) VALUES ($1, sha256(gen_random_uuid()::text::bytea), now() - interval '2 days')
                """, [account.id])
            let (status, _) = try Subprocess.run(stack.binary, ["jobs", "--once"], environment: try stack.environmentFile())
            #expect(status == 0)
            #expect(try db.query("SELECT count(*) FROM sessions WHERE id = $1", [old]).int(0, 0) == 0)
            #expect(try db.query("SELECT count(*) FROM refresh_tokens WHERE session_id = $1", [old]).int(0, 0) == 0)
            #expect(try db.query("SELECT count(*) FROM password_reset_tokens WHERE user_id = $1", [account.id]).int(0, 0) == 0)
            // The live session and its refresh token are untouched.
            #expect(try db.query("SELECT count(*) FROM sessions WHERE user_id = $1", [account.id]).int(0, 0) == 1)
            #expect(try stack.send("POST", "/api/auth/refresh", json: #"{"refreshToken":"\#(account.refreshToken)"}"#).status == 200)
        }
    }
}
