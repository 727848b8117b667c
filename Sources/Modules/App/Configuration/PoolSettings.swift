import Core
import Scoreboard

/// One pool of workers on its own socket (php-fpm's `[www]` and `[checkout]` sections): nginx
/// sends routes that wait on the internet to `checkout`, everything else to `api`, so a slow
/// payment provider can only ever occupy the checkout pool's workers.
public struct PoolDefinition: Sendable, Equatable {
    public static let api = "api"
    public static let checkout = "checkout"

    public let name: String
    /// `<POOL>_WORKERS`: processes `serve` keeps running (php-fpm `pm.max_children`, `pm = static`).
    public var workers: Int
    /// `<POOL>_MAX_REQUESTS`: a worker exits after this many requests, ± 10 % (php-fpm `pm.max_requests`); 0 never.
    public var maxRequests: Int
    /// `<POOL>_SOCKET_PATH`: the FastCGI unix socket (php-fpm `listen`).
    public var socketPath: String
    /// `<POOL>_LISTEN` (`HOST:PORT`): listen on TCP instead, for a front nginx on another host.
    public var listenAddress: ListenAddress? = nil
    /// `<POOL>_LISTEN_BACKLOG`: connections that may wait for a free worker (php-fpm `listen.backlog`).
    public var listenBacklog: Int
    /// `<POOL>_REQUEST_TIMEOUT`: seconds one request may hold a worker before `serve` kills it
    /// (php-fpm `request_terminate_timeout`); systemd's `WatchdogSec=` does the same per unit.
    public var requestTimeout: Int

    /// Where nginx reaches the pool, as logs and `status` show it.
    public var endpoint: String { listenAddress.map { "tcp:\($0)" } ?? socketPath }
}

/// The pool's own settings: php-fpm's knobs under this service's names (README, "Pool").
public struct PoolSettings: Sendable {
    /// The pools this host runs, `api` first; `checkout` only when it has workers.
    public var pools: [PoolDefinition]
    /// `SOCKET_MODE`: the sockets' permission bits; nginx's user needs write access (php-fpm `listen.mode`).
    public var socketMode: Int
    /// `FASTCGI_ALLOWED_ADDRESSES`: the front hosts a TCP listener accepts (php-fpm
    /// `listen.allowed_clients`, libfcgi's `FCGI_WEB_SERVER_ADDRS`); every other peer is closed
    /// unread. Required whenever a pool listens on TCP.
    public var allowedFrontAddresses: Set<IPAddress>
    /// `SCOREBOARD_PATH`: the shared-memory file every worker reports into.
    public var scoreboardPath: String
    /// `SCOREBOARD_SLOTS`: slots in it, split into a section per pool and a few for `jobs`.
    public var scoreboardSlots: Int
    /// `WORKER_ID`: the systemd instance number (`%i`), which picks the worker's slot in its pool's section.
    public var workerId: Int?
    /// `SHUTDOWN_TIMEOUT`: seconds a draining worker gets before it is killed.
    public var shutdownTimeout: Int
    /// `SLOW_REQUEST_MS`: requests slower than this are logged at warn (php-fpm `slowlog`).
    public var slowRequestMilliseconds: Int
    /// `MIGRATIONS_DIR`: where `migrate` finds its SQL files.
    public var migrationsDirectory: String

    /// Both pool names, whether or not `checkout` runs: the scoreboard keeps a section for each,
    /// so every process of a host agrees on its layout.
    public static let poolNames = [PoolDefinition.api, PoolDefinition.checkout]

    public var api: PoolDefinition { pools[0] }

    /// The api pool's default size: enough that workers waiting on PostgreSQL or Redis (a cart
    /// write, a session) leave others to read the catalog. With one per core, a shop that was
    /// selling read at a third of its read-only speed; with four per core, at over half.
    static let defaultAPIWorkers = 8
    /// A checkout worker waits on Stripe for most of a checkout (hundreds of milliseconds on
    /// the internet), so the pool's size is what bounds checkouts per second: with two, a
    /// two-core machine still idled a tenth of its CPU in the checkout bench; with four, 1-3 %.
    static let defaultCheckoutWorkers = 4

    public func pool(named name: String) -> PoolDefinition? { pools.first { $0.name == name } }

    /// The socket the `checkout` routes go to: the checkout pool's, or the api pool's when it
    /// runs alone (`CHECKOUT_WORKERS=0`).
    public var checkoutSocketPath: String { (pool(named: PoolDefinition.checkout) ?? api).socketPath }

    /// Workers all pools may run at once.
    public var totalWorkers: Int { pools.reduce(0) { $0 + $1.workers } }

