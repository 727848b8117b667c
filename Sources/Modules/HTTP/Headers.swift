/// Request headers, keyed by lowercase name with dashes (`content-type`), built from the
/// FastCGI `HTTP_*` and `CONTENT_*` parameters.
public struct Headers: Sendable, Equatable {
    private var storage: [String: String]

    public init(_ values: [String: String] = [:]) {
        storage = [:]
        storage.reserveCapacity(values.count)
        for (name, value) in values { storage[Self.lowercase(name)] = value }
    }

    /// Header names are ASCII; most already arrive lowercase and are kept as they are.
    static func lowercase(_ name: String) -> String {
        name.utf8.contains(where: { (0x41...0x5A).contains($0) }) ? name.lowercased() : name
    }

    public subscript(name: String) -> String? {
        get { storage[Self.lowercase(name)] }
        set { storage[Self.lowercase(name)] = newValue }
    }

    public var names: [String] { Array(storage.keys) }

    /// `HTTP_X_REQUEST_ID` → `x-request-id`, by bytes (it runs for every header of every request).
    public static func name(fromCGIParameter parameter: String) -> String? {
        let utf8 = parameter.utf8
        guard utf8.count > 5, utf8.starts(with: "HTTP_".utf8) else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count - 5)
        for byte in utf8.dropFirst(5) {
            switch byte {
            case UInt8(ascii: "_"): bytes.append(UInt8(ascii: "-"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
