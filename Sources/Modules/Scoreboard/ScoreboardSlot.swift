import CSystem
#if canImport(Glibc)
import Glibc
#endif

public enum WorkerState: UInt64, CaseIterable, Sendable {
    case empty = 0
    case starting, idle, busy, exiting
    /// Not a worker: the jobs process, whose slot only carries counters (emails, payments).
    case background

    public var label: String {
        switch self {
        case .empty: "empty"
        case .starting: "starting"
        case .idle: "idle"
        case .busy: "busy"
        case .exiting: "exiting"
        case .background: "background"
        }
    }
}

/// One worker's slot. Only the worker that owns it writes; readers sum.
public struct ScoreboardSlot {
    enum Field: Int {
        case pid = 0
        case state, requests, startedAtMs, requestStartedAtMs, currentPattern, residentBytes, everUsed
    }

    static let fixedWords = 8

    private let base: UnsafeMutablePointer<UInt64>
    private let layout: ScoreboardLayout
    /// Keeps the mapping alive as long as the slot: `munmap` runs when the last of them goes.
    private let board: Scoreboard

    init(base: UnsafeMutablePointer<UInt64>, layout: ScoreboardLayout, board: Scoreboard) {
        self.base = base
        self.layout = layout
        self.board = board
    }

    private func load(_ field: Field) -> UInt64 { cfcgi_atomic_load_u64(base + field.rawValue) }
    private func store(_ field: Field, _ value: UInt64) { cfcgi_atomic_store_u64(base + field.rawValue, value) }

    public var pid: Int32 { Int32(truncatingIfNeeded: load(.pid)) }
    public var state: WorkerState { WorkerState(rawValue: load(.state)) ?? .empty }
    public var requests: UInt64 { load(.requests) }
    public var residentBytes: UInt64 { load(.residentBytes) }
    public var everUsed: Bool { load(.everUsed) != 0 }
    public var currentPattern: String? {
        let index = Int(load(.currentPattern))
        return index > 0 && index <= layout.patterns.count ? layout.patterns[index - 1] : nil
    }

    /// Alive means the recorded process still exists (EPERM: it exists but is not ours).
    public var isAlive: Bool {
        let pid = self.pid
        guard pid > 0 else { return false }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    /// Takes the slot for `pid` if it is free; a compare-and-swap on the pid makes two
    /// workers racing for one slot safe.
    func claim(pid: Int32) -> Bool {
        let current = self.pid
        if current != 0 && isAlive { return false }
        let cell = UnsafeMutableRawPointer(base + Field.pid.rawValue).assumingMemoryBound(to: UInt32.self)
        guard cfcgi_atomic_cas_u32(cell, UInt32(bitPattern: current), UInt32(bitPattern: pid)) != 0 else { return false }
        start(pid: pid)
        return true
    }

    /// Marks the slot as owned by a new process: its per-process figures restart, the counters do not.
    public func start(pid: Int32) {
        store(.pid, UInt64(UInt32(bitPattern: pid)))
        store(.requests, 0)
        store(.currentPattern, 0)
        store(.startedAtMs, UInt64(time(nil)) * 1000)
        store(.everUsed, 1)
        store(.state, WorkerState.starting.rawValue)
    }

    public func setState(_ state: WorkerState) { store(.state, state.rawValue) }

    public func beginRequest(patternIndex: Int?, epochMilliseconds: Int64) {
        store(.currentPattern, UInt64((patternIndex ?? -1) + 1))
        store(.requestStartedAtMs, UInt64(epochMilliseconds))
        store(.state, WorkerState.busy.rawValue)
    }

    /// Counts a finished request: its status cell, its latency bucket, and the worker's total.
    /// The route of the request in progress, once the router has matched it.
    public func setCurrentPattern(_ patternIndex: Int) {
        store(.currentPattern, UInt64(patternIndex + 1))
    }

    public var requestStartedAtMilliseconds: UInt64 { load(.requestStartedAtMs) }

    public func recordRequest(method: String, pattern: String, status: Int, durationMicroseconds: UInt64) {
        let m = layout.methodIndex(method)
        let p = layout.patternIndex(pattern)
        let requestCell = (m * layout.patterns.count + p) * layout.statusCount + layout.statusIndex(status)
        cfcgi_atomic_add_u64(requestCells + requestCell, 1)
        let histogram = histogramCells + (m * layout.patterns.count + p) * layout.histogramStride
        let bucket = ScoreboardLayout.bucketBoundsMicroseconds.firstIndex { durationMicroseconds <= $0 } ?? layout.bucketCount
        cfcgi_atomic_add_u64(histogram + bucket, 1)
        cfcgi_atomic_add_u64(histogram + layout.bucketCount + 1, durationMicroseconds)
        store(.requests, requests + 1)
        store(.currentPattern, 0)
        store(.state, WorkerState.idle.rawValue)
    }

    public func setResidentBytes(_ bytes: UInt64) { store(.residentBytes, bytes) }

    public func add(namedCounter index: Int, _ amount: UInt64 = 1) {
        precondition(index >= 0 && index < ScoreboardLayout.namedCounterCells)
        cfcgi_atomic_add_u64(namedCells + index, amount)
    }

    // MARK: Reading

    var namedCells: UnsafeMutablePointer<UInt64> { base + Self.fixedWords }
    var requestCells: UnsafeMutablePointer<UInt64> { namedCells + ScoreboardLayout.namedCounterCells }
    var histogramCells: UnsafeMutablePointer<UInt64> { requestCells + layout.requestCellCount }

    public func namedCounter(_ index: Int) -> UInt64 { cfcgi_atomic_load_u64(namedCells + index) }
    public func requestCell(_ index: Int) -> UInt64 { cfcgi_atomic_load_u64(requestCells + index) }
    public func histogramCell(_ index: Int) -> UInt64 { cfcgi_atomic_load_u64(histogramCells + index) }
}
