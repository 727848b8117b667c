import Scoreboard

/// Every decision of the supervisor, kept apart from doing it: events go in (a worker
/// exited, a signal arrived, time passed), actions come out (fork for this pool, signal that
/// pid, clear that slot) and `Supervisor` performs them. No fork, no signal, no clock and no
/// scoreboard in here, so respawn, recycling, request timeouts, rolling replacement and
/// draining are unit-tested as plain values.
struct SupervisorPolicy {
    struct Pool: Equatable {
        let index: Int
        let name: String
        let workers: Int
        let requestTimeoutSeconds: Int
    }

    enum SpawnPurpose: Equatable {
        case start
        /// In place of a worker that exited.
        case replace(exited: Int32)
        /// The next worker of a rolling replacement, for `old`.
        case roll(old: Int32)
    }

    enum Signal: Equatable {
        /// SIGTERM: finish the request in flight, then leave.
        case drain
        /// SIGKILL.
        case kill
    }

    /// What happened, for the log.
    enum Note: Equatable {
        case recycled(pid: Int32, pool: String)
        case died(pid: Int32, pool: String, status: String)
        case killedForTimeout(pid: Int32, pool: String, route: String, seconds: Int)
        case rollStarted(workers: Int)
        case rollFinished
        case draining(workers: Int)
        case notDrainedInTime(pid: Int32)
        case stopped
    }

    enum Action: Equatable {
        case spawn(pool: Int, purpose: SpawnPurpose)
        case signal(Int32, Signal)
        /// The slot of a worker that exited is free again.
        case clearSlot(Int)
        case countRestart(pool: Int)
        /// Ten crashes within ten seconds: wait a second before this respawn.
        case pauseBeforeRespawn
        case note(Note)
        /// Every worker has drained: the supervisor returns.
        case exit
    }

    /// What the scoreboard shows of a worker's slot.
    struct SlotView {
        let state: WorkerState
        /// When the request in flight started (epoch ms), 0 when none.
        let requestStartedAtMilliseconds: UInt64
        let route: String?
    }

    struct Worker: Equatable {
        let pool: Int
        let slot: Int
        var retiring = false
        var killedForTimeout = false
    }

    struct Roll: Equatable {
        let old: Int32
        var replacement: Int32?
        var signalled = false
    }

    let pools: [Pool]
    let shutdownTimeoutNanoseconds: UInt64
    private(set) var workers: [Int32: Worker] = [:]
    private(set) var rollQueue: [Int32] = []
    private(set) var roll: Roll?
    private(set) var shutdownDeadline: UInt64?
    private var recentCrashes: [UInt64] = []

    init(pools: [Pool], shutdownTimeoutSeconds: Int) {
        self.pools = pools
        shutdownTimeoutNanoseconds = UInt64(max(0, shutdownTimeoutSeconds)) * 1_000_000_000
    }

    /// Something is in progress that wants a short wait between ticks.
    var isBusy: Bool { roll != nil || !rollQueue.isEmpty || shutdownDeadline != nil }

    private func pool(_ index: Int) -> Pool? { pools.first { $0.index == index } }

    // MARK: Events

    mutating func start() -> [Action] {
        pools.flatMap { pool in Array(repeating: Action.spawn(pool: pool.index, purpose: .start), count: pool.workers) }
    }

    /// A `spawn` action forked `pid` into `slot`.
    mutating func spawned(pid: Int32, pool: Int, slot: Int, purpose: SpawnPurpose) {
        workers[pid] = Worker(pool: pool, slot: slot)
        switch purpose {
        case .start:
            break
        case .roll(let old):
            if roll?.old == old { roll?.replacement = pid }
        case .replace(let exited):
            // The roll's replacement died before it accepted: wait for the one taking its place.
            if roll?.replacement == exited { roll?.replacement = pid }
        }
    }

    /// A `spawn` action could not fork (or found no free slot).
    mutating func spawnFailed(purpose: SpawnPurpose) {
        if case .roll(let old) = purpose, roll?.old == old { roll = nil }
    }

