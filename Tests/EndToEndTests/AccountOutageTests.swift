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
