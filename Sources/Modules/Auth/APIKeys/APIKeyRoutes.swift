import Audit
import HTTP

/// API.md §12.5: keys are made, listed and revoked by an admin in person; no key may manage
/// keys (the scope table has no entry for these routes).
public enum APIKeyRoutes {
    public static func routes<Context: AuthContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/api-keys", access: .admin, body: .json) { request, context in
                let principal = try context.requirePrincipal()
                let input = try APIKeyInput(request, nowMilliseconds: context.app.clock.epochMilliseconds())
                let (token, hash, prefix) = try { () throws -> (String, [UInt8], String) in
                    let made = try APIKeyToken.make()
                    return (made.key, made.hash, made.prefix)
                }()
                let record = try context.database.withTransaction { db in
                    let record = try APIKeyStore.insert(
                        name: input.name, prefix: prefix, secretHash: hash, scopes: input.scopes, createdBy: principal.userId,
                        expiresAt: input.expiresAt, on: db)
                    // The answer without its key: the secret never reaches the log.
                    try AuditLog.record(
                        AuditActor(principal, request), action: "apiKey.create", entityType: "apiKey", entityId: record.id, after: record.json, on: db)
                    return record
                }
                guard case .object(var shown) = record.json else { throw APIError.notFound() }
                // Shown this once: only its hash is kept.
                shown["key"] = .string(token)
                return Envelope.success(JSONValue.object(shown), status: .created)
            },
            Route(.get, "/api/api-keys", access: .admin) { request, context in
                Envelope.success(JSONValue.array(try APIKeyStore.list(on: context.database).map(\.json)))
            },
            Route(.delete, "/api/api-keys/:id", access: .admin) { request, context in
                let id = try context.uuidParameter("id")
                let actor = try context.auditActor(request)
                let revoked = try context.database.withTransaction { db -> APIKeyRecord? in
                    guard let revoked = try APIKeyStore.revoke(id, on: db) else { return nil }
                    try AuditLog.record(
                        actor, action: "apiKey.revoke", entityType: "apiKey", entityId: id,
                        changes: .object(["revokedAt": .array([.null, revoked.revokedAt.map(JSONValue.string) ?? .null])]), on: db)
                    return revoked
                }
                guard let revoked else { throw APIError.notFound("API key not found") }
                APIKeyGuard.revoked(prefix: revoked.prefix, context: context.app)
                return Envelope.success(nil)
            },
        ]
    }
}
