import App
import FastCGI
import HTTP
import Pool
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// `worker [--pool NAME]`: one worker process of a pool, as systemd runs it
/// (`commerce-fcgi@N.service` for `api`, `commerce-fcgi-checkout@N.service` for `checkout`).
enum WorkerCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        let configuration = try Configuration.load(environment)
        let settings = configuration.pool
        let poolName = options["pool"] ?? PoolDefinition.api
        guard let pool = settings.pool(named: poolName) else {
            throw Options.UsageError(description: "--pool must be one of \(settings.pools.map(\.name).joined(separator: ", ")) (a pool with workers)")
        }
        let fd: Int32
        if let text = options["fd"] {
            guard let number = Int32(text), number >= 0 else { throw Options.UsageError(description: "--fd must be a file descriptor number") }
            fd = number
        } else if let inherited = SystemdSocket.inheritedListenFD() {
            fd = inherited
        } else if let path = options["socket"] {
            fd = try UnixListeningSocket.bind(path: path, backlog: Int32(pool.listenBacklog), mode: mode_t(settings.socketMode))
        } else {
            CommandLineInterface.printError("worker: no listening socket: run it under systemd socket activation, or pass --fd N or --socket PATH")
            return CommandLineInterface.exitUsage
        }
        // systemd hands over whatever ListenStream= names: a TCP socket needs the front's addresses.
        if TCPListeningSocket.isNetworkSocket(fd) && settings.allowedFrontAddresses.isEmpty {
            CommandLineInterface.printError(
                "configuration error: FASTCGI_ALLOWED_ADDRESSES is required when a pool listens on TCP (the socket unit's ListenStream=): name the front nginx hosts")
            return CommandLineInterface.exitConfig
        }
        let scoreboard = try Scoreboard.attach(
            path: settings.scoreboardPath, layout: Application.scoreboardLayout(configuration: configuration), slots: settings.scoreboardSlots)
        guard let poolIndex = scoreboard.poolIndex(pool.name) else { return CommandLineInterface.exitUnavailable }
        let section = scoreboard.section(poolIndex)
        let slot: ScoreboardSlot
        if let id = settings.workerId {
            guard id <= section.count else {
                CommandLineInterface.printError("worker: WORKER_ID \(id) is past the \(pool.name) pool's \(section.count) slots; raise SCOREBOARD_SLOTS")
                return CommandLineInterface.exitConfig
            }
            slot = try scoreboard.slot(section.lowerBound + id - 1)
            // Under systemd the pool's size is the instances enabled: the highest id seen so far.
            if scoreboard.configuredWorkers(pool: poolIndex) < id { scoreboard.setConfiguredWorkers(max(pool.workers, id), pool: poolIndex) }
        } else if let free = scoreboard.claimFreeSlot(pid: getpid(), in: section) {
            slot = free
        } else {
            CommandLineInterface.printError("worker: no free scoreboard slot in the \(pool.name) pool; raise SCOREBOARD_SLOTS")
            return CommandLineInterface.exitUnavailable
        }
        let name = pool.name + "-" + (settings.workerId.map(String.init) ?? String(getpid()))
        return WorkerProcess.run(configuration: configuration, pool: pool, listenFD: fd, scoreboard: scoreboard, slot: slot, name: name)
    }
}
