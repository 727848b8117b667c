import Crypto
import HTTP
import Mail
import Postgres

/// The rules of API.md §2. Password hashing (a third of a second of scrypt) always runs
/// outside transactions, so no row stays locked while a worker computes it.
struct AuthService<Context: AuthContext> {
    let context: Context
    var db: PostgresClient { context.database }
    var tokens: TokenIssuer { TokenIssuer(settings: context.auth) }
    var hasher: PasswordHasher { context.auth.passwordHasher }

    static var invalidCredentials: APIError { .unauthorized("Invalid email or password") }

    func register(_ input: RegisterInput, client: ClientInfo, cartToken: String?) throws -> AuthenticationResult {
        let hash = try hasher.hash(input.password)
        return try db.withTransaction { db in
            guard let user = try UserStore.insert(email: input.email, passwordHash: hash, firstName: input.firstName, lastName: input.lastName, on: db) else {
                throw APIError.conflict("Email is already registered", details: [FieldError(field: "email", message: "is already registered")])
            }
            let pair = try openSession(for: user, client: client, on: db)
            try Outbox.enqueue(
                MailTemplates.welcome(to: user.email, firstName: user.firstName, storeURL: context.auth.publicBaseURL),
                limit: context.auth.unsolicitedMailLimit, perHourAmong: Outbox.unsolicitedTemplates, on: db)
            let merged = try cartToken.flatMap { try context.mergeGuestCart(cartToken: $0, intoUser: user.id, on: db) }
            return AuthenticationResult(user: user, tokens: pair, mergedCart: merged)
        }
    }

    func login(_ input: LoginInput, client: ClientInfo, cartToken: String?) throws -> AuthenticationResult {
        // Throttled per (email, address) and per address, never per email alone: a stranger's
        // failures cannot keep the owner of the email out.
        let address = ClientAddress.throttleKey(client.address)
        let pair = input.email + "\n" + address
        let byPair = context.auth.loginThrottle(on: db)
        let byAddress = context.auth.loginAddressThrottle(on: db)
        if let wait = try byAddress.retryAfter(address) {
            throw FailureThrottle.tooMany("Too many failed logins from this address; try again later", retryAfter: wait)
        }
        if let wait = try byPair.retryAfter(pair) {
            throw FailureThrottle.tooMany("Too many failed logins for this email; try again later", retryAfter: wait)
        }
        func fail() throws -> APIError {
            try byPair.recordFailure(pair)
            try byAddress.recordFailure(address)
            return Self.invalidCredentials
        }
        guard let user = try UserStore.user(email: input.email, on: db) else {
            hasher.burnVerification(input.password)
            throw try fail()
        }
        guard case .match(let needsRehash) = hasher.verify(input.password, against: user.passwordHash) else { throw try fail() }
        guard user.isActive else { throw APIError.unauthorized("Account is deactivated") }
        try byPair.reset(pair)
        if needsRehash {
            try UserStore.upgradePasswordHash(userId: user.id, from: user.passwordHash, to: try hasher.hash(input.password), on: db)
        }
        // The session and the guest cart's merge commit together, or neither does.
        let (session, merged) = try db.withTransaction { db in
            let session = try openSession(for: user, client: client, on: db)
            return (session, try cartToken.flatMap { try context.mergeGuestCart(cartToken: $0, intoUser: user.id, on: db) })
        }
        return AuthenticationResult(user: user, tokens: session, mergedCart: merged)
    }

