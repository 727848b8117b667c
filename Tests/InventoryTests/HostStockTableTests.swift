import Core
import Foundation
@testable import Inventory
import Testing

final class TestClock: @unchecked Sendable {
    var milliseconds: UInt64 = 1_000_000
}

@Suite struct HostStockTableTests {
    let a = "6f9619ff-8b86-4011-b42d-00c04fc964ff"
    let b = "0d3b6e2a-1c4f-4a8e-9b7d-2f5e6a7b8c9d"

    private func table(slots: Int = 64, clock: TestClock = TestClock()) -> (HostStockTable, MemoryCells) {
        let boundary = MemoryCells(count: 1)
        return (HostStockTable(cells: MemoryCells(count: 2 * slots), slots: slots, boundary: boundary, now: { clock.milliseconds }), boundary)
    }

    /// PostgreSQL as the test says it is, counting the questions.
    final class Database: @unchecked Sendable {
        var stock: [String: Int]
        var asked: [[String]] = []
        init(_ stock: [String: Int]) { self.stock = stock }
        func fetch(_ ids: [String]) -> [String: Int] {
            asked.append(ids.sorted())
            return stock.filter { ids.contains($0.key) }
        }
    }

    @Test func readsGoToPostgreSQLOnceAndThenComeFromTheTable() {
        let (levels, _) = table()
        let db = Database([a: 5, b: 0])
        #expect(levels.quantities(StockIds([a, b]), fetch: db.fetch) == [5, 0])
        #expect(levels.quantities(StockIds([a, b]), fetch: db.fetch) == [5, 0])
        #expect(db.asked == [[a, b].sorted()])
        // Unknown products show 0, and are asked about again next time.
        let ghost = "11111111-2222-4333-8444-555555555555"
        #expect(levels.quantities(StockIds([ghost]), fetch: db.fetch) == [0])
        #expect(levels.quantities(StockIds([ghost]), fetch: db.fetch) == [0])
        #expect(db.asked.count == 3)
    }

