import App
import CSystem
import HTTP
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// One pool as the supervisor runs it: its settings, its socket and its scoreboard section.
public struct PoolRuntime {
    public let definition: PoolDefinition
    /// The pool's index in the scoreboard layout (its section).
    public let index: Int
    public let listenFD: Int32

    public init(definition: PoolDefinition, index: Int, listenFD: Int32) {
        self.definition = definition
        self.index = index
        self.listenFD = listenFD
    }
}

/// The prefork master of `serve` (php-fpm's model, DESIGN.md §1 and §7b): forks each pool's
/// workers onto that pool's socket, starts a new one whenever one exits (crash or recycling),
/// kills a worker whose request outlives its pool's `REQUEST_TIMEOUT`, replaces them one by one
/// on SIGHUP, and on SIGTERM lets each finish its request before the pools exit.
///
/// It stays single-threaded and never opens a database or Redis connection, so fork is safe.
public final class Supervisor {
    private struct Worker {
        let pool: Int
        let slot: Int
        var retiring = false
        var killedForTimeout = false
    }

    private struct Roll {
        let old: pid_t
        var replacement: pid_t
        var signalled = false
    }

    private let configuration: Configuration
    private let pools: [PoolRuntime]
    private let scoreboard: Scoreboard
    private let logger: Logger
    private let clock = Clock.system
    private var workers: [pid_t: Worker] = [:]
    private var rollQueue: [pid_t] = []
    private var roll: Roll?
    private var shutdownDeadline: UInt64?
    private var recentCrashes: [UInt64] = []

    public init(configuration: Configuration, pools: [PoolRuntime], scoreboard: Scoreboard, logger: Logger) {
        self.configuration = configuration
        self.pools = pools
        self.scoreboard = scoreboard
        self.logger = logger
    }

    /// Runs until the pools have drained after SIGTERM/SIGINT; returns the exit status.
    public func run() -> Int32 {
        cfcgi_supervisor_install_signals()
        for pool in pools {
            scoreboard.setConfiguredWorkers(pool.definition.workers, pool: pool.index)
            for _ in 0..<pool.definition.workers { spawn(pool) }
            logger.info("pool started", ["pool": .string(pool.definition.name), "workers": .int(pool.definition.workers),
                                         "socket": .string(pool.definition.socketPath)])
        }
        let summary = pools.map { "\($0.definition.name) \($0.definition.workers)" }.joined(separator: ", ")
        _ = cfcgi_sd_notify("READY=1\nSTATUS=workers: \(summary)")
        while true {
            let busy = roll != nil || !rollQueue.isEmpty || shutdownDeadline != nil
            let flags = cfcgi_supervisor_wait(busy ? 50 : 1000)
            if flags & Int32(CFCGI_SIG_CHILD) != 0 || flags == 0 { reap() }
            if flags & (Int32(CFCGI_SIG_TERM) | Int32(CFCGI_SIG_INT)) != 0 { beginShutdown() }
            if flags & Int32(CFCGI_SIG_HUP) != 0 { beginRoll() }
            if let deadline = shutdownDeadline {
                if workers.isEmpty {
                    logger.info("pool stopped")
                    return 0
                }
                if clock.monotonicNanoseconds() > deadline { killRemaining() }
                continue
            }
            killOverdueRequests()
            advanceRoll()
        }
    }

    // MARK: Spawning and reaping

    @discardableResult
    private func spawn(_ pool: PoolRuntime) -> pid_t? {
        let used = Set(workers.values.filter { $0.pool == pool.index }.map(\.slot))
        guard let slotIndex = scoreboard.section(pool.index).first(where: { index in
            guard !used.contains(index), let slot = try? scoreboard.slot(index) else { return false }
            // A systemd worker or a process of an earlier run may still hold it.
            return !slot.isAlive
        }), let slot = try? scoreboard.slot(slotIndex) else {
            logger.error("no free scoreboard slot; raise SCOREBOARD_SLOTS", ["pool": .string(pool.definition.name)])
            return nil
        }
        let pid = fork()
        if pid == 0 {
            cfcgi_child_reset_signals()
            let name = pool.definition.name + "-" + String(slotIndex - scoreboard.section(pool.index).lowerBound + 1)
            let status = WorkerProcess.run(configuration: configuration, pool: pool.definition, listenFD: pool.listenFD, scoreboard: scoreboard,
                                           slot: slot, name: name)
            _exit(status)
        }
        guard pid > 0 else {
            logger.error("fork failed", ["errno": .int(Int(errno))])
            return nil
        }
        workers[pid] = Worker(pool: pool.index, slot: slotIndex)
        return pid
    }

