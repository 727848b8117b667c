import Crypto
import Redis

/// Product lists and pages as encoded bytes in Redis (DESIGN.md §5). Every key carries the
/// catalog version, and every catalog write bumps it, so the next read from any worker misses
/// and refills: invalidation is one INCR; old keys expire by TTL.
///
/// Each worker also keeps the pages of the current version in memory. Where the version comes
/// from is the deployment's choice (`CATALOG_CACHE_SCOPE`):
/// - `global`: Redis's `catalog:version`, read on every request (one small GET), so a write on
///   any app host is seen by the next read on every host.
/// - `host`: a counter in this host's shared-memory scoreboard, read without a syscall; correct
///   when every catalog write goes through this host (the one-host deployment), and the fast
///   path: a page a worker already holds costs no round trip at all.
public final class CatalogCache {
    /// The shared-memory version of `host` scope: read and bumped by every process of the host.
    public struct HostVersion: Sendable {
        public var current: @Sendable () -> String
        public var bump: @Sendable () -> Void

        public init(current: @escaping @Sendable () -> String, bump: @escaping @Sendable () -> Void) {
            self.current = current
            self.bump = bump
        }
    }

    public enum Lookup: Equatable {
        case hit(CachedPage)
        case miss(version: String)
        /// Redis is failing: answer from PostgreSQL and store nothing.
        case unavailable
    }

    private let cache: RedisClient
    private let ttlSeconds: Int
    /// Pages one catalog version may hold in Redis (`CACHE_MAX_ENTRIES`): however many distinct
    /// queries clients invent, the cache of a version stays bounded.
    private let maxEntries: Int
    /// A bump that could not reach Redis; retried before this worker's next cache use.
    private var bumpPending = false
    /// Told each lookup's result, for `cache_requests_total{cache="catalog"}`.
    public var onLookup: ((Lookup) -> Void)?

    private let hostVersion: HostVersion?
    private var localVersion = ""
    private var localPages: [String: CachedPage] = [:]
    private var localBytes = 0
    /// What one worker may hold; past it the local pages are dropped and refilled.
    static let localByteLimit = 8 << 20

    static let versionKey = "catalog:version"

    public init(cache: RedisClient, ttlSeconds: Int, maxEntries: Int = 10_000, hostVersion: HostVersion? = nil) {
        self.cache = cache
        self.ttlSeconds = ttlSeconds
        self.maxEntries = maxEntries
        self.hostVersion = hostVersion
    }

    /// `kind` is `products`, `product`, `categories`; `identity` is the normalised request.
    public func lookup(kind: String, identity: String) -> Lookup {
        let result = read(kind: kind, identity: identity)
        onLookup?(result)
        return result
    }

    private func read(kind: String, identity: String) -> Lookup {
        guard hostVersion != nil || retryPendingBump() else { return .unavailable }
        guard let version = currentVersion() else { return .unavailable }
        let key = Self.key(version: version, kind: kind, identity: identity)
        if let page = localPages[key] { return .hit(page) }
        let stored: [UInt8]?
        do { stored = try cache.get(key) } catch { return .unavailable }
        guard let bytes = stored, let page = CachedPage(decoding: bytes) else { return .miss(version: version) }
        remember(key, page, version: version)
        return .hit(page)
    }

    /// The catalog version; a change empties this worker's pages.
    private func currentVersion() -> String? {
        let version: String
        if let hostVersion {
            version = hostVersion.current()
        } else {
            let reply: [UInt8]?
            do { reply = try cache.get(Self.versionKey) } catch { return nil }
            // No key yet (a fresh or restarted Redis): version 0.
            version = reply.map { String(decoding: $0, as: UTF8.self) } ?? "0"
        }
        if version != localVersion {
            localPages.removeAll(keepingCapacity: true)
            localBytes = 0
            localVersion = version
        }
        return version
    }

    static func key(version: String, kind: String, identity: String) -> String {
        "catalog:v\(version):" + kind + ":" + Hex.encode(Digest.sha256(identity))
    }

    /// Stores a page under the version read before it was built: if a write bumped the version
    /// meanwhile, the page lands under the old version and is never read.
    public func store(kind: String, identity: String, version: String, page: CachedPage) {
        let key = Self.key(version: version, kind: kind, identity: identity)
        _ = try? cache.command([Array("EVAL".utf8), Array(Self.boundedSet.utf8), Array("2".utf8), Array(key.utf8), Array(Self.countKey(version: version).utf8),
                                page.encoded, Array(String(ttlSeconds).utf8), Array(String(maxEntries).utf8)], idempotent: false)
        remember(key, page, version: version)
    }

    static func countKey(version: String) -> String { "catalog:v\(version):entries" }

    /// SET with a budget, in one round trip: count the version's entries (the counter expires
    /// with them) and store only while the count is within the bound.
    public static let boundedSet = """
        local n = redis.call('INCR', KEYS[2])
        if n == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
        if n > tonumber(ARGV[3]) then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        return 1
        """

    private func remember(_ key: String, _ page: CachedPage, version: String) {
        guard version == localVersion else { return }
        if localBytes + page.body.count > Self.localByteLimit {
            localPages.removeAll(keepingCapacity: true)
            localBytes = 0
        }
        localPages[key] = page
        localBytes += page.body.count
    }

    /// Call after every committed catalog write.
    public func bump() {
        hostVersion?.bump()
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
