@testable import Uploads
import Testing

@Suite struct UploadUnitTests {
    @Test func imagesAreRecognisedByTheirBytes() {
        #expect(ImageKind.detect([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0, count: 8)) == .jpeg)
        #expect(ImageKind.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0]) == .png)
        #expect(ImageKind.detect(Array("GIF89a".utf8) + [0, 0, 0, 0, 0, 0]) == .gif)
        #expect(ImageKind.detect(Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WEBP".utf8)) == .webp)
        #expect(ImageKind.detect(Array("RIFF".utf8) + [0, 0, 0, 0] + Array("WAVE".utf8)) == nil)
        #expect(ImageKind.detect(Array("<?php echo 1; ?>".utf8)) == nil)
        #expect(ImageKind.detect([0xFF, 0xD8]) == nil)
    }

    @Test func onlyGeneratedPathsAreAccepted() {
        #expect(UploadStorage.isGeneratedPath("2026/11/6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01.jpg"))
        for bad in [
            "../2026/11/6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01.jpg", "/etc/passwd", "2026/11/../../x.jpg", "2026/11/6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01.php",
            "2026/11/6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01.jpg/x", "2026/1/6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01.jpg", "2026/11/evil.jpg", "",
        ] {
            #expect(!UploadStorage.isGeneratedPath(bad), "\(bad)")
        }
    }

    @Test func clientFileNamesAreSanitisedForDisplay() {
        #expect(UploadReceiver.sanitise("../../etc/passwd") == "passwd")
        #expect(UploadReceiver.sanitise("C:\\Users\\me\\photo.JPG") == "photo.JPG")
        #expect(UploadReceiver.sanitise("a\u{0}b\"c\n.png") == "abc.png")
        #expect(UploadReceiver.sanitise("...") == "upload")
        #expect(UploadReceiver.sanitise(String(repeating: "x", count: 400)).count == 255)
    }
}
