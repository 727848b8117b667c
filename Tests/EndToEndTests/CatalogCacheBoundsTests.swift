import Catalog
import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// What the catalog cache keeps (issue 7 item 5): canonical answers only, and a bounded
    /// number per catalog version, so no client can fill Redis with queries it makes up.
    @Suite struct CatalogCacheBounds {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        private func redis(_ arguments: [String]) throws -> String {
            let url = try stack.environmentFile()["REDIS_URL"] ?? ""
            let port = String(url.split(separator: ":").last?.split(separator: "/").first ?? "")
            let (status, output) = try Subprocess.run("/usr/bin/redis-cli", ["-p", port] + arguments, environment: [:])
            guard status == 0 else { throw Stack.StackError("redis-cli \(arguments) failed") }
            return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        private func storedListPages() throws -> Int {
            try redis(["--scan", "--pattern", "catalog:v*:products:*"]).split(separator: "\n").count
        }

        @Test func madeUpFiltersAndDeepPagesAreAnsweredButNeverStored() throws {
            let before = try storedListPages()
            let madeUp = "no-such-category-" + UUID().uuidString.lowercased()
            for _ in 0..<2 {
                let response = try stack.get("/api/products?category=\(madeUp)")
                #expect(response.status == 200)
                #expect(try response.json["pagination"]?["total"] == 0)
            }
            #expect(try stack.get("/api/products?page=21&limit=1").status == 200)
            #expect(try storedListPages() == before)

            // A real query is stored once, whatever case and spacing its search used.
            let word = "w" + UUID().uuidString.prefix(8).lowercased().filter(\.isLetter)
            #expect(try stack.get("/api/products?limit=37&search=\(word)").status == 200)
            #expect(try storedListPages() == before + 1)
            #expect(try stack.get("/api/products?limit=37&search=%20%20\(word.uppercased())%20").status == 200)
            #expect(try storedListPages() == before + 1)
        }

        @Test func aVersionStoresAtMostItsBudgetOfPages() throws {
            let prefix = "bounds-test:" + UUID().uuidString
            let answers = try (1...3).map { i in
                try redis(["EVAL", CatalogCache.boundedSet, "2", "\(prefix):page\(i)", "\(prefix):entries", "body \(i)", "60", "2"])
            }
            #expect(answers == ["1", "1", "0"])
            #expect(try redis(["GET", "\(prefix):page2"]) == "body 2")
            #expect(try redis(["EXISTS", "\(prefix):page3"]) == "0")
            #expect(Int(try redis(["TTL", "\(prefix):entries"])) ?? 0 > 50)
        }
    }
}
