import Core
import Foundation
import Testing

@Suite struct CircuitBreakerTests {
    private let settings = CircuitBreaker.Settings(
        failureThreshold: 3, windowMilliseconds: 10_000, coolDownMilliseconds: 5_000,
        trialTimeoutMilliseconds: 20_000)

    @Test func opensAfterTheThresholdWithinTheWindowAndFailsFast() {
        let breaker = CircuitBreaker(cells: MemoryCells(count: CircuitBreaker.cellCount), settings: settings)
        for t in [1_000, 2_000] as [UInt64] { breaker.recordFailure(now: t) }
        #expect(breaker.state == .closed && breaker.permit(now: 2_500))
        breaker.recordFailure(now: 3_000)
        #expect(breaker.state == .open)
        #expect(breaker.opens == 1)
        #expect(!breaker.permit(now: 3_001) && !breaker.permit(now: 7_999))
    }

    @Test func failuresSpreadBeyondTheWindowDoNotOpenIt() {
        let breaker = CircuitBreaker(cells: MemoryCells(count: CircuitBreaker.cellCount), settings: settings)
        breaker.recordFailure(now: 1_000)
        breaker.recordFailure(now: 2_000)
        breaker.recordFailure(now: 12_500) // the window began at 0: this starts a new one
        breaker.recordFailure(now: 13_000)
        #expect(breaker.state == .closed)
        breaker.recordFailure(now: 14_000)
        #expect(breaker.state == .open)
    }

    @Test func aSuccessResetsTheCount() {
        let breaker = CircuitBreaker(cells: MemoryCells(count: CircuitBreaker.cellCount), settings: settings)
        breaker.recordFailure(now: 1_000)
        breaker.recordFailure(now: 1_100)
        breaker.recordSuccess(now: 1_200)
        breaker.recordFailure(now: 1_300)
        breaker.recordFailure(now: 1_400)
        #expect(breaker.state == .closed)
    }

    @Test func afterTheCoolDownExactlyOneTrialDecides() {
        let cells = MemoryCells(count: CircuitBreaker.cellCount)
        let breaker = CircuitBreaker(cells: cells, settings: settings)
        for t in [1, 2, 3] as [UInt64] { breaker.recordFailure(now: t) }
        // Another process sharing the cells asks at the same moment: only one goes.
        let sibling = CircuitBreaker(cells: cells, settings: settings)
        #expect(breaker.permit(now: 5_003))
        #expect(!sibling.permit(now: 5_004))
        #expect(breaker.state == .halfOpen)
        breaker.recordFailure(now: 6_000)
        #expect(breaker.state == .open && breaker.opens == 2)
        #expect(!sibling.permit(now: 10_999))
        #expect(sibling.permit(now: 11_000))
        sibling.recordSuccess(now: 11_100)
        #expect(breaker.state == .closed && breaker.permit(now: 11_200))
    }

    @Test func aTrialThatNeverReportsIsTakenOver() {
        let breaker = CircuitBreaker(cells: MemoryCells(count: CircuitBreaker.cellCount), settings: settings)
        for t in [1, 2, 3] as [UInt64] { breaker.recordFailure(now: t) }
        #expect(breaker.permit(now: 6_000))
        #expect(!breaker.permit(now: 25_999))
        #expect(breaker.permit(now: 26_000))
    }
}
