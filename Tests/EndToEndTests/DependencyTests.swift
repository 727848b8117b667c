import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// PostgreSQL and Redis going away and coming back, with the same workers throughout.
    @Suite struct Dependencies {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        private func readiness() throws -> (Int, JSONValue) {
            let response = try stack.get("/api/health/ready")
            return (response.status, try response.json)
        }

        @Test func readinessFollowsPostgreSQLWithoutRestartingWorkers() throws {
            let workers = try stack.workerPIDs()
            try stack.script("services.sh", "pg-stop")
            var restarted = false
            defer { if !restarted { try? stack.script("services.sh", "pg-start") } }
            for _ in 0..<8 {
                let (status, body) = try readiness()
                #expect(status == 503)
                #expect(body["status"] == "down")
                #expect(body["checks"]?["database"]?["status"] == "down")
            }
            try stack.script("services.sh", "pg-start")
            restarted = true
            // Every worker's next check reconnects: several in a row, so each worker is asked.
            let recovered = try stack.eventually(10) {
                try (0..<8).allSatisfy { _ in try readiness().0 == 200 }
            }
            #expect(recovered)
            // A worker may still be in its Redis cool-down from an earlier Redis test (degraded).
            #expect(try stack.eventually(10) { try readiness().1["status"] == "ok" })
            #expect(try stack.workerPIDs() == workers, "workers were restarted")
        }

        @Test func redisDownIsDegradedNotDown() throws {
            let workers = try stack.workerPIDs()
            try stack.script("services.sh", "redis-stop")
            var restarted = false
            defer { if !restarted { try? stack.script("services.sh", "redis-start") } }
            for _ in 0..<8 {
                let (status, body) = try readiness()
                #expect(status == 200)
                #expect(body["status"] == "degraded")
                #expect(body["checks"]?["cache"]?["status"] == "down")
                #expect(body["checks"]?["database"]?["status"] == "up")
            }
            try stack.script("services.sh", "redis-start")
            restarted = true
            // The breaker keeps a worker off Redis for 5 s after it failed, then it reconnects.
            let recovered = try stack.eventually(12) {
                try (0..<8).allSatisfy { _ in try readiness().1["status"] == "ok" }
            }
            #expect(recovered)
            #expect(try stack.workerPIDs() == workers, "workers were restarted")
        }
    }
}
