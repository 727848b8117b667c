#if canImport(Glibc)
import Glibc
#endif

/// A C `NAME=value` array ending in NULL: what libfcgi hands over as a request's parameters
/// (CGI's environment, by heritage) and what `environ` is for a process.
public enum EnvironmentBlock {
    /// Split at the first `=` by bytes: some thirty parameters arrive with every request, and
    /// walking them as Swift Characters (grapheme clusters) cost more than the rest of a cached
    /// answer.
    public static func dictionary(_ block: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var values: [String: String] = [:]
        guard var cursor = block else { return values }
        values.reserveCapacity(40)
        while let entry = cursor.pointee {
            let length = strlen(entry)
            entry.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                let all = UnsafeBufferPointer(start: bytes, count: length)
                guard let equals = all.firstIndex(of: UInt8(ascii: "=")) else { return }
                let name = String(decoding: UnsafeBufferPointer(rebasing: all[..<equals]), as: UTF8.self)
                values[name] = String(decoding: UnsafeBufferPointer(rebasing: all[(equals + 1)...]), as: UTF8.self)
            }
            cursor += 1
        }
        return values
    }
}
