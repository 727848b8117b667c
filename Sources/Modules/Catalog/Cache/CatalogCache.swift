import Crypto
import Redis

/// Product lists and pages as templates in Redis (DESIGN.md §5): every key carries the catalog
/// version, and every catalog write (an admin's) bumps it, so the next read from any worker
/// misses and refills: invalidation is one INCR; old keys expire by TTL. A sale is not a
/// catalog write: stock lives in the templates' holes and is filled in as each page is served.
///
/// Each worker also keeps the templates of the current version in memory, with the page it last
/// rendered from each (plain and gzip) while the stock it shows holds. Where the version comes
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

    public enum Lookup {
        case hit(CachedPage)
        /// Build it, then `store` it here.
        case miss(MissingPage)
        /// Redis is failing: answer from PostgreSQL and store nothing.
        case unavailable
    }

    /// Where a page the cache lacks goes once built: under the version read before it was.
    public struct MissingPage {
        let key: String
        let localKey: String
        let version: String
    }

    /// A template this worker holds, and the page it last rendered from it while its stock held.
    public final class CachedPage {
        public let template: PageTemplate
        var rendered: RenderedPage?

        init(template: PageTemplate) { self.template = template }
    }

    /// What a lookup counted as, for `cache_requests_total{cache="catalog"}`.
    public enum Outcome: Equatable {
        case hit, miss, unavailable
    }

    private let cache: RedisClient
    private let ttlSeconds: Int
    /// Pages one catalog version may hold in Redis (`CACHE_MAX_ENTRIES`): however many distinct
    /// queries clients invent, the cache of a version stays bounded.
    private let maxEntries: Int
    /// A bump that could not reach Redis; retried before this worker's next cache use.
    private var bumpPending = false
    /// Told each lookup's outcome.
    public var onLookup: ((Outcome) -> Void)?

    private let hostVersion: HostVersion?
    private var localVersion = ""
    /// By kind and identity as requests give them, so a page this worker holds costs no hash.
    private var localPages: [String: CachedPage] = [:]
    private var localTotals: [String: Int] = [:]
    private var localBytes = 0
    /// What one worker may hold; past it the local pages are dropped and refilled.
    static let localByteLimit = 4 << 20

    static let versionKey = "catalog:version"

    public init(cache: RedisClient, ttlSeconds: Int, maxEntries: Int = 10_000, hostVersion: HostVersion? = nil) {
        self.cache = cache
        self.ttlSeconds = ttlSeconds
        self.maxEntries = maxEntries
        self.hostVersion = hostVersion
    }

    /// `kind` is `products`, `product`, `categories`…; `identity` is the normalised request.
    public func lookup(kind: String, identity: String) -> Lookup {
        let result = read(kind: kind, identity: identity)
        switch result {
        case .hit: onLookup?(.hit)
        case .miss: onLookup?(.miss)
        case .unavailable: onLookup?(.unavailable)
        }
        return result
    }

    private func read(kind: String, identity: String) -> Lookup {
        guard hostVersion != nil || retryPendingBump() else { return .unavailable }
        guard let version = currentVersion() else { return .unavailable }
        let localKey = kind + "\u{0}" + identity
        if let page = localPages[localKey] { return .hit(page) }
        let key = Self.key(version: version, kind: kind, identity: identity)
        let stored: [UInt8]?
        do { stored = try cache.get(key) } catch { return .unavailable }
        guard let bytes = stored, let template = PageTemplate(decoding: bytes) else {
            return .miss(MissingPage(key: key, localKey: localKey, version: version))
        }
        return .hit(remember(localKey, template, version: version))
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
            localTotals.removeAll(keepingCapacity: true)
            localBytes = 0
            localVersion = version
        }
        return version
    }

    static func key(version: String, kind: String, identity: String) -> String {
        "catalog:v\(version):" + kind + ":" + Hex.encode(Digest.sha256(identity))
    }

    /// Stores a template under the version read before it was built: if a write bumped the
    /// version meanwhile, it lands under the old version and is never read.
    public func store(_ template: PageTemplate, as missing: MissingPage) -> CachedPage {
        _ = try? cache.command(
            [
                Array("EVAL".utf8), Array(Self.boundedSet.utf8), Array("2".utf8), Array(missing.key.utf8),
                Array(Self.countKey(version: missing.version).utf8), template.encoded, Array(String(ttlSeconds).utf8),
                Array(String(maxEntries).utf8),
            ], idempotent: false)
        return remember(missing.localKey, template, version: missing.version)
    }

    private func remember(_ localKey: String, _ template: PageTemplate, version: String) -> CachedPage {
        let page = CachedPage(template: template)
        guard version == localVersion else { return page }
        makeRoom(template.segments.reduce(0) { $0 + $1.count })
        localPages[localKey] = page
        return page
    }

    private func makeRoom(_ bytes: Int) {
        if localBytes + bytes > Self.localByteLimit {
            localPages.removeAll(keepingCapacity: true)
            localBytes = 0
        }
        localBytes += bytes
    }

    /// The page rendered from `page` with these quantities: the one this worker already holds
    /// when the stock is unchanged, else rendered now and kept.
    public func rendered(_ page: CachedPage, quantities: [Int]) -> RenderedPage {
        if let held = page.rendered, held.quantities == quantities { return held }
        let fresh = RenderedPage(template: page.template, quantities: quantities)
        makeRoom(fresh.plain.count * 2)
        page.rendered = fresh
        return fresh
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

    // MARK: Totals

    public enum TotalLookup {
        case known(Int)
        /// Count it, then `storeTotal` under this key and version.
        case unknown(key: String, version: String)
        case unavailable
    }

    /// The number of rows a filter matches in this catalog version (the pagination total, an
    /// index-only scan of every matching row): counted once per version and kept like pages.
    public func total(filter: String) -> TotalLookup {
        guard hostVersion != nil || retryPendingBump(), let version = currentVersion() else { return .unavailable }
        let key = Self.key(version: version, kind: "total", identity: filter)
        if let total = localTotals[key] { return .known(total) }
        let stored: [UInt8]?
        do { stored = try cache.get(key) } catch { return .unavailable }
        guard let bytes = stored, let total = Int(String(decoding: bytes, as: UTF8.self)) else { return .unknown(key: key, version: version) }
        localTotals[key] = total
        return .known(total)
    }

    /// Stores a total counted after `total(filter:)` said `unknown`, under the version it read.
    public func storeTotal(_ total: Int, key: String, version: String) {
        _ = try? cache.set(key, Array(String(total).utf8), expireSeconds: ttlSeconds)
        if version == localVersion { localTotals[key] = total }
    }

    // MARK: Invalidation

    /// Runs first in every `bump()`: the read replica's fence (App.ReplicaReads), which must
    /// be in place before any reader can see the new version.
    public var beforeBump: (() -> Void)?

    /// Call after every committed catalog write.
    public func bump() {
        beforeBump?()
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
