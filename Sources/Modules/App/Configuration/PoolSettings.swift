/// The pool's own settings: php-fpm's knobs under this service's names (README, "Pool").
public struct PoolSettings: Sendable {
    /// `WORKERS`: processes `serve` keeps running (php-fpm `pm.max_children`, `pm = static`).
    public var workers: Int
    /// `WORKER_MAX_REQUESTS`: a worker exits after this many requests, ± 10 % so the pool
    /// does not recycle all at once (php-fpm `pm.max_requests`); 0 never.
    public var maxRequests: Int
    /// `SOCKET_PATH`: the FastCGI unix socket `serve` creates.
    public var socketPath: String
    /// `SOCKET_MODE`: its permission bits; nginx's user needs write access (php-fpm `listen.mode`).
    public var socketMode: Int
    /// `LISTEN_BACKLOG`: connections that may wait for a free worker (php-fpm `listen.backlog`).
    public var listenBacklog: Int
    /// `SCOREBOARD_PATH`: the shared-memory file every worker reports into.
    public var scoreboardPath: String
    /// `SCOREBOARD_SLOTS`: slots in it; at least the largest pool plus those being replaced.
    public var scoreboardSlots: Int
    /// `WORKER_ID`: the systemd instance number (`%i`), which picks the worker's slot.
    public var workerId: Int?
    /// `SHUTDOWN_TIMEOUT`: seconds a draining worker gets before it is killed.
    public var shutdownTimeout: Int
    /// `SLOW_REQUEST_MS`: requests slower than this are logged at warn (php-fpm `slowlog`).
    public var slowRequestMilliseconds: Int
    /// `MIGRATIONS_DIR`: where `migrate` finds its SQL files.
    public var migrationsDirectory: String

    static func load(_ env: inout EnvironmentReader) -> PoolSettings {
        let modeText = env.string("SOCKET_MODE", default: "0660")
        let mode = Int(modeText, radix: 8)
        env.check("SOCKET_MODE", mode != nil && mode! <= 0o777, "must be octal permission bits like 0660")
        let workers = env.int("WORKERS", default: 4, range: 1...256)
        return PoolSettings(
            workers: workers,
            maxRequests: env.int("WORKER_MAX_REQUESTS", default: 10_000, range: 0...100_000_000),
            socketPath: env.string("SOCKET_PATH", default: "/run/commerce-fcgi.sock"),
            socketMode: mode ?? 0o660,
            listenBacklog: env.int("LISTEN_BACKLOG", default: 128, range: 1...65_535),
            scoreboardPath: env.string("SCOREBOARD_PATH", default: "/run/commerce-fcgi/scoreboard"),
            scoreboardSlots: env.int("SCOREBOARD_SLOTS", default: max(64, workers * 2 + 8), range: 1...1024),
            workerId: env.optional("WORKER_ID").map { _ in env.int("WORKER_ID", default: 1, range: 1...1024) },
            shutdownTimeout: env.seconds("SHUTDOWN_TIMEOUT", default: 30),
            slowRequestMilliseconds: env.int("SLOW_REQUEST_MS", default: 1000, range: 1...600_000),
            migrationsDirectory: env.string("MIGRATIONS_DIR", default: "/usr/share/commerce-fcgi/migrations")
        )
    }
}
