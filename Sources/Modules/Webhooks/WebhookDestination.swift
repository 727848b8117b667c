#if canImport(Glibc)
import Glibc
#endif

/// Where a webhook may be sent (API.md §12.6): `https://` (or `http://` where private
/// addresses are allowed) to a host that resolves only to public addresses. The delivery
/// connects to the very address checked (CURLOPT_RESOLVE), so a second DNS answer cannot
/// point it inside the network.
public struct WebhookDestination: Equatable, Sendable {
    public let scheme: String
    public let host: String
    public let port: Int

    /// nil with the reason when the URL is not one a webhook may use.
    public static func parse(_ url: String, allowPrivate: Bool) -> Result<WebhookDestination, DestinationProblem> {
        guard url.unicodeScalars.count <= 2048, url.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
            return .failure(.init("must be an absolute URL of printable ASCII, at most 2048 characters"))
        }
        let lower = url.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") {
            scheme = "https"
        } else if lower.hasPrefix("http://") && allowPrivate {
            scheme = "http"
        } else {
            return .failure(.init(allowPrivate ? "must start with https:// or http://" : "must start with https://"))
        }
        let rest = url.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return .failure(.init("must name a host (and no user or password)")) }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return .failure(.init("has an unclosed [")) }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let number = Int(after.dropFirst()), (1...65535).contains(number) else { return .failure(.init("has a bad port")) }
                port = number
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let number = Int(host[host.index(after: colon)...]), (1...65535).contains(number) else { return .failure(.init("has a bad port")) }
            port = number
            host = host[..<colon]
        }
        guard !host.isEmpty else { return .failure(.init("must name a host")) }
        return .success(WebhookDestination(scheme: scheme, host: host.lowercased(), port: port))
    }

    /// The addresses the host resolves to now, each checked; the pins for libcurl.
    public func resolve(allowPrivate: Bool) -> Result<[String], DestinationProblem> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            return .failure(.init("does not resolve"))
        }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(entry.pointee.ai_addr, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !addresses.contains(text) { addresses.append(text) }
            }
            node = entry.pointee.ai_next
        }
        guard !addresses.isEmpty else { return .failure(.init("does not resolve")) }
        if !allowPrivate, let inside = addresses.first(where: { !AddressRanges.isPublic($0) }) {
            return .failure(.init("resolves to \(inside), a loopback, private, link-local or multicast address"))
        }
        return .success(addresses.map { "\(host):\(port):" + ($0.contains(":") ? "[\($0)]" : $0) })
    }
}

public struct DestinationProblem: Error, Equatable, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}

/// Which addresses are the public internet: not loopback, private, shared, link-local,
/// multicast, reserved or unspecified (IPv4 and IPv6, IPv4-mapped included).
public enum AddressRanges {
    public static func isPublic(_ address: String) -> Bool {
        if let v4 = ipv4(address) { return isPublicV4(v4) }
        guard let v6 = ipv6(address) else { return false }
        // ::ffff:a.b.c.d and the NAT64 prefix 64:ff9b::/96 carry an IPv4 address.
        if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xFF && v6[11] == 0xFF { return isPublicV4(Array(v6[12..<16])) }
        if v6[0..<12] == [0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return isPublicV4(Array(v6[12..<16])) }
        if v6.allSatisfy({ $0 == 0 }) { return false } // ::
        if v6[0..<15].allSatisfy({ $0 == 0 }) && v6[15] == 1 { return false } // ::1
        if v6[0] & 0xFE == 0xFC { return false } // fc00::/7 unique local
        if v6[0] == 0xFE && v6[1] & 0xC0 == 0x80 { return false } // fe80::/10 link-local
        if v6[0] == 0xFF { return false } // multicast
        if v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0D && v6[3] == 0xB8 { return false } // documentation
        return true
    }

    static func isPublicV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): return false
        case (100, 64...127): return false // shared address space
        case (169, 254): return false
        case (172, 16...31): return false
        case (192, 168): return false
        case (192, 0) where b[2] == 0 || b[2] == 2: return false
        case (198, 18...19): return false
        case (198, 51) where b[2] == 100: return false
        case (203, 0) where b[2] == 113: return false
        case (224...255, _): return false // multicast, reserved, broadcast
        default: return true
        }
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}
