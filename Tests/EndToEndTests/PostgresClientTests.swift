import Foundation
import Postgres
import Testing

extension EndToEndTests {
    /// The worker's PostgreSQL client against the test stack's server: statements prepared once
    /// per connection and planned once, BEGIN sent with a transaction's first statement, and
    /// both surviving what a server does to them (a restart, a migration).
    @Suite struct PostgresClientBehaviour {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        func client(prepared: Bool = true) throws -> PostgresClient {
            let url = try #require(try stack.environmentFile()["DATABASE_URL"])
            return PostgresClient(settings: .init(url: url, applicationName: "client-test-\(UUID().uuidString.prefix(8))", preparedStatements: prepared))
        }

        func pid(_ db: PostgresClient) throws -> Int { try db.query("SELECT pg_backend_pid() AS pid").single().decode("pid") }

        /// The server drops the connection of backend `pid`, as a restart would; returns once it is gone.
        func terminate(_ pid: Int) throws {
            let admin = try stack.database()
            _ = try admin.query("SELECT pg_terminate_backend($1)", [pid])
            #expect(stack.eventually(5) { (try? admin.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [pid]).rowCount) == 0 })
        }

        /// How many INSERTs into scratch tables the connection holds prepared.
        func preparedInserts(_ db: PostgresClient) throws -> Int {
            try db.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO client_test%'").single().decode("n")
        }

        /// A table `(n int PRIMARY KEY)` of one test's own.
        struct ScratchTable {
            let name = PostgresQuery(stringLiteral: "client_test_\(UUID().uuidString.prefix(8).lowercased())")

            init(on db: PostgresClient) throws { try db.query("CREATE TABLE \(name) (n int PRIMARY KEY)") }

            func insert(_ n: Int) -> PostgresQuery { "INSERT INTO \(name) VALUES (\(bind: n))" }

            func count(on db: PostgresClient) throws -> Int { try db.query("SELECT count(*) AS n FROM \(name)").single().decode("n") }

            /// What the table holds, in order.
            func values(on db: PostgresClient) throws -> [Int] {
                try db.query("SELECT n FROM \(name) ORDER BY n").map { try $0.decode("n", as: Int.self) }
            }

            func drop(on db: PostgresClient) { _ = try? db.query("DROP TABLE \(name)") }
        }

        @Test func statementsArePreparedOnceByNameAndPlannedOnce() throws {
            let db = try client()
            for value in [1, 2, 3] {
                #expect(try db.query("SELECT \(bind: value)::int + 1 AS n").single().decode("n", as: Int.self) == value + 1)
            }
            let statements = try db.query("SELECT name, statement, generic_plans, custom_plans FROM pg_prepared_statements").rows
            #expect(statements.count == 1)
            #expect(try statements.first?.decode("name", as: String.self) == "cfcgi_1")
            #expect(try statements.first?.decode("generic_plans", as: Int.self) == 3, "one plan, reused")
            #expect(try statements.first?.decode("custom_plans", as: Int.self) == 0)
            // A listing planned for its values is not prepared at all.
            _ = try db.query("SELECT \(bind: 5)::int AS n", planning: .perExecution)
            #expect(try db.query("SELECT count(*) AS n FROM pg_prepared_statements").single().decode("n", as: Int.self) == 1)
            // Without prepared statements (a pooler that cannot keep them), nothing is prepared.
            let plain = try client(prepared: false)
            _ = try plain.query("SELECT \(bind: 1)::int AS n")
            #expect(try plain.query("SELECT count(*) AS n FROM pg_prepared_statements").single().decode("n", as: Int.self) == 0)
        }

