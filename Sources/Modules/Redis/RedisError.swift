public enum RedisError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Could not connect, or the connection failed mid-command (timeouts included). The
    /// context is gone; the client reconnects after its cool-down.
    case connection(String)
    /// The server answered with an error reply (WRONGTYPE, OOM, NOAUTH …).
    case server(String)
    /// The client is in its cool-down after a failure and did not try.
    case unavailable
    case unexpectedReply

    public var description: String {
        switch self {
        case .connection(let message): "Redis connection error: \(message)"
        case .server(let message): "Redis error reply: \(message)"
        case .unavailable: "Redis marked down"
        case .unexpectedReply: "unexpected Redis reply"
        }
    }
}
