/// Cells several processes share and change atomically (the scoreboard's, in production).
public protocol AtomicCells: Sendable {
    func load(_ index: Int) -> UInt64
    func store(_ index: Int, _ value: UInt64)
    func add(_ index: Int, _ value: UInt64)
    func compareExchange(_ index: Int, expected: UInt64, desired: UInt64) -> Bool
}

/// A circuit breaker for an outside service, shared by every process that can reach the same
/// cells: after `failureThreshold` failures within `windowMilliseconds` it opens, and every
/// caller fails at once for `coolDownMilliseconds`; then exactly one caller gets a trial, whose
/// outcome closes it again or opens it for another cool-down. A trial that never reports (its
/// worker was killed) is given up after `trialTimeoutMilliseconds`, and another caller tries.
///
/// Counts are kept with atomic adds and moves with compare-and-swap: two processes failing at
/// once may both count, which only opens the breaker a failure early.
public struct CircuitBreaker: Sendable {
    public struct Settings: Sendable, Equatable {
        public var failureThreshold: Int
        public var windowMilliseconds: UInt64
        public var coolDownMilliseconds: UInt64
        public var trialTimeoutMilliseconds: UInt64

        public init(failureThreshold: Int, windowMilliseconds: UInt64, coolDownMilliseconds: UInt64, trialTimeoutMilliseconds: UInt64) {
            self.failureThreshold = failureThreshold
            self.windowMilliseconds = windowMilliseconds
            self.coolDownMilliseconds = coolDownMilliseconds
            self.trialTimeoutMilliseconds = trialTimeoutMilliseconds
        }
    }

    public enum State: UInt64, Sendable, CaseIterable {
        case closed = 0
        case open = 1
        case halfOpen = 2

        public var label: String {
            switch self {
            case .closed: "closed"
            case .open: "open"
            case .halfOpen: "half_open"
            }
        }
    }

    /// The cells, in the order the storage keeps them.
    enum Cell: Int, CaseIterable {
        case state = 0
        case failures, windowStartedAt, openUntil, trialStartedAt, opens
    }

    public static let cellCount = Cell.allCases.count

    private let cells: any AtomicCells
    public let settings: Settings

    public init(cells: any AtomicCells, settings: Settings) {
        self.cells = cells
        self.settings = settings
    }

    private func load(_ cell: Cell) -> UInt64 { cells.load(cell.rawValue) }
    private func store(_ cell: Cell, _ value: UInt64) { cells.store(cell.rawValue, value) }
    private func swap(_ cell: Cell, from expected: UInt64, to desired: UInt64) -> Bool {
        cells.compareExchange(cell.rawValue, expected: expected, desired: desired)
    }

    public var state: State { State(rawValue: load(.state)) ?? .closed }

    /// Times the breaker opened since the cells were laid out.
    public var opens: UInt64 { load(.opens) }

    /// Whether a call may go out now. While open it answers false at once; the first caller
    /// after the cool-down becomes the trial.
    public func permit(now: UInt64) -> Bool {
        switch state {
        case .closed:
            return true
        case .open:
            guard now >= load(.openUntil) else { return false }
            guard swap(.state, from: State.open.rawValue, to: State.halfOpen.rawValue) else { return false }
            store(.trialStartedAt, now)
            return true
        case .halfOpen:
            let started = load(.trialStartedAt)
            // The trial never reported: its caller died. Take its place.
            guard now >= started + settings.trialTimeoutMilliseconds else { return false }
            return swap(.trialStartedAt, from: started, to: now)
        }
    }

    /// The service answered: the breaker closes and the count starts again.
    public func recordSuccess(now: UInt64) {
        store(.failures, 0)
        store(.windowStartedAt, now)
        store(.state, State.closed.rawValue)
    }

    /// The service failed (no answer, or a 5xx): counted, and the breaker opens at the
    /// threshold, or at once when this was the trial.
    public func recordFailure(now: UInt64) {
        if state == .halfOpen {
            open(from: .halfOpen, now: now)
            return
        }
        let windowStart = load(.windowStartedAt)
        if now >= windowStart + settings.windowMilliseconds, swap(.windowStartedAt, from: windowStart, to: now) {
            store(.failures, 0)
        }
        cells.add(Cell.failures.rawValue, 1)
        if load(.failures) >= UInt64(settings.failureThreshold) { open(from: .closed, now: now) }
    }

    private func open(from previous: State, now: UInt64) {
        store(.openUntil, now + settings.coolDownMilliseconds)
        guard swap(.state, from: previous.rawValue, to: State.open.rawValue) else { return }
        store(.failures, 0)
        cells.add(Cell.opens.rawValue, 1)
    }

    /// What the cells say, for metrics, health and `status`, without settings.
    public struct Snapshot: Sendable, Equatable {
        public let state: State
        public let opens: UInt64
        /// Epoch milliseconds until which an open breaker refuses calls.
        public let openUntil: UInt64

        public init(cells: some AtomicCells) {
            state = State(rawValue: cells.load(Cell.state.rawValue)) ?? .closed
            opens = cells.load(Cell.opens.rawValue)
            openUntil = cells.load(Cell.openUntil.rawValue)
        }
    }

    /// Closed, as if nothing had happened (an operator's or a test's decision).
    public func reset() {
        for cell in [Cell.failures, .windowStartedAt, .openUntil, .trialStartedAt] { store(cell, 0) }
        store(.state, State.closed.rawValue)
    }
}
