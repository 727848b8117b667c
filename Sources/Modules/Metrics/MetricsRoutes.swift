import Crypto
import HTTP
import Scoreboard

/// What the metrics route needs from a worker.
public protocol MetricsContext {
    var metricsRenderer: MetricsRenderer { get }
    /// `METRICS_TOKEN`: callers from elsewhere than loopback must present it as a bearer token.
    var metricsToken: String? { get }
    /// The pools of this host and their sockets.
    var poolSockets: [PoolSocket] { get }
}

public enum MetricsRoutes {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func routes<Context: MetricsContext>() -> [Route<Context>] {
        [
            Route(.get, "/api/metrics") { request, context in
                guard isAllowed(request, token: context.metricsToken) else {
                    throw APIError.forbidden("Metrics are available from loopback or with the metrics token")
                }
                let text = context.metricsRenderer.render(pools: context.poolSockets)
                return Response.text(text, contentType: contentType)
            }
        ]
    }

    static func isAllowed(_ request: Request, token: String?) -> Bool {
        if isLoopback(request.remoteAddress) { return true }
        guard let token, !token.isEmpty, let header = request.headers["authorization"], header.hasPrefix("Bearer ") else {
            return false
        }
        return ConstantTime.equals(String(header.dropFirst("Bearer ".count)), token)
    }

    static func isLoopback(_ address: String) -> Bool {
        address == "::1" || address.hasPrefix("127.") || address.hasPrefix("::ffff:127.")
    }
}
