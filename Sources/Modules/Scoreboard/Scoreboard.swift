import Core
import CSystem
#if canImport(Glibc)
import Glibc
#endif

public enum ScoreboardError: Error, CustomStringConvertible {
    case system(operation: String, path: String, errno: Int32)
    case noSuchSlot(Int)

    public var description: String {
        switch self {
        case .system(let operation, let path, let errno): "scoreboard \(operation) \(path) failed: \(String(cString: strerror(errno)))"
        case .noSuchSlot(let index): "scoreboard has no slot \(index)"
        }
    }
}

/// The host's shared memory (php-fpm style): a file mapped MAP_SHARED by every worker of every
/// pool, a section of slots per pool and a few for background processes at the end. A worker
/// writes only its own slot; `/api/metrics` and `commerce-fcgi status` read all of them, so
/// any worker answers for the whole host. Counters survive a worker's death (the slot is
/// reused, never zeroed), so the sums only grow. The header holds what the host shares: the
/// catalog version, each pool's size and restarts, and the payment provider's circuit breaker.
public final class Scoreboard {
    static let magic: UInt64 = 0x4346_4347_4953_4233 // "CFCGISB3"
    static let headerWords = 32
    /// Slots at the end for processes that only count (the jobs process, one-off commands).
    public static let backgroundSlots = 8
    /// Entries of the host's stock table (`HostStockTable`): two words each, 2 MiB, sparse.
    public static let stockSlots = 1 << 17

    public let layout: ScoreboardLayout
    public let slotCount: Int
    let slotWords: Int
    private let base: UnsafeMutablePointer<UInt64>
    private let byteCount: Int
    private let inode: ino_t

    enum HeaderField: Int {
        case magic = 0
        case fingerprint, slotCount, slotWords, createdAtMs, epoch, catalogVersion, stockSlots
        /// The payment breaker's cells (see `breakerCells`), 8…13.
        case breaker = 8
        /// Bumped whenever a product's stock crosses zero (`stockBoundaryCell`).
        case stockBoundary = 14
        /// `maxPools` cells each: configured workers, then restarts, per pool.
        case poolConfigured = 16
        case poolRestarts = 20
    }

    /// Creates (or replaces) the file and lays it out: the supervisor at start-up.
    public static func create(path: String, layout: ScoreboardLayout, slots: Int) throws(ScoreboardError) -> Scoreboard {
        let temporary = path + ".new.\(getpid())"
        let board = try map(path: temporary, layout: layout, slots: slots, initialise: true)
        guard rename(temporary, path) == 0 else { throw .system(operation: "rename", path: path, errno: errno) }
        return board
    }

    /// The file a running pool of this build laid out, or nil; never creates or replaces it
    /// (a command such as seed-demo only bumps the catalog version in it).
    public static func existing(path: String, layout: ScoreboardLayout, slots: Int) -> Scoreboard? {
        guard let board = try? map(path: path, layout: layout, slots: slots, initialise: false), board.isValid else { return nil }
        return board
    }

    /// Opens the file a sibling laid out, or creates it when it is missing or was laid out by
    /// another build: a systemd worker, which has no supervisor to do it.
    public static func attach(path: String, layout: ScoreboardLayout, slots: Int) throws(ScoreboardError) -> Scoreboard {
        if let board = existing(path: path, layout: layout, slots: slots) { return board }
        return try create(path: path, layout: layout, slots: slots)
    }

