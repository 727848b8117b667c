import Foundation
import Postgres
import Testing

extension EndToEndTests {
    /// `commerce-fcgi migrate` against the test database (already migrated by `make test`).
    @Suite struct Migrations {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        private func migrate(_ directory: String) throws -> (status: Int32, output: String) {
            var env = try stack.environmentFile()
            env["MIGRATIONS_DIR"] = directory
            let (status, output) = try Subprocess.run(stack.binary, ["migrate"], environment: env)
            return (status, String(decoding: output, as: UTF8.self))
        }

        @Test func runningAgainChangesNothing() throws {
            let (status, output) = try migrate(stack.root + "/migrations")
            #expect(status == 0)
            #expect(output.contains("up to date"))
        }

        @Test func concurrentRunsWaitForEachOther() throws {
            let statuses = Locked([Int32]())
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                let status = (try? migrate(stack.root + "/migrations").status) ?? -1
                statuses.mutate { $0.append(status) }
            }
            #expect(statuses.value == [0, 0, 0])
        }

        @Test func anEditedAppliedMigrationIsRefused() throws {
            let directory = NSTemporaryDirectory() + "cfcgi-migrations-\(getpid())"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let original = try String(contentsOfFile: stack.root + "/migrations/0001_init.sql", encoding: .utf8)
            try (original + "\n-- edited\n").write(toFile: directory + "/0001_init.sql", atomically: true, encoding: .utf8)
            let (status, _) = try migrate(directory)
            #expect(status != 0)
        }

        /// Every sale updates a product's stock, the shopper's cart and the order's intent. No
        /// index may hold a column those updates change, or PostgreSQL writes a new entry into
        /// every index of the table for each (products has ten) instead of updating in place.
        @Test func whatEverySaleChangesIsInNoIndex() throws {
            let env = try stack.environmentFile()
            let connection = try PostgresConnection.connect([("dbname", env["DATABASE_URL"] ?? "")])
            let changedBySales = [
                "products": ["stock_quantity", "updated_at"], "carts": ["updated_at", "coupon_id"],
                "orders": ["payment_intent_id", "client_secret", "payment_attempts", "updated_at"],
            ]
            for (table, columns) in changedBySales {
                let definitions = try connection.query(
                    "SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = $1::regclass", [table]
                ).rows.compactMap { $0.string("definition") }
                #expect(definitions.count >= 2, "\(table) has its indexes")
                for column in columns {
                    let holding = definitions.filter { $0.range(of: "\\b\(column)\\b", options: .regularExpression) != nil }
                    #expect(holding.isEmpty, "\(table).\(column) is in \(holding)")
                }
            }
            // And it takes: a stock change of a product is an update in place.
            try connection.query("BEGIN")
            defer { _ = try? connection.query("ROLLBACK") }
            try connection.query("INSERT INTO products (name, slug, price, sku, stock_quantity) VALUES ('H', 'h-probe', 1.00, 'SKU-HOT-PROBE', 5)")
            let hotUpdates = "SELECT pg_stat_get_xact_tuples_hot_updated('products'::regclass) AS n"
            let before = try connection.query(hotUpdates).first?.int("n")
            try connection.query("UPDATE products SET stock_quantity = stock_quantity - 1 WHERE sku = 'SKU-HOT-PROBE'")
            let after = try connection.query(hotUpdates).first?.int("n")
            #expect(before.map { $0 + 1 } == after)
            // Its stock state follows the quantity, for the facet index.
            try connection.query("UPDATE products SET stock_quantity = 0 WHERE sku = 'SKU-HOT-PROBE'")
            #expect(try connection.query("SELECT in_stock FROM products WHERE sku = 'SKU-HOT-PROBE'").first?.string("in_stock") == "f")
        }