    static func load(_ env: inout EnvironmentReader) -> PoolSettings {
        let modeText = env.string("SOCKET_MODE", default: "0660")
        let mode = Int(modeText, radix: 8)
        env.check("SOCKET_MODE", mode.map { $0 <= 0o777 } ?? false, "must be octal permission bits like 0660")
        // `WORKERS`, `WORKER_MAX_REQUESTS`, `SOCKET_PATH` and `LISTEN_BACKLOG` are the api pool's
        // settings under their one-pool names; the `API_` names win when both are given.
        let apiSocket = env.string("API_SOCKET_PATH", default: env.string("SOCKET_PATH", default: "/run/commerce-fcgi.sock"))
        let maxRequests = env.int("WORKER_MAX_REQUESTS", default: 10_000, range: 0...100_000_000)
        let backlog = env.int("LISTEN_BACKLOG", default: 128, range: 1...65_535)
        var api = PoolDefinition(
            name: PoolDefinition.api,
            workers: env.int("API_WORKERS", default: env.int("WORKERS", default: Self.defaultAPIWorkers, range: 1...256), range: 1...256),
            maxRequests: env.int("API_MAX_REQUESTS", default: maxRequests, range: 0...100_000_000),
            socketPath: apiSocket,
            listenBacklog: env.int("API_LISTEN_BACKLOG", default: backlog, range: 1...65_535),
            requestTimeout: env.seconds("API_REQUEST_TIMEOUT", default: 60))
        var checkout = PoolDefinition(
            name: PoolDefinition.checkout,
            workers: env.int("CHECKOUT_WORKERS", default: Self.defaultCheckoutWorkers, range: 0...256),
            maxRequests: env.int("CHECKOUT_MAX_REQUESTS", default: maxRequests, range: 0...100_000_000),
            socketPath: env.string("CHECKOUT_SOCKET_PATH", default: Self.siblingSocket(of: apiSocket, named: PoolDefinition.checkout)),
            listenBacklog: env.int("CHECKOUT_LISTEN_BACKLOG", default: backlog, range: 1...65_535),
            requestTimeout: env.seconds("CHECKOUT_REQUEST_TIMEOUT", default: 30))
        env.check("CHECKOUT_SOCKET_PATH", checkout.workers == 0 || checkout.socketPath != api.socketPath, "must differ from the api pool's socket")
        api.listenAddress = env.listenAddress("API_LISTEN")
        checkout.listenAddress = env.listenAddress("CHECKOUT_LISTEN")
        env.check(
            "CHECKOUT_LISTEN", checkout.workers == 0 || checkout.listenAddress == nil || checkout.listenAddress != api.listenAddress,
            "must differ from API_LISTEN")
        let allowedText = (env.optional("FASTCGI_ALLOWED_ADDRESSES") ?? "").split(separator: ",").map(\.trimmingBlanks).filter { !$0.isEmpty }
        let allowed = allowedText.compactMap(IPAddress.init)
        env.check("FASTCGI_ALLOWED_ADDRESSES", allowed.count == allowedText.count, "must be numeric IP addresses separated by commas (the front nginx hosts)")
        env.check(
            "FASTCGI_ALLOWED_ADDRESSES", !allowed.isEmpty || (api.listenAddress == nil && checkout.listenAddress == nil),
            "is required when a pool listens on TCP (API_LISTEN, CHECKOUT_LISTEN): name the front nginx hosts")
        let pools = checkout.workers > 0 ? [api, checkout] : [api]
        let total = pools.reduce(0) { $0 + $1.workers }
        // Each pool's section holds its workers twice over (a rolling restart runs old and new
        // side by side), and a few slots stay for the jobs process and one-off commands.
        let neededSlots = Self.poolNames.count * 2 * max(api.workers, checkout.workers) + Scoreboard.backgroundSlots
        let slots = env.int("SCOREBOARD_SLOTS", default: max(64, neededSlots), range: 1...4096)
        env.check("SCOREBOARD_SLOTS", slots >= neededSlots, "must be at least \(neededSlots) for \(total) workers in \(pools.count) pool(s)")
        return PoolSettings(
            pools: pools,
            socketMode: mode ?? 0o660,
            allowedFrontAddresses: Set(allowed),
            scoreboardPath: env.string("SCOREBOARD_PATH", default: "/run/commerce-fcgi/scoreboard"),
            scoreboardSlots: slots,
            workerId: env.optional("WORKER_ID").map { _ in env.int("WORKER_ID", default: 1, range: 1...1024) },
            shutdownTimeout: env.seconds("SHUTDOWN_TIMEOUT", default: 30),
            slowRequestMilliseconds: env.int("SLOW_REQUEST_MS", default: 1000, range: 1...600_000),
            migrationsDirectory: env.string("MIGRATIONS_DIR", default: "/usr/share/commerce-fcgi/migrations")
        )
    }

    /// `/run/commerce-fcgi.sock` → `/run/commerce-fcgi-checkout.sock`.
    static func siblingSocket(of path: String, named name: String) -> String {
        path.hasSuffix(".sock") ? String(path.dropLast(5)) + "-" + name + ".sock" : path + "-" + name
    }
}
