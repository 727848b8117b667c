import Foundation
import Testing
@testable import FastCGI

/// A FastCGI exchange end to end on a unix socket: records written by hand as nginx would,
/// read back through libfcgi and the Swift wrapper.
@Suite(.serialized) struct FastCGIExchangeTests {
    /// One FastCGI record: version 1, type, request id 1, content, no padding.
    static func record(_ type: UInt8, _ content: [UInt8]) -> [UInt8] {
        [1, type, 0, 1, UInt8(content.count >> 8), UInt8(content.count & 0xFF), 0, 0] + content
    }

    /// A name-value pair: lengths under 128 take one byte, longer ones four with the top bit set.
    static func pair(_ name: String, _ value: String) -> [UInt8] {
        func length(_ count: Int) -> [UInt8] {
            count < 128 ? [UInt8(count)] : [UInt8(0x80 | (count >> 24)), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
        }
        return length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8)
    }

    static func request(parameters: [(String, String)], stdin: [[UInt8]]) -> [UInt8] {
        var bytes = record(1, [0, 1, 0, 0, 0, 0, 0, 0]) // BEGIN_REQUEST, responder, close after
        bytes += record(4, parameters.flatMap { pair($0.0, $0.1) })
        bytes += record(4, [])
        for chunk in stdin { bytes += record(5, chunk) }
        return bytes + record(5, [])
    }

    /// A listening socket, a client connected to it that has sent `bytes`, and the listener.
    final class Wire {
        let path: String
        let listener: FastCGIListener
        let client: Int32

        /// `halfClose`: the client shuts its side down once the request is sent, as a peer that
        /// has nothing more to say may.
        init(sending bytes: [UInt8], halfClose: Bool = true) throws {
            path = NSTemporaryDirectory() + "fcgi-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
            listener = try FastCGIListener(fd: try UnixListeningSocket.bind(path: path, backlog: 4, mode: 0o600))
            client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            #expect(connected == 0)
            #expect(bytes.withUnsafeBytes { write(client, $0.baseAddress, $0.count) } == bytes.count)
            // libfcgi's close reads until the peer's EOF (up to two seconds) before closing
            // when bytes may still arrive: sending it now keeps such tests in milliseconds.
            if halfClose { shutdown(client, Int32(SHUT_WR)) }
        }

        deinit {
            close(client)
            unlink(path)
        }