        @Test func beginTravelsWithTheFirstStatementAndATransactionStillCommitsOrRollsBackWhole() throws {
            let db = try client()
            let table = try ScratchTable(on: db)
            defer { table.drop(on: db) }
            try db.withTransaction { db in
                try db.query(table.insert(1))
                try db.query(table.insert(2))
            }
            #expect(try table.count(on: db) == 2)
            // The first statement fails: nothing of the transaction stays, the connection serves on.
            #expect(throws: PostgresError.self) { try db.withTransaction { db in try db.query(table.insert(1)) } }
            // A later statement fails: the first is rolled back with it.
            #expect(throws: PostgresError.self) {
                try db.withTransaction { db in
                    try db.query(table.insert(3))
                    try db.query(table.insert(2))
                }
            }
            #expect(try table.count(on: db) == 2)
            // A transaction that sends nothing leaves the connection as it was.
            try db.withTransaction { _ in }
            // (Outside a transaction a statement's transaction began with it; in a BEGIN left open, earlier.)
            Thread.sleep(forTimeInterval: 0.01)
            #expect(try db.query("SELECT now() = statement_timestamp() AS outside").single().decode("outside", as: Bool.self))
            // Its prepared statements were made in the pipeline and are reused.
            #expect(try preparedInserts(db) == 1)
        }

