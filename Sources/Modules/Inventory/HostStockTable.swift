import Core
import Postgres

/// `CATALOG_CACHE_SCOPE=host` (one app host, the default): quantities in a table of shared
/// memory that every process of the host reads without a syscall and every writer of stock
/// keeps exact.
///
/// An open-addressing table of (key, entry) word pairs: the key is 64 bits of the product's
/// UUID, the entry packs the quantity, whether it is valid, whether a change is in flight, when
/// it was last written, and a generation that changes with every write, so compare-and-swap
/// sees any change in between. The protocol that keeps it exact:
/// - a writer marks its products *changing* inside its transaction, before COMMIT, and after
///   the commit publishes the new quantities over its own marks only (a later writer's mark
///   stays, and that writer publishes);
/// - a reader trusts valid entries; for the rest it asks PostgreSQL and stores the answer only
///   if the entry is exactly as it saw it (no writer came by meanwhile), never over a mark;
/// - a mark older than a minute belongs to a writer that died between its mark and its publish
///   (a transaction cannot live that long): a reader may take it over;
/// - a valid entry is trusted for `freshSeconds` (CACHE_TTL) after it was written, so a change
///   made behind the service's back (psql) shows within the time a cached page would have.
/// A full table, or a product that does not fit in its probe window, is simply read from
/// PostgreSQL every time.
public final class HostStockTable: StockLevels {
    private let cells: any AtomicCells
    private let slotCount: Int
    private let boundary: (any AtomicCells)?
    private let freshSeconds: UInt64
    private let now: @Sendable () -> UInt64

    static let maxProbes = 32
    /// Seconds after which a mark is deemed abandoned.
    static let staleMarkSeconds: UInt64 = 60

    /// `cells` holds `2 × slots` words (a power of two slots); `boundary` one word, the
    /// zero-crossing version; `now` is epoch milliseconds.
    public init(
        cells: any AtomicCells, slots: Int, boundary: (any AtomicCells)?, freshSeconds: Int = 3600,
        now: @escaping @Sendable () -> UInt64
    ) {
        precondition(slots > 0 && slots & (slots - 1) == 0, "a power of two slots")
        self.cells = cells
        self.slotCount = slots
        self.boundary = boundary
        // Well inside the stamp's range, so its wrap-around never makes an old entry look new.
        self.freshSeconds = UInt64(max(1, min(freshSeconds, 86_400)))
        self.now = now
    }

    // MARK: Entry words

    /// Bits 0–30 quantity (every value `stock_quantity`, an int4 that is never negative, can
    /// hold), 31 valid, 32 changing, 33–49 stamp (seconds mod 2^17), 50–63 generation.
    struct Entry: Equatable {
        var quantity: Int
        var valid: Bool
        var changing: Bool
        /// When it was marked or last written, in seconds mod 2^17 (36 hours).
        var stamp: UInt64
        var generation: UInt64

        static let maxQuantity = Int(Int32.max)
        static let stampMask: UInt64 = (1 << 17) - 1
        static let generationMask: UInt64 = (1 << 14) - 1
        static let empty = Entry(quantity: 0, valid: false, changing: false, stamp: 0, generation: 0)

        init(quantity: Int, valid: Bool, changing: Bool, stamp: UInt64, generation: UInt64) {
            self.quantity = quantity
            self.valid = valid
            self.changing = changing
            self.stamp = stamp
            self.generation = generation
        }

        init(word: UInt64) {
            quantity = Int(word & UInt64(Self.maxQuantity))
            valid = word & (1 << 31) != 0
            changing = word & (1 << 32) != 0
            stamp = (word >> 33) & Self.stampMask
            generation = word >> 50
        }

        var word: UInt64 {
            UInt64(max(0, min(quantity, Self.maxQuantity))) | (valid ? 1 << 31 : 0) | (changing ? 1 << 32 : 0)
                | (stamp & Self.stampMask) << 33 | (generation & Self.generationMask) << 50
        }

        /// The entry after one more write: a quantity the word cannot hold is left unknown.
        /// (The generation wraps after 16,384 writes; a reader's compare-and-swap spans one
        /// PostgreSQL query, in which no product is written that often.)
        func next(quantity: Int? = nil, changing: Bool, stamp: UInt64) -> Entry {
            let storable = quantity.flatMap { (0...Self.maxQuantity).contains($0) ? $0 : nil }
            return Entry(
                quantity: storable ?? 0, valid: storable != nil, changing: changing, stamp: stamp,
                generation: (generation + 1) & Self.generationMask)
        }
    }

    private var seconds: UInt64 { (now() / 1000) & Entry.stampMask }

    private func age(_ entry: Entry, at seconds: UInt64) -> UInt64 { (seconds &- entry.stamp) & Entry.stampMask }

    private func isStale(_ entry: Entry, at seconds: UInt64) -> Bool { entry.changing && age(entry, at: seconds) >= Self.staleMarkSeconds }

    private func isTrusted(_ entry: Entry, at seconds: UInt64) -> Bool {
        entry.valid && !entry.changing && age(entry, at: seconds) < freshSeconds
    }

