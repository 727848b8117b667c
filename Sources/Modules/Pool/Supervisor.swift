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
    private let configuration: Configuration
    private let pools: [PoolRuntime]
    private let scoreboard: Scoreboard
    private let logger: Logger
    private let clock = Clock.system
    private var policy: SupervisorPolicy

    public init(configuration: Configuration, pools: [PoolRuntime], scoreboard: Scoreboard, logger: Logger) {
        self.configuration = configuration
        self.pools = pools
        self.scoreboard = scoreboard
        self.logger = logger
        policy = SupervisorPolicy(
            pools: pools.map {
                SupervisorPolicy.Pool(
                    index: $0.index, name: $0.definition.name, workers: $0.definition.workers,
                    requestTimeoutSeconds: $0.definition.requestTimeout)
            },
            shutdownTimeoutSeconds: configuration.pool.shutdownTimeout)
    }

    /// Runs until the pools have drained after SIGTERM/SIGINT; returns the exit status.
    public func run() -> Int32 {
        cfcgi_supervisor_install_signals()
        for pool in pools { scoreboard.setConfiguredWorkers(pool.definition.workers, pool: pool.index) }
        perform(policy.start())
        for pool in pools {
            logger.info(
                "pool started",
                [
                    "pool": .string(pool.definition.name), "workers": .int(pool.definition.workers),
                    "socket": .string(pool.definition.endpoint),
                ])
        }
        let summary = pools.map { "\($0.definition.name) \($0.definition.workers)" }.joined(separator: ", ")
        _ = cfcgi_sd_notify("READY=1\nSTATUS=workers: \(summary)")
        while true {
            let flags = cfcgi_supervisor_wait(policy.isBusy ? 50 : 1000)
            if flags & Int32(CFCGI_SIG_CHILD) != 0 || flags == 0 { reap() }
            if flags & (Int32(CFCGI_SIG_TERM) | Int32(CFCGI_SIG_INT)) != 0 { perform(policy.terminate(now: clock.monotonicNanoseconds())) }
            if flags & Int32(CFCGI_SIG_HUP) != 0 { perform(policy.hangup()) }
            let actions = policy.tick(now: clock.monotonicNanoseconds(), epochMilliseconds: UInt64(clock.epochMilliseconds()), slot: view(of:))
            if perform(actions) { return 0 }
        }
    }

    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            let exit = ExitStatus(rawStatus: status)
            perform(policy.exited(pid: pid, clean: exit.isClean, status: exit.description, now: clock.monotonicNanoseconds()))
        }
    }

    private func view(of slotIndex: Int) -> SupervisorPolicy.SlotView? {
        guard let slot = try? scoreboard.slot(slotIndex) else { return nil }
        return SupervisorPolicy.SlotView(state: slot.state, requestStartedAtMilliseconds: slot.requestStartedAtMilliseconds, route: slot.currentPattern)
    }

    /// Does what the policy decided, in order; true when it decided to exit.
    @discardableResult
    private func perform(_ actions: [SupervisorPolicy.Action]) -> Bool {
        for action in actions {
            switch action {
            case .spawn(let pool, let purpose):
                if let runtime = pools.first(where: { $0.index == pool }), let (pid, slot) = spawn(runtime) {
                    policy.spawned(pid: pid, pool: pool, slot: slot, purpose: purpose)
                } else {
                    policy.spawnFailed(purpose: purpose)
                }
            case .signal(let pid, let signal):
                kill(pid, signal == .kill ? SIGKILL : SIGTERM)
            case .clearSlot(let index):
                if let slot = try? scoreboard.slot(index) { slot.setState(.empty) }
            case .countRestart(let pool):
                scoreboard.countWorkerRestart(pool: pool)
            case .pauseBeforeRespawn:
                usleep(1_000_000)
            case .note(let note):
                log(note)
            case .exit:
                return true
            }
        }
        return false
    }

    /// Forks a worker of `pool` into a free slot of its section; its pid and slot.
    private func spawn(_ pool: PoolRuntime) -> (pid: pid_t, slot: Int)? {
        let used = Set(policy.workers.values.filter { $0.pool == pool.index }.map(\.slot))
        guard
            let slotIndex = scoreboard.section(pool.index).first(where: { index in
                guard !used.contains(index), let slot = try? scoreboard.slot(index) else { return false }
                // A systemd worker or a process of an earlier run may still hold it.
                return !slot.isAlive
            }), let slot = try? scoreboard.slot(slotIndex)
        else {
            logger.error("no free scoreboard slot; raise SCOREBOARD_SLOTS", ["pool": .string(pool.definition.name)])
            return nil
        }
        let pid = fork()
        if pid == 0 {
            cfcgi_child_reset_signals()
            let name = pool.definition.name + "-" + String(slotIndex - scoreboard.section(pool.index).lowerBound + 1)
            let status = WorkerProcess.run(
                configuration: configuration, pool: pool.definition, listenFD: pool.listenFD, scoreboard: scoreboard,
                slot: slot, name: name)
            _exit(status)
        }
        guard pid > 0 else {
            logger.error("fork failed", ["errno": .int(Int(errno))])
            return nil
        }
        return (pid, slotIndex)
    }

    private func log(_ note: SupervisorPolicy.Note) {
        switch note {
        case .recycled(let pid, let pool):
            logger.info("worker recycled", ["pid": .int(Int(pid)), "pool": .string(pool)])
        case .died(let pid, let pool, let status):
            logger.error("worker died", ["pid": .int(Int(pid)), "pool": .string(pool), "status": .string(status)])
        case .killedForTimeout(let pid, let pool, let route, let seconds):
            logger.warn(
                "request exceeded its pool's REQUEST_TIMEOUT; worker killed",
                [
                    "pid": .int(Int(pid)), "pool": .string(pool), "route": .string(route), "seconds": .int(seconds),
                ])
        case .rollStarted(let workers):
            logger.info("replacing workers one by one", ["workers": .int(workers)])
        case .rollFinished:
            logger.info("all workers replaced")
        case .draining(let workers):
            logger.info("draining", ["workers": .int(workers)])
        case .notDrainedInTime(let pid):
            logger.warn("worker did not drain in time; killing it", ["pid": .int(Int(pid))])
        case .stopped:
            logger.info("pool stopped")
        }
    }
}
