/// Builds the Prometheus text exposition format (version 0.0.4).
struct PrometheusText {
    private(set) var text = ""
    private var declared: Set<String> = []

    mutating func family(_ name: String, type: String, help: String) {
        guard declared.insert(name).inserted else { return }
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + value + "\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: UInt64) {
        sample(name, labels, String(value))
    }

    /// By scalar, so no mark can hide a quote or backslash inside a larger Character.
    static func escape(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out.append(contentsOf: "\\\\".unicodeScalars)
            case "\"": out.append(contentsOf: "\\\"".unicodeScalars)
            case "\n": out.append(contentsOf: "\\n".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// A bucket bound in its canonical form (OpenMetrics): `1000` µs → `0.001`, `1000000` → `1.0`.
    static func canonicalSeconds(microseconds: UInt64) -> String {
        var fraction = String(microseconds % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.count > 1 && fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(microseconds / 1_000_000)." + fraction
    }

    /// Seconds from microseconds, exactly, without a binary float: `1234567` → `1.234567`.
    static func seconds(microseconds: UInt64) -> String {
        let whole = microseconds / 1_000_000
        let fraction = String(microseconds % 1_000_000)
        return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
