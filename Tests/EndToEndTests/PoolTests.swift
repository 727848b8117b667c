import Foundation
import HTTP
import HTTPClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension EndToEndTests {
    /// The supervisor and its workers (DESIGN.md §1): crashes, rolling replacement, drains.
    @Suite struct Pool {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        /// Both pools: 4 api workers and 2 checkout workers.
        private let poolSize = 6

        private func waitForFullPool() throws {
            let full = try stack.eventually(10) { try stack.workerPIDs().count == poolSize }
            #expect(full, "the pools did not get back to \(poolSize) workers")
        }

        private func restarts(_ metrics: MetricsText) -> Double { metrics.samples("commerce_worker_restarts_total").values.reduce(0, +) }

        @Test func aKilledWorkerIsReplacedAndThePoolKeepsAnswering() throws {
            try waitForFullPool()
            let before = try stack.workerPIDs()
            let victim = try #require(before.first)
            #expect(kill(victim, SIGKILL) == 0)
            for _ in 0..<40 { #expect(try stack.get("/api/health/live").status == 200) }
            let replaced = try stack.eventually(5) {
                let now = try stack.workerPIDs()
                return now.count == poolSize && !now.contains(victim)
            }
            #expect(replaced)
            #expect(restarts(try stack.metrics()) >= 1)
        }

        @Test func sighupReplacesEveryWorkerUnderLoadWithoutLosingARequest() throws {
            try waitForFullPool()
            let before = try stack.workerPIDs()
            let results = Locked([Int: Int]())
            let stop = Locked(false)
            let supervisor = try stack.supervisorPID
            DispatchQueue.concurrentPerform(iterations: 7) { index in
                if index == 0 {
                    Thread.sleep(forTimeInterval: 0.5)
                    kill(supervisor, SIGHUP)
                    _ = try? stack.eventually(15) { try stack.workerPIDs().isDisjoint(with: before) && stack.workerPIDs().count == poolSize }
                    Thread.sleep(forTimeInterval: 0.3)
                    stop.mutate { $0 = true }
                    return
                }
                let client = HTTPClient()
                while !stop.value {
                    // A mix of instant and slow requests, so some are in flight when their worker is told to go.
                    let path = index % 3 == 0 ? "/api/_test/sleep?ms=150" : "/api/health/ready"
                    let status = (try? stack.request("GET", path, client: client).status) ?? -1
                    results.mutate { $0[status, default: 0] += 1 }
                }
            }
            let counts = results.value
            let total = counts.values.reduce(0, +)
            #expect(total > 100, "load too light: \(counts)")
            #expect(counts.keys.sorted() == [200], "statuses during the roll: \(counts)")
            let after = try stack.workerPIDs()
            #expect(after.count == poolSize)
            #expect(after.isDisjoint(with: before), "workers not replaced: \(before.intersection(after))")
        }

        @Test func aWorkerToldToStopFinishesItsRequestFirst() throws {
            try waitForFullPool()
            let workers = try stack.workerPIDs()
            let answer = Locked<HTTPClientResponse?>(nil)
            let client = Thread {
                answer.mutate { $0 = try? stack.get("/api/_test/sleep?ms=1500") }
            }
            client.start()
            // Find the worker holding the slow request through the scoreboard's busy state:
            // signal every worker; only idle ones leave at once, the busy one must finish first.
            Thread.sleep(forTimeInterval: 0.4)
            for pid in workers { kill(pid, SIGTERM) }
            let done = stack.eventually(5) { answer.value != nil }
            #expect(done)
            let response = try #require(answer.value)
            #expect(response.status == 200)
            #expect(try response.json["data"]?["sleptMs"] == 1500)
            try waitForFullPool()
        }

        @Test func socketActivationServesFromAnInheritedSocket() throws {
            let socket = stack.state + "/activated.sock"
            unlink(socket)
            var env = try stack.environmentFile()
            env["SCOREBOARD_PATH"] = stack.state + "/activated.scoreboard"
            env["WORKER_ID"] = "1"
            env["SOCKET_PATH"] = "/nonexistent/unused.sock"
            let process = try Subprocess(
                "/usr/bin/systemd-socket-activate",
                ["-l", socket] + env.sorted { $0.key < $1.key }.map { "-E\($0.key)=\($0.value)" } + [stack.binary, "worker"],
                environment: [:])
            defer {
                process.terminate()
                unlink(socket)
            }
            #expect(stack.eventually(5) { FileManager.default.fileExists(atPath: socket) })
            // The first connection makes systemd-socket-activate exec the worker with the socket as fd 3.
            let first = try FastCGIProbe.send(socket: socket, method: "GET", uri: "/api/health/ready")
            #expect(first.status == 200)
            #expect(first.body.contains(#""database":{"status":"up""#))
            let second = try FastCGIProbe.send(socket: socket, method: "GET", uri: "/health")
            #expect(second.status == 200)
            #expect(second.body == #"{"status":"ok"}"#)
        }

        @Test func workersAreRecycledAfterTheirRequestBudget() throws {
            let socket = stack.state + "/recycling.sock"
            var env = try stack.environmentFile()
            env["SCOREBOARD_PATH"] = stack.state + "/recycling.scoreboard"
            // One pool: a checkout pool would bind the running stack's checkout socket.
            let process = try Subprocess(
                stack.binary, ["serve", "--workers", "1", "--socket", socket, "--max-requests", "5", "--checkout-workers", "0"],
                environment: env)
            defer { process.terminate() }
            #expect(stack.eventually(5) { FileManager.default.fileExists(atPath: socket) })
            for _ in 0..<24 {
                #expect(try FastCGIProbe.send(socket: socket, method: "GET", uri: "/health").status == 200)
            }
            let metrics = MetricsText(text: try FastCGIProbe.send(socket: socket, method: "GET", uri: "/api/metrics").body)
            // 5 ± 10 % requests each (a spread of at least one): 24 requests need at least 3 recycles.
            #expect(restarts(metrics) >= 3)
            #expect(metrics.value("http_requests_total", ["pool": "api", "method": "GET", "route": "/health", "status": "200"]) == 24)
        }

        @Test func sigtermDrainsThePoolThenItStartsAgain() throws {
            try waitForFullPool()
            let supervisor = try stack.supervisorPID
            let answer = Locked<HTTPClientResponse?>(nil)
            let client = Thread { answer.mutate { $0 = try? stack.get("/api/_test/sleep?ms=1200") } }
            client.start()
            Thread.sleep(forTimeInterval: 0.3)
            #expect(kill(supervisor, SIGTERM) == 0)
            #expect(stack.eventually(10) { kill(supervisor, 0) != 0 }, "the pool did not exit")
            let response = try #require(answer.value)
            #expect(response.status == 200, "the in-flight request was cut off")
            #expect(!FileManager.default.fileExists(atPath: stack.state + "/commerce.sock"))
            #expect(!FileManager.default.fileExists(atPath: stack.state + "/commerce-checkout.sock"))
            // With the pool gone nginx answers 503 in the envelope, with Retry-After.
            let down = try stack.get("/api/health/live")
            #expect(down.status == 503)
            #expect(down.header("retry-after") == "5")
            #expect(try down.json["error"] == "ServiceUnavailable")
            try stack.script("pool.sh", "start")
            #expect(stack.eventually(10) { (try? stack.get("/health").status) == 200 })
            try waitForFullPool()
        }
    }
}
