import HTTP
import Redis

/// Sessions in Redis (DESIGN.md §5), so every authenticated request checks revocation without
/// a database round trip. `session:{sid}` holds `revoked`, or for a live session
/// `u2|<role>|<1 or 0: active>|<user id>|<profile JSON>`: what the guard checks comes first, so
/// it reads that without parsing JSON, and `GET /api/users/me` answers with the profile as it
/// is. Writers that change a session or its user (logout, password change, deactivation, role
/// or profile change) overwrite the entries after their commit; readers that fill a missing
/// entry from PostgreSQL only add it if absent, so a fill racing a write can never undo it. A
/// change made behind the service's back is seen within SESSION_CACHE_TTL.
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

    static let revoked = Array("revoked".utf8)
    static let livePrefix = Array("u2|".utf8)
    /// The format before 2026-12 (`u1|<profile JSON>`), still read during a rolling upgrade.
    static let parsedPrefix = Array("u1|".utf8)

    static func encode(_ state: SessionState) -> [UInt8] {
        switch state {
        case .revoked: revoked
        case .live(let user):
            livePrefix + Array("\(user.role.rawValue)|\(user.isActive ? 1 : 0)|\(user.id)|".utf8) + user.profileJSON
        }
    }

    /// nil for anything else (an entry of an older release reads as a miss until it expires).
    static func decode(_ bytes: [UInt8]) -> SessionState? {
        if bytes == revoked { return .revoked }
        if bytes.starts(with: parsedPrefix) {
            guard let json = try? JSONParser.parse(Array(bytes.dropFirst(parsedPrefix.count))), let user = UserProfile(json: json) else { return nil }
            return .live(SessionUser(user))
        }
        guard bytes.starts(with: livePrefix) else { return nil }
        let fields = bytes.dropFirst(livePrefix.count).split(separator: UInt8(ascii: "|"), maxSplits: 3, omittingEmptySubsequences: false)
        guard fields.count == 4, let role = Principal.Role(rawValue: String(decoding: fields[0], as: UTF8.self)),
            fields[1].elementsEqual([UInt8(ascii: "1")]) || fields[1].elementsEqual([UInt8(ascii: "0")]),
            fields[3].first == UInt8(ascii: "{"), fields[3].last == UInt8(ascii: "}")
        else { return nil }
        let id = String(decoding: fields[2], as: UTF8.self)
        guard UUIDText.isValid(id) else { return nil }
        return .live(SessionUser(id: id, role: role, isActive: fields[1].first == UInt8(ascii: "1"), profileJSON: Array(fields[3])))
    }
}

/// Makes session changes visible on every worker at once. Call after the transaction that
/// made them commits.
public enum SessionBroadcast {
    /// Overwrites the entries of revoked sessions with tombstones.
    public static func revoked(_ sessionIds: [String], context: some AuthContext) {
        write(sessionIds.map { ($0, .revoked) }, context)
    }

    /// Publishes a user as they are now (role, activity, profile) to each of their live sessions.
    public static func userChanged(_ user: UserProfile, sessionIds: [String], context: some AuthContext) {
        let live = SessionUser(user)
        write(sessionIds.map { ($0, user.isActive ? .live(live) : .revoked) }, context)
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
