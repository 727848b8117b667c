import Core
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// A pool as the metrics show it: its name and the socket its queue is read from.
public struct PoolSocket: Sendable, Equatable {
    public let name: String
    public let socketPath: String

    public init(name: String, socketPath: String) {
        self.name = name
        self.socketPath = socketPath
    }
}

/// Renders `/api/metrics` from every slot of the scoreboard, so the figures are the host's,
/// every pool's, not those of the worker that happened to answer. Each family's samples come
/// together after its `# HELP`/`# TYPE`.
public struct MetricsRenderer {
    private let scoreboard: Scoreboard

    public init(scoreboard: Scoreboard) { self.scoreboard = scoreboard }

    /// The slots of each running pool, by name.
    private func sections(_ pools: [PoolSocket]) -> [(pool: PoolSocket, index: Int, slots: [ScoreboardSlot])] {
        pools.compactMap { pool in
            guard let index = scoreboard.poolIndex(pool.name) else { return nil }
            return (pool, index, scoreboard.section(index).compactMap { try? scoreboard.slot($0) })
        }
    }

    public func render(pools: [PoolSocket]) -> String {
        var out = PrometheusText()
        let layout = scoreboard.layout
        let sections = sections(pools)
        renderRequests(&out, layout, sections)
        renderDurations(&out, layout, sections)
        renderWorkers(&out, sections)
        renderProcesses(&out, sections)
        renderListenQueues(&out, sections)
        renderBreaker(&out)
        renderNamedCounters(&out, scoreboard.slots.filter(\.everUsed))
        out.family("commerce_build_info", type: "gauge", help: "The running build: always 1, its version in the label.")
        out.sample("commerce_build_info", [("version", BuildInfo.version)], 1)
        return out.text
    }

    private func renderRequests(_ out: inout PrometheusText, _ layout: ScoreboardLayout, _ sections: [(pool: PoolSocket, index: Int, slots: [ScoreboardSlot])]) {
        out.family("http_requests_total", type: "counter", help: "HTTP requests answered, by pool, method, route pattern and status.")
        for section in sections {
            let used = section.slots.filter(\.everUsed)
            var cell = 0
            for method in ScoreboardLayout.methods {
                for pattern in layout.patterns {
                    for status in 0..<layout.statusCount {
                        let total = used.reduce(UInt64(0)) { $0 + $1.requestCell(cell) }
                        if total > 0 {
                            out.sample(
                                "http_requests_total",
                                [
                                    ("pool", section.pool.name), ("method", method), ("route", pattern),
                                    ("status", layout.statusLabel(status)),
                                ], total)
                        }
                        cell += 1
                    }
                }
            }
        }
    }

    private func renderDurations(_ out: inout PrometheusText, _ layout: ScoreboardLayout, _ sections: [(pool: PoolSocket, index: Int, slots: [ScoreboardSlot])]) {
        let name = "http_request_duration_seconds"
        out.family(name, type: "histogram", help: "Time from accepting a request to handing its answer to nginx, by pool, method and route pattern.")
        for section in sections {
            let used = section.slots.filter(\.everUsed)
            var base = 0
            for method in ScoreboardLayout.methods {
                for pattern in layout.patterns {
                    defer { base += layout.histogramStride }
                    let cells = (0..<layout.histogramStride).map { offset in used.reduce(UInt64(0)) { $0 + $1.histogramCell(base + offset) } }
                    let count = cells[0...layout.bucketCount].reduce(0, +)
                    guard count > 0 else { continue }
                    let labels = [("pool", section.pool.name), ("method", method), ("route", pattern)]
                    var cumulative: UInt64 = 0
                    for (i, bound) in ScoreboardLayout.bucketBoundsMicroseconds.enumerated() {
                        cumulative += cells[i]
                        out.sample(name + "_bucket", labels + [("le", PrometheusText.canonicalSeconds(microseconds: bound))], cumulative)
                    }
                    out.sample(name + "_bucket", labels + [("le", "+Inf")], count)
                    out.sample(name + "_sum", labels, PrometheusText.seconds(microseconds: cells[layout.bucketCount + 1]))
                    out.sample(name + "_count", labels, count)
                }
            }
        }
    }

