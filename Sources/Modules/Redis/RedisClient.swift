#if canImport(Glibc)
import Glibc
#endif

/// A worker's Redis access with a circuit breaker (DESIGN.md §5): after any connection
/// failure the client is marked down for `coolDownMilliseconds` and fails fast, so callers
/// take their PostgreSQL path at full speed instead of waiting on timeouts.
public final class RedisClient {
    public struct Settings: Sendable {
        public var endpoint: RedisEndpoint
        public var connectTimeoutMilliseconds: Int
        public var commandTimeoutMilliseconds: Int
        public var coolDownMilliseconds: Int

        public init(endpoint: RedisEndpoint, connectTimeoutMilliseconds: Int = 200, commandTimeoutMilliseconds: Int = 200, coolDownMilliseconds: Int = 5000) {
            self.endpoint = endpoint
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
            self.coolDownMilliseconds = coolDownMilliseconds
        }
    }

    private let settings: Settings
    private let monotonicNanoseconds: () -> UInt64
    private var connection: RedisConnection?
    private var downUntil: UInt64 = 0

    public init(settings: Settings, monotonicNanoseconds: @escaping () -> UInt64 = RedisClient.monotonicNow) {
        self.settings = settings
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    public static func monotonicNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// True while the breaker is open.
    public var isMarkedDown: Bool { monotonicNanoseconds() < downUntil }

    /// Sends one command. A kept connection that fails is retried once on a fresh one when
    /// `idempotent` (the server may have restarted since the last request); a failure after
    /// that opens the breaker.
    public func command(_ arguments: [[UInt8]], idempotent: Bool = true) throws(RedisError) -> RedisReply {
        let reused = connection != nil
        do {
            return try send(arguments)
        } catch .connection(let message) {
            guard reused && idempotent else {
                markDown()
                throw .connection(message)
            }
        }
        do {
            return try send(arguments)
        } catch .connection(let message) {
            markDown()
            throw .connection(message)
        }
    }

    private func send(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        if connection == nil {
            guard !isMarkedDown else { throw .unavailable }
            connection = try RedisConnection.connect(
                settings.endpoint, connectTimeoutMilliseconds: settings.connectTimeoutMilliseconds,
                commandTimeoutMilliseconds: settings.commandTimeoutMilliseconds)
        }
        let reply: RedisReply
        do {
            reply = try connection!.command(arguments)
        } catch {
            connection = nil
            throw error
        }
        // An error reply leaves the connection healthy: no cool-down.
        if case .error(let message) = reply { throw .server(message) }
        return reply
    }

    public func command(_ arguments: String...) throws(RedisError) -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    private func markDown() {
        connection = nil
        downUntil = monotonicNanoseconds() + UInt64(settings.coolDownMilliseconds) * 1_000_000
    }

    // MARK: Commands the service uses

    public func get(_ key: String) throws(RedisError) -> [UInt8]? {
        switch try command([Array("GET".utf8), Array(key.utf8)]) {
        case .string(let bytes): return bytes
        case .null: return nil
        default: throw .unexpectedReply
        }
    }

    /// `SET key value EX seconds [NX]`; false when `onlyIfAbsent` and the key already existed.
    @discardableResult
    public func set(_ key: String, _ value: [UInt8], expireSeconds: Int, onlyIfAbsent: Bool = false) throws(RedisError) -> Bool {
        var arguments = [Array("SET".utf8), Array(key.utf8), value, Array("EX".utf8), Array(String(expireSeconds).utf8)]
        if onlyIfAbsent { arguments.append(Array("NX".utf8)) }
        return try command(arguments) != .null
    }

    /// Seconds until `key` expires; nil when it does not exist or never expires.
    public func timeToLive(_ key: String) throws(RedisError) -> Int? {
        guard let seconds = try command([Array("TTL".utf8), Array(key.utf8)]).integer else { throw .unexpectedReply }
        return seconds >= 0 ? Int(seconds) : nil
    }

    @discardableResult
    public func increment(_ key: String) throws(RedisError) -> Int64 {
        guard let value = try command([Array("INCR".utf8), Array(key.utf8)], idempotent: false).integer else { throw .unexpectedReply }
        return value
    }

    @discardableResult
    public func delete(_ keys: String...) throws(RedisError) -> Int64 {
        guard let value = try command((["DEL"] + keys).map { Array($0.utf8) }).integer else { throw .unexpectedReply }
        return value
    }

    public func ping() throws(RedisError) {
        guard try command("PING") == .status("PONG") else { throw .unexpectedReply }
    }
}
