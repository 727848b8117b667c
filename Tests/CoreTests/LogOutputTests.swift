import Core
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct LogOutputTests {
    @Test func aWriteInterruptedOrRefusedForAMomentIsRetriedWhole() {
        let line = Array("{\"msg\":\"request\"}\n".utf8)
        var received: [UInt8] = []
        var calls = 0
        LogOutput.writeAll(line, to: 9) { _, pointer, count in
            calls += 1
            switch calls {
            case 1: errno = EINTR; return -1
            case 2: errno = EAGAIN; return -1
            case 3:
                received += UnsafeRawBufferPointer(start: pointer, count: 5)
                return 5
            default:
                received += UnsafeRawBufferPointer(start: pointer, count: count)
                return count
            }
        }
        #expect(received == line)
        #expect(calls == 4)
    }

    @Test func aClosedDescriptorEndsTheAttempt() {
        var calls = 0
        LogOutput.writeAll(Array("x\n".utf8), to: 9) { _, _, _ in
            calls += 1; errno = EBADF; return -1
        }
        #expect(calls == 1)
    }

    /// The real thing: the writer blocks on a full pipe, a signal without SA_RESTART interrupts
    /// write(2) with EINTR, and the line must still arrive once the reader makes room.
    @Test func aSignalDuringAWriteToAFullPipeLosesNoLine() throws {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGUSR2, &action, nil)
        // The test runner's threads may block signals; this one must see it.
        var unblock = sigset_t()
        var previous = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGUSR2)
        pthread_sigmask(SIG_UNBLOCK, &unblock, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }

        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // Fill the pipe, so the next write blocks.
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        let filler = [UInt8](repeating: 0x2E, count: 4096)
        var filled = 0
        while true {
            let n = filler.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            filled += n
        }
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) & ~O_NONBLOCK)

        let writer = pthread_self()
        let collected = ReadBack()
        let reader = Thread {
            usleep(150_000)
            pthread_kill(writer, SIGUSR2)
            usleep(150_000)
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                collected.append(buffer[0..<n])
            }
            collected.finish()
        }
        reader.start()
        let line = Array("{\"msg\":\"request\",\"status\":200}\n".utf8)
        var interrupted = 0
        LogOutput.writeAll(line, to: writeEnd) { fd, pointer, count in
            let written = write(fd, pointer, count)
            if written < 0 && errno == EINTR { interrupted += 1 }
            return written
        }
        #expect(interrupted == 1, "the signal interrupted the blocked write")
        close(writeEnd)
        collected.wait()
        close(readEnd)
        #expect(collected.bytes.count == filled + line.count)
        #expect(Array(collected.bytes.suffix(line.count)) == line)
    }
}

/// What the reader thread got, handed back to the test.
private final class ReadBack: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var stored: [UInt8] = []

    func append(_ bytes: ArraySlice<UInt8>) { lock.lock(); stored += bytes; lock.unlock() }
    func finish() { done.signal() }
    func wait() { done.wait() }
    var bytes: [UInt8] { lock.lock(); defer { lock.unlock() }; return stored }
}

@Suite struct LoggerPriorityTests {
    /// What a logger writing to a pipe wrote, one line per element.
    private func lines(priorityPrefix: Bool, _ write: (Logger) -> Void) -> [String] {
        var fds: [Int32] = [0, 0]
        _ = pipe(&fds)
        let logger = Logger(
            level: .debug, fields: ["worker": "api-1"], clock: Clock(epochMilliseconds: { 0 }, monotonicNanoseconds: { 0 }), fd: fds[1], priorityPrefix: priorityPrefix)
        write(logger)
        close(fds[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        close(fds[0])
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func underJournaldEachLineCarriesItsSyslogPriority() {
        let written = lines(priorityPrefix: true) { logger in
            logger.error("boom")
            logger.with(requestId: "r1").warn("slow request")
            logger.info("request")
            logger.debug("detail")
        }
        #expect(written.map { String($0.prefix(3)) } == ["<3>", "<4>", "<6>", "<7>"])
        #expect(written[1] == #"<4>{"ts":"1970-01-01T00:00:00.000Z","level":"warn","msg":"slow request","worker":"api-1","requestId":"r1"}"#)
    }

    @Test func elsewhereLinesArePlainJSON() {
        let written = lines(priorityPrefix: false) { $0.error("boom") }
        #expect(written == [#"{"ts":"1970-01-01T00:00:00.000Z","level":"error","msg":"boom","worker":"api-1"}"#])
    }
}
