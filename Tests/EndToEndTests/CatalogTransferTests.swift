import Foundation
import HTTP
import Postgres
import Testing

extension EndToEndTests {
    /// API.md §12.8: `catalog export|import|import-dir` with the installed binary, and the
    /// HTTP export, against the test stack's database.
    @Suite struct CatalogTransfer {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        func catalog(_ arguments: [String]) throws -> (status: Int32, output: String) {
            let (status, output) = try Subprocess.run(stack.binary, ["catalog"] + arguments, environment: try stack.environmentFile())
            return (status, String(decoding: output, as: UTF8.self))
        }

        func temporaryFile(_ text: String, name: String = "catalog.csv") throws -> String {
            let folder = NSTemporaryDirectory() + "catalog-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let path = folder + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        @Test func anExportImportsBackUnchangedAndTheHTTPExportIsTheSame() throws {
            let f = try CatalogFixture(stack: stack)
            let shelf = try f.category("Shelves")
            let product = try f.product(#"Shelf, \"oak\""#, price: "79.90", stock: 3, category: shelf.id, description: "Two lines:\\nsolid, oiled.")
            let out = NSTemporaryDirectory() + "export-\(UUID().uuidString).csv"
            let exported = try catalog(["export", "--out", out])
            #expect(exported.status == 0, "\(exported.output)")
            let text = try String(contentsOfFile: out, encoding: .utf8)
            #expect(text.hasPrefix("sku,name,slug,description,price,compareAtPrice,stockQuantity,isActive,categorySlug,imageUrls\r\n"))
            let sku = try #require(product["sku"]?.stringValue)
            let line = try #require(text.components(separatedBy: "\r\n").first { $0.hasPrefix(sku + ",") })
            #expect(line.contains(#""Shelf, ""oak"" \#(f.marker)""#) && line.contains(",79.90,,3,true,\(shelf["slug"]?.stringValue ?? "?"),"))

            // Admins and keys with catalog:read get the same file over HTTP.
            let key = try #require(try stack.apiKey(f.admin, scopes: ["catalog:read"])["key"]?.stringValue)
            let http = try stack.send("GET", "/api/products/export.csv", token: key)
            #expect(http.status == 200 && http.header("content-type") == "text/csv; charset=utf-8")
            #expect(http.text.components(separatedBy: "\r\n").contains(line))
            #expect(try stack.send("GET", "/api/products/export.csv", token: try stack.shopper().token).status == 403)

            // Importing the file back changes nothing (and says how many it updated).
            let again = try catalog(["import", out])
            #expect(again.status == 0, "\(again.output)")
            #expect(again.output.contains("created 0, updated"))
            let now = try stack.send("GET", "/api/products/\(product.id)").json["data"]
            #expect(now?["name"] == product["name"] && now?["description"] == product["description"] && now?["price"] == "79.90")
        }

        @Test func oneBadRowAmongTenThousandWritesNothingAndNamesItsLine() throws {
            let marker = "imp" + UUID().uuidString.prefix(8).lowercased().filter { $0.isLetter || $0.isNumber }
            var text = "sku,name,description,price,stockQuantity\n"
            for index in 1...10_000 {
                let price = index == 5_000 ? "12.345" : "\(index % 90 + 10).50"
                text += "IMP-\(marker)-\(index),Imported \(marker) \(index),Row \(index),\(price),\(index % 7)\n"
            }
            let path = try temporaryFile(text)
            let refused = try catalog(["import", path])
            #expect(refused.status == 65)
            // Line 5001: the header is line 1.
            #expect(refused.output.contains("line 5001: price: must be a decimal amount"), "\(refused.output.prefix(300))")
            #expect(refused.output.contains("1 problem(s) in 10000 row(s); nothing was written"))
            let db = try stack.database()
            #expect(try db.query("SELECT count(*) AS n FROM products WHERE sku LIKE $1", ["IMP-\(marker)-%"]).first?.int("n") == 0)

            // Fixed: all ten thousand, in one go, visible at once.
            try text.replacingOccurrences(of: ",12.345,", with: ",12.34,").write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try catalog(["import", "--dry-run", path]).output.contains("dry run, would have created 10000"))
            #expect(try db.query("SELECT count(*) AS n FROM products WHERE sku LIKE $1", ["IMP-\(marker)-%"]).first?.int("n") == 0)
            let page = try stack.get("/api/products?search=\(marker)&limit=1")
            #expect(try page.json["pagination"]?["total"] == 0)
            let createdBefore = try stack.metrics().value("catalog_import_rows_total", ["result": "created"])
            let imported = try catalog(["import", path])
            #expect(imported.status == 0, "\(imported.output)")
            #expect(imported.output.contains("10000 row(s): created 10000, updated 0"))
            #expect(try stack.metrics().value("catalog_import_rows_total", ["result": "created"]) == createdBefore + 10_000)
            #expect(try stack.get("/api/products?search=\(marker)&limit=1").json["pagination"]?["total"] == 10_000)
            let one = try stack.get("/api/products/imported-\(marker)-5000").json["data"]
            #expect(one?["price"] == "12.34" && one?["stockQuantity"] == 2 && one?["isActive"] == true)
            // Logged once, as the system's.
            let log = try db.query("SELECT actor_type, changes::text AS changes FROM audit_log WHERE action = 'catalog.import' ORDER BY id DESC LIMIT 1")
            #expect(log.first?.string("actor_type") == "system" && log.first?.string("changes")?.contains("10000") == true)
        }

