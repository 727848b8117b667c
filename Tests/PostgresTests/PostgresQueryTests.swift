import Core
import Postgres
import Testing

@Suite struct PostgresQueryTests {
    @Test func bindsBecomeNumberedParametersInOrder() {
        let id = "6f9619ff-8b86-d011-b42d-00c04fc964ff"
        let name: String? = nil
        let query: PostgresQuery = "UPDATE t SET name = coalesce(\(bind: name), name), price = \(bind: Cents(1250))::numeric WHERE id = \(bind: id)"
        let (sql, parameters) = query.rendered
        #expect(sql == "UPDATE t SET name = coalesce($1, name), price = $2::numeric WHERE id = $3")
        #expect(parameters == [nil, "12.50", id])
    }

    @Test func fragmentsKeepTheirBindsWhereverTheyLand() {
        let owner: PostgresQuery = "user_id = \(bind: "u1")"
        let conditions: [PostgresQuery] = ["is_active", owner, "price >= \(bind: 5)"]
        let query: PostgresQuery = "SELECT 1 FROM t WHERE kind = \(bind: "a") AND \(conditions.joined(separator: " AND ")) LIMIT \(bind: 20)"
        let (sql, parameters) = query.rendered
        #expect(sql == "SELECT 1 FROM t WHERE kind = $1 AND is_active AND user_id = $2 AND price >= $3 LIMIT $4")
        #expect(parameters == ["a", "u1", "5", "20"])
    }

    @Test func valuesThatLookLikeSQLStayValues() {
        let hostile = "x'); DROP TABLE users; --"
        let (sql, parameters) = ("SELECT * FROM users WHERE email = \(bind: hostile)" as PostgresQuery).rendered
        #expect(sql == "SELECT * FROM users WHERE email = $1")
        #expect(parameters == [hostile])
    }

    @Test func arrayLiteralsEscapeByScalar() {
        // U+0600 is a prepended mark: as a Character it swallows the quote after it.
        let tricky = "\u{0600}\",\"injected"
        #expect(SQLFragment.array(["a", tricky]) == "{\"a\",\"\u{0600}\\\",\\\"injected\"}")
        #expect(SQLFragment.containsPattern("\u{0600}%_") == "%\u{0600}\\%\\_%")
    }
}
