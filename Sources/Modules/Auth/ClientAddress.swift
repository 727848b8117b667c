#if canImport(Glibc)
import Glibc
#endif

/// The client as throttles count it: an IPv4 address as it is, an IPv6 address by its /64
/// (one subscriber's whole network, whose other 2^64 addresses cost an attacker nothing), an
/// IPv4-mapped IPv6 address as its IPv4. nginx's rate limits key clients the same way.
public enum ClientAddress {
    public static func throttleKey(_ address: String?) -> String {
        guard let address, !address.isEmpty else { return "unknown" }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, address, &v6) == 1 else { return address }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { index in
            let group = String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16)
            return String(repeating: "0", count: 4 - group.count) + group
        }
        return groups.joined(separator: ":") + "::/64"
    }
}
