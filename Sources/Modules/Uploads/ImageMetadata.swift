/// Strips what a photo says about its taker before it is stored and served to everyone: EXIF
/// (camera, time, GPS position), XMP, IPTC and comments. Byte-level, segment by segment: the
/// pixels are never decoded or re-encoded, so quality and size are untouched, and what a
/// segment the code does not understand carries is kept rather than guessed at. Colour
/// information stays (JFIF, ICC profiles, Adobe's colour transform, PNG's colour chunks).
/// GIF carries no camera metadata and is stored as sent.
public enum ImageMetadata {
    public static func stripped(_ bytes: [UInt8], kind: ImageKind) -> [UInt8] {
        switch kind {
        case .jpeg: strippedJPEG(bytes)
        case .png: strippedPNG(bytes)
        case .webp: strippedWebP(bytes)
        case .gif: bytes
        }
    }

    // MARK: JPEG

    /// Segments before the first scan: APP1 (EXIF, XMP), APP3–APP13 and APP15 (IPTC, Photoshop,
    /// vendor data), COM, JFIF extensions (thumbnails) and APP2 but ICC profiles go. The scan
    /// and everything after it are copied as they are.
    static func strippedJPEG(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return bytes }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(bytes.count)
        var index = 2
        while index + 1 < bytes.count {
            guard bytes[index] == 0xFF else { break }
            let marker = bytes[index + 1]
            if marker == 0xFF {
                index += 1 // a fill byte before the marker
                continue
            }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {
                out += bytes[index..<(index + 2)]
                index += 2
                continue
            }
            // Start of scan or end of image: the rest is image data.
            if marker == 0xDA || marker == 0xD9 { break }
            guard index + 3 < bytes.count else { break }
            let end = index + 2 + (Int(bytes[index + 2]) << 8 | Int(bytes[index + 3]))
            guard end > index + 3, end <= bytes.count else { break }
            if keepsJPEGSegment(marker: marker, payload: bytes[(index + 4)..<end]) { out += bytes[index..<end] }
            index = end
        }
        out += bytes[index...]
        return out
    }

    private static func keepsJPEGSegment(marker: UInt8, payload: ArraySlice<UInt8>) -> Bool {
        switch marker {
        case 0xE0: !payload.starts(with: Array("JFXX".utf8)) // JFIF stays, its thumbnail extension goes
        case 0xE2: payload.starts(with: Array("ICC_PROFILE\0".utf8))
        case 0xEE: true // Adobe: how to read the colour components
        case 0xE1, 0xE3...0xED, 0xEF, 0xFE: false
        default: true // tables, frame headers and anything else the decoder needs
        }
    }

    // MARK: PNG

    /// Text (`tEXt`, `zTXt`, `iTXt`, where XMP lives too), `eXIf` and `tIME` chunks go.
    static func strippedPNG(_ bytes: [UInt8]) -> [UInt8] {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.starts(with: signature) else { return bytes }
        let dropped: Set<String> = ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]
        var out = signature
        out.reserveCapacity(bytes.count)
        var index = signature.count
        while index + 12 <= bytes.count {
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            let end = index + 12 + length
            guard length >= 0, end <= bytes.count else { break }
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            if !dropped.contains(type) { out += bytes[index..<end] }
            index = end
        }
        out += bytes[index...]
        return out
    }

    // MARK: WebP

    /// `EXIF` and `XMP ` chunks go, their flags in `VP8X` are cleared and the RIFF size is
    /// made to match.
    static func strippedWebP(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) else { return bytes }
        var out = Array(bytes[0..<12])
        out.reserveCapacity(bytes.count)
        var index = 12
        while index + 8 <= bytes.count {
            let size = Int(bytes[index + 4]) | Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]) << 16 | Int(bytes[index + 7]) << 24
            let end = min(bytes.count, index + 8 + size + (size & 1))
            guard index + 8 + size <= bytes.count else { break }
            let fourCC = String(decoding: bytes[index..<(index + 4)], as: UTF8.self)
            switch fourCC {
            case "EXIF", "XMP ":
                break
            case "VP8X" where size >= 1:
                var chunk = Array(bytes[index..<end])
                chunk[8] &= ~(0x08 | 0x04) // the EXIF and XMP flags
                out += chunk
            default:
                out += bytes[index..<end]
            }
            index = end
        }
        out += bytes[index...]
        let riffSize = UInt32(out.count - 8)
        out.replaceSubrange(4..<8, with: [UInt8(riffSize & 0xFF), UInt8((riffSize >> 8) & 0xFF), UInt8((riffSize >> 16) & 0xFF), UInt8(riffSize >> 24)])
        return out
    }
}
