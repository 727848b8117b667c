import App
import CSystem
import HTTP
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// Everything a worker process does from its first instruction to its exit, whether it was
/// forked by `serve` or started by systemd.
public enum WorkerProcess {
    /// Returns the process exit status.
    public static func run(
        configuration: Configuration, pool: PoolDefinition, listenFD: Int32, scoreboard: Scoreboard, slot: ScoreboardSlot,
        name: String
    ) -> Int32 {
        cfcgi_worker_install_signals()
        slot.start(pid: getpid())
        let logger = Logger(level: configuration.logLevel, fields: ["worker": .string(name), "pool": .string(pool.name), "pid": .int(Int(getpid()))])
        let context = AppContext(configuration: configuration, logger: logger, clock: .system, scoreboard: scoreboard, slot: slot, workerName: name)
        let application = Application(context: context)
        do {
            let loop = try WorkerLoop(listenFD: listenFD, application: application, maxRequests: pool.maxRequests)
            logger.debug("worker started")
            let reason = loop.run()
            logger.info("worker exiting", ["reason": .string(reason.rawValue)])
            return 0
        } catch {
            logger.error("worker could not start", ["error": .string(String(describing: error))])
            return 1
        }
    }
}
