import Foundation
import HTTP
import HTTPClient
import Testing

extension EndToEndTests {
    /// /api/metrics sums the scoreboard of the whole pool (API.md §10).
    @Suite struct Metrics {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func countersGrowByTheRequestsSentAcrossWorkers() throws {
            let labels = ["pool": "api", "method": "GET", "route": "/api/health/live", "status": "200"]
            let before = try stack.metrics()
            let requestsBefore = before.samples("commerce_worker_requests")
            let threads = 4
            let perThread = 25
            let failures = Locked(0)
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                let client = HTTPClient()
                for _ in 0..<perThread {
                    if (try? stack.request("GET", "/api/health/live", client: client).status) != 200 { failures.mutate { $0 += 1 } }
                }
            }
            #expect(failures.value == 0)
            let after = try stack.metrics()
            #expect(after.value("http_requests_total", labels) - before.value("http_requests_total", labels) == Double(threads * perThread))
            let histogramLabels = ["pool": "api", "method": "GET", "route": "/api/health/live"]
            #expect(
                after.value("http_request_duration_seconds_count", histogramLabels) - before.value("http_request_duration_seconds_count", histogramLabels)
                    == Double(threads * perThread))
            // More than one worker served them, and the sum covers every worker.
            let moved = after.samples("commerce_worker_requests").filter { labels, value in value > (requestsBefore[labels] ?? 0) }
            #expect(moved.count >= 2, "only \(moved.count) worker(s) served requests")
        }

        @Test func routesAreLabelledByPatternNotByPath() throws {
            _ = try stack.get("/api/_test/items/6f9619ff-8b86-d011-b42d-00c04fc964ff")
            let metrics = try stack.metrics()
            #expect(metrics.value("http_requests_total", ["pool": "api", "method": "GET", "route": "/api/_test/items/:id", "status": "200"]) >= 1)
            #expect(!metrics.text.contains("6f9619ff"))
        }

        @Test func workersAreCountedByState() throws {
            let metrics = try stack.metrics()
            for (pool, size) in [("api", 4.0), ("checkout", 2.0)] {
                let workers = metrics.samples("commerce_workers").filter { $0.key["pool"] == pool }.values.reduce(0, +)
                #expect(workers == size, "\(pool)")
                #expect(metrics.value("commerce_workers_configured", ["pool": pool]) == size, "\(pool)")
                #expect(metrics.text.contains("commerce_listen_queue{pool=\"\(pool)\"} "), "\(pool)")
            }
            #expect(metrics.value("commerce_workers", ["pool": "api", "state": "busy"]) >= 1, "the worker answering is busy")
            // That worker shows the route it is on.
            #expect(metrics.samples("commerce_worker_current_request_seconds").keys.contains { $0["route"] == "/api/metrics" })
            #expect(metrics.value("db_queries_total") >= 0)
        }

        @Test func theOutputPassesPromtool() throws {
            _ = try stack.get("/api/no-such-route")
            let text = try stack.metrics().text
            let process = try Subprocess("/usr/bin/promtool", ["check", "metrics"], environment: [:], input: Array(text.utf8), captureOutput: true)
            let report = String(decoding: process.readOutput(), as: UTF8.self)
            #expect(process.wait() == 0, "promtool: \(report)")
            // A second parser, the Python client's, reads every family.
            let python = try Subprocess(
                "/usr/bin/env",
                ["python3", "-c", "import sys; from prometheus_client.parser import text_string_to_metric_families as parse; print(len(list(parse(sys.stdin.read()))))"],
                environment: ProcessInfo.processInfo.environment, input: Array(text.utf8), captureOutput: true)
            let families = String(decoding: python.readOutput(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(python.wait() == 0)
            #expect(Int(families) == text.components(separatedBy: "\n").filter { $0.hasPrefix("# TYPE ") }.count)
        }

        @Test func bucketsAreCanonicalAndTheBuildAndProcessesAreShown() throws {
            _ = try stack.get("/health")
            let metrics = try stack.metrics()
            #expect(metrics.text.contains(#"le="0.001""#))
            #expect(!metrics.text.contains(#"le="0.001000""#))
            #expect(metrics.value("commerce_build_info", ["version": "0.10.0"]) == 1)
            for pool in ["api", "checkout"] {
                #expect(metrics.value("process_resident_memory_bytes", ["pool": pool]) > 1_000_000, "\(pool)")
                #expect(metrics.value("process_open_fds", ["pool": pool]) >= 3, "\(pool)")
                #expect(metrics.samples("process_cpu_seconds_total").keys.contains { $0["pool"] == pool }, "\(pool)")
            }
        }

        @Test func otherAddressesNeedTheToken() throws {
            let socket = stack.state + "/commerce.sock"
            let remote = ["REMOTE_ADDR": "203.0.113.7"]
            #expect(try FastCGIProbe.send(socket: socket, method: "GET", uri: "/api/metrics", parameters: remote).status == 403)
            var wrong = remote
            wrong["HTTP_AUTHORIZATION"] = "Bearer not-the-token"
            #expect(try FastCGIProbe.send(socket: socket, method: "GET", uri: "/api/metrics", parameters: wrong).status == 403)
            var right = remote
            right["HTTP_AUTHORIZATION"] = "Bearer " + (try stack.environmentFile()["METRICS_TOKEN"] ?? "")
            let answer = try FastCGIProbe.send(socket: socket, method: "GET", uri: "/api/metrics", parameters: right)
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(answer.body.contains("http_requests_total"))
        }
    }
}

/// A value shared by the threads of a load loop.
final class Locked<Value>: @unchecked Sendable {
    private var stored: Value
    private let lock = NSLock()

    init(_ value: Value) { stored = value }

    var value: Value { lock.lock(); defer { lock.unlock() }; return stored }

    func mutate(_ change: (inout Value) -> Void) {
        lock.lock()
        change(&stored)
        lock.unlock()
    }
}
