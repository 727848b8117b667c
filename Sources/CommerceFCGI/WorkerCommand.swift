import App
import FastCGI
import HTTP
import Pool
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// `worker`: one worker process, as systemd runs it (`commerce-fcgi@N.service`).
enum WorkerCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        let configuration = try Configuration.load(environment)
        let pool = configuration.pool
        let fd: Int32
        if let text = options["fd"] {
            guard let number = Int32(text), number >= 0 else { throw Options.UsageError(description: "--fd must be a file descriptor number") }
            fd = number
        } else if let inherited = SystemdSocket.inheritedListenFD() {
            fd = inherited
        } else if let path = options["socket"] {
            fd = try UnixListeningSocket.bind(path: path, backlog: Int32(pool.listenBacklog), mode: mode_t(pool.socketMode))
        } else {
            CommandLineInterface.printError("worker: no listening socket: run it under systemd socket activation, or pass --fd N or --socket PATH")
            return CommandLineInterface.exitUsage
        }
        let scoreboard = try Scoreboard.attach(
            path: pool.scoreboardPath, layout: Application.scoreboardLayout(configuration: configuration), slots: pool.scoreboardSlots)
        let slot: ScoreboardSlot
        if let id = pool.workerId {
            slot = try scoreboard.slot(id - 1)
        } else if let free = scoreboard.claimFreeSlot(pid: getpid()) {
            slot = free
        } else {
            CommandLineInterface.printError("worker: no free scoreboard slot; raise SCOREBOARD_SLOTS")
            return CommandLineInterface.exitUnavailable
        }
        if let id = pool.workerId, scoreboard.configuredWorkers < id { scoreboard.configuredWorkers = max(configuration.pool.workers, id) }
        let name = pool.workerId.map(String.init) ?? String(getpid())
        return WorkerProcess.run(configuration: configuration, listenFD: fd, scoreboard: scoreboard, slot: slot, name: name)
    }
}
