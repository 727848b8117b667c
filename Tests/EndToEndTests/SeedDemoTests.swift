import Foundation
import Postgres
import Testing

extension EndToEndTests {
    /// `commerce-fcgi seed-demo` into a database of its own, so its counts are exact.
    @Suite struct SeedDemo {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        /// A migrated database of its own and an upload folder, dropped and removed by `cleanUp`.
        private func freshDatabase() throws -> (env: [String: String], cleanUp: () -> Void) {
            var env = try stack.environmentFile()
            let password = try String(contentsOfFile: stack.state + "/db-password", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let url = try #require(env["DATABASE_URL"])
            let port = try #require(url.split(separator: ":").last?.split(separator: "/").first.map(String.init))
            let admin = try PostgresConnection.connect([("dbname", "postgresql://postgres:postgres-\(password)@127.0.0.1:\(port)/postgres")])
            let name = "seed_\(UUID().uuidString.prefix(8).lowercased())"
            try admin.query("CREATE DATABASE \(name) OWNER commerce")
            let uploads = NSTemporaryDirectory() + name
            env["DATABASE_URL"] = String(url[..<url.lastIndex(of: "/")!]) + "/" + name
            env["UPLOAD_DIR"] = uploads
            let cleanUp = {
                _ = try? admin.query("DROP DATABASE \(name) WITH (FORCE)")
                try? FileManager.default.removeItem(atPath: uploads)
            }
            guard try Subprocess.run(stack.binary, ["migrate"], environment: env).status == 0 else { cleanUp(); throw Stack.StackError("migrate failed") }
            return (env, cleanUp)
        }

        @Test func aFreshDatabaseGetsTheDemoCatalogOnce() throws {
            let (env, cleanUp) = try freshDatabase()
            defer { cleanUp() }
            let uploads = try #require(env["UPLOAD_DIR"])
            let (status, output) = try Subprocess.run(stack.binary, ["seed-demo", "--products", "420"], environment: env)
            #expect(status == 0)
            #expect(String(decoding: output, as: UTF8.self).contains("24 categories, 420 products, 300 images, 2 coupons"))

            let db = try PostgresConnection.connect([("dbname", env["DATABASE_URL"]!)])
            #expect(try db.query("SELECT count(*) FROM categories WHERE parent_id IS NULL").int(0, 0) == 5)
            #expect(try db.query("SELECT count(DISTINCT category_id) FROM products").int(0, 0) == 19)
            #expect(try db.query("SELECT count(*) FROM products WHERE price > 0 AND description <> '' AND stock_quantity >= 0").int(0, 0) == 420)
            #expect(try db.query("SELECT count(*) FROM products WHERE search @@ websearch_to_tsquery('english', 'parka')").int(0, 0)! > 0)
            let coupons = try db.query("SELECT code || ' ' || type || ' ' || value || ' ' || min_subtotal AS c FROM coupons ORDER BY code")
            #expect(coupons.rows.compactMap { $0.string("c") } == ["SAVE5 fixed 5.00 50.00", "WELCOME10 percentage 10.00 20.00"])
            let paths = try db.query("SELECT path FROM product_images").rows.compactMap { $0.string("path") }
            #expect(paths.count == 300)
            let first = try #require(FileManager.default.contents(atPath: uploads + "/" + paths[0]))
            #expect(Array(first.prefix(6)) == Array("GIF89a".utf8))

            let again = try Subprocess.run(stack.binary, ["seed-demo"], environment: env)
            #expect(again.status == 0)
            #expect(String(decoding: again.output, as: UTF8.self).contains("nothing loaded"))
            #expect(try db.query("SELECT count(*) FROM products").int(0, 0) == 420)
        }

        @Test func aLoadThatFailsHalfwayLeavesNothingAndTheNextOneLoads() throws {
            let fresh = try freshDatabase()
            defer { fresh.cleanUp() }
            var env = fresh.env
            let uploads = try #require(env["UPLOAD_DIR"])
            // The upload folder is a file: the images, the last step, cannot be written.
            env["UPLOAD_DIR"] = uploads + ".file"
            #expect(FileManager.default.createFile(atPath: uploads + ".file", contents: Data("x".utf8)))
            defer { try? FileManager.default.removeItem(atPath: uploads + ".file") }
            let failed = try Subprocess.run(stack.binary, ["seed-demo", "--products", "50"], environment: env)
            #expect(failed.status != 0)

            let db = try PostgresConnection.connect([("dbname", env["DATABASE_URL"]!)])
            for table in ["categories", "products", "product_images", "coupons"] {
                #expect(try db.query("SELECT count(*) FROM \(table)").int(0, 0) == 0, "\(table)")
            }
            env["UPLOAD_DIR"] = uploads
            let again = try Subprocess.run(stack.binary, ["seed-demo", "--products", "50"], environment: env)
            #expect(again.status == 0)
            #expect(String(decoding: again.output, as: UTF8.self).contains("24 categories, 50 products, 50 images, 2 coupons"))
        }
    }
}
