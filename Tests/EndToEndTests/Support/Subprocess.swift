import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes for the tests, on posix_spawn and waitpid. Foundation's Process was seen
/// to miss a child's exit under Swift Testing's concurrent runner and wait forever.
final class Subprocess: @unchecked Sendable {
    let pid: pid_t
    private let stdoutFD: Int32?
    private var reaped: Int32?

    /// Starts `path` with `arguments` and exactly `environment`. stdin is /dev/null unless
    /// `input` is given; stdout is captured when `captureOutput`, otherwise discarded.
    init(_ path: String, _ arguments: [String], environment: [String: String], input: [UInt8]? = nil, captureOutput: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var inputPipe: [Int32] = [-1, -1]
        var outputPipe: [Int32] = [-1, -1]
        if input != nil {
            guard Self.makePipe(&inputPipe) else { throw Stack.StackError("pipe failed") }
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if captureOutput {
            guard Self.makePipe(&outputPipe) else { throw Stack.StackError("pipe failed") }
            posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // The calling thread may block signals (the test runner's threads do), and a spawned
        // child inherits that mask: it would then ignore the SIGTERM that stops it.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, path, &actions, &attributes, argv, envp)
        if input != nil { close(inputPipe[0]) }
        if captureOutput { close(outputPipe[1]) }
        guard result == 0 else { throw Stack.StackError("cannot start \(path): errno \(result)") }
        pid = child
        stdoutFD = captureOutput ? outputPipe[0] : nil
        if let input {
            let fd = inputPipe[1]
            // Written from a thread so a child that answers before reading everything cannot deadlock us.
            Thread.detachNewThread {
                input.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                        if n <= 0 { break }
                        offset += n
                    }
                }
                close(fd)
            }
        }
    }

    /// A pipe whose ends are not inherited by other children (the spawned one gets its end by dup2).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Everything the child wrote to stdout, until it closes it.
    func readOutput() -> [UInt8] {
        guard let fd = stdoutFD else { return [] }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        close(fd)
        return out
    }

    @discardableResult
    func wait() -> Int32 {
        if let reaped { return reaped }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        reaped = code
        return code
    }

    func terminate() {
        if reaped == nil { kill(pid, SIGTERM) }
        wait()
    }

    /// Runs to completion and returns the exit status and stdout.
    static func run(_ path: String, _ arguments: [String], environment: [String: String], input: [UInt8]? = nil) throws -> (status: Int32, output: [UInt8]) {
        let process = try Subprocess(path, arguments, environment: environment, input: input, captureOutput: true)
        let output = process.readOutput()
        return (process.wait(), output)
    }
}
