import Foundation
import HTTP
import HTTPClient
import Testing

extension EndToEndTests {
    /// API.md §9 through nginx: multipart uploads streamed to disk, served back by nginx.
    @Suite struct UploadRoutes {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        static let gif: [UInt8] = Array("GIF89a".utf8) + [13, 10, 45, 45] + (0..<500).map { UInt8(truncatingIfNeeded: $0) }

        struct FormPart {
            let name: String
            var filename: String?
            let data: [UInt8]
        }

        func multipart(_ parts: [FormPart], boundary: String = "----cfcgi\(UUID().uuidString.prefix(8))") -> (String, [UInt8]) {
            var body: [UInt8] = []
            for part in parts {
                body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(part.name)\"".utf8)
                if let filename = part.filename { body += Array("; filename=\"\(filename)\"\r\nContent-Type: image/jpeg".utf8) }
                body += Array("\r\n\r\n".utf8) + part.data + Array("\r\n".utf8)
            }
            body += Array("--\(boundary)--\r\n".utf8)
            return ("multipart/form-data; boundary=\(boundary)", body)
        }

        func upload(_ path: String, _ parts: [FormPart], token: String) throws -> HTTPClientResponse {
            let (type, body) = multipart(parts)
            return try stack.request("POST", path, headers: [("Content-Type", type), ("Authorization", "Bearer " + token)], body: body)
        }

