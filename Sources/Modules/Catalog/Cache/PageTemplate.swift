import Crypto
import Gzip
import HTTP
import Inventory

/// A catalog answer as the cache keeps it: its bytes with a hole where each product's stock
/// goes (`"stockQuantity":…,"inStock":…`), so a sale changes what the page shows without
/// making it stale. Built once per catalog version from PostgreSQL; filled with quantities each
/// time it is served.
public struct PageTemplate: Equatable, Sendable {
    /// The text around the holes: one more segment than holes.
    public let segments: [[UInt8]]
    /// The product whose stock fills each hole.
    public var productIds: [String] { stock.ids }
    public let stock: StockIds
    /// 16 bytes of the SHA-256 of the template, the first half of each ETag it serves.
    public let tag: String

    /// Where a product's stock goes, as `ProductRecord` writes it in a page meant for the cache:
    /// the value of `stockQuantity` is `\u{1}<id>\u{1}` and `inStock` is left out. The writer
    /// escapes every control character inside strings, so a 0x01 byte is never anything else.
    public static let marker: UInt8 = 0x01

    public static func hole(_ productId: String) -> String { "\u{1}" + productId + "\u{1}" }

    /// Splits a body at its holes.
    public init(body: [UInt8]) {
        var segments: [[UInt8]] = []
        var ids: [String] = []
        var start = 0
        var index = 0
        while index < body.count {
            guard body[index] == Self.marker, let close = body[(index + 1)...].firstIndex(of: Self.marker) else {
                index += 1
                continue
            }
            segments.append(Array(body[start..<index]))
            ids.append(String(decoding: body[(index + 1)..<close], as: UTF8.self))
            start = close + 1
            index = start
        }
        segments.append(Array(body[start...]))
        self.init(segments: segments, productIds: ids)
    }

    init(segments: [[UInt8]], productIds: [String]) {
        self.segments = segments
        stock = StockIds(productIds)
        var all = productIds.joined(separator: ",").utf8.map { $0 }
        for segment in segments { all += segment }
        tag = Hex.encode(Array(Digest.sha256(all).prefix(8)))
    }

    /// The answer with these quantities in its holes (a product that is gone shows 0).
    public func render(_ quantities: [Int]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(segments.reduce(0) { $0 + $1.count } + 32 * productIds.count)
        for (index, segment) in segments.enumerated() {
            out += segment
            if index < productIds.count {
                let quantity = index < quantities.count ? quantities[index] : 0
                out += Array("\(quantity),\"inStock\":\(quantity > 0)".utf8)
            }
        }
        return out
    }

    // MARK: In Redis

    /// `T1\n<tag>\n<ids,…>\n<lengths,…>\n<segments>`.
    public var encoded: [UInt8] {
        var out = Array("T1\n\(tag)\n\(productIds.joined(separator: ","))\n\(segments.map { String($0.count) }.joined(separator: ","))\n".utf8)
        for segment in segments { out += segment }
        return out
    }

    public init?(decoding bytes: [UInt8]) {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0a && lines.count < 4 {
            lines.append(bytes[start..<index])
            start = index + 1
        }
        guard lines.count == 4, String(decoding: lines[0], as: UTF8.self) == "T1" else { return nil }
        let ids = lines[2].isEmpty ? [] : lines[2].split(separator: UInt8(ascii: ",")).map { String(decoding: $0, as: UTF8.self) }
        let lengths = lines[3].split(separator: UInt8(ascii: ",")).compactMap { Int(String(decoding: $0, as: UTF8.self)) }
        guard lengths.count == ids.count + 1, lengths.reduce(0, +) == bytes.count - start else { return nil }
        var segments: [[UInt8]] = []
        for length in lengths {
            segments.append(Array(bytes[start..<(start + length)]))
            start += length
        }
        self.init(segments: segments, productIds: ids)
        guard tag == String(decoding: lines[1], as: UTF8.self) else { return nil }
    }
}

/// A template filled with one set of quantities, as a worker keeps it while they hold: the
/// plain bytes, and the gzip bytes made once, the first time a client asks for them.
public final class RenderedPage {
    public let quantities: [Int]
    public let plain: [UInt8]
    public let etag: String
    private var compressed: [UInt8]?

    init(template: PageTemplate, quantities: [Int]) {
        self.quantities = quantities
        plain = template.render(quantities)
        // The template's tag and its stock: equal answers, equal tags, without hashing the page.
        var stock: UInt64 = 0xcbf2_9ce4_8422_2325
        for quantity in quantities {
            stock = (stock ^ UInt64(bitPattern: Int64(quantity))) &* 0x100_0000_01b3
        }
        etag = "\"" + template.tag + "-" + String(stock, radix: 16) + "\""
    }

    /// The gzip member of `plain`, compressed on first use.
    public var gzip: [UInt8]? {
        if compressed == nil { compressed = try? Gzip.compress(plain) }
        return compressed
    }

    /// Bytes held for the worker's memory budget.
    var footprint: Int { plain.count + (compressed?.count ?? 0) }
}
