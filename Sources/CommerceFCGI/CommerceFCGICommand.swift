import App
import ArgumentParser

/// `commerce-fcgi COMMAND [options]`, parsed by swift-argument-parser: `--help` on every
/// command, validation messages, and shell completions (`--generate-completion-script bash`).
struct CommerceFCGICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commerce-fcgi",
        abstract: "An e-commerce backend served over FastCGI behind nginx.",
        discussion: """
            Configuration comes from the environment, over the variables of --env-file PATH (read with systemd's EnvironmentFile= rules). \
            Without --env-file and without DATABASE_URL in the environment, /etc/commerce-fcgi/commerce.env is read when it exists. \
            See README.md, "Configuration", and commerce-fcgi(1).
            """,
        subcommands: [
            Serve.self, Worker.self, Migrate.self, Jobs.self, CreateAdmin.self, SeedDemo.self, Catalog.self, Status.self, RollingRestart.self,
            CheckConfig.self,
        ])
}

/// The option every command takes.
struct EnvironmentOptions: ParsableArguments {
    @Option(name: .customLong("env-file"), help: ArgumentHelp("Read variables from this file (systemd's EnvironmentFile= rules); the environment's own win.", valueName: "path"))
    var envFile: String?
}

/// A command whose work is one of the `…Command.run` functions.
protocol CommerceSubcommand: ParsableCommand {
    var environment: EnvironmentOptions { get }
    func execute(_ environment: [String: String]) throws -> Int32
}

extension CommerceSubcommand {
    func run() throws {
        let status = CommandLineInterface.execute(Self.configuration.commandName ?? "commerce-fcgi", envFile: environment.envFile) { try execute($0) }
        if status != 0 { throw ExitCode(status) }
    }
}

// The commands, nested so their names do not shadow the modules' (App.SeedDemo).
extension CommerceFCGICommand {
    struct Serve: CommerceSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the pools without systemd: a supervisor forking each pool's workers onto its socket.")
        @OptionGroup var environment: EnvironmentOptions
        @Option(help: "Workers of the api pool (API_WORKERS).") var workers: Int?
        @Option(help: "The api pool's socket (API_SOCKET_PATH).") var socket: String?
        @Option(help: "Requests a worker serves before it is replaced (API_MAX_REQUESTS).") var maxRequests: Int?
        @Option(help: "Workers of the checkout pool; 0 runs the api pool alone (CHECKOUT_WORKERS).") var checkoutWorkers: Int?
        @Option(help: "The checkout pool's socket (CHECKOUT_SOCKET_PATH).") var checkoutSocket: String?
        @Option(help: "Listen on TCP instead of --socket, HOST:PORT, for a front nginx on another host (API_LISTEN).") var listen: String?
        @Option(help: "The checkout pool's TCP address (CHECKOUT_LISTEN).") var checkoutListen: String?

