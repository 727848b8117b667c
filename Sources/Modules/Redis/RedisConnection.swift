import CHiredis
#if canImport(Glibc)
import Glibc
#endif

/// Where the server is: `redis://[:password@]host[:port][/db]` or `unix:///path[?db=N]`.
public struct RedisEndpoint: Equatable, Sendable {
    public enum Address: Equatable, Sendable {
        case tcp(host: String, port: Int32)
        case unix(path: String)
    }

    public var address: Address
    public var password: String?
    public var database: Int

    public init(address: Address, password: String? = nil, database: Int = 0) {
        self.address = address
        self.password = password
        self.database = database
    }

    public static func parse(_ url: String) -> RedisEndpoint? {
        if url.hasPrefix("unix://") {
            let rest = url.dropFirst("unix://".count)
            let parts = rest.split(separator: "?", maxSplits: 1)
            guard let path = parts.first, path.hasPrefix("/") else { return nil }
            var database = 0
            if parts.count > 1, parts[1].hasPrefix("db=") {
                guard let db = Int(parts[1].dropFirst(3)) else { return nil }
                database = db
            }
            return RedisEndpoint(address: .unix(path: String(path)), database: database)
        }
        guard url.hasPrefix("redis://") else { return nil }
        var rest = Substring(url.dropFirst("redis://".count))
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let secret = credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).last.map(String.init) ?? ""
            password = secret.isEmpty ? nil : secret
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            if !db.isEmpty {
                guard let number = Int(db), number >= 0 else { return nil }
                database = number
            }
            rest = rest[..<slash]
        }
        var host = String(rest)
        var port: Int32 = 6379
        if let colon = rest.lastIndex(of: ":") {
            guard let number = Int32(rest[rest.index(after: colon)...]), number > 0 else { return nil }
            port = number
            host = String(rest[..<colon])
        }
        guard !host.isEmpty else { return nil }
        return RedisEndpoint(address: .tcp(host: host, port: port), password: password, database: database)
    }
}

/// Owns one hiredis context. Any I/O error leaves hiredis's context unusable (errors are
/// sticky and a late reply would desynchronise the stream), so the owner drops it.
public final class RedisConnection {
    private let context: UnsafeMutablePointer<redisContext>

    public static func connect(_ endpoint: RedisEndpoint, connectTimeoutMilliseconds: Int, commandTimeoutMilliseconds: Int) throws(RedisError) -> RedisConnection {
        var connectTimeout = Self.timeval(milliseconds: connectTimeoutMilliseconds)
        let raw: UnsafeMutablePointer<redisContext>?
        switch endpoint.address {
        case .tcp(let host, let port): raw = redisConnectWithTimeout(host, port, connectTimeout)
        case .unix(let path): raw = redisConnectUnixWithTimeout(path, connectTimeout)
        }
        guard let raw else { throw .connection("out of memory") }
        if raw.pointee.err != 0 {
            let message = Self.errorText(raw)
            redisFree(raw)
            throw .connection(message)
        }
        // hiredis 0.14's connect timeout does not bound commands; this sets SO_RCVTIMEO/SNDTIMEO.
        connectTimeout = Self.timeval(milliseconds: commandTimeoutMilliseconds)
        redisSetTimeout(raw, connectTimeout)
        redisEnableKeepAlive(raw)
        let connection = RedisConnection(context: raw)
        if let password = endpoint.password {
            try connection.expectOK(["AUTH", password])
        }
        if endpoint.database != 0 {
            try connection.expectOK(["SELECT", String(endpoint.database)])
        }
        return connection
    }

    private init(context: UnsafeMutablePointer<redisContext>) { self.context = context }

    deinit { redisFree(context) }

    private func expectOK(_ arguments: [String]) throws(RedisError) {
        let reply = try command(arguments.map { Array($0.utf8) })
        if case .error(let message) = reply { throw .server(message) }
    }

    /// Sends one command, binary-safe. Error replies come back as `.error`, not thrown:
    /// they leave the connection healthy.
    public func command(_ arguments: [[UInt8]]) throws(RedisError) -> RedisReply {
        let lengths = arguments.map { $0.count }
        let raw: UnsafeMutableRawPointer? = Self.withPointers(arguments) { pointers in
            var pointers = pointers
            return lengths.withUnsafeBufferPointer { lens in
                pointers.withUnsafeMutableBufferPointer { ptrs in
                    redisCommandArgv(context, Int32(arguments.count), ptrs.baseAddress, lens.baseAddress)
                }
            }
        }
        guard let raw else { throw .connection(Self.errorText(context)) }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return RedisReply(reply)
    }

    public func command(_ arguments: String...) throws(RedisError) -> RedisReply {
        try command(arguments.map { Array($0.utf8) })
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    private static func timeval(milliseconds: Int) -> timeval {
        Glibc.timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
    }

    private static func withPointers<R>(_ arguments: [[UInt8]], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        // Each argument is copied once into one buffer, so the pointers stay valid for the call.
        let total = arguments.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
        defer { storage.deallocate() }
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(arguments.count)
        var offset = 0
        for argument in arguments {
            argument.withUnsafeBytes { raw in
                if !raw.isEmpty { UnsafeMutableRawPointer(storage + offset).copyMemory(from: raw.baseAddress!, byteCount: raw.count) }
            }
            pointers.append(UnsafePointer(storage + offset))
            offset += argument.count
        }
        return body(pointers)
    }
}