        @Test func theFileIsCheckedAgainstTheCatalog() throws {
            let f = try CatalogFixture(stack: stack)
            let existing = try f.product("Existing", price: "5.00", stock: 1)
            let sku = try #require(existing["sku"]?.stringValue)
            let text = """
                sku,price,categorySlug,slug
                \(sku),6.00,,
                NEW-\(f.marker),7.00,,
                \(sku),8.00,,
                OTHER-\(f.marker),1.00,no-such-category-\(f.marker),\(existing["slug"]?.stringValue ?? "")

                """
            let refused = try catalog(["import", try temporaryFile(text)])
            #expect(refused.status == 65)
            let lines = refused.output.components(separatedBy: "\n")
            #expect(lines.contains("line 3: description: required for a new product"))
            #expect(lines.contains("line 3: name: required for a new product"))
            #expect(lines.contains("line 4: sku: \(sku) is also on line 2"))
            #expect(lines.contains("line 5: categorySlug: no category has the slug no-such-category-\(f.marker)"))
            #expect(try stack.send("GET", "/api/products/\(existing.id)").json["data"]?["price"] == "5.00")

            let header = try catalog(["import", try temporaryFile("sku,colour\nA,red\n")])
            #expect(header.status == 65 && header.output.contains("line 1: colour: unknown column"))
            #expect(try catalog(["import", "/nonexistent/file.csv"]).status == 66)

            // Only the columns the file has change.
            let update = try catalog(["import", try temporaryFile("sku,stockQuantity\r\n\(sku),42\r\n")])
            #expect(update.status == 0, "\(update.output)")
            let now = try stack.send("GET", "/api/products/\(existing.id)").json["data"]
            #expect(now?["stockQuantity"] == 42 && now?["price"] == "5.00" && now?["name"] == existing["name"])
        }

        @Test func aDroppedFileIsImportedAndMovedWithItsReport() throws {
            let marker = "dir" + UUID().uuidString.prefix(8).lowercased().filter { $0.isLetter || $0.isNumber }
            let good = try temporaryFile("sku,name,description,price,stockQuantity\nDIR-\(marker),Dropped \(marker),x,3.00,1\n", name: "a.csv")
            let folder = (good as NSString).deletingLastPathComponent
            try "sku,price\nDIR-\(marker)-new,oops\n".write(toFile: folder + "/b.csv", atomically: true, encoding: .utf8)
            let run = try catalog(["import-dir", folder])
            #expect(run.status == 65, "\(run.output)")
            #expect(FileManager.default.fileExists(atPath: folder + "/done/a.csv"))
            #expect(FileManager.default.fileExists(atPath: folder + "/failed/b.csv"))
            let report = try String(contentsOfFile: folder + "/failed/b.csv.report.txt", encoding: .utf8)
            #expect(report.contains("line 2: price: must be a decimal amount"))
            #expect(try String(contentsOfFile: folder + "/done/a.csv.report.txt", encoding: .utf8).contains("created 1"))
            #expect(!FileManager.default.fileExists(atPath: folder + "/a.csv"))
        }
    }
}
