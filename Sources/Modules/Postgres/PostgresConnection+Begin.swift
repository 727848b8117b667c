import CLibPQ

extension PostgresConnection {
    /// `BEGIN` (with `settings`, fixed `SET LOCAL` statements) and a transaction's first
    /// statement in one round trip (libpq's pipeline mode), so opening a transaction costs no
    /// round trip of its own. The statement is prepared
    /// first, in the same round trip, when `prepare` asks for it and it is new. A failure of
    /// `BEGIN` means nothing ran; a failure of the statement leaves the transaction open and
    /// aborted, for the caller to roll back, as when the two are sent one after the other.
    func begin(with query: PostgresQuery, settings: [String], prepare: Bool) throws(PostgresError) -> PostgresResult {
        let (sql, parameters) = query.rendered
        guard PQenterPipelineMode(handle) == 1 else {
            _ = try execute("BEGIN", [])
            for setting in settings { _ = try execute(setting, []) }
            return try prepare ? queryPrepared(query) : self.query(query)
        }
        let preparation = prepare ? preparation(of: sql, parameters: parameters) : .none
        var sent = PQsendQueryParams(handle, "BEGIN", 0, nil, nil, nil, nil, 0) == 1
        var expected = 2 + settings.count
        for setting in settings where sent { sent = PQsendQueryParams(handle, setting, 0, nil, nil, nil, nil, 0) == 1 }
        if sent, case .new(let name) = preparation {
            sent = PQsendPrepare(handle, name, sql, Int32(parameters.count), nil) == 1
            expected += 1
        }
        if sent {
            sent =
                Self.withCStrings(parameters) { values in
                    switch preparation {
                    case .known(let name), .new(let name):
                        PQsendQueryPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
                    case .none:
                        PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
                    }
                } == 1
        }
        if sent { sent = PQpipelineSync(handle) == 1 }
        guard sent else {
            // The connection broke while sending: nothing is known to have run.
            PQexitPipelineMode(handle)
            throw PostgresError(kind: .connection, sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
        let results = collect(expected)
        PQexitPipelineMode(handle)
        // The prepared statement outlives a failure of the statement itself (a constraint, a
        // lock timeout): named statements are not undone by a rollback, so it is known from now.
        // (Read before the results are checked, which frees them.)
        if case .new(let name) = preparation, results.count > 1 + settings.count, let prepareResult = results[1 + settings.count],
            PQresultStatus(prepareResult) == PGRES_COMMAND_OK
        {
            prepared[sql] = name
        }
        // Every result is checked in order; the first failure is the one that counts.
        var outcome: Result<PostgresResult, PostgresError>?
        for (index, result) in results.enumerated() {
            do throws(PostgresError) {
                let checked = try check(result)
                if index == results.count - 1, outcome == nil { outcome = .success(checked) }
            } catch {
                if outcome == nil { outcome = .failure(error) }
            }
        }
        switch outcome {
        case .success(let result): return result
        case .failure(let error):
            if error.sqlState == "0A000" || error.sqlState == "26000" { forget(sql) }
            throw error
        case nil: throw PostgresError(kind: .connection, sqlState: nil, message: Self.trimmed(PQerrorMessage(handle)))
        }
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