    /// Exchanges a refresh token for a new pair. A token already exchanged means two parties
    /// hold the chain: the whole session is revoked (committed) and the caller gets 401.
    func refresh(_ input: RefreshInput) throws -> AuthenticationResult {
        let claims: RefreshClaims
        do {
            claims = try tokens.verifyRefresh(input.refreshToken, nowSeconds: context.nowSeconds)
        } catch {
            throw APIError.unauthorized(error == .expired ? "Refresh token expired" : "Invalid refresh token")
        }
        let outcome: RefreshOutcome = try db.withTransaction { db in
            guard let presented = try SessionStore.lockRefreshToken(hash: Digest.sha256(input.refreshToken), maxAge: context.auth.sessionMaxAge, on: db),
                presented.tokenId == claims.tokenId, presented.sessionId == claims.sessionId, presented.userId == claims.userId,
                !presented.sessionRevoked
            else { return .refused }
            if presented.rotated {
                return .reused(revokedSessions: try SessionStore.revoke(.session(presented.sessionId), reason: "refresh-token-reuse", on: db))
            }
            guard !presented.unusable, presented.user.isActive else { return .refused }
            let user = presented.user
            let pair = try tokens.issue(userId: user.id, email: user.email, role: user.role, sessionId: presented.sessionId, nowSeconds: context.nowSeconds)
            try SessionStore.rotate(from: presented.tokenId, to: pair, sessionId: presented.sessionId, userId: user.id, maxAge: context.auth.sessionMaxAge, on: db)
            return .rotated(AuthenticationResult(user: user, tokens: pair))
        }
        switch outcome {
        case .rotated(let result):
            return result
        case .reused(let revoked):
            SessionBroadcast.revoked(revoked, context: context)
            context.logger.warn("refresh token reused; session revoked", ["sessionId": .string(claims.sessionId), "userId": .string(claims.userId)])
            throw APIError.unauthorized("Refresh token was already used; the session has been revoked")
        case .refused:
            throw APIError.unauthorized("Invalid refresh token")
        }
    }

    func logout(_ input: LogoutInput, principal: Principal) throws {
        let scope: SessionStore.Scope = input.allSessions ? .user(principal.userId, except: nil) : .session(principal.sessionId)
        let revoked = try db.withTransaction { db in try SessionStore.revoke(scope, reason: "logout", on: db) }
        SessionBroadcast.revoked(revoked + [principal.sessionId], context: context)
    }

    /// Queues the request; the jobs process mails the link if the account exists and is active
    /// (`PasswordResetRequests`). The caller answers 202 either way, after the same one INSERT.
    func forgotPassword(_ input: ForgotPasswordInput) throws {
        try SessionStore.queueResetRequest(email: input.email, on: db)
    }

    func resetPassword(_ input: ResetPasswordInput) throws {
        let hash = Digest.sha256(input.token)
        let invalid = APIError.validation([FieldError(field: "token", message: "is invalid, expired or already used")])
        guard try SessionStore.resetTokenIsUsable(hash: hash, on: db) else { throw invalid }
        let passwordHash = try hasher.hash(input.password)
        let revoked: [String] = try db.withTransaction { db in
            guard let userId = try SessionStore.spendResetToken(hash: hash, on: db) else { throw invalid }
            try UserStore.setPasswordHash(userId: userId, hash: passwordHash, on: db)
            return try SessionStore.revoke(.user(userId, except: nil), reason: "password-reset", on: db)
        }
        SessionBroadcast.revoked(revoked, context: context)
    }

    private func openSession(for user: UserRecord, client: ClientInfo, on db: PostgresClient) throws -> TokenPair {
        let sessionId = try UUIDGenerator.random()
        let pair = try tokens.issue(userId: user.id, email: user.email, role: user.role, sessionId: sessionId, nowSeconds: context.nowSeconds)
        try SessionStore.open(
            userId: user.id, tokens: pair, sessionId: sessionId, userAgent: client.userAgent, ipAddress: client.address, maxAge: context.auth.sessionMaxAge,
            on: db)
        return pair
    }
}

/// How a refresh ended inside its transaction; a reuse is committed before the 401.
enum RefreshOutcome {
    case rotated(AuthenticationResult)
    case reused(revokedSessions: [String])
    case refused
}

/// What a session records of the client that opened it.
struct ClientInfo {
    let userAgent: String?
    let address: String?

    init(_ request: Request) {
        userAgent = request.headers["user-agent"]
        address = request.remoteAddress.isEmpty ? nil : request.remoteAddress
    }
}