    @Test func aCommittedChangeIsWhatTheNextReadSees() {
        let (levels, boundary) = table()
        let db = Database([a: 5])
        _ = levels.quantities(StockIds([a]), fetch: db.fetch)
        let change = levels.willChange([a])
        // While the change is in flight nobody trusts the old quantity.
        db.stock[a] = 5
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [5])
        #expect(db.asked.count == 2)
        db.stock[a] = 3
        levels.committed(change, levels: [StockLevel(productId: a, before: 5, after: 3)])
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [3])
        #expect(db.asked.count == 2)
        #expect(boundary.load(0) == 0)
        // Selling out crosses zero: listings filtered on stock must miss.
        let last = levels.willChange([a])
        levels.committed(last, levels: [StockLevel(productId: a, before: 3, after: 0)])
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [0])
        #expect(boundary.load(0) == 1 && levels.boundaryVersion() == "1")
    }

    @Test func aReaderNeverStoresOverAWritersMark() {
        let (levels, _) = table()
        let db = Database([a: 5])
        // The reader finds nothing, asks PostgreSQL (5, before the sale commits)...
        var raced = false
        let answer = levels.quantities(StockIds([a])) { ids in
            // ...and a checkout marks, commits 4 and publishes before the reader stores.
            if !raced {
                raced = true
                let change = levels.willChange([a])
                db.stock[a] = 4
                levels.committed(change, levels: [StockLevel(productId: a, before: 5, after: 4)])
            }
            return [a: 5]
        }
        #expect(answer == [5])
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [4])
        #expect(db.asked.isEmpty)
    }

    @Test func anEarlierWriterDoesNotClearALaterWritersMark() {
        let (levels, _) = table()
        let db = Database([a: 10])
        let first = levels.willChange([a])
        // The first commits; before it publishes, a second writer (now holding the row) marks.
        let second = levels.willChange([a])
        levels.committed(first, levels: [StockLevel(productId: a, before: 10, after: 9)])
        db.stock[a] = 9
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [9])
        #expect(db.asked.count == 1, "still marked by the second writer")
        db.stock[a] = 8
        levels.committed(second, levels: [StockLevel(productId: a, before: 9, after: 8)])
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [8])
        #expect(db.asked.count == 1)
    }

    @Test func aRolledBackChangeLeavesTheProductUnknownNotStale() {
        let (levels, _) = table()
        let db = Database([a: 5])
        _ = levels.quantities(StockIds([a]), fetch: db.fetch)
        let change = levels.willChange([a])
        levels.rolledBack(change)
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [5])
        #expect(db.asked.count == 2)
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [5])
        #expect(db.asked.count == 2)
    }

    @Test func aMarkLeftByADeadWriterIsTakenOverAfterAMinute() {
        let clock = TestClock()
        let (levels, _) = table(clock: clock)
        let db = Database([a: 7])
        _ = levels.willChange([a]) // the worker is killed before it publishes
        _ = levels.quantities(StockIds([a]), fetch: db.fetch)
        _ = levels.quantities(StockIds([a]), fetch: db.fetch)
        #expect(db.asked.count == 2)
        clock.milliseconds += 61_000
        _ = levels.quantities(StockIds([a]), fetch: db.fetch)
        _ = levels.quantities(StockIds([a]), fetch: db.fetch)
        #expect(db.asked.count == 3)
    }

    @Test func aFullTableFallsBackToPostgreSQL() {
        let (levels, _) = table(slots: 2)
        let ids = (0..<5).map { String(format: "%08x-0000-4000-8000-000000000000", $0 + 1) }
        let db = Database(Dictionary(uniqueKeysWithValues: ids.map { ($0, 1) }))
        #expect(levels.quantities(StockIds(ids), fetch: db.fetch).count == 5)
        #expect(levels.quantities(StockIds(ids), fetch: db.fetch).count == 5)
        #expect(db.asked[1].count == 3, "two fit, three are read every time")
    }

    @Test func keysAreSixtyFourBitsOfTheUUID() {
        #expect(HostStockTable.key(a) == 0x6f96_19ff_8b86_4011)
        #expect(HostStockTable.key("not-a-uuid") == nil)
        let entry = HostStockTable.Entry(quantity: Int(Int32.max), valid: true, changing: false, stamp: 131_071, generation: 16_383)
        #expect(HostStockTable.Entry(word: entry.word) == entry)
        let marked = HostStockTable.Entry(quantity: 0, valid: false, changing: true, stamp: 1, generation: 0)
        #expect(HostStockTable.Entry(word: marked.word) == marked)
    }

    @Test func everyQuantityPostgreSQLCanHoldFitsTheTable() {
        let (levels, _) = table()
        let db = Database([a: Int(Int32.max), b: 1_000_000_000])
        #expect(levels.quantities(StockIds([a, b]), fetch: db.fetch) == [Int(Int32.max), 1_000_000_000])
        #expect(levels.quantities(StockIds([a, b]), fetch: db.fetch) == [Int(Int32.max), 1_000_000_000])
        #expect(db.asked.count == 1)
        // Anything else is read every time rather than shown wrong.
        let huge = Database([a: Int(Int32.max) + 1])
        let (other, _) = table()
        _ = other.quantities(StockIds([a]), fetch: huge.fetch)
        #expect(other.quantities(StockIds([a]), fetch: huge.fetch) == [Int(Int32.max) + 1])
        #expect(huge.asked.count == 2)
    }

    @Test func aQuantityIsTrustedForTheCacheTTLOnly() {
        let clock = TestClock()
        let boundary = MemoryCells(count: 1)
        let levels = HostStockTable(cells: MemoryCells(count: 128), slots: 64, boundary: boundary, freshSeconds: 30, now: { clock.milliseconds })
        let db = Database([a: 5])
        _ = levels.quantities(StockIds([a]), fetch: db.fetch)
        // Changed behind the service's back (psql): seen once the entry is 30 s old.
        db.stock[a] = 2
        clock.milliseconds += 29_000
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [5])
        clock.milliseconds += 1_000
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [2])
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [2])
        #expect(db.asked.count == 2)
    }

    @Test func forgettingKeepsMarksInFlight() {
        let (levels, _) = table()
        let db = Database([a: 5, b: 9])
        _ = levels.quantities(StockIds([a, b]), fetch: db.fetch)
        let change = levels.willChange([b])
        levels.forgetAll()
        db.stock[a] = 4
        #expect(levels.quantities(StockIds([a]), fetch: db.fetch) == [4])
        // The writer's mark survived, so its publish lands.
        levels.committed(change, levels: [StockLevel(productId: b, before: 9, after: 8)])
        db.stock[b] = 8
        let asked = db.asked.count
        #expect(levels.quantities(StockIds([b]), fetch: db.fetch) == [8])
        #expect(db.asked.count == asked)
    }
}
