import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// nginx serves UPLOAD_DIR at /uploads/ itself: bytes as stored, nosniff, long cache, no execution.
    @Suite struct UploadsLocation {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func filesAreServedAsStoredWithSafeHeaders() throws {
            let directory = stack.state + "/uploads/2026/11"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<2048).map { UInt8($0 % 251) }
            try Data(bytes).write(to: URL(fileURLWithPath: directory + "/probe.png"))
            let response = try stack.get("/uploads/2026/11/probe.png")
            #expect(response.status == 200)
            #expect(response.body == bytes)
            #expect(response.header("content-type") == "image/png")
            #expect(response.header("x-content-type-options") == "nosniff")
            #expect(response.header("cache-control") == "public, max-age=31536000, immutable")
            #expect(response.header("strict-transport-security") == "max-age=63072000")
            #expect(response.headers.filter { $0.name == "x-request-id" }.count == 1)
        }

        @Test func scriptsAreNeverExecutedAndTraversalFails() throws {
            try "<?php echo 'ran'; ?>".write(toFile: stack.state + "/uploads/evil.php", atomically: true, encoding: .utf8)
            let script = try stack.get("/uploads/evil.php")
            #expect(script.status == 200)
            #expect(script.header("content-type") == "application/octet-stream")
            #expect(script.text.contains("<?php"))
            let traversal = try stack.get("/uploads../commerce.env")
            #expect(traversal.status == 404)
            #expect(!traversal.text.contains("JWT_SECRET"))
        }
    }
}
