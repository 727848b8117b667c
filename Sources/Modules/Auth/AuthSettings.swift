import Crypto
import JWT
import Postgres

/// What authentication needs from configuration, built once per process.
public struct AuthSettings: Sendable {
    public var signer: JWTSigner
    public var accessTTL: Int
    public var refreshTTL: Int
    public var passwordHasher: PasswordHasher
    /// How long a session's state may be served from Redis before it is read again from
    /// PostgreSQL. Revocations overwrite the entry at once; this bounds the damage if one
    /// such write is lost while Redis is failing.
    public var sessionCacheTTL: Int
    public var resetTokenTTL: Int
    public var loginFailureLimit: Int
    public var loginFailureWindow: Int
    /// Where the storefront lives: links in emails point here.
    public var publicBaseURL: String

    public init(
        jwtSecret: [UInt8], accessTTL: Int, refreshTTL: Int, passwordHasher: PasswordHasher, publicBaseURL: String,
        sessionCacheTTL: Int = 120, resetTokenTTL: Int = 3600, loginFailureLimit: Int = 5, loginFailureWindow: Int = 900
    ) {
        signer = JWTSigner(key: jwtSecret)
        self.accessTTL = accessTTL
        self.refreshTTL = refreshTTL
        self.passwordHasher = passwordHasher
        self.publicBaseURL = publicBaseURL
        self.sessionCacheTTL = sessionCacheTTL
        self.resetTokenTTL = resetTokenTTL
        self.loginFailureLimit = loginFailureLimit
        self.loginFailureWindow = loginFailureWindow
    }

    /// Five failures in fifteen minutes (API.md §2), for logins and for current passwords alike.
    public func failureThrottle(scope: String, on db: PostgresClient) -> FailureThrottle {
        FailureThrottle(db: db, scope: scope, limit: loginFailureLimit, windowSeconds: loginFailureWindow)
    }
}
