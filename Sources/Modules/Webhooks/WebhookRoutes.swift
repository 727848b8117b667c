import Audit
import Crypto
import HTTP

/// API.md §12.6: endpoints and their deliveries, for admins and keys with `webhooks:write`.
public enum WebhookRoutes {
    public static func routes<Context: WebhooksContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/webhook-endpoints", access: .admin, body: .json) { request, context in
                let actor = try context.auditActor(request)
                let input = try WebhookEndpointInput(request, creating: true, allowPrivate: context.app.webhooks.allowPrivate)
                // Shown this once; kept sealed.
                let secret = "whsec_" + (try SecureRandom.token(byteCount: 32))
                let sealed = try context.app.webhooks.secrets.seal(Array(secret.utf8))
                let endpoint = try context.database.withTransaction { db in
                    let endpoint = try WebhookStore.insert(
                        url: input.url ?? "", description: input.description ?? nil, events: input.events ?? [], sealedSecret: sealed, on: db)
                    try AuditLog.record(actor, action: "webhookEndpoint.create", entityType: "webhookEndpoint", entityId: endpoint.id, after: endpoint.json, on: db)
                    return endpoint
                }
                guard case .object(var shown) = endpoint.json else { throw APIError.notFound() }
                shown["secret"] = .string(secret)
                return Envelope.success(JSONValue.object(shown), status: .created)
            },
            Route(.get, "/api/webhook-endpoints", access: .admin) { request, context in
                Envelope.success(JSONValue.array(try WebhookStore.list(on: context.database).map(\.json)))
            },
            Route(.get, "/api/webhook-endpoints/:id", access: .admin) { request, context in
                guard let endpoint = try WebhookStore.find(try context.uuidParameter("id"), on: context.database) else { throw notFound }
                return Envelope.success(endpoint)
            },
            Route(.patch, "/api/webhook-endpoints/:id", access: .admin, body: .json) { request, context in
                let id = try context.uuidParameter("id")
                let actor = try context.auditActor(request)
                let input = try WebhookEndpointInput(request, creating: false, allowPrivate: context.app.webhooks.allowPrivate)
                return Envelope.success(
                    try context.database.withTransaction { db in
                        guard let before = try WebhookStore.find(id, on: db),
                            let after = try WebhookStore.update(
                                id, url: input.url, events: input.events, isActive: input.isActive, description: input.description, on: db)
                        else { throw notFound }
                        try AuditLog.record(
                            actor, action: "webhookEndpoint.update", entityType: "webhookEndpoint", entityId: id, before: before.json, after: after.json, on: db)
                        return after
                    })
            },
            Route(.delete, "/api/webhook-endpoints/:id", access: .admin) { request, context in
                let id = try context.uuidParameter("id")
                let actor = try context.auditActor(request)
                try context.database.withTransaction { db in
                    guard let before = try WebhookStore.find(id, on: db), try WebhookStore.delete(id, on: db) else { throw notFound }
                    try AuditLog.record(actor, action: "webhookEndpoint.delete", entityType: "webhookEndpoint", entityId: id, before: before.json, on: db)
                }
                return Envelope.success(nil)
            },
            Route(.get, "/api/webhook-endpoints/:id/deliveries", access: .admin) { request, context in
                let id = try context.uuidParameter("id")
                var query = QueryReader(request.query)
                let (page, limit) = query.page()
                try query.finish()
                guard try WebhookStore.find(id, on: context.database) != nil else { throw notFound }
                let (deliveries, total) = try WebhookStore.deliveries(
                    endpointId: id, page: Pagination(total: 0, page: page, limit: limit), on: context.database)
                return Envelope.list(deliveries, pagination: Pagination(total: total, page: page, limit: limit))
            },
            Route(.post, "/api/webhook-deliveries/:id/retry", access: .admin) { request, context in
                guard try WebhookStore.retry(try context.uuidParameter("id"), on: context.database) else {
                    throw APIError.notFound("Delivery not found")
                }
                return Envelope.success(nil, status: .accepted)
            },
        ]
    }

    static var notFound: APIError { APIError.notFound("Webhook endpoint not found") }
}
