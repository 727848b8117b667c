import Auth
import Crypto

extension Configuration {
    public var authSettings: AuthSettings {
        AuthSettings(
            jwtSecret: jwtSecret, accessTTL: jwtAccessTTL, refreshTTL: jwtRefreshTTL,
            passwordHasher: PasswordHasher(parameters: ScryptParameters(logN: passwordScryptLogN)),
            publicBaseURL: publicBaseURL, sessionCacheTTL: sessionCacheTTL, sessionMaxAge: sessionMaxAge,
            unsolicitedMailLimit: mailPerAddressHourly)
    }
}
