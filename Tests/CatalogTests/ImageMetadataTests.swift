import Testing
@testable import Uploads

@Suite struct ImageMetadataTests {
    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    static let jfif = segment(0xE0, Array("JFIF\0".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
    static let exif = segment(0xE1, Array("Exif\0\0".utf8) + Array("MM GPSLatitude 48.8584 N".utf8))
    static let xmp = segment(0xE1, Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>owner</x:xmpmeta>".utf8))
    static let icc = segment(0xE2, Array("ICC_PROFILE\0".utf8) + [1, 1, 9, 9, 9])
    static let iptc = segment(0xED, Array("Photoshop 3.0\0by-line".utf8))
    static let comment = segment(0xFE, Array("shot at home".utf8))
    static let quantisation = segment(0xDB, [0] + Array(repeating: 1, count: 64))
    static let frame = segment(0xC0, [8, 0, 1, 0, 1, 1, 1, 0x11, 0])
    /// A scan whose data holds bytes that look like markers, and the end of the image.
    static let scan = segment(0xDA, [1, 1, 0, 0, 0x3F, 0]) + [0x12, 0xFF, 0x00, 0xFF, 0xE1, 0x34, 0xFF, 0xD0, 0x56] + [0xFF, 0xD9]

    @Test func aJPEGLosesExifXMPIPTCAndCommentsAndKeepsEveryOtherByte() {
        let photo = [0xFF, 0xD8] + Self.jfif + Self.exif + Self.xmp + Self.icc + Self.iptc + Self.comment + Self.quantisation + Self.frame + Self.scan
        let stored = ImageMetadata.stripped(photo, kind: .jpeg)
        #expect(stored == [0xFF, 0xD8] + Self.jfif + Self.icc + Self.quantisation + Self.frame + Self.scan)
        #expect(!String(decoding: stored, as: UTF8.self).contains("GPS"))
        // Stripping twice changes nothing more.
        #expect(ImageMetadata.stripped(stored, kind: .jpeg) == stored)
    }

    @Test func aTruncatedOrForeignFileIsKeptAsItIs() {
        let truncated = [0xFF, 0xD8] + Self.jfif + [0xFF, 0xE1, 0x40, 0x00, 0x01]
        #expect(ImageMetadata.stripped(truncated, kind: .jpeg) == truncated)
        let notJPEG: [UInt8] = Array("GIF89a....".utf8)
        #expect(ImageMetadata.stripped(notJPEG, kind: .jpeg) == notJPEG)
        #expect(ImageMetadata.stripped(notJPEG, kind: .gif) == notJPEG)
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let n = data.count
        return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)] + Array(type.utf8) + data + [0xAA, 0xBB, 0xCC, 0xDD]
    }

    @Test func aPNGLosesTextExifAndTimeChunks() {
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        let header = Self.chunk("IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0])
        let colour = Self.chunk("sRGB", [0])
        let data = Self.chunk("IDAT", [1, 2, 3, 4])
        let end = Self.chunk("IEND", [])
        let png =
            signature + header + colour + Self.chunk("tEXt", Array("Author\0me".utf8)) + Self.chunk("eXIf", Array("MM GPS".utf8))
            + Self.chunk("iTXt", Array("XML:com.adobe.xmp\0".utf8)) + Self.chunk("tIME", [7, 0xEA, 1, 1, 0, 0, 0]) + data + end
        #expect(ImageMetadata.stripped(png, kind: .png) == signature + header + colour + data + end)
    }

    static func riffChunk(_ fourCC: String, _ payload: [UInt8]) -> [UInt8] {
        let n = payload.count
        return Array(fourCC.utf8) + [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)] + payload + (n % 2 == 1 ? [0] : [])
    }

    static func webP(_ chunks: [UInt8]) -> [UInt8] {
        let n = chunks.count + 4
        return Array("RIFF".utf8) + [UInt8(n & 0xFF), UInt8((n >> 8) & 0xFF), UInt8((n >> 16) & 0xFF), UInt8(n >> 24)] + Array("WEBP".utf8) + chunks
    }

    @Test func aWebPLosesExifAndXMPChunksAndTheirFlagsAndStaysAValidRIFF() {
        let extended = Self.riffChunk("VP8X", [0x2C, 0, 0, 0, 0, 0, 0, 0, 0, 0]) // ICC, EXIF and XMP flags set
        let icc = Self.riffChunk("ICCP", [1, 2, 3])
        let image = Self.riffChunk("VP8 ", [9, 9, 9, 9])
        let photo = Self.webP(extended + icc + image + Self.riffChunk("EXIF", Array("MM GPS".utf8)) + Self.riffChunk("XMP ", Array("<x/>".utf8)))
        let cleared = Self.riffChunk("VP8X", [0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        #expect(ImageMetadata.stripped(photo, kind: .webp) == Self.webP(cleared + icc + image))
    }
}