    private func runtime(_ index: Int) -> PoolRuntime? { pools.first { $0.index == index } }

    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let worker = workers.removeValue(forKey: pid), let pool = runtime(worker.pool) else { continue }
            let exit = ExitStatus(rawStatus: status)
            if let slot = try? scoreboard.slot(worker.slot) { slot.setState(.empty) }
            if shutdownDeadline != nil || worker.retiring { continue }
            if exit.isClean {
                logger.info("worker recycled", ["pid": .int(Int(pid)), "pool": .string(pool.definition.name)])
            } else if !worker.killedForTimeout {
                logger.error("worker died", ["pid": .int(Int(pid)), "pool": .string(pool.definition.name), "status": .string(exit.description)])
                throttleCrashLoop()
            }
            scoreboard.countWorkerRestart(pool: pool.index)
            let replacement = spawn(pool)
            if var current = roll, current.replacement == pid, let replacement {
                current.replacement = replacement
                roll = current
            }
        }
    }

    /// A worker that dies at once (bad configuration, database refusing it) must not turn the
    /// supervisor into a fork loop: after 10 crashes within 10 s, pause a second per respawn.
    private func throttleCrashLoop() {
        let now = clock.monotonicNanoseconds()
        recentCrashes = recentCrashes.filter { now - $0 < 10_000_000_000 } + [now]
        if recentCrashes.count >= 10 { usleep(1_000_000) }
    }

    /// php-fpm's `request_terminate_timeout`: a request past its pool's `REQUEST_TIMEOUT` gets its
    /// worker killed (PostgreSQL rolls back its transaction) and a fresh one takes the slot.
    private func killOverdueRequests() {
        let now = UInt64(clock.epochMilliseconds())
        for (pid, worker) in workers where !worker.retiring && !worker.killedForTimeout {
            guard let pool = runtime(worker.pool), let slot = try? scoreboard.slot(worker.slot), slot.state == .busy else { continue }
            let started = slot.requestStartedAtMilliseconds
            guard started > 0, now > started, now - started > UInt64(pool.definition.requestTimeout) * 1000 else { continue }
            logger.warn("request exceeded its pool's REQUEST_TIMEOUT; worker killed", [
                "pid": .int(Int(pid)), "pool": .string(pool.definition.name), "route": .string(slot.currentPattern ?? "unmatched"),
                "seconds": .int(Int((now - started) / 1000)),
            ])
            workers[pid]?.killedForTimeout = true
            kill(pid, SIGKILL)
        }
    }

    // MARK: Rolling replacement (SIGHUP)

    private func beginRoll() {
        let current = workers.filter { !$0.value.retiring && $0.key != roll?.replacement }.map(\.key)
        rollQueue = current.filter { $0 != roll?.old }
        logger.info("replacing workers one by one", ["workers": .int(rollQueue.count)])
    }

    /// One at a time: start the replacement, wait until it accepts, then ask the old worker to
    /// finish its request and leave. Capacity never drops below the pool size.
    private func advanceRoll() {
        if roll == nil {
            while let next = rollQueue.first {
                rollQueue.removeFirst()
                guard let old = workers[next], let pool = runtime(old.pool), let replacement = spawn(pool) else { continue }
                roll = Roll(old: next, replacement: replacement)
                break
            }
        }
        guard var current = roll else { return }
        if !current.signalled {
            guard let replacement = workers[current.replacement], let slot = try? scoreboard.slot(replacement.slot),
                  slot.state == .idle || slot.state == .busy
            else { return }
            workers[current.old]?.retiring = true
            kill(current.old, SIGTERM)
            current.signalled = true
            roll = current
        }
        if workers[current.old] == nil {
            roll = nil
            if rollQueue.isEmpty { logger.info("all workers replaced") }
        }
    }

    // MARK: Shutdown

    private func beginShutdown() {
        guard shutdownDeadline == nil else { return }
        logger.info("draining", ["workers": .int(workers.count)])
        shutdownDeadline = clock.monotonicNanoseconds() + UInt64(configuration.pool.shutdownTimeout) * 1_000_000_000
        for pid in workers.keys { kill(pid, SIGTERM) }
    }

    private func killRemaining() {
        for pid in workers.keys {
            logger.warn("worker did not drain in time; killing it", ["pid": .int(Int(pid))])
            kill(pid, SIGKILL)
        }
        shutdownDeadline = clock.monotonicNanoseconds() + 5_000_000_000
    }
}
