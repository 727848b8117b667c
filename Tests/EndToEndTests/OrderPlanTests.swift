import Foundation
import Orders
import Postgres
import Testing

extension EndToEndTests {
    /// Statements of a sale that find one order by its key are planned by that key whatever
    /// the statistics say. Statistics taken at a quiet hour know almost no unpaid orders, so
    /// a partial index of unpaid orders looks empty and cheapest; a sale then fills it, and a
    /// statement that chose it walks every unpaid order of the sale at each checkout.
    @Suite struct OrderPlans {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        @Test func storingAnIntentFindsTheOrderByItsKeyWhenStatisticsKnowNoUnpaidOrders() throws {
            let url = try #require(try stack.environmentFile()["DATABASE_URL"])
            let client = PostgresClient(settings: .init(url: url, applicationName: "order-plan-test"))
            let plan = try client.withTransaction { db in
                // A copy of `orders` of this transaction's own (its indexes, the partial ones
                // included), in front of the real one, with statistics of a quiet hour: 2,000
                // delivered orders and no unpaid one.
                try db.query("CREATE TEMP TABLE orders (LIKE public.orders INCLUDING ALL) ON COMMIT DROP")
                try db.query(
                    """
                    INSERT INTO orders (order_number, user_id, status, payment_status, subtotal, tax, shipping, total, currency,
                                        shipping_address, billing_address, payment_intent_id)
                    SELECT 'PLAN-' || n, gen_random_uuid(), 'DELIVERED', 'SUCCEEDED', 10, 0, 0, 10, 'usd', '{}', '{}', 'pi_plan_' || n
                    FROM generate_series(1, 2000) AS n
                    """)
                try db.query("ANALYZE orders")
                let partial = try db.query(
                    "SELECT indexname FROM pg_indexes WHERE schemaname = pg_my_temp_schema()::regnamespace::text AND tablename = 'orders' AND indexdef LIKE '% WHERE %'"
                ).map { try $0.decode("indexname", as: String.self) }
                #expect(partial.count == 2, "the copy has both partial indexes of unpaid orders: \(partial)")
                let attaching = OrderStore.attachingIntent("pi_new", clientSecret: "secret", to: UUID().uuidString.lowercased())
                let lines = try db.query("EXPLAIN \(attaching)").map { try $0.decode("QUERY PLAN", as: String.self) }
                return (partialIndexes: partial, text: lines.joined(separator: "\n"))
            }
            for index in plan.partialIndexes { #expect(!plan.text.contains(index), "planned through \(index):\n\(plan.text)") }
            #expect(plan.text.contains("Index Cond: (id = "), "the order found by its key:\n\(plan.text)")
        }
    }
}
