import Crypto
import HTTP
import Postgres

/// All SQL of `api_keys`.
public enum APIKeyStore {
    static func insert(
        name: String, prefix: String, secretHash: [UInt8], scopes: [String], createdBy: String, expiresAt: String?, on db: PostgresClient
    ) throws -> APIKeyRecord {
        try db.query(
            """
            WITH k AS (
                INSERT INTO api_keys (name, prefix, secret_hash, scopes, created_by, expires_at)
                VALUES (\(bind: name), \(bind: prefix), \(bind: SQLFragment.bytea(secretHash)), \(bind: SQLFragment.array(scopes))::text[],
                        \(bind: createdBy), \(bind: expiresAt)::timestamptz)
                RETURNING *
            )
            SELECT \(APIKeyRecord.columns) FROM k
            """
        ).single().decodeAPIKey()
    }

    /// Every key, newest first: a shop has a handful.
    static func list(on db: PostgresClient) throws -> [APIKeyRecord] {
        try db.query("SELECT \(APIKeyRecord.columns) FROM api_keys k ORDER BY k.created_at DESC, k.id", idempotent: true).map(APIKeyRecord.init(row:))
    }

    /// Revokes a live key; the key (with its prefix, for the cache) or nil when unknown.
    /// Revoking twice keeps the first time.
    static func revoke(_ id: String, on db: PostgresClient) throws -> APIKeyRecord? {
        try db.query(
            """
            WITH k AS (UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(bind: id) RETURNING *)
            SELECT \(APIKeyRecord.columns) FROM k
            """
        ).first.map(APIKeyRecord.init(row:))
    }

    static func grant(prefix: String, on db: PostgresClient) throws -> APIKeyGrantState? {
        try db.query(
            """
            SELECT id, encode(secret_hash, 'hex') AS secret_hash, array_to_string(scopes, ' ') AS scopes, created_by,
                   (extract(epoch FROM expires_at) * 1000)::bigint AS expires_at, revoked_at IS NOT NULL AS revoked
            FROM api_keys WHERE prefix = \(bind: prefix)
            """, idempotent: true
        ).first.map { row in
            APIKeyGrantState(
                id: try row.decode("id"), secretHash: Hex.decode(try row.decode("secret_hash", as: String.self)) ?? [],
                scopes: Set(try row.decode("scopes", as: String.self).split(separator: " ").map(String.init)),
                createdBy: try row.decode("created_by"), expiresAt: try row.decode("expires_at"), revoked: try row.decode("revoked"))
        }
    }

    /// When keys were last used, for many keys in one statement; never moves a time back.
    public static func touch(_ uses: [String: Int64], on db: PostgresClient) throws {
        guard !uses.isEmpty else { return }
        try db.query(
            """
            UPDATE api_keys k SET last_used_at = greatest(k.last_used_at, to_timestamp(u.ms / 1000.0))
            FROM unnest(\(bind: SQLFragment.array(Array(uses.keys)))::uuid[], \(bind: SQLFragment.array(uses.values.map(String.init)))::bigint[]) AS u(id, ms)
            WHERE k.id = u.id
            """, idempotent: true)
    }
}

extension PostgresRow {
    fileprivate func decodeAPIKey() throws -> APIKeyRecord { try APIKeyRecord(row: self) }
}