        func execute(_ environment: [String: String]) throws -> Int32 {
            try ServeCommand.run(
                options: Options(values: [
                    "workers": workers.map(String.init), "socket": socket, "max-requests": maxRequests.map(String.init),
                    "checkout-workers": checkoutWorkers.map(String.init), "checkout-socket": checkoutSocket,
                    "listen": listen, "checkout-listen": checkoutListen,
                ]), environment: environment)
        }
    }

    struct Worker: CommerceSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one worker on an inherited socket (systemd's LISTEN_FDS by default).")
        @OptionGroup var environment: EnvironmentOptions
        @Option(help: "The pool it serves: api or checkout.") var pool: String?
        @Option(help: "The listening socket's descriptor.") var fd: Int?
        @Option(help: "A socket path to listen on instead.") var socket: String?

        func execute(_ environment: [String: String]) throws -> Int32 {
            try WorkerCommand.run(options: Options(values: ["pool": pool, "fd": fd.map(String.init), "socket": socket]), environment: environment)
        }
    }

    struct Migrate: CommerceSubcommand {
        static let configuration = CommandConfiguration(abstract: "Apply the SQL migrations not yet applied, each in one transaction.")
        @OptionGroup var environment: EnvironmentOptions
        @Option(help: "Where the migrations are (MIGRATIONS_DIR).") var dir: String?

        func execute(_ environment: [String: String]) throws -> Int32 {
            try MigrateCommand.run(options: Options(values: ["dir": dir]), environment: environment)
        }
    }

    struct Jobs: CommerceSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Send mail, turn reset requests into mail, cancel unpaid orders, retry refunds and purge old rows, until SIGTERM.")
        @OptionGroup var environment: EnvironmentOptions
        @Flag(help: "One pass, then exit.") var once = false

        func execute(_ environment: [String: String]) throws -> Int32 {
            try JobsCommand.run(options: Options(values: [:], flags: once ? ["once"] : []), environment: environment)
        }
    }

    struct CreateAdmin: CommerceSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "create-admin",
            abstract: "Create an administrator; the password comes from ADMIN_PASSWORD or standard input.")
        @OptionGroup var environment: EnvironmentOptions
        @Option(help: "The administrator's email.") var email: String
        @Option(help: "First name (default Admin).") var firstName: String?
        @Option(help: "Last name (default User).") var lastName: String?
        @Flag(help: "Make an existing account the administrator: new password, its sessions revoked.") var promoteExisting = false

        func execute(_ environment: [String: String]) throws -> Int32 {
            try CreateAdminCommand.run(
                options: Options(
                    values: ["email": email, "first-name": firstName, "last-name": lastName], flags: promoteExisting ? ["promote-existing"] : []),
                environment: environment)
        }
    }

    struct SeedDemo: CommerceSubcommand {
        static let configuration = CommandConfiguration(commandName: "seed-demo", abstract: "Load a demo catalog unless products exist.")
        @OptionGroup var environment: EnvironmentOptions
        @Option(help: "How many products (default 300).") var products: Int?

        func execute(_ environment: [String: String]) throws -> Int32 {
            try SeedDemoCommand.run(options: Options(values: ["products": products.map(String.init)]), environment: environment)
        }
    }

    struct Catalog: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export the catalog as CSV, or import one (upsert by SKU, all or nothing).",
            subcommands: [CatalogExport.self, CatalogImport.self, CatalogImportDirectory.self])
    }

    struct CatalogExport: CommerceSubcommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write every product as CSV (RFC 4180, UTF-8, a header row).")
        @OptionGroup var environment: EnvironmentOptions
        @Option(help: ArgumentHelp("Write here instead of standard output.", valueName: "file")) var out: String?

        func execute(_ environment: [String: String]) throws -> Int32 { try CatalogCommand.export(out: out, environment: environment) }
    }

    struct CatalogImport: CommerceSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Upsert products by SKU from a CSV file in one transaction; any invalid row writes nothing (exit 65) and is listed.")
        @OptionGroup var environment: EnvironmentOptions
        @Argument(help: "The CSV file, with the export's columns (a subset; sku required).") var file: String
        @Flag(help: "Check everything, write nothing.") var dryRun = false

        func execute(_ environment: [String: String]) throws -> Int32 {
            try CatalogCommand.importFile(file, dryRun: dryRun, environment: environment)
        }
    }

    struct CatalogImportDirectory: CommerceSubcommand {
        static let configuration = CommandConfiguration(
            commandName: "import-dir",
            abstract: "Import every *.csv in a folder, moving each to done/ or failed/ with its report (commerce-catalog-import.service).")
        @OptionGroup var environment: EnvironmentOptions
        @Argument(help: "The folder (/var/lib/commerce-fcgi/import).") var directory: String

        func execute(_ environment: [String: String]) throws -> Int32 { try CatalogCommand.importDirectory(directory, environment: environment) }
    }

    struct Status: CommerceSubcommand {
        static let configuration = CommandConfiguration(
            abstract: "Every pool's workers, listen queue and payment breaker, read from the scoreboard.")
        @OptionGroup var environment: EnvironmentOptions
        @Flag(help: "As JSON.") var json = false

        func execute(_ environment: [String: String]) throws -> Int32 {
            try StatusCommand.run(options: Options(values: [:], flags: json ? ["json"] : []), environment: environment)
        }
    }

    struct RollingRestart: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rolling-restart",
            abstract: "Restart every running worker instance under systemd, one at a time, each waiting for the new worker's READY=1.")
        @Option(help: "Which pool: api, checkout or all.") var pool = "all"
        @Option(help: ArgumentHelp("The systemctl to drive.", visibility: .hidden)) var systemctl = "/usr/bin/systemctl"

        // No configuration is read: it drives systemd, which has the units' own.
        func run() throws {
            let status: Int32
            do {
                status = try RollingRestartCommand.run(pool: pool, systemctl: systemctl)
            } catch let error as Options.UsageError {
                throw ValidationError(error.description)
            }
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct CheckConfig: CommerceSubcommand {
        static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate the configuration and exit.")
        @OptionGroup var environment: EnvironmentOptions

        func execute(_ environment: [String: String]) throws -> Int32 {
            _ = try Configuration.load(environment)
            print("configuration ok")
            return 0
        }
    }
}
