/// What the counters of a slot are indexed by. Every process of one build computes the same
/// layout from the route table; its fingerprint in the file header tells a new build (a
/// rolling deploy) that the file was laid out by another one.
public struct ScoreboardLayout: Equatable, Sendable {
    public static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"]
    public static let statuses = [200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 502, 503]
    /// Upper bounds of the latency histogram, in microseconds (1 ms … 10 s).
    public static let bucketBoundsMicroseconds: [UInt64] = [1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000]
    /// Cells for named counters (`db_queries_total` …); features claim indexes below this.
    public static let namedCounterCells = 64

    /// Route patterns in a fixed order; the last index is `unmatched`.
    public let patterns: [String]
    /// The pools of the host, each with a section of slots, in order (`api`, `checkout`).
    public let pools: [String]
    /// Pools a scoreboard header has room for.
    public static let maxPools = 4

    public init(patterns: [String], pools: [String] = ["api"]) {
        precondition(!pools.isEmpty && pools.count <= Self.maxPools, "1 to \(Self.maxPools) pools")
        var unique: [String] = []
        for pattern in patterns where !unique.contains(pattern) { unique.append(pattern) }
        self.patterns = unique + ["unmatched"]
        self.pools = pools
    }

    public var methodCount: Int { Self.methods.count }
    /// One status column more than listed: "other".
    public var statusCount: Int { Self.statuses.count + 1 }
    public var bucketCount: Int { Self.bucketBoundsMicroseconds.count }

    public var requestCellCount: Int { methodCount * patterns.count * statusCount }
    /// Per (method, pattern): bucket counts, +Inf count, and the sum of microseconds.
    public var histogramStride: Int { bucketCount + 2 }
    public var histogramCellCount: Int { methodCount * patterns.count * histogramStride }

    public func methodIndex(_ method: String) -> Int {
        Self.methods.firstIndex(of: method) ?? Self.methods.count - 1
    }

    public func patternIndex(_ pattern: String) -> Int {
        patterns.firstIndex(of: pattern) ?? patterns.count - 1
    }

    public func statusIndex(_ status: Int) -> Int {
        Self.statuses.firstIndex(of: status) ?? Self.statuses.count
    }

    public func statusLabel(_ index: Int) -> String {
        index < Self.statuses.count ? String(Self.statuses[index]) : "other"
    }

    /// FNV-1a over everything that decides where a counter lives.
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let description =
            (Self.methods + Self.statuses.map(String.init) + Self.bucketBoundsMicroseconds.map(String.init) + patterns + pools)
            .joined(separator: "\n") + "\n\(Self.namedCounterCells)"
        for byte in description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
