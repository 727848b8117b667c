import Audit
import HTTP
import Postgres

/// The admin rules of API.md §12.2: codes unique ignoring case (stored upper-case), a coupon
/// that was ever redeemed is deactivated instead of deleted.
struct CouponService<Context: CouponsContext> {
    let context: Context
    var db: PostgresClient { context.database }

    func create(_ input: CouponInput, by actor: AuditActor) throws -> CouponRecord {
        try Self.checkWindow(start: input.startsAt ?? nil, end: input.endsAt ?? nil)
        return try Self.mappingConflicts {
            try db.withTransaction { db in
                let coupon = try CouponStore.insert(input, on: db)
                try AuditLog.record(actor, action: "coupon.create", entityType: "coupon", entityId: coupon.id, after: coupon.json, on: db)
                return coupon
            }
        }
    }

    func update(_ id: String, _ input: CouponInput, by actor: AuditActor) throws -> CouponRecord {
        try db.withTransaction { db in
            guard let current = try CouponStore.find(id, on: db) else { throw APIError.notFound("Coupon not found") }
            // A type change needs its value (the reader insists); a value alone is checked as the
            // current type's: a percentage is a whole 1–100.
            if input.kind == nil, let value = input.value, current.terms.kind == .percentage,
                value.value % 100 != 0 || !(100...10_000).contains(value.value)
            {
                throw APIError.validation([FieldError(field: "value", message: "must be an integer between 1 and 100")])
            }
            try Self.checkWindow(start: input.startsAt ?? current.startsAt, end: input.endsAt ?? current.endsAt)
            guard let updated = try Self.mappingConflicts({ try CouponStore.update(current.id, input, on: db) }) else {
                throw APIError.notFound("Coupon not found")
            }
            try AuditLog.record(actor, action: "coupon.update", entityType: "coupon", entityId: current.id, before: current.json, after: updated.json, on: db)
            return updated
        }
    }

    func find(_ id: String) throws -> CouponRecord {
        guard let coupon = try CouponStore.find(id, on: db) else { throw APIError.notFound("Coupon not found") }
        return coupon
    }

    func delete(_ id: String, by actor: AuditActor) throws {
        try db.withTransaction { db in
            let before = try CouponStore.find(id, on: db)
            switch try CouponStore.delete(id, on: db) {
            case true?: try AuditLog.record(actor, action: "coupon.delete", entityType: "coupon", entityId: id, before: before?.json, on: db)
            case false?: throw APIError.notFound("Coupon not found")
            case nil: throw APIError.conflict("A coupon that was redeemed cannot be deleted; set isActive to false instead")
            }
        }
    }

    /// The window as it will be once the write applies: from before to after.
    private static func checkWindow(start: String?, end: String?) throws(APIError) {
        if let start, let end, let from = RFC3339.epochMilliseconds(start), let to = RFC3339.epochMilliseconds(end), from >= to {
            throw APIError.validation([FieldError(field: "endsAt", message: "must be after startsAt")])
        }
    }

    private static func mappingConflicts<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.kind == .uniqueViolation(constraint: "coupons_code_key") {
            throw APIError.conflict("Coupon code is already taken", details: [FieldError(field: "code", message: "is already taken")])
        }
    }
}