        @Test func statementsLeavingWithTheCommitCommitOrRollBackWithTheTransaction() throws {
            let db = try client()
            var queries = 0
            db.onQuery = { queries += 1 }
            let table = try ScratchTable(on: db)
            defer { table.drop(on: db) }
            // Held back until the body returns, then sent with the COMMIT, in order.
            queries = 0
            try db.withTransaction { db in
                try db.query(table.insert(1))
                try db.queryWithCommit(table.insert(2))
                try db.queryWithCommit(table.insert(3))
                #expect(try table.count(on: db) == 1)
            }
            #expect(queries == 5, "two statements, two held back, COMMIT")
            #expect(try table.values(on: db) == [1, 2, 3])
            // One of them fails: the whole transaction rolls back, the statement before it too,
            // and the connection serves on.
            #expect(throws: PostgresError.self) {
                try db.withTransaction { db in
                    try db.query(table.insert(4))
                    try db.queryWithCommit(table.insert(5))
                    try db.queryWithCommit(table.insert(1))
                }
            }
            #expect(try table.values(on: db) == [1, 2, 3])
            // The body throws: what it held back is never sent.
            struct Refused: Error {}
            #expect(throws: Refused.self) {
                try db.withTransaction { db in
                    try db.query(table.insert(6))
                    try db.queryWithCommit(table.insert(7))
                    throw Refused()
                }
            }
            #expect(try table.values(on: db) == [1, 2, 3])
            // A transaction holding only such statements opens with the first; outside a
            // transaction one runs at once.
            try db.withTransaction { db in
                try db.queryWithCommit(table.insert(8))
                try db.queryWithCommit(table.insert(9))
            }
            try db.queryWithCommit(table.insert(10))
            #expect(try table.values(on: db) == [1, 2, 3, 8, 9, 10])
            #expect(try db.query("SELECT now() = statement_timestamp() AS outside").single().decode("outside", as: Bool.self))
            // A last statement sent with the COMMIT: its result, reading the transaction's own
            // writes, in the round trip that commits them.
            let sum: PostgresQuery = "SELECT sum(n)::int AS s, \(bind: 0)::int AS z FROM \(table.name)"
            queries = 0
            let committed = try db.withTransaction { db in
                try db.query(table.insert(11))
                try db.queryWithCommit(table.insert(12))
                return try db.queryCommitting(sum).single().decode("s", as: Int.self)
            }
            #expect(committed == 1 + 2 + 3 + 8 + 9 + 10 + 11 + 12)
            #expect(queries == 4, "one statement, then one held back, the read and COMMIT")
            #expect(try table.values(on: db) == [1, 2, 3, 8, 9, 10, 11, 12])
            // It fails: nothing of the transaction stays.
            #expect(throws: PostgresError.self) {
                try db.withTransaction { db in
                    try db.query(table.insert(13))
                    _ = try db.queryCommitting("SELECT 1 / \(bind: 0)::int AS n")
                }
            }
            #expect(try table.values(on: db) == [1, 2, 3, 8, 9, 10, 11, 12])
            // Alone in its transaction, it opens it too.
            #expect(try db.withTransaction { db in try db.queryCommitting(sum).single().decode("s", as: Int.self) } == committed)
        }

        /// The server drops the connection inside a transaction: the COMMIT round trip (with what
        /// it carries) fails, nothing of the transaction stays, and the next statement runs on a
        /// fresh connection. Never a COMMIT sent on a new connection, which would "succeed" with
        /// no transaction to commit.
        @Test func aTransactionWhoseConnectionDiesBeforeItsCommitFailsWhole() throws {
            let db = try client()
            let table = try ScratchTable(on: db)
            defer { table.drop(on: db) }
            let count: PostgresQuery = "SELECT count(*)::int AS n, \(bind: 0)::int AS z FROM \(table.name)"
            for endsWithRead in [false, true] {
                let killed = try pid(db)
                #expect(throws: PostgresError.self) {
                    try db.withTransaction { db in
                        try db.query(table.insert(1))
                        try db.queryWithCommit(table.insert(2))
                        try terminate(killed)
                        if endsWithRead { _ = try db.queryCommitting(count) }
                    }
                }
                #expect(try db.query(count).single().decode("n", as: Int.self) == 0)
                #expect(try pid(db) != killed)
            }
        }

        @Test func aStatementPreparedWithBeginThatThenFailsStaysKnownAndNamesAreNeverReused() throws {
            let db = try client()
            // The first statement of a transaction is prepared in the BEGIN round trip; it fails
            // (division by zero) after its preparation succeeded, and the transaction rolls back.
            #expect(throws: PostgresError.self) {
                try db.withTransaction { db in try db.query("SELECT 1 / \(bind: 0)::int AS n") }
            }
            // Its statement still exists on the server, under the name it was given.
            #expect(try db.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE name = 'cfcgi_1'").single().decode("n", as: Int.self) == 1)
            // It is used again as it is, and another new statement gets a new name.
            #expect(try db.withTransaction { db in try db.query("SELECT 1 / \(bind: 1)::int AS n").single().decode("n", as: Int.self) } == 1)
            #expect(try db.query("SELECT \(bind: 2)::int * 2 AS n").single().decode("n", as: Int.self) == 4)
            let names = try db.query("SELECT name FROM pg_prepared_statements ORDER BY name").map { try $0.decode("name", as: String.self) }
            #expect(names == ["cfcgi_1", "cfcgi_2"])
        }

        @Test func aDeferredTransactionCommitsWithoutWaitingForTheDiskAndOnlyIt() throws {
            let db = try client()
            let setting: PostgresQuery = "SELECT current_setting('synchronous_commit') AS s, \(bind: 1)::int AS n"
            let inside = try db.withTransaction(durability: .deferred) { db in try db.query(setting).single().decode("s", as: String.self) }
            #expect(inside == "off")
            let flushed = try db.withTransaction { db in try db.query(setting).single().decode("s", as: String.self) }
            #expect(flushed == "on")
            #expect(try db.query(setting).single().decode("s", as: String.self) == "on")
        }

        /// The connection plans prepared statements once (`force_generic_plan`), which PostgreSQL
        /// applies to unnamed statements too; a statement planned per execution runs under a
        /// custom plan, and the connection's mode is back afterwards, also when it fails, alone
        /// or inside a transaction (also as a transaction's first statement).
        @Test func aStatementPlannedPerExecutionGetsAPlanForItsValuesAndLeavesTheModeAsItWas() throws {
            let db = try client()
            let mode: PostgresQuery = "SELECT current_setting('plan_cache_mode') AS mode, \(bind: 1)::int AS n"
            func current(_ planning: PostgresClient.Planning = .cached, on db: PostgresClient) throws -> String {
                try db.query(mode, planning: planning).single().decode("mode")
            }
            #expect(try current(on: db) == "force_generic_plan")
            #expect(try current(.perExecution, on: db) == "force_custom_plan")
            #expect(try current(on: db) == "force_generic_plan")
            #expect(throws: PostgresError.self) { try db.query("SELECT 1 / \(bind: 0)::int AS n", planning: .perExecution) }
            #expect(try current(on: db) == "force_generic_plan")
            let inTransaction = try db.withTransaction { db in
                let first = try current(.perExecution, on: db)
                return (first, try current(on: db), try current(.perExecution, on: db), try current(on: db))
            }
            #expect(inTransaction == ("force_custom_plan", "force_generic_plan", "force_custom_plan", "force_generic_plan"))
            #expect(throws: PostgresError.self) {
                try db.withTransaction { db in _ = try db.query("SELECT 1 / \(bind: 0)::int AS n", planning: .perExecution) }
            }
            #expect(try current(on: db) == "force_generic_plan")
            // On a connection the server dropped (a restart), an idempotent one runs again on a fresh one.
            let dropped = try pid(db)
            try terminate(dropped)
            #expect(try db.query(mode, idempotent: true, planning: .perExecution).single().decode("mode", as: String.self) == "force_custom_plan")
            #expect(try pid(db) != dropped)
            #expect(try current(on: db) == "force_generic_plan")
            // Without prepared statements the connection plans everything for its values already.
            let plain = try client(prepared: false)
            #expect(try current(.perExecution, on: plain) == "auto")
        }

        /// The replica fence's two readings, on the test stack's server (a primary).
        @Test func aWriteMovesTheWritePositionAndAPrimaryIsNoStandby() throws {
            let db = try client()
            let before = try #require(try PostgresReplication.writePosition(on: db))
            try db.withTransaction { db in try db.query("SELECT pg_current_xact_id()") }
            let after = try #require(try PostgresReplication.writePosition(on: db))
            #expect(before > 0 && after > before)
            let status = try #require(try PostgresReplication.standbyStatus(on: db))
            #expect(!status.inRecovery && status.replayed == nil && status.lagMilliseconds == 0)
        }

        @Test func statementsSentTogetherRunInOrderAndFailAsTheirTransaction() throws {
            let db = try client()
            var queries = 0
            db.onQuery = { queries += 1 }
            let table = try ScratchTable(on: db)
            defer { table.drop(on: db) }
            // They open the transaction, each sees what the one before it wrote, and every result comes back.
            queries = 0
            let seen = try db.withTransaction { db in
                let results = try db.queries([table.insert(1), table.insert(2), "SELECT count(*) AS n FROM \(table.name) WHERE n > \(bind: 0)"])
                #expect(results.map(\.affectedRows).prefix(2) == [1, 1])
                return try results[2].single().decode("n", as: Int.self)
            }
            #expect(seen == 2)
            #expect(queries == 4, "counted per statement, as when sent one by one, and the COMMIT")
            #expect(try table.values(on: db) == [1, 2])
            // The first failure is thrown, what follows it did not run, and the transaction rolls back.
            #expect(throws: PostgresError.self) {
                try db.withTransaction { db in _ = try db.queries([table.insert(3), table.insert(1), table.insert(4)]) }
            }
            #expect(try table.values(on: db) == [1, 2])
            // After earlier statements of the transaction, and on a connection the server dropped.
            try terminate(try pid(db))
            try db.withTransaction { db in
                _ = try db.queries([table.insert(5)])
                _ = try db.queries([table.insert(6), table.insert(7)])
            }
            #expect(try table.values(on: db) == [1, 2, 5, 6, 7])
            #expect(try preparedInserts(db) == 1)
            // The connection dies mid-transaction: statements sent together after it fail, the
            // transaction fails whole, and the next statement runs on a fresh connection.
            let killed = try pid(db)
            #expect(throws: PostgresError.self) {
                try db.withTransaction { db in
                    try db.query(table.insert(8))
                    try terminate(killed)
                    _ = try db.queries([table.insert(9)])
                }
            }
            #expect(try table.values(on: db) == [1, 2, 5, 6, 7])
            #expect(try pid(db) != killed)
        }

        @Test func aTransactionOnAConnectionTheServerDroppedRunsOnAFreshOne() throws {
            let db = try client()
            let first = try pid(db)
            try terminate(first)
            let value = try db.withTransaction { db in try db.query("SELECT \(bind: 41)::int + 1 AS n").single().decode("n", as: Int.self) }
            #expect(value == 42)
            #expect(try pid(db) != first)
        }
    }
}
