import App
import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// `commerce-fcgi COMMAND [options]`. Options override the environment variable of the same
/// setting, so systemd units and `make run` can use either.
enum CommandLineInterface {
    static let usage = """
        usage: commerce-fcgi COMMAND [options]

        commands:
          serve     [--workers N] [--socket PATH] [--max-requests M]
                    [--checkout-workers N] [--checkout-socket PATH]
                    run the pools: a supervisor forking the api pool's workers and
                    the checkout pool's (0 runs the api pool alone), each on its socket
          worker    [--pool api|checkout] [--fd N | --socket PATH]
                    run one worker on an inherited socket (systemd LISTEN_FDS, default)
          migrate   [--dir PATH]
                    apply the SQL migrations not yet applied
          jobs      [--once]
                    send queued email and purge expired tokens until SIGTERM
                    (--once: one pass, then exit)
          create-admin --email E [--first-name F] [--last-name L] [--promote-existing]
                    create an administrator; --promote-existing makes an existing
                    account one (new password, its sessions revoked); the password
                    is read from ADMIN_PASSWORD or standard input
          seed-demo [--products N]
                    load a demo catalog (N products, default 300) unless products exist
          status    [--json]
                    every pool's workers (pid, state, route, duration, memory,
                    requests), listen queue and the payment breaker, read from the
                    scoreboard: it answers even when every worker is busy
          check-config
                    validate the environment and exit
          help      this text

        every command also takes --env-file PATH: the variables of that file (systemd's
        EnvironmentFile= rules), under those already in the environment. Without it and
        without DATABASE_URL in the environment, /etc/commerce-fcgi/commerce.env is read when
        it exists. See README.md, "Configuration".
        """

    /// Exit statuses from sysexits.h, so systemd's RestartPreventExitStatus can stop a
    /// restart loop on a configuration error.
    static let exitUsage: Int32 = 64
    static let exitConfig: Int32 = 78
    static let exitUnavailable: Int32 = 69

    static func run(_ arguments: [String], environment processEnvironment: [String: String]) -> Int32 {
        // `--env-file PATH` may stand before or after the command word.
        var arguments = arguments
        var envFile: String?
        if let position = arguments.firstIndex(of: "--env-file") {
            guard position + 1 < arguments.count else {
                printError("--env-file needs a value")
                return exitUsage
            }
            envFile = arguments[position + 1]
            arguments.removeSubrange(position...(position + 1))
        }
        guard let command = arguments.first else {
            printError(usage)
            return exitUsage
        }
        let rest = arguments.dropFirst()
        let environment: [String: String]
        do {
            environment = try EnvironmentFile.environment(process: processEnvironment, envFile: envFile)
        } catch {
            printError("\(command): \(error.description)")
            return exitConfig
        }
        let options = rest
        do {
            switch command {
            case "serve": return try ServeCommand.run(options: Options(options, valued: ServeCommand.valuedOptions), environment: environment)
            case "worker": return try WorkerCommand.run(options: Options(options, valued: ["fd", "socket", "pool"]), environment: environment)
            case "migrate": return try MigrateCommand.run(options: Options(options, valued: ["dir"]), environment: environment)
            case "jobs": return try JobsCommand.run(options: Options(options, valued: [], flags: ["once"]), environment: environment)
            case "create-admin":
                return try CreateAdminCommand.run(options: Options(options, valued: ["email", "first-name", "last-name"], flags: ["promote-existing"]), environment: environment)
            case "seed-demo": return try SeedDemoCommand.run(options: Options(options, valued: ["products"]), environment: environment)
            case "status": return try StatusCommand.run(options: Options(options, valued: [], flags: ["json"]), environment: environment)
            case "check-config":
                _ = try Configuration.load(environment)
                print("configuration ok")
                return 0
            case "help", "--help", "-h":
                print(usage)
                return 0
            default:
                printError("unknown command \(command)\n\n\(usage)")
                return exitUsage
            }
        } catch let error as Options.UsageError {
            printError("\(command): \(error.description)")
            return exitUsage
        } catch let errors as ConfigurationErrors {
            printError(errors.description)
            return exitConfig
        } catch {
            printError("\(command): \(error)")
            return 1
        }
    }

    static func printError(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        cfcgi_stderr_write(line)
    }
}
