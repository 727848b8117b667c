import Foundation
import Orders
import Postgres
import Testing

extension EndToEndTests {
    /// Statements of a sale and of its aftermath are planned through the right index whatever
    /// the statistics say. Statistics taken at a quiet hour know almost no unpaid orders, so
    /// a partial index of unpaid orders looks empty and cheapest; a sale then fills it, and a
    /// statement that chose it walks every unpaid order of the sale at each checkout. The
    /// expiry scan, after a sale, must not read every order either.
    @Suite struct OrderPlans {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        /// The plan of `statement` against a copy of `orders` of a transaction's own (its
        /// indexes included), in front of the real one, holding 2,000 delivered orders and
        /// `unpaid` orders an hour old, analyzed; with the names of the copy's partial indexes.
        /// Rolled back whole, so the shared test database's statistics are untouched.
        private func plan(_ statement: PostgresQuery, unpaid: Int) throws -> (partialIndexes: [String], text: String) {
            let url = try #require(try stack.environmentFile()["DATABASE_URL"])
            let client = PostgresClient(settings: .init(url: url, applicationName: "order-plan-test"))
            return try client.withTransaction { db in
                try db.query("CREATE TEMP TABLE orders (LIKE public.orders INCLUDING ALL) ON COMMIT DROP")
                try db.query(
                    """
                    INSERT INTO orders (order_number, user_id, status, payment_status, subtotal, tax, shipping, total, currency,
                                        shipping_address, billing_address, payment_intent_id, created_at)
                    SELECT 'PLAN-' || n, gen_random_uuid(), CASE WHEN n <= \(bind: unpaid) THEN 'PENDING' ELSE 'DELIVERED' END,
                           CASE WHEN n <= \(bind: unpaid) THEN 'PENDING' ELSE 'SUCCEEDED' END, 10, 0, 0, 10, 'usd', '{}', '{}',
                           'pi_plan_' || n, now() - interval '1 hour'
                    FROM generate_series(1, 2000 + \(bind: unpaid)) AS n
                    """)
                try db.query("ANALYZE orders")
                let partial = try db.query(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = pg_my_temp_schema()::regnamespace::text AND tablename = 'orders' AND indexdef LIKE '% WHERE %'"
                ).map { try $0.decode("indexname", as: String.self) }
                let lines = try db.query("EXPLAIN \(statement)").map { try $0.decode("QUERY PLAN", as: String.self) }
                return (partialIndexes: partial, text: lines.joined(separator: "\n"))
            }
        }

        @Test func storingAnIntentFindsTheOrderByItsKeyWhenStatisticsKnowNoUnpaidOrders() throws {
            let attaching = OrderStore.attachingIntent("pi_new", clientSecret: "secret", to: UUID().uuidString.lowercased())
            let plan = try plan(attaching, unpaid: 0)
            #expect(plan.partialIndexes.count == 1, "the copy has the partial index of unpaid orders: \(plan.partialIndexes)")
            for index in plan.partialIndexes { #expect(!plan.text.contains(index), "planned through \(index):\n\(plan.text)") }
            #expect(plan.text.contains("Index Cond: (id = "), "the order found by its key:\n\(plan.text)")
        }

        /// The jobs process's scan for unpaid orders past their time reads them through an index
        /// on `created_at` (the PENDING range of the one on (status, created_at) when few orders
        /// are unpaid), never every order; when many are overdue (a sale, then an outage of the
        /// jobs process) it reads them in order and stops at its limit instead of sorting them all.
        @Test(arguments: [0, 40, 5000]) func overdueOrdersAreReadThroughAnIndex(unpaid: Int) throws {
            let plan = try plan(OrderStore.overdueOrders(olderThan: 900, limit: 100), unpaid: unpaid)
            let conditions = plan.text.split(separator: "\n").filter { $0.contains("Index Cond: ") }
            #expect(!plan.text.contains("Seq Scan"), "every order read:\n\(plan.text)")
            #expect(conditions.contains { $0.contains("created_at < (now() - ") }, "the overdue range found by an index:\n\(plan.text)")
            if unpaid <= 40 {
                #expect(conditions.contains { $0.contains("(status = 'PENDING'::text) AND (created_at < ") }, "only unpaid orders read:\n\(plan.text)")
            } else {
                #expect(!plan.text.contains("Sort"), "all \(unpaid) sorted to take 100:\n\(plan.text)")
            }
        }
    }
}
