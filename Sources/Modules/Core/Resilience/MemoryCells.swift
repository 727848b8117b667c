import Synchronization

/// `AtomicCells` in one process's memory, behind a mutex: what a breaker or the host's stock
/// table uses where no scoreboard is mapped (tests, one-off tools).
public final class MemoryCells: AtomicCells {
    private let values: Mutex<[UInt64]>

    public init(count: Int) { values = Mutex([UInt64](repeating: 0, count: count)) }

    public func load(_ index: Int) -> UInt64 { values.withLock { $0[index] } }
    public func store(_ index: Int, _ value: UInt64) { values.withLock { $0[index] = value } }
    public func add(_ index: Int, _ value: UInt64) { values.withLock { $0[index] &+= value } }

    public func compareExchange(_ index: Int, expected: UInt64, desired: UInt64) -> Bool {
        values.withLock { cells in
            guard cells[index] == expected else { return false }
            cells[index] = desired
            return true
        }
    }
}
