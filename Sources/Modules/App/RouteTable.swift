import Webhooks
import Audit
import Auth
import Cart
import Catalog
import Coupons
import Docs
import Health
import HTTP
import Metrics
import Orders
import Payments
import Uploads
import Users

/// Every route of the service, feature by feature. The OpenAPI document must list exactly
/// these (a test compares the two).
public enum RouteTable {
    public static func routes(enableTestRoutes: Bool) -> [Route<AppContext>] {
        var routes: [Route<AppContext>] =
            HealthRoutes.routes() + MetricsRoutes.routes() + DocsRoutes.routes()
            + AuthRoutes.routes() + APIKeyRoutes.routes() + UsersRoutes.routes() + CatalogRoutes.routes() + UploadRoutes.routes()
            + CartRoutes.routes() + CouponRoutes.routes() + OrdersRoutes.routes() + PaymentsRoutes.routes() + AuditRoutes.routes() + WebhookRoutes.routes()
        if enableTestRoutes { routes += DiagnosticRoutes.routes() }
        return routes
    }

    /// Patterns of the routes that exist only with `ENABLE_TEST_ROUTES` and are left out of the document.
    public static var testOnlyPatterns: Set<String> { Set(DiagnosticRoutes.routes().map(\.pattern)) }
}