    mutating func exited(pid: Int32, clean: Bool, status: String, now: UInt64) -> [Action] {
        guard let worker = workers.removeValue(forKey: pid) else { return [] }
        var actions: [Action] = [.clearSlot(worker.slot)]
        guard let pool = pool(worker.pool), shutdownDeadline == nil, !worker.retiring else { return actions }
        if clean {
            actions.append(.note(.recycled(pid: pid, pool: pool.name)))
        } else if !worker.killedForTimeout {
            actions.append(.note(.died(pid: pid, pool: pool.name, status: status)))
            // A worker that dies at once (bad configuration, database refusing it) must not
            // turn the supervisor into a fork loop.
            recentCrashes = recentCrashes.filter { now - $0 < 10_000_000_000 } + [now]
            if recentCrashes.count >= 10 { actions.append(.pauseBeforeRespawn) }
        }
        actions.append(.countRestart(pool: pool.index))
        actions.append(.spawn(pool: pool.index, purpose: .replace(exited: pid)))
        return actions
    }

    /// SIGHUP: replace every current worker, one by one.
    mutating func hangup() -> [Action] {
        guard shutdownDeadline == nil else { return [] }
        rollQueue = workers.filter { !$0.value.retiring && $0.key != roll?.replacement && $0.key != roll?.old }.map(\.key).sorted()
        return [.note(.rollStarted(workers: rollQueue.count))]
    }

    /// SIGTERM or SIGINT: every worker finishes its request and leaves, within the timeout.
    mutating func terminate(now: UInt64) -> [Action] {
        guard shutdownDeadline == nil else { return [] }
        shutdownDeadline = now + shutdownTimeoutNanoseconds
        return [.note(.draining(workers: workers.count))] + workers.keys.sorted().map { .signal($0, .drain) }
    }

    /// Time passed: `now` is monotonic, `epochMilliseconds` the wall clock request starts are
    /// stamped with, `slot` what the scoreboard shows of a slot.
    mutating func tick(now: UInt64, epochMilliseconds: UInt64, slot: (Int) -> SlotView?) -> [Action] {
        if let deadline = shutdownDeadline {
            if workers.isEmpty { return [.note(.stopped), .exit] }
            guard now > deadline else { return [] }
            shutdownDeadline = now + 5_000_000_000
            return workers.keys.sorted().flatMap { [Action.note(.notDrainedInTime(pid: $0)), .signal($0, .kill)] }
        }
        return killOverdueRequests(epochMilliseconds: epochMilliseconds, slot: slot) + advanceRoll(slot: slot)
    }

    // MARK: Decisions

    /// php-fpm's `request_terminate_timeout`: a request past its pool's `REQUEST_TIMEOUT` gets
    /// its worker killed (PostgreSQL rolls back its transaction) and a fresh one takes the slot.
    private mutating func killOverdueRequests(epochMilliseconds now: UInt64, slot: (Int) -> SlotView?) -> [Action] {
        var actions: [Action] = []
        for pid in workers.keys.sorted() {
            guard let worker = workers[pid], !worker.retiring, !worker.killedForTimeout, let pool = pool(worker.pool),
                let view = slot(worker.slot), view.state == .busy
            else { continue }
            let started = view.requestStartedAtMilliseconds
            guard started > 0, now > started, now - started > UInt64(pool.requestTimeoutSeconds) * 1000 else { continue }
            workers[pid]?.killedForTimeout = true
            actions.append(.note(.killedForTimeout(pid: pid, pool: pool.name, route: view.route ?? "unmatched", seconds: Int((now - started) / 1000))))
            actions.append(.signal(pid, .kill))
        }
        return actions
    }

    /// One at a time: start the replacement, wait until it accepts, then ask the old worker to
    /// finish its request and leave. Capacity never drops below the pool size.
    private mutating func advanceRoll(slot: (Int) -> SlotView?) -> [Action] {
        if roll == nil {
            while let next = rollQueue.first {
                rollQueue.removeFirst()
                guard let old = workers[next], pool(old.pool) != nil else { continue }
                roll = Roll(old: next)
                return [.spawn(pool: old.pool, purpose: .roll(old: next))]
            }
            return []
        }
        guard var current = roll else { return [] }
        var actions: [Action] = []
        if !current.signalled {
            guard let pid = current.replacement, let replacement = workers[pid], let view = slot(replacement.slot),
                view.state == .idle || view.state == .busy
            else { return [] }
            current.signalled = true
            roll = current
            // An old worker that died meanwhile was replaced already; its pid may be reused.
            if workers[current.old] != nil {
                workers[current.old]?.retiring = true
                actions.append(.signal(current.old, .drain))
            }
        }
        if workers[current.old] == nil {
            roll = nil
            if rollQueue.isEmpty { actions.append(.note(.rollFinished)) }
        }
        return actions
    }
}
