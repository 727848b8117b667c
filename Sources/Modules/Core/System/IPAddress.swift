#if canImport(Glibc)
import Glibc
#endif

/// A numeric IPv4 or IPv6 address in its canonical text (`inet_ntop`'s), so two spellings of one
/// address compare equal. An IPv4-mapped IPv6 address (`::ffff:10.0.0.2`, what a dual-stack
/// socket reports for an IPv4 peer) is the IPv4 address.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    public let isIPv6: Bool

    public var description: String { text }

    /// nil for anything but a numeric address (names are not resolved here).
    public init?(_ text: some StringProtocol) {
        var v4 = in_addr()
        if inet_pton(AF_INET, String(text), &v4) == 1 {
            self.init(v4: v4)
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, String(text), &v6) == 1 else { return nil }
        self.init(v6: v6)
    }

    private init(text: String, isIPv6: Bool) {
        self.text = text
        self.isIPv6 = isIPv6
    }

    public init(v4: in_addr) {
        var address = v4
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count))
        self.init(text: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), isIPv6: false)
    }

    public init(v6: in6_addr) {
        var address = v6
        let bytes = withUnsafeBytes(of: &address) { Array($0) }
        // ::ffff:a.b.c.d
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            var v4 = in_addr()
            withUnsafeMutableBytes(of: &v4) { $0.copyBytes(from: bytes[12..<16]) }
            self.init(v4: v4)
            return
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, &address, &buffer, socklen_t(buffer.count))
        self.init(text: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), isIPv6: true)
    }

    /// Calls `body` with this address and `port` as a `sockaddr_in` or `sockaddr_in6`, for
    /// `bind` or `connect`.
    public func withSocketAddress<T>(port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            inet_pton(AF_INET6, text, &address.sin6_addr)
            return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, text, &address.sin_addr)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    }

    /// The address of a socket's peer (`getpeername`), or nil when it has none that is IP (a
    /// unix socket).
    public static func peer(of fd: Int32) -> IPAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard got == 0 else { return nil }
        return from(storage)
    }

    static func from(_ storage: sockaddr_storage) -> IPAddress? {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { IPAddress(v4: $0.pointee.sin_addr) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { IPAddress(v6: $0.pointee.sin6_addr) } }
        default:
            return nil
        }
    }
}

/// `HOST:PORT` or `[V6]:PORT` with a numeric host: where a pool listens on TCP.
public struct ListenAddress: Equatable, Sendable, CustomStringConvertible {
    public let host: IPAddress
    public let port: UInt16

    public var description: String { host.isIPv6 ? "[\(host.text)]:\(port)" : "\(host.text):\(port)" }

    public init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            // An unbracketed IPv6 address would be ambiguous with its port.
            if hostPart.contains(":") { return nil }
        }
        guard let host = IPAddress(hostPart), let port = UInt16(portPart), port > 0 else { return nil }
        self.host = host
        self.port = port
    }
}
