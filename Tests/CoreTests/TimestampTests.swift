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
