import CZlib

/// gzip (RFC 1952) through zlib: the one owner of the library. Cached catalog pages are
/// compressed once, when they are filled, and served compressed to every client that accepts
/// it (`AcceptEncoding`); nothing here runs per request.
public enum Gzip {
    public struct Failure: Error, CustomStringConvertible {
        public let code: Int32
        public var description: String { "zlib error \(code)" }
    }

    /// `bytes` as one gzip member, at zlib's `level` (1 fastest … 9 smallest).
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        let initialised = cfcgi_deflate_init_gzip(&stream, level)
        guard initialised == Z_OK else { throw Failure(code: initialised) }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
        let status: Int32 = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(code: status) }
        output.removeLast(output.count - Int(stream.total_out))
        return output
    }
}