    private static func map(path: String, layout: ScoreboardLayout, slots: Int, initialise: Bool) throws(ScoreboardError) -> Scoreboard {
        let slotWords = Self.slotWords(layout)
        let words = headerWords + slots * slotWords + 2 * stockSlots
        let bytes = words * 8
        let flags = initialise ? (O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC) : (O_RDWR | O_CLOEXEC)
        let fd = open(path, flags, 0o640)
        guard fd >= 0 else { throw .system(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(operation: "stat", path: path, errno: errno) }
        if initialise || Int(info.st_size) < bytes {
            // Sparse: untouched counter pages cost no memory.
            guard ftruncate(fd, off_t(bytes)) == 0 else { throw .system(operation: "ftruncate", path: path, errno: errno) }
        }
        guard let raw = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), raw != MAP_FAILED else {
            throw .system(operation: "mmap", path: path, errno: errno)
        }
        let board = Scoreboard(
            base: raw.assumingMemoryBound(to: UInt64.self), byteCount: bytes, inode: info.st_ino, layout: layout, slots: slots,
            slotWords: slotWords)
        if initialise {
            board.setHeader(.fingerprint, layout.fingerprint)
            board.setHeader(.slotCount, UInt64(slots))
            board.setHeader(.slotWords, UInt64(slotWords))
            board.setHeader(.stockSlots, UInt64(stockSlots))
            board.setHeader(.createdAtMs, UInt64(time(nil)) * 1000)
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            board.setHeader(.epoch, UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec) ^ (UInt64(getpid()) << 44))
            board.setHeader(.magic, magic)
        }
        return board
    }

    static func slotWords(_ layout: ScoreboardLayout) -> Int {
        ScoreboardSlot.fixedWords + ScoreboardLayout.namedCounterCells + layout.requestCellCount + layout.histogramCellCount
    }

    private init(base: UnsafeMutablePointer<UInt64>, byteCount: Int, inode: ino_t, layout: ScoreboardLayout, slots: Int, slotWords: Int) {
        self.base = base
        self.byteCount = byteCount
        self.inode = inode
        self.layout = layout
        self.slotCount = slots
        self.slotWords = slotWords
    }

    deinit { munmap(base, byteCount) }

    private var isValid: Bool {
        header(.magic) == Self.magic && header(.fingerprint) == layout.fingerprint
            && header(.slotCount) == UInt64(slotCount) && header(.slotWords) == UInt64(slotWords)
            && header(.stockSlots) == UInt64(Self.stockSlots)
    }

    func header(_ field: HeaderField, _ offset: Int = 0) -> UInt64 { cfcgi_atomic_load_u64(base + field.rawValue + offset) }
    func setHeader(_ field: HeaderField, _ value: UInt64, _ offset: Int = 0) { cfcgi_atomic_store_u64(base + field.rawValue + offset, value) }

    // MARK: Pools and their sections

    /// Slots each pool's section holds.
    public var sectionSize: Int { max(0, slotCount - Self.backgroundSlots) / layout.pools.count }

    public func poolIndex(_ name: String) -> Int? { layout.pools.firstIndex(of: name) }

    /// The slot indexes of pool `pool`'s section.
    public func section(_ pool: Int) -> Range<Int> { (pool * sectionSize)..<((pool + 1) * sectionSize) }

    /// The slots after every section: the jobs process and one-off commands count there.
    public var backgroundSection: Range<Int> { (layout.pools.count * sectionSize)..<slotCount }

    /// The pool whose section holds slot `index`; nil for the background slots.
    public func pool(ofSlot index: Int) -> Int? {
        let pool = index / max(sectionSize, 1)
        return pool < layout.pools.count ? pool : nil
    }

    public func configuredWorkers(pool: Int) -> Int { Int(header(.poolConfigured, pool)) }
    public func setConfiguredWorkers(_ workers: Int, pool: Int) { setHeader(.poolConfigured, UInt64(workers), pool) }
    public func workerRestarts(pool: Int) -> UInt64 { header(.poolRestarts, pool) }
    public func countWorkerRestart(pool: Int) { cfcgi_atomic_add_u64(base + HeaderField.poolRestarts.rawValue + pool, 1) }

    // MARK: Host-wide state

    /// The catalog version of this host (`CATALOG_CACHE_SCOPE=host`), with the file's random
    /// epoch, so a recreated file never reuses the versions of the one before it.
    public var catalogVersion: (epoch: UInt64, version: UInt64) { (header(.epoch), header(.catalogVersion)) }
    public func bumpCatalogVersion() { cfcgi_atomic_add_u64(base + HeaderField.catalogVersion.rawValue, 1) }

    /// The six cells of the payment provider's circuit breaker, shared by every process here.
    public var breakerCells: SharedCells { SharedCells(base: base + HeaderField.breaker.rawValue, count: CircuitBreaker.cellCount, board: self) }

    /// The host's stock table: `stockSlots` pairs of words after the slots.
    public var stockCells: SharedCells {
        SharedCells(base: base + Self.headerWords + slotCount * slotWords, count: 2 * Self.stockSlots, board: self)
    }

    /// The zero-crossing version of the host's stock (listings filtered on `inStock` key on it).
    public var stockBoundaryCell: SharedCells { SharedCells(base: base + HeaderField.stockBoundary.rawValue, count: 1, board: self) }

    // MARK: Slots

    public func slot(_ index: Int) throws(ScoreboardError) -> ScoreboardSlot {
        guard index >= 0, index < slotCount else { throw .noSuchSlot(index) }
        return ScoreboardSlot(base: base + Self.headerWords + index * slotWords, layout: layout, board: self)
    }

    public var slots: [ScoreboardSlot] {
        (0..<slotCount).map { ScoreboardSlot(base: base + Self.headerWords + $0 * slotWords, layout: layout, board: self) }
    }

    /// A free slot (never used, or its process is gone) among `indexes`, claimed for `pid`.
    public func claimFreeSlot(pid: Int32, in indexes: Range<Int>) -> ScoreboardSlot? {
        for index in indexes {
            guard let slot = try? slot(index) else { continue }
            if slot.claim(pid: pid) { return slot }
        }
        return nil
    }

    /// Whether `path` is still the file this board maps: a supervisor starting again lays out
    /// a new file, and a long-lived process (jobs) must map that one to be counted.
    public func isCurrent(path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_ino == inode
    }
}

/// A few 64-bit cells of the scoreboard that several processes read and change atomically.
public struct SharedCells: AtomicCells, @unchecked Sendable {
    private let base: UnsafeMutablePointer<UInt64>
    public let count: Int
    /// Keeps the mapping alive: cells taken from a board outlive any local reference to it.
    private let board: Scoreboard

    init(base: UnsafeMutablePointer<UInt64>, count: Int, board: Scoreboard) {
        self.base = base
        self.count = count
        self.board = board
    }

    public func load(_ index: Int) -> UInt64 { cfcgi_atomic_load_u64(base + index) }
    public func store(_ index: Int, _ value: UInt64) { cfcgi_atomic_store_u64(base + index, value) }
    public func add(_ index: Int, _ value: UInt64) { cfcgi_atomic_add_u64(base + index, value) }
    public func compareExchange(_ index: Int, expected: UInt64, desired: UInt64) -> Bool {
        cfcgi_atomic_cas_u64(base + index, expected, desired) != 0
    }
}
