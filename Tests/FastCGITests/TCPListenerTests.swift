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

    /// A FastCGI listener on `host` (a loopback address) that lets only 127.0.0.2 in.
    final class GuardedListener {
        let port = UInt16.random(in: 20_000...29_999)
        let host: String
        let listener: FastCGIListener
        let refused = RefusedPeers()

        init(on host: String) throws {
            self.host = host
            let address = try #require(ListenAddress(host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"))
            let fd = try TCPListeningSocket.bind(address, backlog: 8)
            #expect(TCPListeningSocket.isNetworkSocket(fd))
            listener = try FastCGIListener(fd: fd, allowedPeers: [try #require(IPAddress("127.0.0.2"))]) { [refused] in refused.peers.append($0) }
        }

        /// A request from `source`: closed before a byte of it is read, and reported.
        func expectClosedUnread(from source: String, sending request: [UInt8]) throws {
            let stranger = try TCPListenerTests.connect(from: source, to: host, port: port, sending: request)
            defer { close(stranger) }
            let accepted = try listener.accept(timeoutMilliseconds: 2000)
            var none = false
            if case .none = consume accepted { none = true }
            #expect(none)
            #expect(TCPListenerTests.readAll(stranger).isEmpty)
            #expect(refused.peers.last == IPAddress(source))
        }
    }

    @Test func aPeerOutsideTheAllowedAddressesIsClosedUnreadAndAnAllowedOneIsServed() throws {
        let guarded = try GuardedListener(on: "127.0.0.1")
        let request = FastCGIExchangeTests.request(parameters: [("REQUEST_METHOD", "GET"), ("REMOTE_ADDR", "203.0.113.9")], stdin: [])
        try guarded.expectClosedUnread(from: "127.0.0.1", sending: request)

        let front = try Self.connect(from: "127.0.0.2", port: guarded.port, sending: request)
        defer { close(front) }
        let accepted = try guarded.listener.accept(timeoutMilliseconds: 2000)
        guard let exchange = consume accepted else {
            Issue.record("the front's request was not accepted")
            return
        }
        #expect(exchange.networkPeer == IPAddress("127.0.0.2"))
        #expect(exchange.parameters()["REMOTE_ADDR"] == "203.0.113.9")
        try exchange.write(head: Array("Status: 200\r\n\r\n".utf8), body: Array("ok".utf8))
        exchange.finish()
        #expect(String(decoding: Self.readAll(front), as: UTF8.self).contains("Status: 200\r\n\r\nok"))
        #expect(guarded.refused.peers.count == 1)
    }

    /// The reason the listener checks peers itself: libfcgi's FCGI_WEB_SERVER_ADDRS lets any
    /// IPv6 peer through. Here an IPv6 peer not in the list is closed unread as well.
    @Test func anIPv6PeerOutsideTheAllowedAddressesIsClosedToo() throws {
        let guarded = try GuardedListener(on: "::1")
        try guarded.expectClosedUnread(from: "::1", sending: FastCGIExchangeTests.request(parameters: [("REQUEST_METHOD", "GET")], stdin: []))
    }
}

/// What the listener reported refusing (it calls back on the accepting thread).
final class RefusedPeers {
    var peers: [IPAddress] = []
}
