import Core
import Crypto
import Postgres
#if canImport(Glibc)
import Glibc
#endif

/// `migrate`: applies `migrations/*.sql` in order. Needs only DATABASE_URL.
enum MigrateCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            CommandLineInterface.printError("configuration error: DATABASE_URL is required but not set")
            return CommandLineInterface.exitConfig
        }
        let directory = options["dir"] ?? environment["MIGRATIONS_DIR"] ?? "migrations"
        let migrations = try MigrationFiles.load(directory: directory)
        let connection = try PostgresConnection.connect([("dbname", url), ("application_name", "commerce-fcgi migrate"), ("connect_timeout", "10")])
        let applied = try Migrator(connection: connection).apply(migrations)
        print(applied.isEmpty ? "migrations: up to date (\(migrations.count) known)" : "migrations: applied \(applied.joined(separator: ", "))")
        return 0
    }
}

enum MigrationFiles {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// `0001_init.sql` → version `0001_init`; anything not ending in .sql is ignored.
    static func load(directory: String) throws -> [Migrator.Migration] {
        guard let dir = opendir(directory) else { throw Failure(description: "cannot read migrations directory \(directory)") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasSuffix(".sql") { names.append(name) }
        }
        return try names.sorted().map { name in
            let sql = try readFile(directory + "/" + name)
            return Migrator.Migration(version: String(name.dropLast(4)), sql: sql, checksum: Hex.encode(Digest.sha256(sql)))
        }
    }

    private static func readFile(_ path: String) throws -> String {
        let bytes: [UInt8]
        do {
            bytes = try LocalFile.bytes(atPath: path)
        } catch {
            throw Failure(description: "cannot open \(path): \(error.reason)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(description: "\(path) is not UTF-8") }
        return text
    }
}
