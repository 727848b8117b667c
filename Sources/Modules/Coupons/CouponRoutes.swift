import Audit
import HTTP

/// API.md §12.2, the admin half: coupon CRUD. Applying one to a cart is a cart route.
public enum CouponRoutes {
    public static func routes<Context: CouponsContext>() -> [Route<Context>] {
        [
            Route(.post, "/api/coupons", access: .admin, body: .json) { request, context in
                let input = try CouponInput(request, creating: true)
                return Envelope.success(try CouponService(context: context.app).create(input, by: try context.auditActor(request)), status: .created)
            },
            Route(.get, "/api/coupons", access: .admin) { request, context in
                var query = QueryReader(request.query)
                let (page, limit) = query.page()
                let isActive = query.bool("isActive")
                try query.finish()
                let pagination = Pagination(total: 0, page: page, limit: limit)
                let (coupons, total) = try CouponStore.list(isActive: isActive, page: pagination, on: context.app.database)
                return Envelope.list(coupons, pagination: Pagination(total: total, page: page, limit: limit))
            },
            Route(.get, "/api/coupons/:id", access: .admin) { request, context in
                Envelope.success(try CouponService(context: context.app).find(try context.uuidParameter("id")))
            },
            Route(.patch, "/api/coupons/:id", access: .admin, body: .json) { request, context in
                let id = try context.uuidParameter("id")
                let input = try CouponInput(request, creating: false)
                return Envelope.success(try CouponService(context: context.app).update(id, input, by: try context.auditActor(request)))
            },
            Route(.delete, "/api/coupons/:id", access: .admin) { request, context in
                try CouponService(context: context.app).delete(try context.uuidParameter("id"), by: try context.auditActor(request))
                return Envelope.success(nil)
            },
        ]
    }
}
