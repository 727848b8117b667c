import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// Renders `/api/metrics` from every slot of the scoreboard, so the figures are the pool's,
/// not those of the worker that happened to answer.
public struct MetricsRenderer {
    private let scoreboard: Scoreboard

    public init(scoreboard: Scoreboard) { self.scoreboard = scoreboard }

    public func render(listenQueue: Int?) -> String {
        var out = PrometheusText()
        let layout = scoreboard.layout
        let used = scoreboard.slots.filter(\.everUsed)
        renderRequests(&out, layout, used)
        renderDurations(&out, layout, used)
        renderWorkers(&out, used)
        if let listenQueue, listenQueue >= 0 {
            out.family("commerce_listen_queue", type: "gauge", help: "Connections waiting in the pool socket's backlog for a free worker.")
            out.sample("commerce_listen_queue", [], UInt64(listenQueue))
        }
        renderNamedCounters(&out, used)
        return out.text
    }

    private func renderRequests(_ out: inout PrometheusText, _ layout: ScoreboardLayout, _ slots: [ScoreboardSlot]) {
        out.family("http_requests_total", type: "counter", help: "HTTP requests answered by the pool, by method, route pattern and status.")
        var cell = 0
        for method in ScoreboardLayout.methods {
            for pattern in layout.patterns {
                for status in 0..<layout.statusCount {
                    let total = slots.reduce(UInt64(0)) { $0 + $1.requestCell(cell) }
                    if total > 0 {
                        out.sample("http_requests_total", [("method", method), ("route", pattern), ("status", layout.statusLabel(status))], total)
                    }
                    cell += 1
                }
            }
        }
    }

    private func renderDurations(_ out: inout PrometheusText, _ layout: ScoreboardLayout, _ slots: [ScoreboardSlot]) {
        let name = "http_request_duration_seconds"
        out.family(name, type: "histogram", help: "Time from accepting a request to handing its answer to nginx, by method and route pattern.")
        var base = 0
        for method in ScoreboardLayout.methods {
            for pattern in layout.patterns {
                defer { base += layout.histogramStride }
                let cells = (0..<layout.histogramStride).map { offset in slots.reduce(UInt64(0)) { $0 + $1.histogramCell(base + offset) } }
                let count = cells[0...layout.bucketCount].reduce(0, +)
                guard count > 0 else { continue }
                let labels = [("method", method), ("route", pattern)]
                var cumulative: UInt64 = 0
                for (i, bound) in ScoreboardLayout.bucketBoundsMicroseconds.enumerated() {
                    cumulative += cells[i]
                    out.sample(name + "_bucket", labels + [("le", PrometheusText.seconds(microseconds: bound))], cumulative)
                }
                out.sample(name + "_bucket", labels + [("le", "+Inf")], count)
                out.sample(name + "_sum", labels, PrometheusText.seconds(microseconds: cells[layout.bucketCount + 1]))
                out.sample(name + "_count", labels, count)
            }
        }
    }

    private func renderWorkers(_ out: inout PrometheusText, _ slots: [ScoreboardSlot]) {
        let alive = slots.filter(\.isAlive)
        out.family("commerce_workers", type: "gauge", help: "Worker processes of the pool by state.")
        for state in [WorkerState.starting, .idle, .busy, .exiting] {
            out.sample("commerce_workers", [("state", state.label)], UInt64(alive.filter { $0.state == state }.count))
        }
        out.family("commerce_workers_configured", type: "gauge", help: "Pool size the supervisor (or WORKERS under systemd) was configured for.")
        out.sample("commerce_workers_configured", [], UInt64(scoreboard.configuredWorkers))
        out.family("commerce_worker_restarts_total", type: "counter", help: "Workers the supervisor started again after a crash or recycling.")
        out.sample("commerce_worker_restarts_total", [], scoreboard.workerRestarts)
        out.family("commerce_worker_resident_memory_bytes", type: "gauge", help: "Resident memory of each live worker, by scoreboard slot.")
        out.family("commerce_worker_requests", type: "gauge", help: "Requests served by each live worker process since it started, by scoreboard slot.")
        out.family("commerce_worker_current_request_seconds", type: "gauge",
                   help: "How long each busy worker has been on its current request, by slot and route (php-fpm's status ?full).")
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let now = UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
        for (index, slot) in scoreboard.slots.enumerated() where slot.isAlive {
            let label = ("slot", String(index + 1))
            out.sample("commerce_worker_resident_memory_bytes", [label], slot.residentBytes)
            out.sample("commerce_worker_requests", [label], slot.requests)
            if slot.state == .busy, let route = slot.currentPattern {
                let elapsed = now > slot.requestStartedAtMilliseconds ? now - slot.requestStartedAtMilliseconds : 0
                out.sample("commerce_worker_current_request_seconds", [label, ("route", route)], PrometheusText.seconds(microseconds: elapsed * 1000))
            }
        }
    }

    private func renderNamedCounters(_ out: inout PrometheusText, _ slots: [ScoreboardSlot]) {
        for counter in MetricCounter.allCases {
            out.family(counter.family, type: "counter", help: MetricCounter.help[counter.family] ?? counter.family)
            out.sample(counter.family, counter.labels, slots.reduce(UInt64(0)) { $0 + $1.namedCounter(counter.rawValue) })
        }
    }
}
