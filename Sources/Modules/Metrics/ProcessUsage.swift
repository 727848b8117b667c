#if canImport(Glibc)
import Glibc
#endif

/// One process's CPU time and open descriptors from /proc (its resident memory comes from its
/// scoreboard slot, which it updates itself). Nil when the process is gone.
struct ProcessUsage {
    let cpuMicroseconds: UInt64
    let residentBytes: UInt64
    let openFileDescriptors: UInt64

    static let ticksPerSecond = UInt64(max(1, sysconf(Int32(_SC_CLK_TCK))))

    static func read(pid: Int32, residentBytes: UInt64) -> ProcessUsage? {
        guard pid > 0, let stat = readFile("/proc/\(pid)/stat") else { return nil }
        // Fields after the command name, which may itself hold spaces and parentheses.
        guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = stat[(close + 1)...].split(separator: UInt8(ascii: " "))
        // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
        guard fields.count > 12, let user = UInt64(String(decoding: fields[11], as: UTF8.self)),
            let system = UInt64(String(decoding: fields[12], as: UTF8.self))
        else { return nil }
        return ProcessUsage(
            cpuMicroseconds: (user + system) * 1_000_000 / ticksPerSecond, residentBytes: residentBytes,
            openFileDescriptors: countEntries("/proc/\(pid)/fd"))
    }

    private static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return count > 0 ? Array(buffer[0..<count]) : nil
    }

    private static func countEntries(_ path: String) -> UInt64 {
        guard let directory = opendir(path) else { return 0 }
        defer { closedir(directory) }
        var count: UInt64 = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { count += 1 }
        }
        return count
    }
}
