import Testing
@testable import Metrics
@testable import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ScoreboardTests {
    private let layout = ScoreboardLayout(patterns: ["/health", "/api/products/:idOrSlug"])

    private func temporaryPath() -> String {
        "/tmp/cfcgi-scoreboard-test-\(getpid())-\(Int.random(in: 0..<1_000_000))"
    }

    @Test func countsFromEverySlotAreSummed() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 4)
        let first = try board.slot(0)
        let second = try board.slot(1)
        first.start(pid: getpid())
        second.start(pid: getpid())
        for _ in 0..<3 { first.recordRequest(method: "GET", pattern: "/health", status: 200, durationMicroseconds: 400) }
        second.recordRequest(method: "GET", pattern: "/health", status: 200, durationMicroseconds: 30_000)
        second.recordRequest(method: "GET", pattern: "/nope", status: 404, durationMicroseconds: 100)
        second.add(namedCounter: MetricCounter.dbQueries.rawValue, 5)

        let text = MetricsRenderer(scoreboard: board).render(listenQueue: 2)
        #expect(text.contains(#"http_requests_total{method="GET",route="/health",status="200"} 4"#))
        #expect(text.contains(#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
        #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",route="/health",le="0.001000"} 3"#))
        #expect(text.contains(#"http_request_duration_seconds_bucket{method="GET",route="/health",le="0.050000"} 4"#))
        #expect(text.contains(#"http_request_duration_seconds_sum{method="GET",route="/health"} 0.031200"#))
        #expect(text.contains(#"http_request_duration_seconds_count{method="GET",route="/health"} 4"#))
        #expect(text.contains("db_queries_total 5"))
        #expect(text.contains("commerce_listen_queue 2"))
        #expect(text.contains(#"commerce_workers{state="idle"} 2"#))
    }

    @Test func aSecondMappingSeesTheSameCounters() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let writer = try Scoreboard.create(path: path, layout: layout, slots: 2)
        try writer.slot(1).recordRequest(method: "POST", pattern: "/api/products/:idOrSlug", status: 201, durationMicroseconds: 10)
        let reader = try Scoreboard.attach(path: path, layout: layout, slots: 2)
        #expect(try reader.slot(1).requestCell(layoutCell(method: "POST", pattern: "/api/products/:idOrSlug", status: 201)) == 1)
    }

    @Test func anotherBuildsLayoutIsReplacedNotMisread() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let old = try Scoreboard.create(path: path, layout: ScoreboardLayout(patterns: ["/old"]), slots: 2)
        try old.slot(0).recordRequest(method: "GET", pattern: "/old", status: 200, durationMicroseconds: 1)
        let fresh = try Scoreboard.attach(path: path, layout: layout, slots: 2)
        #expect(fresh.slots.allSatisfy { !$0.everUsed })
    }

    @Test func slotsOfDeadProcessesCanBeClaimedAndKeepTheirCounters() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 1)
        let slot = try board.slot(0)
        slot.start(pid: 999_999_9)   // no such process
        slot.add(namedCounter: 0, 7)
        let claimed = board.claimFreeSlot(pid: getpid())
        #expect(claimed?.pid == getpid())
        #expect(claimed?.namedCounter(0) == 7)
        #expect(board.claimFreeSlot(pid: getpid()) == nil)
    }

    @Test func theJobsProcessCountsFromTheLastSlotWithoutBeingAWorker() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 4)
        let jobs = try #require(board.claimFreeSlot(pid: getpid(), fromEnd: true))
        jobs.setState(.background)
        jobs.add(namedCounter: MetricCounter.emailsSent.rawValue, 3)
        #expect(try board.slot(3).pid == getpid())
        let text = MetricsRenderer(scoreboard: board).render(listenQueue: nil)
        #expect(text.contains("emails_sent_total{result=\"sent\"} 3\n"))
        #expect(text.contains("commerce_workers{state=\"idle\"} 0\n") && text.contains("commerce_workers{state=\"starting\"} 0\n"))
        // A pool starting again lays out a new file: the old mapping is no longer current.
        #expect(board.isCurrent(path: path))
        _ = try Scoreboard.create(path: path, layout: layout, slots: 4)
        #expect(!board.isCurrent(path: path))
    }

    @Test func secondsAreRenderedExactly() {
        #expect(PrometheusText.seconds(microseconds: 1_234_567) == "1.234567")
        #expect(PrometheusText.seconds(microseconds: 5) == "0.000005")
    }

    private func layoutCell(method: String, pattern: String, status: Int) -> Int {
        (layout.methodIndex(method) * layout.patterns.count + layout.patternIndex(pattern)) * layout.statusCount + layout.statusIndex(status)
    }
}
