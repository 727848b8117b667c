import Core
import HTTP

/// One problem with the environment, named so the operator knows what to fix.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public var description: String { "configuration error: \(variable) \(problem)" }
}

/// Reads typed values out of the environment, remembering the first problem of each variable.
struct EnvironmentReader {
    let environment: [String: String]
    private(set) var errors: [ConfigurationError] = []

    init(_ environment: [String: String]) { self.environment = environment }

    private mutating func fail(_ name: String, _ problem: String) {
        errors.append(ConfigurationError(variable: name, problem: problem))
    }

    private func raw(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    mutating func required(_ name: String) -> String {
        guard let value = raw(name) else { fail(name, "is required but not set"); return "" }
        return value
    }

    func optional(_ name: String) -> String? { raw(name) }

    func string(_ name: String, default fallback: String) -> String { raw(name) ?? fallback }

    mutating func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) -> Int {
        guard let text = raw(name) else { return fallback }
        guard let value = Int(text), range.contains(value) else {
            fail(name, "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
            return fallback
        }
        return value
    }

    /// A duration setting: whole seconds (API.md §1).
    mutating func seconds(_ name: String, default fallback: Int) -> Int {
        int(name, default: fallback, range: 1...31_536_000)
    }

    /// `HOST:PORT` with a numeric host (`[V6]:PORT` for IPv6).
    mutating func listenAddress(_ name: String) -> ListenAddress? {
        guard let text = raw(name) else { return nil }
        guard let address = ListenAddress(text) else {
            fail(name, "must be HOST:PORT with a numeric address, like 10.0.0.11:9000 or [fd00::11]:9000, got \"\(text)\"")
            return nil
        }
        return address
    }

    mutating func bool(_ name: String, default fallback: Bool) -> Bool {
        guard let text = raw(name) else { return fallback }
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: fail(name, "must be true or false, got \"\(text)\""); return fallback
        }
    }

    mutating func money(_ name: String, default fallback: Cents) -> Cents {
        guard let text = raw(name) else { return fallback }
        guard let cents = try? Cents.parse(text), cents >= .zero else {
            fail(name, "must be an amount like 5.00, got \"\(text)\"")
            return fallback
        }
        return cents
    }

    /// A rate from 0 to 1 with at most six decimals (`0.08`), as parts per million.
    mutating func rate(_ name: String, defaultPartsPerMillion fallback: Int) -> Int {
        guard let text = raw(name) else { return fallback }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard parts.count <= 2, let whole = Int(parts[0]), whole >= 0, fraction.count <= 6,
            fraction.allSatisfy(\.isASCII), fraction.allSatisfy(\.isNumber),
            !(parts.count == 2 && fraction.isEmpty)
        else {
            fail(name, "must be a decimal from 0 to 1 like 0.08, got \"\(text)\"")
            return fallback
        }
        let ppm = whole * 1_000_000 + (Int(fraction.padding(toLength: 6)) ?? 0)
        guard ppm <= 1_000_000 else { fail(name, "must be at most 1, got \"\(text)\""); return fallback }
        return ppm
    }

    mutating func check(_ name: String, _ condition: Bool, _ problem: String) {
        if !condition { fail(name, problem) }
    }
}

extension String {
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: "0", count: length - count)
    }
}
