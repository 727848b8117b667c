/// Applies `NNNN_name.sql` files in order, each in its own transaction, recorded in
/// `schema_migrations` with a checksum so an edited, already-applied file is caught.
/// A session advisory lock makes concurrent runs (two hosts deploying) wait for each other.
public struct Migrator {
    public struct Migration: Equatable, Sendable {
        public let version: String
        public let sql: String
        public let checksum: String

        public init(version: String, sql: String, checksum: String) {
            self.version = version
            self.sql = sql
            self.checksum = checksum
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case checksumMismatch(version: String)
        case failed(version: String, PostgresError)

        public var description: String {
            switch self {
            case .checksumMismatch(let version): "migration \(version) was edited after it was applied"
            case .failed(let version, let error): "migration \(version) failed: \(error.message)"
            }
        }
    }

    /// Any constant works; this one spells "cfcgi" in ASCII.
    static let lockKey = "435566436749"

    private let connection: PostgresConnection

    public init(connection: PostgresConnection) { self.connection = connection }

    /// Returns the versions applied by this run, in order.
    public func apply(_ migrations: [Migration]) throws -> [String] {
        try connection.query("SELECT pg_advisory_lock(\(bind: Self.lockKey))")
        defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(bind: Self.lockKey))") }
        try connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version text PRIMARY KEY,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied: [String: String] = [:]
        for row in try connection.query("SELECT version, checksum FROM schema_migrations" as PostgresQuery).rows {
            applied[try row.decode("version", as: String.self)] = try row.decode("checksum", as: String.self)
        }
        var ran: [String] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            if let checksum = applied[migration.version] {
                guard checksum == migration.checksum else { throw Failure.checksumMismatch(version: migration.version) }
                continue
            }
            if let error = run(migration) {
                _ = try? connection.query("ROLLBACK")
                throw Failure.failed(version: migration.version, error)
            }
            ran.append(migration.version)
        }
        return ran
    }

    private func run(_ migration: Migration) -> PostgresError? {
        do {
            try connection.query("BEGIN")
            try connection.executeScript(migration.sql)
            try connection.query("INSERT INTO schema_migrations (version, checksum) VALUES (\(bind: migration.version), \(bind: migration.checksum))")
            try connection.query("COMMIT")
            return nil
        } catch {
            return error
        }
    }
}
