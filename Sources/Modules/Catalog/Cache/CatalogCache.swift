import Crypto
import Redis

/// Product lists and pages as encoded bytes in Redis (DESIGN.md §5). Every key carries the
/// catalog version, and every catalog write bumps it, so the next read from any worker misses
/// and refills: invalidation is one INCR; old keys expire by TTL.
///
/// A read is one round trip: a small Lua script reads the version and the page together.
public final class CatalogCache {
    public enum Lookup: Equatable {
        case hit(CachedPage)
        case miss(version: Int64)
        /// Redis is failing: answer from PostgreSQL and store nothing.
        case unavailable
    }

    private let cache: RedisClient
    private let ttlSeconds: Int
    /// A bump that could not reach Redis; retried before this worker's next cache use.
    private var bumpPending = false
    /// Told each lookup's result, for `cache_requests_total{cache="catalog"}`.
    public var onLookup: ((Lookup) -> Void)?

    static let versionKey = "catalog:version"
    private static let readScript = """
        local v = redis.call('GET', KEYS[1]) or '0'
        return {v, redis.call('GET', ARGV[1] .. v .. ':' .. ARGV[2])}
        """

    public init(cache: RedisClient, ttlSeconds: Int) {
        self.cache = cache
        self.ttlSeconds = ttlSeconds
    }

    /// `kind` is `products`, `product`, `categories`; `identity` is the normalised request.
    public func lookup(kind: String, identity: String) -> Lookup {
        let result = read(kind: kind, identity: identity)
        onLookup?(result)
        return result
    }

    private func read(kind: String, identity: String) -> Lookup {
        guard retryPendingBump() else { return .unavailable }
        let field = kind + ":" + Hex.encode(Digest.sha256(identity))
        guard let reply = try? cache.command([Array("EVAL".utf8), Array(Self.readScript.utf8), Array("1".utf8),
                                               Array(Self.versionKey.utf8), Array("catalog:v".utf8), Array(field.utf8)]),
              case .array(let parts) = reply, parts.count == 2, let version = parts[0].integer
        else { return .unavailable }
        if case .string(let bytes) = parts[1], let page = CachedPage(decoding: bytes) { return .hit(page) }
        return .miss(version: version)
    }

    /// Stores a page under the version read before it was built: if a write bumped the version
    /// meanwhile, the page lands under the old version and is never read.
    public func store(kind: String, identity: String, version: Int64, page: CachedPage) {
        let key = "catalog:v\(version):" + kind + ":" + Hex.encode(Digest.sha256(identity))
        _ = try? cache.set(key, page.encoded, expireSeconds: ttlSeconds)
    }

    /// Call after every committed catalog write.
    public func bump() {
        do {
            try cache.increment(Self.versionKey)
            bumpPending = false
        } catch {
            bumpPending = true
        }
    }

    private func retryPendingBump() -> Bool {
        guard bumpPending else { return true }
        bump()
        return !bumpPending
    }
}

/// A cached answer: its ETag and the JSON body, stored as `etag\n` + body.
public struct CachedPage: Equatable, Sendable {
    public let etag: String
    public let body: [UInt8]

    public init(body: [UInt8]) {
        self.body = body
        etag = "\"" + Hex.encode(Array(Digest.sha256(body).prefix(16))) + "\""
    }

    init?(decoding bytes: [UInt8]) {
        guard let newline = bytes.firstIndex(of: 0x0a) else { return nil }
        etag = String(decoding: bytes[..<newline], as: UTF8.self)
        body = Array(bytes[(newline + 1)...])
    }

    var encoded: [UInt8] { Array(etag.utf8) + [0x0a] + body }
}
