import Auth

/// What the coupon routes need from a worker: the database (they are admin routes).
public protocol CouponsContext: AuthContext {}
