import Core
import Testing
@testable import Metrics
@testable import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ScoreboardTests {
    private let layout = ScoreboardLayout(patterns: ["/health", "/api/products/:idOrSlug"], pools: ["api", "checkout"])
    private let pools = [PoolSocket(name: "api", socketPath: "/nonexistent/api.sock"), PoolSocket(name: "checkout", socketPath: "/nonexistent/checkout.sock")]

    private func temporaryPath() -> String {
        "/tmp/cfcgi-scoreboard-test-\(getpid())-\(Int.random(in: 0..<1_000_000))"
    }

    @Test func eachPoolHasItsSectionAndTheJobsProcessTheRest() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 24)
        #expect(board.sectionSize == 8)
        #expect(board.section(0) == 0..<8 && board.section(1) == 8..<16 && board.backgroundSection == 16..<24)
        #expect(board.pool(ofSlot: 9) == 1 && board.pool(ofSlot: 17) == nil)
    }

    @Test func countsFromEverySlotAreSummedPerPool() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 24)
        let first = try board.slot(0)
        let second = try board.slot(1)
        let checkout = try board.slot(8)
        for slot in [first, second, checkout] { slot.start(pid: getpid()) }
        for _ in 0..<3 { first.recordRequest(method: "GET", pattern: "/health", status: 200, durationMicroseconds: 400) }
        second.recordRequest(method: "GET", pattern: "/health", status: 200, durationMicroseconds: 30_000)
        second.recordRequest(method: "GET", pattern: "/nope", status: 404, durationMicroseconds: 100)
        checkout.recordRequest(method: "GET", pattern: "/health", status: 200, durationMicroseconds: 100)
        second.add(namedCounter: MetricCounter.dbQueries.rawValue, 5)
        checkout.add(namedCounter: MetricCounter.dbQueries.rawValue, 2)
        board.setConfiguredWorkers(4, pool: 0)
        board.setConfiguredWorkers(2, pool: 1)

        let text = MetricsRenderer(scoreboard: board).render(pools: pools)
        #expect(text.contains(#"http_requests_total{pool="api",method="GET",route="/health",status="200"} 4"#))
        #expect(text.contains(#"http_requests_total{pool="checkout",method="GET",route="/health",status="200"} 1"#))
        #expect(text.contains(#"http_requests_total{pool="api",method="GET",route="unmatched",status="404"} 1"#))
        #expect(text.contains(#"http_request_duration_seconds_bucket{pool="api",method="GET",route="/health",le="0.001"} 3"#))
        #expect(text.contains(#"http_request_duration_seconds_bucket{pool="api",method="GET",route="/health",le="0.05"} 4"#))
        #expect(text.contains(#"http_request_duration_seconds_sum{pool="api",method="GET",route="/health"} 0.031200"#))
        #expect(text.contains(#"http_request_duration_seconds_count{pool="api",method="GET",route="/health"} 4"#))
        #expect(text.contains("db_queries_total 7"))
        #expect(text.contains(#"commerce_workers{pool="api",state="idle"} 2"#))
        #expect(text.contains(#"commerce_workers{pool="checkout",state="idle"} 1"#))
        #expect(text.contains(#"commerce_workers_configured{pool="checkout"} 2"#))
        #expect(text.contains(#"commerce_payments_breaker_state{state="closed"} 1"#))
    }

    @Test func everyFamilysSamplesFollowItsHeader() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 24)
        for index in [0, 1, 8] { try board.slot(index).start(pid: getpid()) }
        let text = MetricsRenderer(scoreboard: board).render(pools: pools)
        var current = ""
        var finished: Set<String> = []
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let family = String(line.split(separator: " ")[2])
                #expect(!finished.contains(family), "\(family) declared twice")
                if !current.isEmpty { finished.insert(current) }
                current = family
            } else if !line.hasPrefix("#") {
                let name = String(line.prefix { $0 != "{" && $0 != " " })
                let family = ["_bucket", "_sum", "_count"].reduce(name) { $0.hasSuffix($1) && $0 != current ? String($0.dropLast($1.count)) : $0 }
                #expect(family == current, "\(name) outside its family \(current)")
            }
        }
    }

    @Test func theListenQueueIsReadFromTheSocketsPath() throws {
        let socketPath = temporaryPath() + ".sock"
        defer { unlink(socketPath) }
        let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(server) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(server, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        #expect(listen(server, 16) == 0)
        #expect(ListenQueue.pending(socketPath: socketPath) == 0)
        var clients: [Int32] = []
        defer { clients.forEach { close($0) } }
        for _ in 0..<3 {
            let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            clients.append(client)
        }
        #expect(ListenQueue.pending(socketPath: socketPath) == 3)
        #expect(ListenQueue.pending(socketPath: socketPath + ".missing") == nil)
    }

    @Test func aSecondMappingSeesTheSameCounters() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let writer = try Scoreboard.create(path: path, layout: layout, slots: 12)
        try writer.slot(1).recordRequest(method: "POST", pattern: "/api/products/:idOrSlug", status: 201, durationMicroseconds: 10)
        writer.breakerCells.store(0, CircuitBreaker.State.open.rawValue)
        let reader = try Scoreboard.attach(path: path, layout: layout, slots: 12)
        #expect(try reader.slot(1).requestCell(layoutCell(method: "POST", pattern: "/api/products/:idOrSlug", status: 201)) == 1)
        #expect(CircuitBreaker.Snapshot(cells: reader.breakerCells).state == .open)
    }

    @Test func anotherBuildsLayoutIsReplacedNotMisread() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let old = try Scoreboard.create(path: path, layout: ScoreboardLayout(patterns: ["/old"]), slots: 12)
        try old.slot(0).recordRequest(method: "GET", pattern: "/old", status: 200, durationMicroseconds: 1)
        let fresh = try Scoreboard.attach(path: path, layout: layout, slots: 12)
        #expect(fresh.slots.allSatisfy { !$0.everUsed })
    }

    @Test func slotsOfDeadProcessesCanBeClaimedAndKeepTheirCounters() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 12)
        let slot = try board.slot(0)
        slot.start(pid: 999_999_9) // no such process
        slot.add(namedCounter: 0, 7)
        let claimed = board.claimFreeSlot(pid: getpid(), in: 0..<1)
        #expect(claimed?.pid == getpid())
        #expect(claimed?.namedCounter(0) == 7)
        #expect(board.claimFreeSlot(pid: getpid(), in: 0..<1) == nil)
    }

    @Test func theJobsProcessCountsFromABackgroundSlotWithoutBeingAWorker() throws {
        let path = temporaryPath()
        defer { unlink(path) }
        let board = try Scoreboard.create(path: path, layout: layout, slots: 12)
        let jobs = try #require(board.claimFreeSlot(pid: getpid(), in: board.backgroundSection))
        jobs.setState(.background)
        jobs.add(namedCounter: MetricCounter.emailsSent.rawValue, 3)
        #expect(try board.slot(board.backgroundSection.lowerBound).pid == getpid())
        let text = MetricsRenderer(scoreboard: board).render(pools: pools)
        #expect(text.contains("emails_sent_total{result=\"sent\"} 3\n"))
        #expect(text.contains("commerce_workers{pool=\"api\",state=\"idle\"} 0\n") && text.contains("commerce_workers{pool=\"api\",state=\"starting\"} 0\n"))
        // A pool starting again lays out a new file: the old mapping is no longer current.
        #expect(board.isCurrent(path: path))
        _ = try Scoreboard.create(path: path, layout: layout, slots: 12)
        #expect(!board.isCurrent(path: path))
    }

    @Test func secondsAreRenderedExactly() {
        #expect(PrometheusText.seconds(microseconds: 1_234_567) == "1.234567")
        #expect(PrometheusText.seconds(microseconds: 5) == "0.000005")
        // Bucket bounds in OpenMetrics' canonical form.
        #expect(PrometheusText.canonicalSeconds(microseconds: 1_000) == "0.001")
        #expect(PrometheusText.canonicalSeconds(microseconds: 250_000) == "0.25")
        #expect(PrometheusText.canonicalSeconds(microseconds: 1_000_000) == "1.0")
        #expect(PrometheusText.canonicalSeconds(microseconds: 2_500_005) == "2.500005")
    }

    private func layoutCell(method: String, pattern: String, status: Int) -> Int {
        (layout.methodIndex(method) * layout.patterns.count + layout.patternIndex(pattern)) * layout.statusCount + layout.statusIndex(status)
    }
}
