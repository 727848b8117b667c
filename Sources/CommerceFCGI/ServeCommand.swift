import App
import FastCGI
import HTTP
import Pool
import Scoreboard

/// `serve`: the supervisor and its workers, on a socket it creates.
enum ServeCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        var environment = environment
        if let workers = options["workers"] { environment["WORKERS"] = workers }
        if let socket = options["socket"] { environment["SOCKET_PATH"] = socket }
        if let maxRequests = options["max-requests"] { environment["WORKER_MAX_REQUESTS"] = maxRequests }
        if environment["SCOREBOARD_PATH"] == nil, let socket = options["socket"] { environment["SCOREBOARD_PATH"] = socket + ".scoreboard" }
        let configuration = try Configuration.load(environment)
        let pool = configuration.pool
        let logger = Logger(level: configuration.logLevel, fields: ["process": "supervisor"])
        let fd = try UnixListeningSocket.bind(path: pool.socketPath, backlog: Int32(pool.listenBacklog), mode: mode_t(pool.socketMode))
        let scoreboard = try Scoreboard.create(
            path: pool.scoreboardPath, layout: Application.scoreboardLayout(configuration: configuration), slots: pool.scoreboardSlots)
        let status = Supervisor(configuration: configuration, listenFD: fd, scoreboard: scoreboard, logger: logger).run()
        unlink(pool.socketPath)
        return status
    }
}

#if canImport(Glibc)
import Glibc
#endif
