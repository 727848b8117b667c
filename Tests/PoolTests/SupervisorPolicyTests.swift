import Scoreboard
import Testing
@testable import Pool

@Suite struct SupervisorPolicyTests {
    typealias Policy = SupervisorPolicy
    static let second: UInt64 = 1_000_000_000

    private func policy(api: Int = 2, checkout: Int = 1) -> Policy {
        Policy(
            pools: [
                .init(index: 0, name: "api", workers: api, requestTimeoutSeconds: 30),
                .init(index: 1, name: "checkout", workers: checkout, requestTimeoutSeconds: 60),
            ], shutdownTimeoutSeconds: 10)
    }

    /// `start()` performed: pids 100, 101, … in slots 0, 1, … in the order asked.
    private func started(api: Int = 2, checkout: Int = 1) -> Policy {
        var policy = policy(api: api, checkout: checkout)
        for (offset, action) in policy.start().enumerated() {
            guard case .spawn(let pool, let purpose) = action else { continue }
            policy.spawned(pid: Int32(100 + offset), pool: pool, slot: offset, purpose: purpose)
        }
        return policy
    }

    private let idle: (Int) -> Policy.SlotView? = { _ in Policy.SlotView(state: .idle, requestStartedAtMilliseconds: 0, route: nil) }

    @Test func startSpawnsEveryPoolsWorkers() {
        var policy = policy(api: 2, checkout: 1)
        #expect(policy.start() == [.spawn(pool: 0, purpose: .start), .spawn(pool: 0, purpose: .start), .spawn(pool: 1, purpose: .start)])
        #expect(!policy.isBusy)
    }

