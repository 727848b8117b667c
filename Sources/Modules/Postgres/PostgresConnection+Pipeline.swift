import CLibPQ

extension PostgresConnection {
    /// One statement of a pipeline: fixed text without binds (BEGIN, SET LOCAL, COMMIT), or a
    /// query, prepared first in the same round trip when `prepare` asks for it and it is new.
    struct PipelinedStatement {
        let sql: String
        let parameters: [String?]
        let prepare: Bool

        static func fixed(_ sql: String) -> Self { Self(sql: sql, parameters: [], prepare: false) }

        static func query(_ query: PostgresQuery, prepare: Bool) -> Self {
            let (sql, parameters) = query.rendered
            return Self(sql: sql, parameters: parameters, prepare: prepare)
        }
    }

    /// `BEGIN` (with `settings`, fixed `SET LOCAL` statements) and a transaction's first
    /// statement in one round trip, so opening a transaction costs no round trip of its own. A
    /// failure of `BEGIN` means nothing ran; a failure of the statement leaves the transaction
    /// open and aborted, for the caller to roll back, as when the two are sent one after the other.
    /// `forItsValues`: the statement is planned for its values (`queryPlannedForItsValues`).
    func begin(with query: PostgresQuery, settings: [String], prepare: Bool, forItsValues: Bool = false) throws(PostgresError) -> PostgresResult {
        let opening = [PipelinedStatement.fixed("BEGIN")] + settings.map(PipelinedStatement.fixed)
        guard forItsValues else { return try pipeline(opening + [.query(query, prepare: prepare)]) }
        return try pipeline(opening + Self.plannedForItsValues(query), resultOf: opening.count + 1)
    }

    /// Statements of one transaction in one round trip, their results in order; with
    /// `opening`, the transaction's BEGIN (and those settings) go first. The first failure, in
    /// order, is the one thrown: the statements after it did not run, and the transaction is
    /// left open and aborted for the caller to roll back.
    func queryAll(_ queries: [PostgresQuery], opening settings: [String]?, prepare: Bool) throws(PostgresError) -> [PostgresResult] {
        let opening = settings.map { [PipelinedStatement.fixed("BEGIN")] + $0.map(PipelinedStatement.fixed) } ?? []
        return Array(try pipelineResults(opening + queries.map { .query($0, prepare: prepare) }).dropFirst(opening.count))
    }

    /// One statement planned for the values it is sent with, in one round trip. Connections
    /// that prepare statements run with `plan_cache_mode=force_generic_plan`, and PostgreSQL
    /// applies that to unnamed statements too, so a statement sent unprepared would still get
    /// a generic plan (a filtered search's count: 16.7 ms generic, 3.7 ms planned for its
    /// values). It runs between setting the mode and resetting it; if it fails, the implicit
    /// (or the caller's) transaction is aborted and the setting is undone with it.
    func queryPlannedForItsValues(_ query: PostgresQuery) throws(PostgresError) -> PostgresResult {
        try pipeline(Self.plannedForItsValues(query), resultOf: 1)
    }

    private static func plannedForItsValues(_ query: PostgresQuery) -> [PipelinedStatement] {
        [.fixed("SET plan_cache_mode TO force_custom_plan"), .query(query, prepare: false), .fixed("RESET plan_cache_mode")]
    }

    /// Statements whose results nobody reads, then `COMMIT`, in one round trip. A failure of a
    /// statement leaves the transaction open and aborted (the COMMIT is skipped), for the caller
    /// to roll back; a failure of the COMMIT itself ends it.
    /// With `returning`, that statement goes last before the COMMIT and its result is returned
    /// once the COMMIT succeeded.
    @discardableResult
    func commit(after queries: [PostgresQuery], returning last: PostgresQuery? = nil, prepare: Bool) throws(PostgresError) -> PostgresResult {
        let statements = (queries + (last.map { [$0] } ?? [])).map { PipelinedStatement.query($0, prepare: prepare) }
        return try pipeline(statements + [.fixed("COMMIT")], resultOf: last == nil ? statements.count : statements.count - 1)
    }

    /// Sends `statements` in one round trip and returns the result of the one at `wanted` (the
    /// last by default).
    private func pipeline(_ statements: [PipelinedStatement], resultOf wanted: Int? = nil) throws(PostgresError) -> PostgresResult {
        let results = try pipelineResults(statements)
        let wanted = wanted ?? statements.count - 1
        guard results.indices.contains(wanted) else { throw PostgresError(kind: .connection, sqlState: nil, message: "empty pipeline") }
        return results[wanted]
    }