    // MARK: Slots

    /// 64 bits of a UUID (its first 16 hex digits after dropping the dashes); nil for anything else.
    static func key(_ id: String) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        for byte in id.utf8 where byte != UInt8(ascii: "-") {
            let nibble: UInt8
            switch byte {
            case 0x30...0x39: nibble = byte - 0x30
            case 0x61...0x66: nibble = byte - 0x61 + 10
            case 0x41...0x46: nibble = byte - 0x41 + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
            digits += 1
            if digits == 16 { break }
        }
        guard digits == 16 else { return nil }
        return value == 0 ? 1 : value
    }

    /// The slot holding `key`, claiming an empty one when `claim` is set; nil when the key is
    /// absent (or the probe window is full).
    private func slot(for key: UInt64, claim: Bool) -> Int? {
        var index = Int(truncatingIfNeeded: key) & (slotCount - 1)
        for _ in 0..<Self.maxProbes {
            let stored = cells.load(2 * index)
            if stored == key { return index }
            if stored == 0 {
                guard claim else { return nil }
                if cells.compareExchange(2 * index, expected: 0, desired: key) || cells.load(2 * index) == key { return index }
            }
            index = (index + 1) & (slotCount - 1)
        }
        return nil
    }

    private func entry(_ slot: Int) -> Entry { Entry(word: cells.load(2 * slot + 1)) }

    private func swap(_ slot: Int, from old: Entry, to new: Entry) -> Bool {
        cells.compareExchange(2 * slot + 1, expected: old.word, desired: new.word)
    }

    // MARK: Reading

    public func quantities(_ products: StockIds, on db: PostgresClient) throws -> [Int] {
        try quantities(products) { try StockStore.quantities($0, on: db) }
    }

    /// The read path with PostgreSQL's answer injected: `fetch` gets the ids the table cannot vouch for.
    func quantities(_ products: StockIds, fetch: ([String]) throws -> [String: Int]) rethrows -> [Int] {
        let second = seconds
        var found = [Int](repeating: 0, count: products.ids.count)
        var missing: [(index: Int, slot: Int?, seen: Entry)] = []
        for (index, key) in products.keys.enumerated() {
            guard let key, let slot = slot(for: key, claim: true) else {
                missing.append((index, nil, .empty))
                continue
            }
            let current = entry(slot)
            if isTrusted(current, at: second) { found[index] = current.quantity } else { missing.append((index, slot, current)) }
        }
        guard !missing.isEmpty else { return found }
        let fresh = try fetch(missing.map { products.ids[$0.index] })
        for (index, slot, seen) in missing {
            guard let quantity = fresh[products.ids[index]] else { continue }
            found[index] = quantity
            // Stored only over exactly what was seen, and never over a live writer's mark.
            if let slot, !seen.changing || isStale(seen, at: second) {
                _ = swap(slot, from: seen, to: seen.next(quantity: quantity, changing: false, stamp: second))
            }
        }
        return found
    }

    // MARK: Writing

    public func willChange(_ ids: [String]) -> StockChange {
        var marks: [String: UInt64?] = [:]
        for id in Set(ids) {
            guard let key = Self.key(id), let slot = slot(for: key, claim: true) else {
                marks[id] = .some(nil)
                continue
            }
            while true {
                let current = entry(slot)
                let marked = current.next(changing: true, stamp: seconds)
                if swap(slot, from: current, to: marked) {
                    marks[id] = marked.word
                    break
                }
            }
        }
        return StockChange(marks: marks)
    }

    public func committed(_ change: StockChange, levels: [StockLevel]) {
        let published = Set(levels.map(\.productId))
        for level in levels { clear(change, level.productId, publishing: level.after) }
        for id in change.marks.keys where !published.contains(id) { clear(change, id, publishing: nil) }
        if levels.contains(where: \.crossesZero) { boundary?.add(0, 1) }
    }

    public func rolledBack(_ change: StockChange) {
        for id in change.marks.keys { clear(change, id, publishing: nil) }
    }

    /// Replaces this writer's own mark with the quantity (or with "unknown"); a mark another
    /// writer set since is left for that writer.
    private func clear(_ change: StockChange, _ id: String, publishing quantity: Int?) {
        guard let mark = change.marks[id] ?? nil, let key = Self.key(id), let slot = slot(for: key, claim: false) else { return }
        let marked = Entry(word: mark)
        _ = swap(slot, from: marked, to: marked.next(quantity: quantity, changing: false, stamp: seconds))
    }

    /// Every quantity unknown, but for changes in flight (their writers publish): after stock
    /// was written outside the service's writers (`seed-demo`).
    public func forgetAll() {
        for slot in 0..<slotCount where cells.load(2 * slot) != 0 {
            while true {
                let current = entry(slot)
                guard current.valid, !current.changing else { break }
                if swap(slot, from: current, to: current.next(changing: false, stamp: seconds)) { break }
            }
        }
    }

    public func boundaryVersion() -> String? { String(boundary?.load(0) ?? 0) }
}