        /// Migration 0015 drops an index of `orders`, which needs the table to itself for an
        /// instant. Behind a long transaction on `orders` it gives up within a second instead of
        /// holding every checkout in the queue behind it; with nobody in the way it drops the index.
        /// Run by hand on the test database, whose schema already went past it: the index is
        /// made again first, in a transaction rolled back whole.
        @Test func droppingTheDuplicateIndexGivesUpRatherThanQueueCheckouts() throws {
            let env = try stack.environmentFile()
            let script = try String(contentsOfFile: stack.root + "/migrations/0015_one_index_for_unpaid_orders.sql", encoding: .utf8)
            let reader = try PostgresConnection.connect([("dbname", env["DATABASE_URL"] ?? "")])
            let migrator = try PostgresConnection.connect([("dbname", env["DATABASE_URL"] ?? "")])
            // Without its own timeout the migration would wait for the report forever: fail then.
            try migrator.query("SET statement_timeout = '5s'")
            let indexExists = "SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'orders' AND indexname = 'orders_pending_idx'"
            func rehearse() throws {
                try migrator.query("BEGIN")
                try migrator.query("CREATE INDEX orders_pending_idx ON orders (created_at) WHERE status = 'PENDING'")
                try migrator.executeScript(script)
            }

            try reader.query("BEGIN")
            try reader.query("SELECT count(*) FROM orders") // a report, still open
            let started = ContinuousClock.now
            var refusal: PostgresError?
            do { try rehearse() } catch { refusal = error as? PostgresError }
            let waited = ContinuousClock.now - started
            _ = try? migrator.query("ROLLBACK")
            try reader.query("ROLLBACK")
            #expect(refusal?.sqlState == "55P03", "gave up on the lock: \(String(describing: refusal))")
            #expect(waited >= .milliseconds(900) && waited < .seconds(3), "waited \(waited)")

            try rehearse()
            #expect(try migrator.query(indexExists).first?.int("n") == 0)
            try migrator.query("ROLLBACK")
        }

        @Test func theSchemaCarriesTheContractsConstraints() throws {
            let env = try stack.environmentFile()
            let connection = try PostgresConnection.connect([("dbname", env["DATABASE_URL"] ?? "")])
            let tables = try connection.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
                .rows.compactMap { $0.string("table_name") }
            #expect(
                tables == [
                    "addresses", "api_keys", "audit_log", "auth_failures", "cart_items", "carts", "categories", "coupon_redemptions", "coupons", "email_outbox", "idempotency_keys",
                    "order_items", "orders",
                    "password_reset_requests", "password_reset_tokens", "payments", "product_images", "product_words", "products", "refresh_tokens", "refunds", "schema_migrations",
                    "sessions", "stripe_events", "users", "webhook_deliveries", "webhook_endpoints", "webhook_events",
                ])
            // Stock can never go negative, and a SKU is unique: the database says no, whatever the code does.
            try connection.query("BEGIN")
            defer { _ = try? connection.query("ROLLBACK") }
            try connection.query("INSERT INTO products (name, slug, price, sku, stock_quantity) VALUES ('A', 'a-probe', 1.00, 'SKU-PROBE', 1)")
            try connection.query("SAVEPOINT s")
            do {
                try connection.query("UPDATE products SET stock_quantity = stock_quantity - 2 WHERE sku = 'SKU-PROBE'")
                Issue.record("stock went negative")
            } catch {
                #expect(error.kind == .checkViolation(constraint: "products_stock_quantity_check"))
            }
            try connection.query("ROLLBACK TO SAVEPOINT s")
            // A cart is a user's or a guest token's, never both or neither.
            do {
                try connection.query("SAVEPOINT o")
                try connection.query("INSERT INTO carts DEFAULT VALUES")
                Issue.record("a cart without an owner was accepted")
            } catch {
                #expect(error.kind == .checkViolation(constraint: "carts_one_owner"))
            }
            try connection.query("ROLLBACK TO SAVEPOINT o")
            // Refunds never hold more than the order's total.
            do {
                try connection.query("SAVEPOINT r")
                try connection.query("UPDATE orders SET refunded_total = total + 0.01 WHERE id = (SELECT id FROM orders LIMIT 1)")
                if try connection.query("SELECT count(*) AS n FROM orders").first?.int("n") ?? 0 > 0 { Issue.record("a refund past the total was accepted") }
            } catch {
                #expect(error.kind == .checkViolation(constraint: "orders_refunds_within_total"))
            }
            try connection.query("ROLLBACK TO SAVEPOINT r")
            do {
                try connection.query("SAVEPOINT t")
                try connection.query("INSERT INTO products (name, slug, price, sku) VALUES ('B', 'b-probe', 1.00, $1)", ["SKU-PROBE"])
                Issue.record("a duplicate SKU was accepted")
            } catch {
                #expect(error.kind == .uniqueViolation(constraint: "products_sku_key"))
            }
        }
    }
}