    private func renderWorkers(_ out: inout PrometheusText, _ sections: [(pool: PoolSocket, index: Int, slots: [ScoreboardSlot])]) {
        out.family("commerce_workers", type: "gauge", help: "Worker processes by pool and state.")
        for section in sections {
            let alive = section.slots.filter(\.isAlive)
            for state in [WorkerState.starting, .idle, .busy, .exiting] {
                out.sample("commerce_workers", [("pool", section.pool.name), ("state", state.label)], UInt64(alive.filter { $0.state == state }.count))
            }
        }
        out.family("commerce_workers_configured", type: "gauge", help: "Pool size the supervisor (or the systemd target) was configured for.")
        for section in sections {
            out.sample("commerce_workers_configured", [("pool", section.pool.name)], UInt64(scoreboard.configuredWorkers(pool: section.index)))
        }
        out.family("commerce_worker_restarts_total", type: "counter", help: "Workers the supervisor started again after a crash, a timeout or recycling.")
        for section in sections {
            out.sample("commerce_worker_restarts_total", [("pool", section.pool.name)], scoreboard.workerRestarts(pool: section.index))
        }
        let live = sections.flatMap { section in
            section.slots.enumerated().filter { $0.element.isAlive }.map { (pool: section.pool.name, number: String($0.offset + 1), slot: $0.element) }
        }
        out.family("commerce_worker_resident_memory_bytes", type: "gauge", help: "Resident memory of each live worker, by pool and slot.")
        for worker in live {
            out.sample("commerce_worker_resident_memory_bytes", [("pool", worker.pool), ("slot", worker.number)], worker.slot.residentBytes)
        }
        out.family("commerce_worker_requests", type: "gauge", help: "Requests served by each live worker process since it started, by pool and slot.")
        for worker in live {
            out.sample("commerce_worker_requests", [("pool", worker.pool), ("slot", worker.number)], worker.slot.requests)
        }
        out.family(
            "commerce_worker_current_request_seconds", type: "gauge",
            help: "How long each busy worker has been on its current request, by pool, slot and route (php-fpm's status ?full).")
        let now = UInt64(Clock.system.epochMilliseconds())
        for worker in live where worker.slot.state == .busy {
            guard let route = worker.slot.currentPattern else { continue }
            let started = worker.slot.requestStartedAtMilliseconds
            let elapsed = now > started ? now - started : 0
            out.sample(
                "commerce_worker_current_request_seconds", [("pool", worker.pool), ("slot", worker.number), ("route", route)],
                PrometheusText.seconds(microseconds: elapsed * 1000))
        }
    }

    /// The usual `process_*` families, summed over each pool's live workers (a scrape lands on
    /// any one of them, so one process's own figures would say little), read from /proc.
    private func renderProcesses(_ out: inout PrometheusText, _ sections: [(pool: PoolSocket, index: Int, slots: [ScoreboardSlot])]) {
        let pools = sections.map { section in
            (name: section.pool.name, usage: section.slots.filter(\.isAlive).compactMap { ProcessUsage.read(pid: $0.pid, residentBytes: $0.residentBytes) })
        }
        out.family("process_cpu_seconds_total", type: "counter", help: "User and system CPU time of the pool's live workers, in seconds.")
        for pool in pools {
            out.sample("process_cpu_seconds_total", [("pool", pool.name)], PrometheusText.seconds(microseconds: pool.usage.reduce(0) { $0 + $1.cpuMicroseconds }))
        }
        out.family("process_resident_memory_bytes", type: "gauge", help: "Resident memory of the pool's live workers, in bytes.")
        for pool in pools {
            out.sample("process_resident_memory_bytes", [("pool", pool.name)], pool.usage.reduce(0) { $0 + $1.residentBytes })
        }
        out.family("process_open_fds", type: "gauge", help: "Open file descriptors of the pool's live workers.")
        for pool in pools {
            out.sample("process_open_fds", [("pool", pool.name)], pool.usage.reduce(0) { $0 + $1.openFileDescriptors })
        }
    }

    private func renderListenQueues(_ out: inout PrometheusText, _ sections: [(pool: PoolSocket, index: Int, slots: [ScoreboardSlot])]) {
        let queues = sections.compactMap { section in ListenQueue.pending(socketPath: section.pool.socketPath).map { (section.pool.name, $0) } }
        guard !queues.isEmpty else { return }
        out.family("commerce_listen_queue", type: "gauge", help: "Connections waiting in each pool socket's backlog for a free worker.")
        for (pool, queue) in queues { out.sample("commerce_listen_queue", [("pool", pool)], UInt64(queue)) }
    }

    private func renderBreaker(_ out: inout PrometheusText) {
        let breaker = CircuitBreaker.Snapshot(cells: scoreboard.breakerCells)
        out.family(
            "commerce_payments_breaker_state", type: "gauge",
            help: "The payment provider's circuit breaker, shared by the host: 1 for the state it is in.")
        for state in CircuitBreaker.State.allCases {
            out.sample("commerce_payments_breaker_state", [("state", state.label)], breaker.state == state ? 1 : 0)
        }
        out.family("commerce_payments_breaker_opens_total", type: "counter", help: "Times the payment breaker opened after consecutive failures.")
        out.sample("commerce_payments_breaker_opens_total", [], breaker.opens)
    }

    private func renderNamedCounters(_ out: inout PrometheusText, _ slots: [ScoreboardSlot]) {
        var families: [String] = []
        for counter in MetricCounter.allCases where !families.contains(counter.family) { families.append(counter.family) }
        for family in families {
            out.family(family, type: "counter", help: MetricCounter.help[family] ?? family)
            for counter in MetricCounter.allCases where counter.family == family {
                out.sample(family, counter.labels, slots.reduce(UInt64(0)) { $0 + $1.namedCounter(counter.rawValue) })
            }
        }
    }
}
