import App
import FastCGI
import HTTP
import Pool
import Scoreboard
#if canImport(Glibc)
import Glibc
#endif

/// `serve`: the supervisor and every pool's workers, on sockets it creates.
enum ServeCommand {
    static let valuedOptions: Set<String> = ["workers", "socket", "max-requests", "checkout-workers", "checkout-socket", "listen", "checkout-listen"]

    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        var environment = environment
        // Options name the api pool in its one-pool words, like the variables they override.
        if let workers = options["workers"] { environment["API_WORKERS"] = workers }
        if let socket = options["socket"] { environment["API_SOCKET_PATH"] = socket }
        if let maxRequests = options["max-requests"] { environment["API_MAX_REQUESTS"] = maxRequests }
        if let workers = options["checkout-workers"] { environment["CHECKOUT_WORKERS"] = workers }
        if let socket = options["checkout-socket"] { environment["CHECKOUT_SOCKET_PATH"] = socket }
        if let address = options["listen"] { environment["API_LISTEN"] = address }
        if let address = options["checkout-listen"] { environment["CHECKOUT_LISTEN"] = address }
        if environment["SCOREBOARD_PATH"] == nil, let socket = options["socket"] { environment["SCOREBOARD_PATH"] = socket + ".scoreboard" }
        let configuration = try Configuration.load(environment)
        let settings = configuration.pool
        let logger = Logger(level: configuration.logLevel, fields: ["process": "supervisor"])
        let scoreboard = try Scoreboard.create(
            path: settings.scoreboardPath, layout: Application.scoreboardLayout(configuration: configuration), slots: settings.scoreboardSlots)
        var pools: [PoolRuntime] = []
        for definition in settings.pools {
            let backlog = Int32(definition.listenBacklog)
            let fd =
                try definition.listenAddress.map { address throws(FastCGIError) in try TCPListeningSocket.bind(address, backlog: backlog) }
                ?? UnixListeningSocket.bind(path: definition.socketPath, backlog: backlog, mode: mode_t(settings.socketMode))
            guard let index = scoreboard.poolIndex(definition.name) else { continue }
            pools.append(PoolRuntime(definition: definition, index: index, listenFD: fd))
        }
        let status = Supervisor(configuration: configuration, pools: pools, scoreboard: scoreboard, logger: logger).run()
        for definition in settings.pools where definition.listenAddress == nil { unlink(definition.socketPath) }
        return status
    }
}
