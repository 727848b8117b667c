import HTTP

public enum HealthRoutes {
    public static func routes<Context: HealthContext>() -> [Route<Context>] {
        let alive: Route<Context>.Handler = { _, _ in Response.json(.object(["status": "ok"])) }
        return [
            // Liveness answers from the worker alone: a dependency outage must not get a
            // healthy worker restarted.
            Route(.get, "/health", handler: alive),
            Route(.get, "/api/health/live", handler: alive),
            Route(.get, "/api/health/ready") { _, context in
                let result = ReadinessCheck.run(
                    database: context.database, cache: context.cache, clock: context.clock, payments: context.paymentsBreaker,
                    replica: context.replicaProbe)
                return Response.json(result.json, status: result.httpStatus)
            },
        ]
    }
}