    @Test func aCrashedWorkerIsReplacedAndACleanExitIsARecycle() {
        var policy = started()
        #expect(
            policy.exited(pid: 101, clean: false, status: "signal 11", now: 0) == [
                .clearSlot(1), .note(.died(pid: 101, pool: "api", status: "signal 11")), .countRestart(pool: 0),
                .spawn(pool: 0, purpose: .replace(exited: 101)),
            ])
        #expect(
            policy.exited(pid: 102, clean: true, status: "exit 0", now: 0) == [
                .clearSlot(2), .note(.recycled(pid: 102, pool: "checkout")), .countRestart(pool: 1), .spawn(pool: 1, purpose: .replace(exited: 102)),
            ])
        #expect(policy.workers.keys.sorted() == [100])
        // A pid the policy never started (a grandchild, a duplicate report) changes nothing.
        #expect(policy.exited(pid: 999, clean: false, status: "exit 1", now: 0) == [])
    }

    @Test func tenCrashesWithinTenSecondsPauseEachRespawnAfter() {
        var policy = policy(api: 1, checkout: 0)
        var pid: Int32 = 100
        _ = policy.start()
        policy.spawned(pid: pid, pool: 0, slot: 0, purpose: .start)
        var pauses: [Bool] = []
        for crash in 0..<12 {
            let actions = policy.exited(pid: pid, clean: false, status: "exit 1", now: UInt64(crash) * Self.second / 2)
            pauses.append(actions.contains(.pauseBeforeRespawn))
            pid += 1
            policy.spawned(pid: pid, pool: 0, slot: 0, purpose: .replace(exited: pid - 1))
        }
        #expect(pauses == Array(repeating: false, count: 9) + [true, true, true])
        // Crashes spread out forget the old ones.
        #expect(!policy.exited(pid: pid, clean: false, status: "exit 1", now: 60 * Self.second).contains(.pauseBeforeRespawn))
    }

    @Test func aRequestPastItsPoolsTimeoutGetsItsWorkerKilledOnce() {
        var policy = started()
        let now: UInt64 = 1_000_000
        let slots: (Int) -> Policy.SlotView? = { index in
            switch index {
            case 0: Policy.SlotView(state: .busy, requestStartedAtMilliseconds: now - 31_000, route: "/api/orders") // api: 30 s
            case 2: Policy.SlotView(state: .busy, requestStartedAtMilliseconds: now - 31_000, route: "/api/orders") // checkout: 60 s
            default: Policy.SlotView(state: .busy, requestStartedAtMilliseconds: now - 1_000, route: "/api/products")
            }
        }
        #expect(
            policy.tick(now: 0, epochMilliseconds: now, slot: slots) == [
                .note(.killedForTimeout(pid: 100, pool: "api", route: "/api/orders", seconds: 31)), .signal(100, .kill),
            ])
        #expect(policy.tick(now: 0, epochMilliseconds: now + 1_000, slot: slots) == [])
        // Its death is expected: replaced without a "died" line or a crash count.
        #expect(
            policy.exited(pid: 100, clean: false, status: "signal 9", now: 0) == [
                .clearSlot(0), .countRestart(pool: 0), .spawn(pool: 0, purpose: .replace(exited: 100)),
            ])
    }

    @Test func aRollReplacesWorkersOneByOneKeepingCapacity() {
        var policy = started(api: 2, checkout: 0)
        var slots: [Int: WorkerState] = [0: .idle, 1: .idle]
        #expect(policy.hangup() == [.note(.rollStarted(workers: 2))])
        #expect(policy.isBusy)
        func tick() -> [Policy.Action] {
            policy.tick(now: 0, epochMilliseconds: 1, slot: { index in slots[index].map { Policy.SlotView(state: $0, requestStartedAtMilliseconds: 0, route: nil) } })
        }
        #expect(tick() == [.spawn(pool: 0, purpose: .roll(old: 100))])
        policy.spawned(pid: 200, pool: 0, slot: 2, purpose: .roll(old: 100))
        slots[2] = .starting
        // Not accepting yet: the old worker keeps serving.
        #expect(tick() == [])
        slots[2] = .idle
        #expect(tick() == [.signal(100, .drain)])
        #expect(tick() == [])
        // A retiring worker's exit is not replaced: its replacement is already serving.
        #expect(policy.exited(pid: 100, clean: true, status: "exit 0", now: 0) == [.clearSlot(0)])
        #expect(tick() == [])
        #expect(tick() == [.spawn(pool: 0, purpose: .roll(old: 101))])
        policy.spawned(pid: 201, pool: 0, slot: 0, purpose: .roll(old: 101))
        slots[0] = .idle
        #expect(tick() == [.signal(101, .drain)])
        #expect(policy.exited(pid: 101, clean: true, status: "exit 0", now: 0) == [.clearSlot(1)])
        #expect(tick() == [.note(.rollFinished)])
        #expect(!policy.isBusy)
        #expect(policy.workers.keys.sorted() == [200, 201])
    }

    @Test func aReplacementThatDiesBeforeAcceptingIsFollowedByItsOwnReplacement() {
        var policy = started(api: 1, checkout: 0)
        _ = policy.hangup()
        #expect(policy.tick(now: 0, epochMilliseconds: 1, slot: idle) == [.spawn(pool: 0, purpose: .roll(old: 100))])
        policy.spawned(pid: 200, pool: 0, slot: 1, purpose: .roll(old: 100))
        #expect(policy.exited(pid: 200, clean: false, status: "exit 1", now: 0).last == .spawn(pool: 0, purpose: .replace(exited: 200)))
        policy.spawned(pid: 201, pool: 0, slot: 1, purpose: .replace(exited: 200))
        #expect(policy.roll?.replacement == 201)
        #expect(policy.tick(now: 0, epochMilliseconds: 1, slot: idle) == [.signal(100, .drain)])
    }

    @Test func drainingSignalsEveryWorkerReplacesNoneAndKillsStragglersAtTheDeadline() {
        var policy = started(api: 2, checkout: 1)
        #expect(policy.terminate(now: 0) == [.note(.draining(workers: 3)), .signal(100, .drain), .signal(101, .drain), .signal(102, .drain)])
        #expect(policy.terminate(now: 1) == [])
        #expect(policy.exited(pid: 100, clean: true, status: "exit 0", now: 0) == [.clearSlot(0)])
        #expect(policy.tick(now: 9 * Self.second, epochMilliseconds: 1, slot: idle) == [])
        #expect(
            policy.tick(now: 11 * Self.second, epochMilliseconds: 1, slot: idle) == [
                .note(.notDrainedInTime(pid: 101)), .signal(101, .kill), .note(.notDrainedInTime(pid: 102)), .signal(102, .kill),
            ])
        _ = policy.exited(pid: 101, clean: false, status: "signal 9", now: 0)
        _ = policy.exited(pid: 102, clean: false, status: "signal 9", now: 0)
        #expect(policy.tick(now: 12 * Self.second, epochMilliseconds: 1, slot: idle) == [.note(.stopped), .exit])
        // No roll starts while draining.
        #expect(policy.hangup() == [])
    }
}
