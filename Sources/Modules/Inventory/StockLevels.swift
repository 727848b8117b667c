import Postgres

/// The stock of products, as cached catalog pages show it and as every sale, cancel and
/// expiry changes it. Pages keep their text without stock; the quantities are filled in as each
/// page is served, from here, so a sale changes what one product shows and flushes nothing.
public protocol StockLevels: AnyObject {
    /// The quantities of `products` as PostgreSQL has them (committed), in their order, from
    /// the fastest source that can be trusted; 0 for a product that does not exist.
    func quantities(_ products: StockIds, on db: PostgresClient) throws -> [Int]

    /// Call inside the transaction that changes the stock of `ids`, before it commits; its
    /// outcome goes to `committed` or `rolledBack`.
    func willChange(_ ids: [String]) -> StockChange
    /// The transaction committed and left these quantities (and had these before).
    func committed(_ change: StockChange, levels: [StockLevel])
    func rolledBack(_ change: StockChange)

    /// Which products are in stock changes only when one crosses zero: listings filtered on
    /// `inStock` carry this in their cache key. nil when it cannot be read now.
    func boundaryVersion() -> String?
}

/// The products whose stock a page shows, in its order, with what the host's table needs
/// worked out once per page rather than on every request.
public struct StockIds: Equatable, Sendable {
    public let ids: [String]
    /// `HostStockTable.key` of each.
    let keys: [UInt64?]

    public init(_ ids: [String]) {
        self.ids = ids
        keys = ids.map(HostStockTable.key)
    }

    public var isEmpty: Bool { ids.isEmpty }
}

/// One product's stock around a change.
public struct StockLevel: Equatable, Sendable {
    public let productId: String
    public let before: Int
    public let after: Int

    public init(productId: String, before: Int, after: Int) {
        self.productId = productId
        self.before = before
        self.after = after
    }

    /// In stock before and not after, or the other way round.
    public var crossesZero: Bool { (before > 0) != (after > 0) }
}

/// What `willChange` marked, for its outcome to clear.
public struct StockChange: Sendable {
    /// Per product id, what the marker left in its entry (nil when it has none).
    let marks: [String: UInt64?]

    public static let none = StockChange(marks: [:])
}

/// One transaction's stock write, as every writer (checkout, cancel, expiry, an admin's edit)
/// makes it: `changed` inside the transaction, after its UPDATE and before COMMIT; the outcome
/// reported by `StockLevels.writing` once the transaction is over.
public final class StockWrite {
    private let stock: StockLevels
    fileprivate var change = StockChange.none
    fileprivate var levels: [StockLevel] = []

    fileprivate init(_ stock: StockLevels) { self.stock = stock }

    /// These products' stock moved as `levels` say.
    public func changed(_ levels: [StockLevel]) {
        changed(levels.map(\.productId))
        self.levels += levels
    }

    /// These products' stock moved to quantities the writer did not read back.
    public func changed(_ ids: [String]) {
        let marked = stock.willChange(ids)
        change = StockChange(marks: change.marks.merging(marked.marks) { _, new in new })
    }
}

extension StockLevels {
    /// Runs `body` (which runs the transaction) and reports its stock write: published when it
    /// returns, forgotten when it throws (committed or not, the quantities are then unknown
    /// and read again, never stale).
    public func writing<T>(_ body: (StockWrite) throws -> T) throws -> T {
        let write = StockWrite(self)
        let result: T
        do {
            result = try body(write)
        } catch {
            rolledBack(write.change)
            throw error
        }
        committed(write.change, levels: write.levels)
        return result
    }
}