        /// Every record the worker sent until it closed the connection: (type, content).
        func records() -> [(type: UInt8, content: [UInt8])] {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
                if count <= 0 { break }
                bytes += buffer[0..<count]
            }
            var out: [(UInt8, [UInt8])] = []
            var offset = 0
            while offset + 8 <= bytes.count {
                let length = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
                let padding = Int(bytes[offset + 6])
                out.append((bytes[offset + 1], Array(bytes[(offset + 8)..<(offset + 8 + length)])))
                offset += 8 + length + padding
            }
            return out
        }
    }

    @Test func parametersAndBodyArriveAndTheAnswerGoesBackInRecords() throws {
        let long = String(repeating: "x", count: 300)
        let wire = try Wire(
            sending: Self.request(
                parameters: [
                    ("REQUEST_METHOD", "POST"), ("REQUEST_URI", "/api/things?a=b"), ("QUERY_STRING", "a=b=c"),
                    ("HTTP_X_LONG", long), ("HTTP_X_NAME", "Zoë"),
                ],
                stdin: [Array("hello ".utf8), Array("world".utf8)]))
        let accepted = try wire.listener.accept(timeoutMilliseconds: 2000)
        guard let exchange = consume accepted else {
            Issue.record("no request accepted")
            return
        }
        let parameters = exchange.parameters()
        #expect(parameters["REQUEST_METHOD"] == "POST")
        #expect(parameters["REQUEST_URI"] == "/api/things?a=b")
        #expect(parameters["QUERY_STRING"] == "a=b=c")
        #expect(parameters["HTTP_X_LONG"] == long)
        #expect(parameters["HTTP_X_NAME"] == "Zoë")
        guard case .complete(let body) = exchange.readBody(expectedLength: 11, limit: 1024) else {
            Issue.record("body not read")
            return
        }
        #expect(String(decoding: body, as: UTF8.self) == "hello world")
        // The peer is this process: REMOTE_ADDR is believed from nginx's user only.
        #expect(exchange.peerUserId() == Int(getuid()))
        let stdin = exchange.stdin
        try exchange.write(head: Array("Status: 201\r\nContent-Type: text/plain\r\n\r\n".utf8), body: Array("made".utf8))
        exchange.finish()
        // A reader kept past the exchange reads nothing: the stream is libfcgi's to reuse.
        #expect(!stdin.isOpen)
        #expect(stdin.read(maximum: 64) == [])
        let records = wire.records()
        let stdout = records.filter { $0.type == 6 }.flatMap(\.content)
        #expect(String(decoding: stdout, as: UTF8.self) == "Status: 201\r\nContent-Type: text/plain\r\n\r\nmade")
        #expect(records.last?.type == 3) // END_REQUEST
        #expect(records.last?.content.prefix(5) == [0, 0, 0, 0, 0]) // app status 0, request complete
    }

    @Test func aBodyOverTheLimitIsDrainedAndTheAnswerStillGoesOut() throws {
        let wire = try Wire(sending: Self.request(parameters: [("REQUEST_METHOD", "POST")], stdin: [[UInt8](repeating: 0x41, count: 3000)]))
        let accepted = try wire.listener.accept(timeoutMilliseconds: 2000)
        guard let exchange = consume accepted else {
            Issue.record("no request accepted")
            return
        }
        // CONTENT_LENGTH is only a hint: what arrives counts.
        guard case .tooLarge = exchange.readBody(expectedLength: 10, limit: 1000) else {
            Issue.record("a body over the limit was accepted")
            return
        }
        try exchange.write(head: Array("Status: 413\r\n\r\n".utf8), body: [])
        exchange.finish()
        let stdout = wire.records().filter { $0.type == 6 }.flatMap(\.content)
        #expect(String(decoding: stdout, as: UTF8.self) == "Status: 413\r\n\r\n")
    }

    /// nginx keeps its side open until it has read the answer; a worker that waited for it to
    /// close (libfcgi's lingering close) could not take the next connection meanwhile.
    @Test func aRequestReceivedWholeIsClosedAtOnceWithoutWaitingForThePeer() throws {
        for (parameters, stdin) in [
            ([("REQUEST_METHOD", "GET")], [[UInt8]]()),
            ([("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "5")], [Array("hello".utf8)]),
        ] {
            let wire = try Wire(sending: Self.request(parameters: parameters, stdin: stdin), halfClose: false)
            let accepted = try wire.listener.accept(timeoutMilliseconds: 2000)
            guard let exchange = consume accepted else {
                Issue.record("no request accepted")
                return
            }
            if parameters[0].1 == "POST" {
                guard case .complete(let body) = exchange.readBody(expectedLength: 5, limit: 1024) else {
                    Issue.record("body not read")
                    return
                }
                #expect(body == Array("hello".utf8))
            }
            try exchange.write(head: Array("Status: 200\r\n\r\n".utf8), body: Array("ok".utf8))
            let started = Date()
            exchange.finish()
            #expect(Date().timeIntervalSince(started) < 0.5, "closed without waiting for the peer")
            let records = wire.records()
            #expect(String(decoding: records.filter { $0.type == 6 }.flatMap(\.content), as: UTF8.self) == "Status: 200\r\n\r\nok")
            #expect(records.last?.type == 3)
        }
    }

    /// A body left unread: closing at once could answer the peer's next bytes with a reset
    /// (over TCP, one that can destroy the answer it has not read yet), so the worker lingers
    /// until the peer closes, as libfcgi does.
    @Test func aRequestWithItsBodyUnreadLingersUntilThePeerCloses() throws {
        let wire = try Wire(
            sending: Self.request(parameters: [("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "3000")], stdin: [[UInt8](repeating: 0x41, count: 3000)]),
            halfClose: false)
        let accepted = try wire.listener.accept(timeoutMilliseconds: 2000)
        guard let exchange = consume accepted else {
            Issue.record("no request accepted")
            return
        }
        try exchange.write(head: Array("Status: 413\r\n\r\n".utf8), body: [])
        let finished = DispatchSemaphore(value: 0)
        let box = ExchangeBox(exchange)
        Thread.detachNewThread {
            box.finish()
            finished.signal()
        }
        // The answer arrives whole and the worker's side ends (shutdown), but it is still open.
        let records = wire.records()
        #expect(String(decoding: records.filter { $0.type == 6 }.flatMap(\.content), as: UTF8.self) == "Status: 413\r\n\r\n")
        #expect(finished.wait(timeout: .now() + 0.3) == .timedOut, "waiting for the peer")
        shutdown(wire.client, Int32(SHUT_WR))
        #expect(finished.wait(timeout: .now() + 1.5) == .success)
    }

    /// Hands a (non-copyable) exchange to the thread that finishes it.
    final class ExchangeBox: @unchecked Sendable {
        var exchange: FastCGIExchange?
        init(_ exchange: consuming FastCGIExchange) { self.exchange = consume exchange }
        func finish() {
            if let exchange = exchange.take() { exchange.finish() }
        }
    }

    @Test func noConnectionMeansNoExchange() throws {
        let path = NSTemporaryDirectory() + "fcgi-idle-\(getpid()).sock"
        defer { unlink(path) }
        let listener = try FastCGIListener(fd: try UnixListeningSocket.bind(path: path, backlog: 4, mode: 0o600))
        let accepted = try listener.accept(timeoutMilliseconds: 10)
        var none = false
        if case .none = consume accepted { none = true }
        #expect(none)
    }
}

@Suite struct EnvironmentBlockTests {
    @Test func entriesSplitAtTheFirstEqualsAndEntriesWithoutOneAreSkipped() {
        let entries: [UnsafeMutablePointer<CChar>?] = ["A=1", "B=x=y", "NOEQUALS", "EMPTY=", "UTF=Zoë"].map { (text: String) in strdup(text) }
        defer { entries.forEach { free($0) } }
        var block: [UnsafeMutablePointer<CChar>?] = entries + [nil]
        let values = block.withUnsafeMutableBufferPointer { EnvironmentBlock.dictionary($0.baseAddress) }
        #expect(values == ["A": "1", "B": "x=y", "EMPTY": "", "UTF": "Zoë"])
        #expect(EnvironmentBlock.dictionary(nil) == [:])
    }
}