        /// Every file under UPLOAD_DIR, temporary ones included.
        func storedFiles() -> Set<String> {
            let root = stack.state + "/uploads"
            let all = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
            return Set(
                all.filter { path in
                    var isDirectory: ObjCBool = false
                    return FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory) && !isDirectory.boolValue
                })
        }

        @Test func aSingleUploadIsStoredLinkedAndServedBackIdentical() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Vase")
            #expect(try stack.get("/api/products/\(product.id)").json["data"]?["images"] == .array([]))
            let response = try upload(
                "/api/upload/single",
                [
                    FormPart(name: "file", filename: "../../My Vase.png", data: Self.png),
                    FormPart(name: "productId", data: Array(product.id.utf8)),
                    FormPart(name: "altText", data: Array(#"The "blue" vase ✓ \ here"#.utf8)),
                ], token: f.admin.accessToken)
            #expect(response.status == 201)
            let data = try #require(try response.json["data"])
            let path = try #require(data["path"]?.stringValue)
            #expect(path.range(of: #"^\d{4}/\d{2}/[0-9a-f-]{36}\.png$"#, options: .regularExpression) != nil)
            #expect(data["url"] == .string("/uploads/" + path))
            #expect(data["filename"] == "My Vase.png")
            #expect(data["size"] == .int(Self.png.count))
            #expect(data["mimeType"] == "image/png")
            let served = try stack.get("/uploads/" + path)
            #expect(served.status == 200 && served.body == Self.png)
            #expect(served.header("x-content-type-options") == "nosniff")
            // The product page shows it at once, on every worker.
            let pages = stack.concurrentResponses(6, "/api/products/\(product.id)")
            #expect(pages.allSatisfy { (try? $0.json["data"]?["images"]?.arrayValue?.first?["url"]) == .string("/uploads/" + path) })
            // Its alt text comes back as written, quotes, backslash and all.
            #expect(pages.allSatisfy { (try? $0.json["data"]?["images"]?.arrayValue?.first?["altText"]) == .string(#"The "blue" vase ✓ \ here"#) })
        }

        @Test func productUploadsAppendImagesInOrder() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Tile")
            let response = try upload(
                "/api/upload/products",
                [
                    FormPart(name: "productId", data: Array(product.id.utf8)),
                    FormPart(name: "files", filename: "a.png", data: Self.png),
                    FormPart(name: "files", filename: "b.gif", data: Self.gif),
                ], token: f.admin.accessToken)
            #expect(response.status == 201)
            let list = try #require(try response.json["data"]?.arrayValue)
            #expect(list.map { $0["mimeType"] } == ["image/png", "image/gif"])
            let images = try stack.get("/api/products/\(product.id)").json["data"]?["images"]?.arrayValue ?? []
            #expect(images.map { $0["position"] } == [0, 1])
            #expect(images.map { $0["altText"] } == [.null, .null])
            #expect(images.map(\.id) == list.map { $0["productImageId"]?.stringValue ?? "" })
            #expect(try stack.get(list[1]["url"]!.stringValue!).body == Self.gif)
        }

        @Test func refusedUploadsLeaveNoFileBehind() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Frame")
            let before = storedFiles()
            let token = f.admin.accessToken
            // The second file is not an image: the first, already on disk, goes too.
            let midway = try upload(
                "/api/upload/products",
                [
                    FormPart(name: "productId", data: Array(product.id.utf8)),
                    FormPart(name: "files", filename: "ok.png", data: Self.png),
                    FormPart(name: "files", filename: "evil.png", data: Array("<?php system($_GET['c']); ?>".utf8)),
                ], token: token)
            #expect(midway.status == 415)
            let tooBig = try upload("/api/upload/single", [FormPart(name: "file", filename: "big.png", data: Self.png + [UInt8](repeating: 7, count: 5 << 20))], token: token)
            #expect(tooBig.status == 413)
            #expect(try upload("/api/upload/single", [FormPart(name: "file", filename: "empty.png", data: [])], token: token).status == 400)
            #expect(
                try upload(
                    "/api/upload/single",
                    [
                        FormPart(name: "file", filename: "a.png", data: Self.png),
                        FormPart(name: "productId", data: Array(UUID().uuidString.lowercased().utf8)),
                    ], token: token
                ).status == 400)
            #expect(try upload("/api/upload/single", [FormPart(name: "file", filename: "a.png", data: Self.png), FormPart(name: "other", data: [1])], token: token).status == 400)
            #expect(try upload("/api/upload/products", [FormPart(name: "files", filename: "a.png", data: Self.png)], token: token).status == 400, "no productId")
            var truncated = multipart([FormPart(name: "file", filename: "a.png", data: Self.png)])
            truncated.1.removeLast(12)
            #expect(
                try stack.request("POST", "/api/upload/single", headers: [("Content-Type", truncated.0), ("Authorization", "Bearer " + token)], body: truncated.1).status == 400)
            #expect(storedFiles() == before)
            #expect(try stack.get("/api/products/\(product.id)").json["data"]?["images"] == .array([]))
        }

        @Test func uploadsNeedAnAdminAndMultipart() throws {
            let user = try stack.register()
            #expect(try upload("/api/upload/single", [FormPart(name: "file", filename: "a.png", data: Self.png)], token: user.accessToken).status == 403)
            let (type, body) = multipart([FormPart(name: "file", filename: "a.png", data: Self.png)])
            #expect(try stack.request("POST", "/api/upload/single", headers: [("Content-Type", type)], body: body).status == 401)
            let admin = try stack.admin()
            #expect(try stack.send("POST", "/api/upload/single", json: "{}", token: admin.accessToken).status == 415)
        }

        @Test func deletingRemovesTheFileAndItsImageAndRefusesTraversal() throws {
            let f = try CatalogFixture(stack: stack)
            let product = try f.product("Bowl")
            let stored = try upload(
                "/api/upload/single",
                [
                    FormPart(name: "file", filename: "a.png", data: Self.png),
                    FormPart(name: "productId", data: Array(product.id.utf8)),
                ], token: f.admin.accessToken)
            let path = try #require(try stored.json["data"]?["path"]?.stringValue)
            let escaped = path.replacingOccurrences(of: "/", with: "%2F")
            #expect(try stack.send("DELETE", "/api/upload/\(escaped)", token: f.admin.accessToken).status == 200)
            #expect(!FileManager.default.fileExists(atPath: stack.state + "/uploads/" + path))
            #expect(try stack.get("/uploads/" + path).status == 404)
            #expect(try stack.get("/api/products/\(product.id)").json["data"]?["images"] == .array([]))
            #expect(try stack.send("DELETE", "/api/upload/\(path)", token: f.admin.accessToken).status == 404)
            for hostile in [
                "a%2F..%2F..%2Fb", "%2Fetc%2Fpasswd", "2026%2F11%2Fx.php", "2026/11/..%2F..%2Fcommerce.env", "2026%2F11%2F6f1d7a52-1111-4c2e-9a55-0a8c3c1e2b01.jpg%00.png",
            ] {
                let response = try stack.send("DELETE", "/api/upload/\(hostile)", token: f.admin.accessToken)
                #expect(response.status == 400, "\(hostile): \(response.status)")
            }
            #expect(FileManager.default.fileExists(atPath: stack.state + "/commerce.env"))
        }
    }
}
