/// A request body read as it arrives, for routes that take more than the 1 MiB JSON limit
/// (uploads). Routes declared `body: .multipart` get one instead of `Request.body`.
public protocol RequestBodyStream: AnyObject, Sendable {
    /// Up to `maximum` bytes; empty at the end of the body.
    func read(maximum: Int) -> [UInt8]
}

/// A stream over bytes in memory (tests, and bodies already read).
public final class InMemoryBodyStream: RequestBodyStream, @unchecked Sendable {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func read(maximum: Int) -> [UInt8] {
        let end = min(bytes.count, offset + maximum)
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
}
