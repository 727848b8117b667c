import Core
import Foundation
import Testing

@testable import FastCGI

/// A pool on TCP (several app hosts): only FASTCGI_ALLOWED_ADDRESSES may speak FastCGI to it.
@Suite(.serialized) struct TCPListenerTests {
    /// Connects from `source` (a loopback address of this host) to `destination`:`port` and
    /// sends `bytes`.
    static func connect(from source: String, to destination: String = "127.0.0.1", port: UInt16, sending bytes: [UInt8]) throws -> Int32 {
        let from = try #require(IPAddress(source))
        let fd = socket(from.isIPv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(from.withSocketAddress(port: 0) { bind(fd, $0, $1) } == 0)
        #expect(try #require(IPAddress(destination)).withSocketAddress(port: port) { Glibc.connect(fd, $0, $1) } == 0)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        shutdown(fd, Int32(SHUT_WR))
        return fd
    }

    static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { return bytes }
            bytes += buffer[0..<count]
        }
    }

    @Test func aPeerOutsideTheAllowedAddressesIsClosedUnreadAndAnAllowedOneIsServed() throws {
        let port = UInt16.random(in: 20_000...29_999)
        let fd = try TCPListeningSocket.bind(try #require(ListenAddress("127.0.0.1:\(port)")), backlog: 8)
        #expect(TCPListeningSocket.isNetworkSocket(fd))
        let refused = RefusedPeers()
        let listener = try FastCGIListener(fd: fd, allowedPeers: [try #require(IPAddress("127.0.0.2"))]) { refused.peers.append($0) }
        let request = FastCGIExchangeTests.request(parameters: [("REQUEST_METHOD", "GET"), ("REMOTE_ADDR", "203.0.113.9")], stdin: [])

        let stranger = try Self.connect(from: "127.0.0.1", port: port, sending: request)
        defer { close(stranger) }
        let strangers = try listener.accept(timeoutMilliseconds: 2000)
        var none = false
        if case .none = consume strangers { none = true }
        #expect(none)
        #expect(Self.readAll(stranger).isEmpty)
        #expect(refused.peers == [try #require(IPAddress("127.0.0.1"))])

        let front = try Self.connect(from: "127.0.0.2", port: port, sending: request)
        defer { close(front) }
        let accepted = try listener.accept(timeoutMilliseconds: 2000)
        guard let exchange = consume accepted else {
            Issue.record("the front's request was not accepted")
            return
        }
        #expect(exchange.networkPeer == IPAddress("127.0.0.2"))
        #expect(exchange.parameters()["REMOTE_ADDR"] == "203.0.113.9")
        try exchange.write(head: Array("Status: 200\r\n\r\n".utf8), body: Array("ok".utf8))
        exchange.finish()
        #expect(String(decoding: Self.readAll(front), as: UTF8.self).contains("Status: 200\r\n\r\nok"))
    }

    /// The reason the listener checks peers itself: libfcgi's FCGI_WEB_SERVER_ADDRS lets any
    /// IPv6 peer through. Here an IPv6 peer not in the list is closed unread as well.
    @Test func anIPv6PeerOutsideTheAllowedAddressesIsClosedToo() throws {
        let port = UInt16.random(in: 20_000...29_999)
        let fd = try TCPListeningSocket.bind(try #require(ListenAddress("[::1]:\(port)")), backlog: 8)
        let refused = RefusedPeers()
        let listener = try FastCGIListener(fd: fd, allowedPeers: [try #require(IPAddress("127.0.0.2"))]) { refused.peers.append($0) }
        let request = FastCGIExchangeTests.request(parameters: [("REQUEST_METHOD", "GET")], stdin: [])
        let stranger = try Self.connect(from: "::1", to: "::1", port: port, sending: request)
        defer { close(stranger) }
        let accepted = try listener.accept(timeoutMilliseconds: 2000)
        var none = false
        if case .none = consume accepted { none = true }
        #expect(none)
        #expect(Self.readAll(stranger).isEmpty)
        #expect(refused.peers == [try #require(IPAddress("::1"))])
    }
}

/// What the listener reported refusing (it calls back on the accepting thread).
final class RefusedPeers {
    var peers: [IPAddress] = []
}
