import HTTP
import Redis

/// Sessions in Redis (DESIGN.md §5), so every authenticated request checks revocation without
/// a database round trip. `session:{sid}` holds `userId|role|1` for a live session or
/// `revoked`. Writers that change a session (logout, password change, deactivation, role
/// change) overwrite the entry after their commit; readers that fill a missing entry from
/// PostgreSQL only add it if absent, so a fill racing a revocation can never undo it.
struct SessionCache {
    let cache: RedisClient
    let ttlSeconds: Int

    enum Lookup: Equatable {
        case hit(SessionState)
        case miss
    }

    static func key(_ sessionId: String) -> String { "session:" + sessionId }

    func lookup(_ sessionId: String) throws(RedisError) -> Lookup {
        guard let bytes = try cache.get(Self.key(sessionId)) else { return .miss }
        return Self.decode(bytes).map(Lookup.hit) ?? .miss
    }

    /// Adds what PostgreSQL said, unless a writer got there first.
    func fill(_ sessionId: String, _ state: SessionState) throws(RedisError) {
        try cache.set(Self.key(sessionId), Self.encode(state), expireSeconds: ttlSeconds, onlyIfAbsent: true)
    }

    func store(_ sessionId: String, _ state: SessionState) throws(RedisError) {
        try cache.set(Self.key(sessionId), Self.encode(state), expireSeconds: ttlSeconds)
    }

    static func encode(_ state: SessionState) -> [UInt8] {
        switch state {
        case .revoked: Array("revoked".utf8)
        case .live(let userId, let role, let isActive): Array("\(userId)|\(role.rawValue)|\(isActive ? 1 : 0)".utf8)
        }
    }

    static func decode(_ bytes: [UInt8]) -> SessionState? {
        let text = String(decoding: bytes, as: UTF8.self)
        if text == "revoked" { return .revoked }
        let parts = text.split(separator: "|")
        guard parts.count == 3, let role = Principal.Role(rawValue: String(parts[1])) else { return nil }
        return .live(userId: String(parts[0]), role: role, isActive: parts[2] == "1")
    }
}

/// Makes session changes visible on every worker at once. Call after the transaction that
/// made them commits.
public enum SessionBroadcast {
    /// Overwrites the entries of revoked sessions with tombstones.
    public static func revoked(_ sessionIds: [String], context: some AuthContext) {
        write(sessionIds.map { ($0, .revoked) }, context)
    }

    /// Publishes a user's new role (or deactivation) to each of their live sessions.
    public static func userChanged(userId: String, role: Principal.Role, isActive: Bool, sessionIds: [String], context: some AuthContext) {
        write(sessionIds.map { ($0, isActive ? .live(userId: userId, role: role, isActive: true) : .revoked) }, context)
    }

    private static func write(_ entries: [(String, SessionState)], _ context: some AuthContext) {
        let sessions = SessionCache(cache: context.cache, ttlSeconds: context.auth.sessionCacheTTL)
        for (id, state) in entries {
            do {
                try sessions.store(id, state)
            } catch {
                // Redis is failing: readers fall back to PostgreSQL, which already says the
                // truth; an entry that survives the outage expires within the cache TTL.
                context.logger.warn("session cache not updated", ["sessionId": .string(id), "error": .string(String(describing: error))])
            }
        }
    }
}
