import App
import CSystem
import HTTPClient

/// `jobs`: the background process (DESIGN.md §1): sends the outbox over SMTP until SIGTERM,
/// finishing the message in hand first. Several may run at once. `--once` does one pass
/// (mail due now, retention purge) and exits, for cron or an operator.
enum JobsCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        let configuration = try Configuration.load(environment)
        guard let smtpURL = configuration.smtpURL else {
            CommandLineInterface.printError("configuration error: SMTP_URL is required by jobs")
            return CommandLineInterface.exitConfig
        }
        HTTPClient.globalInit()
        // Signals are blocked outside the wait, so one arriving mid-send is handled after it.
        cfcgi_supervisor_install_signals()
        let runner = JobsRunner(context: CommandContext(configuration: configuration, name: "jobs"), smtpURL: smtpURL)
        let stopSignals = Int32(CFCGI_SIG_TERM | CFCGI_SIG_INT)
        var stopping = false
        let shouldStop = {
            if cfcgi_supervisor_wait(0) & stopSignals != 0 { stopping = true }
            return stopping
        }
        if options.flags.contains("once") {
            _ = runner.runPass(shouldStop: shouldStop)
            return 0
        }
        runner.context.logger.info("jobs started", ["pollMs": .int(configuration.jobsPollMilliseconds)])
        _ = cfcgi_sd_notify("READY=1")
        while !stopping {
            let busy = runner.runPass(shouldStop: shouldStop)
            if stopping { break }
            if cfcgi_supervisor_wait(busy ? 0 : Int32(configuration.jobsPollMilliseconds)) & stopSignals != 0 { stopping = true }
        }
        _ = cfcgi_sd_notify("STOPPING=1")
        runner.context.logger.info("jobs stopped")
        return 0
    }
}
