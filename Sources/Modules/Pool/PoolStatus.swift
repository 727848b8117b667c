import App
import HTTP
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// php-fpm's `status?full`, read straight from the scoreboard: no HTTP, so it answers while
/// every worker is busy, which is when it is needed. `commerce-fcgi status [--json]`.
public struct PoolStatus {
    public struct Worker: Equatable {
        public let slot: Int
        public let pid: Int32
        public let state: String
        public let requests: UInt64
        public let residentBytes: UInt64
        /// The route of the request in progress and how long it has run, when busy.
        public let route: String?
        public let milliseconds: UInt64?
    }

    public struct Pool: Equatable {
        public let name: String
        public let socketPath: String
        public let configuredWorkers: Int
        public let workersByState: [(state: String, count: Int)]
        public let listenQueue: Int?
        public let requests: UInt64
        public let restarts: UInt64
        public let workers: [Worker]

        public static func == (lhs: Pool, rhs: Pool) -> Bool {
            lhs.name == rhs.name && lhs.workers == rhs.workers && lhs.requests == rhs.requests
        }
    }

    public let pools: [Pool]
    public let breaker: CircuitBreaker.Snapshot

    public init(scoreboard: Scoreboard, settings: PoolSettings, nowMilliseconds: UInt64) {
        pools = settings.pools.compactMap { definition in
            guard let index = scoreboard.poolIndex(definition.name) else { return nil }
            let section = scoreboard.section(index)
            let slots = section.compactMap { try? scoreboard.slot($0) }
            let alive = slots.enumerated().filter { $0.element.isAlive }
            let workers = alive.map { offset, slot in
                let busy = slot.state == .busy
                let started = slot.requestStartedAtMilliseconds
                return Worker(
                    slot: offset + 1, pid: slot.pid, state: slot.state.label, requests: slot.requests, residentBytes: slot.residentBytes,
                    route: busy ? slot.currentPattern ?? "unmatched" : nil,
                    milliseconds: busy ? (nowMilliseconds > started ? nowMilliseconds - started : 0) : nil)
            }
            let byState = [WorkerState.idle, .busy, .starting, .exiting].map { state in
                (state.label, alive.filter { $0.element.state == state }.count)
            }
            let cells = scoreboard.layout.requestCellCount
            let requests = slots.filter(\.everUsed).reduce(UInt64(0)) { total, slot in (0..<cells).reduce(total) { $0 + slot.requestCell($1) } }
            return Pool(
                name: definition.name, socketPath: definition.endpoint, configuredWorkers: scoreboard.configuredWorkers(pool: index),
                workersByState: byState, listenQueue: ListenQueue.pending(socketPath: definition.socketPath), requests: requests,
                restarts: scoreboard.workerRestarts(pool: index), workers: workers)
        }
        breaker = CircuitBreaker.Snapshot(cells: scoreboard.breakerCells)
    }

    public var json: JSONValue {
        .object([
            "pools": .array(
                pools.map { pool in
                    .object([
                        "pool": .string(pool.name), "socket": .string(pool.socketPath), "configuredWorkers": .int(pool.configuredWorkers),
                        "workers": .object(JSONObject(pool.workersByState.map { ($0.state, JSONValue.int($0.count)) })),
                        "listenQueue": pool.listenQueue.map(JSONValue.int) ?? .null, "requests": .number(String(pool.requests)),
                        "restarts": .number(String(pool.restarts)),
                        "processes": .array(
                            pool.workers.map { worker in
                                .object([
                                    "slot": .int(worker.slot), "pid": .int(Int(worker.pid)), "state": .string(worker.state),
                                    "requests": .number(String(worker.requests)), "residentBytes": .number(String(worker.residentBytes)),
                                    "route": worker.route.map(JSONValue.string) ?? .null,
                                    "requestMilliseconds": worker.milliseconds.map { .number(String($0)) } ?? .null,
                                ])
                            }),
                    ])
                }),
            "paymentsBreaker": .object(["state": .string(breaker.state.label), "opens": .number(String(breaker.opens))]),
        ])
    }

    public var text: String {
        var lines: [String] = []
        for pool in pools {
            lines.append("pool:               \(pool.name)")
            lines.append("socket:             \(pool.socketPath)")
            lines.append("configured workers: \(pool.configuredWorkers)")
            lines.append("workers:            " + pool.workersByState.map { "\($0.count) \($0.state)" }.joined(separator: ", "))
            lines.append("listen queue:       " + (pool.listenQueue.map(String.init) ?? "unknown (no socket at that path)"))
            lines.append("requests:           \(pool.requests)")
            lines.append("restarts:           \(pool.restarts)")
            lines.append("")
            lines.append(Self.row(["slot", "pid", "state", "requests", "rss", "duration", "route"]))
            for worker in pool.workers {
                lines.append(
                    Self.row([
                        String(worker.slot), String(worker.pid), worker.state, String(worker.requests),
                        String(format: worker.residentBytes, unit: 1 << 20, suffix: " MB"),
                        worker.milliseconds.map { String(format: $0, unit: 1000, suffix: " s") } ?? "-", worker.route ?? "-",
                    ]))
            }
            lines.append("")
        }
        lines.append("payments breaker:   \(breaker.state.label) (opened \(breaker.opens) times)")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func row(_ cells: [String]) -> String {
        let widths = [5, 8, 9, 9, 9, 10]
        return cells.enumerated().map { index, cell in
            index < widths.count ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
        }.joined()
    }
}

extension String {
    /// `9437184` bytes in MiB → `"9.0 MB"`: one decimal, without floating point.
    fileprivate init(format value: UInt64, unit: UInt64, suffix: String) {
        let tenths = (value * 10 + unit / 2) / unit
        self = "\(tenths / 10).\(tenths % 10)\(suffix)"
    }

    fileprivate func padding(toLength length: Int, withPad pad: String, startingAt _: Int) -> String {
        count >= length ? self + " " : self + String(repeating: pad, count: length - count)
    }
}

extension JSONObject {
    fileprivate init(_ pairs: [(String, JSONValue)]) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }
}
