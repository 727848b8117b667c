import CFastCGI

/// The body of one FastCGI request as it arrives. Closed when its exchange finishes: libfcgi
/// frees the stream then and reuses the request for the next connection, so a reader kept
/// past `finish()` sees the end of the body instead of freed memory or another client's bytes.
public final class FastCGIStdin {
    private var stream: UnsafeMutablePointer<FCGX_Stream>?

    init(_ stream: UnsafeMutablePointer<FCGX_Stream>?) { self.stream = stream }

    public var isOpen: Bool { stream != nil }

    /// Up to `maximum` bytes; empty at the end of the body or once closed.
    public func read(maximum: Int) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: maximum)
        let count = read(into: &chunk)
        return count > 0 ? Array(chunk[0..<count]) : []
    }

    /// Fills the front of `buffer`; returns how many bytes, 0 at the end.
    func read(into buffer: inout [UInt8]) -> Int {
        guard let stream else { return 0 }
        let count = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { FCGX_GetStr($0.baseAddress, Int32($0.count), stream) }
        }
        return max(0, Int(count))
    }

    func close() { stream = nil }
}