    /// Sends `statements` in one round trip (libpq's pipeline mode) and returns each one's
    /// result; the first failure, in order, is the one thrown. Without pipeline mode they are
    /// sent one after the other, with the same outcome.
    private func pipelineResults(_ statements: [PipelinedStatement]) throws(PostgresError) -> [PostgresResult] {
        guard PQenterPipelineMode(handle) == 1 else {
            var results: [PostgresResult] = []
            for statement in statements {
                results.append(
                    try statement.prepare ? queryPrepared(sql: statement.sql, parameters: statement.parameters) : execute(statement.sql, statement.parameters))
            }
            return results
        }
        // Per statement: the name it runs under when prepared, and whether it is prepared here.
        var plan: [(preparation: Preparation, resultIndex: Int)] = []
        var sent = true
        var expected = 0
        for statement in statements where sent {
            let preparation = statement.prepare ? preparation(of: statement.sql, parameters: statement.parameters) : .none
            if case .new(let name) = preparation {
                sent = PQsendPrepare(handle, name, statement.sql, Int32(statement.parameters.count), nil) == 1
                expected += 1
            }
            guard sent else { break }
            sent =
                Self.withCStrings(statement.parameters) { values in
                    switch preparation {
                    case .known(let name), .new(let name):
                        PQsendQueryPrepared(handle, name, Int32(statement.parameters.count), values, nil, nil, 0)
                    case .none:
                        PQsendQueryParams(handle, statement.sql, Int32(statement.parameters.count), nil, values, nil, nil, 0)
                    }
                } == 1
            plan.append((preparation, expected))
            expected += 1
        }
        if sent { sent = PQpipelineSync(handle) == 1 }
        guard sent else {
            // The connection broke while sending: nothing is known to have run.
            PQexitPipelineMode(handle)
            throw PostgresError(kind: .connection, sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
        let results = collect(expected)
        PQexitPipelineMode(handle)
        // A prepared statement outlives a failure of the statement itself (a constraint, a lock
        // timeout): named statements are not undone by a rollback, so it is known from now.
        // (Read before the results are checked, which frees them.)
        for (statement, step) in zip(statements, plan) {
            if case .new(let name) = step.preparation, let prepareResult = results[step.resultIndex - 1],
                PQresultStatus(prepareResult) == PGRES_COMMAND_OK
            {
                prepared[statement.sql] = name
            }
        }
        // Every result is checked in order (a prepare's too); the first failure is the one that counts.
        var kept: [PostgresResult] = []
        kept.reserveCapacity(plan.count)
        var failure: PostgresError?
        var failed: String?
        var next = 0 // the statement whose own result comes next (a prepare's comes before it)
        for (index, result) in results.enumerated() {
            let isStatementResult = next < plan.count && plan[next].resultIndex == index
            do throws(PostgresError) {
                let checked = try check(result)
                if isStatementResult { kept.append(checked) }
            } catch {
                if failure == nil {
                    failure = error
                    if isStatementResult { failed = statements[next].sql }
                }
            }
            if isStatementResult { next += 1 }
        }
        if let failure {
            if let failed, failure.sqlState == "0A000" || failure.sqlState == "26000" { forget(failed) }
            throw failure
        }
        guard kept.count == statements.count else {
            throw PostgresError(kind: .connection, sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
        return kept
    }

    /// The first result of each of `count` pipelined statements (each statement's results end
    /// with a null; an aborted one's is PGRES_PIPELINE_ABORTED), then everything up to the sync.
    /// A nil entry: the connection broke before that statement answered.
    private func collect(_ count: Int) -> [OpaquePointer?] {
        var results: [OpaquePointer?] = []
        var current: OpaquePointer?
        var synced = false
        while results.count < count {
            guard let result = PQgetResult(handle) else {
                results.append(current)
                current = nil
                continue
            }
            if PQresultStatus(result) == PGRES_PIPELINE_SYNC {
                PQclear(result)
                synced = true
                break
            }
            if current == nil { current = result } else { PQclear(result) }
        }
        if let current { PQclear(current) }
        while !synced, !isBroken, let result = PQgetResult(handle) {
            synced = PQresultStatus(result) == PGRES_PIPELINE_SYNC
            PQclear(result)
        }
        return results + Array(repeating: nil, count: count - results.count)
    }
}
