import App
import CSystem
import HTTP
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// The prefork master of `serve` (php-fpm's model, DESIGN.md §1): forks the workers onto the
/// shared socket, starts a new one whenever one exits (crash or recycling), replaces them one
/// by one on SIGHUP, and on SIGTERM lets each finish its request before the pool exits.
///
/// It stays single-threaded and never opens a database or Redis connection, so fork is safe.
public final class Supervisor {
    private struct Worker {
        let slot: Int
        let startedAt: UInt64
        var retiring = false
    }

    private struct Roll {
        let old: pid_t
        var replacement: pid_t
        var signalled = false
    }

    private let configuration: Configuration
    private let listenFD: Int32
    private let scoreboard: Scoreboard
    private let logger: Logger
    private let clock = Clock.system
    private var workers: [pid_t: Worker] = [:]
    private var rollQueue: [pid_t] = []
    private var roll: Roll?
    private var shutdownDeadline: UInt64?
    private var recentCrashes: [UInt64] = []

    public init(configuration: Configuration, listenFD: Int32, scoreboard: Scoreboard, logger: Logger) {
        self.configuration = configuration
        self.listenFD = listenFD
        self.scoreboard = scoreboard
        self.logger = logger
    }

    private var size: Int { configuration.pool.workers }

    /// Runs until the pool has drained after SIGTERM/SIGINT; returns the exit status.
    public func run() -> Int32 {
        cfcgi_supervisor_install_signals()
        scoreboard.configuredWorkers = size
        for _ in 0..<size { spawn() }
        logger.info("pool started", ["workers": .int(size), "socket": .string(configuration.pool.socketPath)])
        _ = cfcgi_sd_notify("READY=1\nSTATUS=\(size) workers")
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
            advanceRoll()
        }
    }

    // MARK: Spawning and reaping

    @discardableResult
    private func spawn() -> pid_t? {
        let used = Set(workers.values.map(\.slot))
        // A live jobs process holds a slot of its own; never hand that one to a worker.
        let slots = scoreboard.slots
        let background = Set(slots.indices.filter { slots[$0].state == .background && slots[$0].isAlive })
        guard let slotIndex = (0..<scoreboard.slotCount).first(where: { !used.contains($0) && !background.contains($0) }),
              let slot = try? scoreboard.slot(slotIndex)
        else {
            logger.error("no free scoreboard slot; raise SCOREBOARD_SLOTS")
            return nil
        }
        let pid = fork()
        if pid == 0 {
            cfcgi_child_reset_signals()
            let status = WorkerProcess.run(configuration: configuration, listenFD: listenFD, scoreboard: scoreboard, slot: slot, name: String(slotIndex + 1))
            _exit(status)
        }
        guard pid > 0 else {
            logger.error("fork failed", ["errno": .int(Int(errno))])
            return nil
        }
        workers[pid] = Worker(slot: slotIndex, startedAt: clock.monotonicNanoseconds())
        return pid
    }

    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let worker = workers.removeValue(forKey: pid) else { continue }
            let exit = ExitStatus(rawStatus: status)
            if let slot = try? scoreboard.slot(worker.slot) { slot.setState(.empty) }
            if shutdownDeadline != nil || worker.retiring { continue }
            if exit.isClean {
                logger.info("worker recycled", ["pid": .int(Int(pid))])
            } else {
                logger.error("worker died", ["pid": .int(Int(pid)), "status": .string(exit.description)])
                throttleCrashLoop()
            }
            scoreboard.countWorkerRestart()
            let replacement = spawn()
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
                guard workers[next] != nil, let replacement = spawn() else { continue }
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
