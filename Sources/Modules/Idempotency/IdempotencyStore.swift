import HTTP
import Postgres

/// The `idempotency_keys` table: a claim made before the work, completed in the work's own
/// transaction, released when the work fails (a refused request wrote nothing, so trying it
/// again is safe).
public enum IdempotencyStore {
    /// How long a key replays (API.md §1).
    public static let retentionSeconds = 86_400
    /// A claim still `running` after this long belongs to a worker that died mid-request
    /// (nginx gives up on a request after 30 s); the next request with the key takes it over.
    static let abandonedAfterSeconds = 120

    public enum Claim: Equatable {
        /// This request does the work.
        case claimed
        /// The first request finished: answer what it answered.
        case replay(status: Int, body: [UInt8])
    }

    /// Claims the key, or says why not: a replay, or a 409 for a different request or one
    /// still running. Autocommitted, so a concurrent duplicate sees the claim at once.
    public static func claim(_ key: IdempotencyKey, on db: PostgresClient) throws -> Claim {
        let hash = SQLFragment.bytea(key.requestHash)
        let taken = try db.query(
            """
            INSERT INTO idempotency_keys (user_id, scope, key, request_hash)
            VALUES (\(bind: key.userId), \(bind: key.scope), \(bind: key.key), \(bind: hash))
            ON CONFLICT (user_id, scope, key) DO UPDATE
                SET request_hash = EXCLUDED.request_hash, state = 'running', response_status = NULL, response_body = NULL,
                    created_at = now(), completed_at = NULL
                WHERE idempotency_keys.created_at < now() - make_interval(secs => \(bind: retentionSeconds))
                   OR (idempotency_keys.state = 'running' AND idempotency_keys.created_at < now() - make_interval(secs => \(bind: abandonedAfterSeconds)))
            RETURNING 1
            """,
            // Often a request's first statement, so it meets a connection gone stale. Resent after
            // a claim that did land, it reads as "still in progress", which the client retries.
            idempotent: true)
        if taken.rowCount == 1 { return .claimed }

        guard
            let row = try db.query(
                """
                SELECT request_hash = \(bind: hash)::bytea AS same_request, state, response_status, convert_from(response_body, 'UTF8') AS body,
                       created_at < now() - make_interval(secs => \(bind: abandonedAfterSeconds)) AS abandoned
                FROM idempotency_keys WHERE user_id = \(bind: key.userId) AND scope = \(bind: key.scope) AND key = \(bind: key.key)
                """
            ).first
        else {
            // Released between our two statements: the first request failed, so this one may run.
            return try claim(key, on: db)
        }
        guard try row.decode("same_request", as: Bool.self) else {
            throw APIError.conflict(
                "This Idempotency-Key was used with a different request",
                details: [FieldError(field: "Idempotency-Key", message: "was used with a different request body")])
        }
        let state = try row.decode("state", as: State.self)
        // A committed answer whose request died before finishing (its worker was killed while
        // Stripe answered) is replayed as it stands once the claim is abandoned: the work is done.
        let abandoned = try row.decode("abandoned", as: Bool.self)
        let finished = state == .done || (state == .committed && abandoned)
        guard finished, let status = try row.decode("response_status", as: Int?.self) else {
            throw APIError.conflict(
                "A request with this Idempotency-Key is still in progress",
                details: [FieldError(field: "Idempotency-Key", message: "is in use by a request still running")])
        }
        return .replay(status: status, body: Array((try row.decode("body", as: String?.self) ?? "").utf8))
    }

    /// Where a claimed key stands.
    enum State: String, PostgresDecodable {
        /// Claimed; nothing of the work has committed.
        case running
        /// The work committed its answer, and the request is still finishing what comes after
        /// the commit (a Stripe call): a duplicate waits (409) rather than replay half an answer.
        case committed
        /// The final answer, replayed for 24 hours.
        case done
    }

    /// Stores the final answer; call it inside the work's transaction when nothing follows the
    /// commit, so the work and its answer commit together.
    public static func complete(_ key: IdempotencyKey, response: Response, on db: PostgresClient) throws {
        try store(key, response, .done, on: db)
    }

    /// Stores the answer of work that committed but whose request goes on after the commit;
    /// `complete` replaces it with the final answer.
    public static func commit(_ key: IdempotencyKey, response: Response, on db: PostgresClient) throws {
        try store(key, response, .committed, on: db)
    }

    /// Inside the work's transaction it leaves with the COMMIT (nothing reads it back there).
    private static func store(_ key: IdempotencyKey, _ response: Response, _ state: State, on db: PostgresClient) throws {
        try db.queryWithCommit(
            """
            UPDATE idempotency_keys SET state = \(bind: state.rawValue), response_status = \(bind: response.status.code),
                response_body = \(bind: SQLFragment.bytea(response.body))::bytea, completed_at = now()
            WHERE user_id = \(bind: key.userId) AND scope = \(bind: key.scope) AND key = \(bind: key.key)
            """)
    }

    /// Frees the key after the work failed and wrote nothing.
    public static func release(_ key: IdempotencyKey, on db: PostgresClient) throws {
        try db.query(
            """
            DELETE FROM idempotency_keys WHERE user_id = \(bind: key.userId) AND scope = \(bind: key.scope) AND key = \(bind: key.key) AND state = 'running'
            """, idempotent: true)
    }

    /// Keys past their 24 hours replay nothing; the jobs process deletes them.
    public static func purgeExpired(on db: PostgresClient) throws -> Int {
        try db.query("DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => \(bind: retentionSeconds))").affectedRows
    }
}

/// Runs a handler under an `Idempotency-Key`, when the request sent one.
public enum IdempotentRequest {
    /// `work` gets the key (nil without one) and must call `IdempotencyStore.complete` inside its
    /// transaction; a replay answers the stored status and body with `Idempotent-Replayed: true`,
    /// after `replayed` has removed what must no longer be handed out (a paid order's secret).
    public static func run(
        _ key: IdempotencyKey?, on db: PostgresClient, replayed: (Response) throws -> Response = { $0 },
        _ work: (IdempotencyKey?) throws -> Response
    ) throws -> Response {
        guard let key else { return try work(nil) }
        switch try IdempotencyStore.claim(key, on: db) {
        case .replay(let status, let body):
            var response = try replayed(Response(status: HTTPStatus(status), headers: [("Content-Type", Response.jsonContentType)], body: body))
            response.headers.append(("Idempotent-Replayed", "true"))
            return response
        case .claimed:
            do {
                return try work(key)
            } catch {
                try? IdempotencyStore.release(key, on: db)
                throw error
            }
        }
    }
}
