#if canImport(Glibc)
import Glibc
#endif

/// A whole local file, read in one go: a migration, an env file.
public enum LocalFile {
    /// The `errno` that stopped the read.
    public struct ReadError: Error, Equatable {
        public let errno: Int32
        public var reason: String { String(cString: strerror(errno)) }
    }

    public static func bytes(atPath path: String) throws(ReadError) -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw ReadError(errno: errno) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        guard ferror(file) == 0 else { throw ReadError(errno: errno) }
        return bytes
    }
}
