/// Reads RFC 3339 times as clients send them (`2026-11-25T12:00:00Z`, `…00.123+01:00`), checking
/// every field's range (a 30 February is refused), so a time handed to PostgreSQL always parses.
public enum RFC3339 {
    public static func isValid(_ text: String) -> Bool { epochMilliseconds(text) != nil }

    /// What a validation error says of a field that is not one.
    public static let expectation = "must be an RFC 3339 time, e.g. 2026-11-25T12:00:00.000Z"

    /// Milliseconds since the epoch; nil when the text is not a valid RFC 3339 time.
    public static func epochMilliseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for byte in b[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func byte(_ index: Int, _ allowed: String) -> Bool { index < b.count && allowed.utf8.contains(b[index]) }
        guard let year = number(0..<4), byte(4, "-"), let month = number(5..<7), byte(7, "-"), let day = number(8..<10), byte(10, "Tt "),
            let hour = number(11..<13), byte(13, ":"), let minute = number(14..<16), byte(16, ":"), let second = number(17..<19)
        else { return nil }
        var index = 19
        var millis = 0
        if byte(index, ".") {
            let start = index + 1
            index = start
            while index < b.count, (0x30...0x39).contains(b[index]) { index += 1 }
            guard index > start, index - start <= 9 else { return nil }
            millis = number(start..<min(index, start + 3)).map { value in value * [1, 100, 10, 1][min(index - start, 3)] } ?? 0
        }
        var offsetMinutes = 0
        if byte(index, "Zz") {
            index += 1
        } else if byte(index, "+-"), let hours = number(index + 1..<index + 3), byte(index + 3, ":"), let minutes = number(index + 4..<index + 6),
            hours < 24, minutes < 60
        {
            offsetMinutes = (hours * 60 + minutes) * (b[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days-from-civil, the inverse of `Timestamp.civilDate`.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
