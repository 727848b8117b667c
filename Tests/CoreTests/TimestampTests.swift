import Testing
@testable import Core

@Suite struct TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (Int64(1_795_608_000_123), "2026-11-25T12:00:00.123Z"),
        (Int64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
        (Int64(-1), "1969-12-31T23:59:59.999Z"),
    ])
    func formatsRFC3339WithMilliseconds(_ ms: Int64, _ text: String) {
        #expect(Timestamp.format(epochMilliseconds: ms) == text)
    }
}

@Suite struct RFC3339Tests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-25T12:00:00.123Z", Int64(1_795_608_000_123)),
        ("2026-11-25T13:00:00.1+01:00", Int64(1_795_608_000_100)),
        ("2026-11-25t06:30:00.123456-05:30", Int64(1_795_608_000_123)),
        ("2000-02-29T00:00:00Z", Int64(951_782_400_000)),
    ])
    func readsWhatTimestampWritesAndOffsets(_ text: String, _ ms: Int64) {
        #expect(RFC3339.epochMilliseconds(text) == ms)
    }

    @Test(arguments: [
        "", "2026-11-25", "2026-11-25T12:00:00", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T12:60:00Z", "2026-11-25T12:00:00.Z", "2026-11-25T12:00:00Z ", "2026-11-25T12:00:00+1:00",
        "２026-11-25T12:00:00Z", "2026-11-25T12:00:00.1234567890Z",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(RFC3339.epochMilliseconds(text) == nil)
    }
}
