#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Time as an injected dependency, so tests can pin it (token expiry, webhook tolerance).
public struct Clock: Sendable {
    public var epochMilliseconds: @Sendable () -> Int64
    public var monotonicNanoseconds: @Sendable () -> UInt64

    public init(epochMilliseconds: @escaping @Sendable () -> Int64, monotonicNanoseconds: @escaping @Sendable () -> UInt64) {
        self.epochMilliseconds = epochMilliseconds
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    public static let system = Clock(
        epochMilliseconds: {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
        },
        monotonicNanoseconds: {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
        }
    )

    public func timestamp() -> String { Timestamp.format(epochMilliseconds: epochMilliseconds()) }
}
