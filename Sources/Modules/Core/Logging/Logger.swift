#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case debug, info, warn, error

    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        }
    }

    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// syslog's number for the level: err 3, warning 4, info 6, debug 7.
    public var syslogPriority: UInt8 {
        switch self {
        case .debug: 7
        case .info: 6
        case .warn: 4
        case .error: 3
        }
    }
}

/// JSON lines on stderr, one `write(2)` each, so lines from many workers never interleave
/// (journald and pipes keep writes under PIPE_BUF whole) and nothing waits in a buffer.
public struct Logger: Sendable {
    public let level: LogLevel
    /// Fields every line of this logger carries (`worker`).
    public let fields: JSONObject
    /// The request being served, on every line after `fields`: set per request by value, so
    /// tagging a request copies nothing.
    public private(set) var requestId: String?
    private let clock: Clock
    private let fd: Int32
    /// Whether each line starts with its syslog priority (`<3>` error … `<7>` debug), which
    /// journald takes off and files the line under (`journalctl -p warning`).
    private let priorityPrefix: Bool

    public init(level: LogLevel, fields: JSONObject = [:], clock: Clock = .system, fd: Int32 = 2, priorityPrefix: Bool = LogOutput.isJournal) {
        self.level = level
        self.fields = fields
        self.clock = clock
        self.fd = fd
        self.priorityPrefix = priorityPrefix
    }

    public func with(_ key: String, _ value: JSONValue) -> Logger {
        var fields = self.fields
        fields[key] = value
        var derived = Logger(level: level, fields: fields, clock: clock, fd: fd, priorityPrefix: priorityPrefix)
        derived.requestId = requestId
        return derived
    }

    public func with(requestId: String?) -> Logger {
        var tagged = self
        tagged.requestId = requestId
        return tagged
    }

    public func debug(_ message: String, _ extra: JSONObject = [:]) { log(.debug, message, extra) }
    public func info(_ message: String, _ extra: JSONObject = [:]) { log(.info, message, extra) }
    public func warn(_ message: String, _ extra: JSONObject = [:]) { log(.warn, message, extra) }
    public func error(_ message: String, _ extra: JSONObject = [:]) { log(.error, message, extra) }

    public func log(_ lineLevel: LogLevel, _ message: String, _ extra: JSONObject) {
        guard lineLevel >= level else { return }
        var line: JSONObject = ["ts": .string(clock.timestamp()), "level": .string(lineLevel.name), "msg": .string(message)]
        for entry in fields.entries { line[entry.key] = entry.value }
        if let requestId { line["requestId"] = .string(requestId) }
        for entry in extra.entries { line[entry.key] = entry.value }
        var bytes: [UInt8] = priorityPrefix ? [0x3C, lineLevel.syslogPriority + 0x30, 0x3E] : []
        bytes += JSONWriter.encode(.object(line))
        bytes.append(0x0A)
        LogOutput.writeAll(bytes, to: fd)
    }
}

/// Writes one log line whole. A signal landing during the write (SIGTERM to drain, SIGCHLD in
/// the supervisor) makes write(2) fail with EINTR, and a full non-blocking pipe with EAGAIN:
/// both are retried, so a line is lost only when the descriptor itself is gone.
public enum LogOutput {
    /// Standard error goes to journald: systemd sets JOURNAL_STREAM for a unit whose output it
    /// takes, and reads a leading `<N>` as the line's priority (SyslogLevelPrefix=, on by default).
    public static let isJournal: Bool = getenv("JOURNAL_STREAM") != nil

    /// write(2), injectable so a test can interrupt it.
    public typealias Write = (Int32, UnsafeRawPointer, Int) -> Int

    public static func writeAll(_ bytes: [UInt8], to fd: Int32, write: Write = { Glibc.write($0, $1, $2) }) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            var stalls = 0
            while offset < raw.count {
                let written = write(fd, base + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                    stalls = 0
                    continue
                }
                let code = errno
                if written < 0 && code == EINTR { continue }
                // A full non-blocking pipe: wait for room, but not forever (about a second).
                if written < 0 && (code == EAGAIN || code == EWOULDBLOCK) && stalls < 1000 {
                    stalls += 1
                    var pending = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&pending, 1, 1)
                    continue
                }
                return
            }
        }
    }
}
