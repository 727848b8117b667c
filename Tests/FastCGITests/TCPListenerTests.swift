import Core
import Foundation
import Testing

@testable import FastCGI

/// A pool on TCP (several app hosts): only FASTCGI_ALLOWED_ADDRESSES may speak FastCGI to it.
@Suite(.serialized) struct TCPListenerTests {
    /// Connects from `source` (a loopback address of this host) to `port` and sends `bytes`.
    static func connect(from source: String, to port: UInt16, sending bytes: [UInt8]) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        _ = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = port.bigEndian
        remote.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
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

        let stranger = Self.connect(from: "127.0.0.1", to: port, sending: request)
        defer { close(stranger) }
        let strangers = try listener.accept(timeoutMilliseconds: 2000)
        var none = false
        if case .none = consume strangers { none = true }
        #expect(none)
        #expect(Self.readAll(stranger).isEmpty)
        #expect(refused.peers == [try #require(IPAddress("127.0.0.1"))])

        let front = Self.connect(from: "127.0.0.2", to: port, sending: request)
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
}

/// What the listener reported refusing (it calls back on the accepting thread).
final class RefusedPeers {
    var peers: [IPAddress] = []
}
