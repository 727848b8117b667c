import Crypto
import Redis

/// Failed logins counted per email in Redis (API.md §2): after `limit` failures within the
/// window, the email is refused with 429 until the window that began with the first failure
/// passes. With Redis down the throttle is open, and nginx's `/api/auth/` zone still limits
/// each client address.
struct LoginThrottle {
    let cache: RedisClient
    let limit: Int
    let windowSeconds: Int

    /// The key holds a hash of the email: addresses stay out of Redis.
    static func key(_ email: String) -> String { "login-failures:" + Hex.encode(Digest.sha256(email)) }

    /// Seconds to wait when the email is locked out, nil when it may try.
    func retryAfter(_ email: String) -> Int? {
        let key = Self.key(email)
        guard let count = try? cache.get(key).flatMap({ Int(String(decoding: $0, as: UTF8.self)) }), count >= limit else { return nil }
        return max((try? cache.timeToLive(key)) ?? windowSeconds, 1)
    }

    func recordFailure(_ email: String) {
        let key = Self.key(email)
        // Create the counter with its expiry first; INCR keeps the expiry, so the window is
        // fixed at the first failure and no crash can leave a counter that never expires.
        _ = try? cache.set(key, Array("0".utf8), expireSeconds: windowSeconds, onlyIfAbsent: true)
        _ = try? cache.increment(key)
    }

    func reset(_ email: String) {
        _ = try? cache.delete(Self.key(email))
    }
}
