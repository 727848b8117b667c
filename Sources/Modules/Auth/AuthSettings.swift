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
    /// Failed logins for one email from one address before each attempt waits (15 s, doubling).
    public var loginFailureLimit: Int
    /// The longest of those waits, and how long a quiet count is remembered.
    public var loginFailureWindow: Int
    /// A session's absolute lifetime, however often it is refreshed (`SESSION_MAX_AGE`).
    public var sessionMaxAge: Int
    /// Registration and reset mails one address may receive an hour (`MAIL_PER_ADDRESS_HOURLY`).
    public var unsolicitedMailLimit: Int
    /// Where the storefront lives: links in emails point here.
    public var publicBaseURL: String

    public init(
        jwtSecret: [UInt8], accessTTL: Int, refreshTTL: Int, passwordHasher: PasswordHasher, publicBaseURL: String,
        sessionCacheTTL: Int = 120, resetTokenTTL: Int = 3600, loginFailureLimit: Int = 5, loginFailureWindow: Int = 900,
        sessionMaxAge: Int = 30 * 86_400, unsolicitedMailLimit: Int = 2
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
        self.sessionMaxAge = sessionMaxAge
        self.unsolicitedMailLimit = unsolicitedMailLimit
    }

    /// One email from one client address (an IPv6 client by its /64): after
    /// `loginFailureLimit` failures each attempt waits 15 s, doubling per failure up to
    /// `loginFailureWindow`. Keyed by both, so nobody can lock a victim out from elsewhere.
    public func loginThrottle(on db: PostgresClient) -> FailureThrottle {
        FailureThrottle(db: db, scope: "login", policy: .backoff(free: loginFailureLimit, baseSeconds: 15, maxSeconds: loginFailureWindow))
    }

    /// One client address trying many emails (password spraying): twenty times the per-email
    /// limit within the window, then refused until it passes.
    public func loginAddressThrottle(on db: PostgresClient) -> FailureThrottle {
        FailureThrottle(db: db, scope: "login-address", policy: .window(limit: loginFailureLimit * 20, seconds: loginFailureWindow))
    }

    /// Wrong current passwords of one signed-in user (changing the password or email).
    public func passwordChangeThrottle(on db: PostgresClient) -> FailureThrottle {
        FailureThrottle(db: db, scope: "password-change", policy: .window(limit: loginFailureLimit, seconds: loginFailureWindow))
    }
}
