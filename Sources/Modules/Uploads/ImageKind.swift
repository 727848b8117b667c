/// The image formats the store accepts, recognised by their leading bytes: the declared
/// Content-Type and the file name are the client's word, the bytes are not.
public enum ImageKind: String, CaseIterable, Sendable {
    case jpeg, png, webp, gif

    /// Enough leading bytes to tell every kind apart.
    public static let signatureLength = 12

    public static func detect(_ head: [UInt8]) -> ImageKind? {
        func starts(_ prefix: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + prefix.count && Array(head[offset..<(offset + prefix.count)]) == prefix
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        return nil
    }

    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
    public var mimeType: String { "image/" + rawValue }
}
