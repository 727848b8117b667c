import Testing
@testable import Auth

@Suite struct ClientAddressTests {
    @Test func ipv6ClientsAreCountedByTheirSlash64() {
        #expect(ClientAddress.throttleKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:0db8:0001:0002::/64")
        #expect(ClientAddress.throttleKey("2001:db8:1:2::1") == "2001:0db8:0001:0002::/64")
        // The same /64 however inet_ntop compressed its zeros.
        #expect(ClientAddress.throttleKey("2001:db8::5:6:7:8") == "2001:0db8:0000:0000::/64")
        #expect(ClientAddress.throttleKey("2001:db8:0:0:1::") == "2001:0db8:0000:0000::/64")
        #expect(ClientAddress.throttleKey("::1") == "0000:0000:0000:0000::/64")
    }

    @Test func ipv4AndMappedIPv4AreTheAddressItself() {
        #expect(ClientAddress.throttleKey("203.0.113.7") == "203.0.113.7")
        #expect(ClientAddress.throttleKey("::ffff:203.0.113.7") == "203.0.113.7")
        #expect(ClientAddress.throttleKey(nil) == "unknown")
        #expect(ClientAddress.throttleKey("") == "unknown")
    }
}

@Suite struct FailureThrottlePolicyTests {
    @Test func aBackoffIsFreeAtFirstThenDoublesUpToItsCap() {
        let policy = FailureThrottle.Policy.backoff(free: 5, baseSeconds: 15, maxSeconds: 900)
        #expect((0...11).map { policy.delay(afterFailures: $0) } == [nil, nil, nil, nil, nil, 15, 30, 60, 120, 240, 480, 900])
        #expect(policy.delay(afterFailures: 1_000) == 900)
    }

    @Test func aWindowRefusesFromItsLimitForTheWholeWindow() {
        let policy = FailureThrottle.Policy.window(limit: 5, seconds: 900)
        #expect((3...6).map { policy.delay(afterFailures: $0) } == [nil, nil, 900, 900])
    }
}
