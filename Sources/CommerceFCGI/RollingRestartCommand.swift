/// `rolling-restart`: every worker instance systemd runs, restarted one at a time. Each
/// `systemctl restart` returns once the new worker has sent READY=1, and the socket stays open
/// meanwhile, so the pool never loses more than one worker and no connection is refused. The
/// instances are the ones running, however many the target wants.
enum RollingRestartCommand {
    static let unitPatterns = ["api": "commerce-fcgi@*.service", "checkout": "commerce-fcgi-checkout@*.service"]

    static func run(pool: String, systemctl: String) throws -> Int32 {
        let pools = pool == "all" ? ["api", "checkout"] : [pool]
        guard pools.allSatisfy({ unitPatterns[$0] != nil }) else { throw Options.UsageError(description: "--pool must be api, checkout or all") }
        let listed = try ChildProcess.run(
            systemctl, ["list-units", "--plain", "--no-legend", "--state=active"] + pools.compactMap { unitPatterns[$0] })
        guard listed.status == 0 else {
            CommandLineInterface.printError("rolling-restart: systemctl list-units failed (\(listed.status))")
            return CommandLineInterface.exitUnavailable
        }
        let units = instances(in: listed.output, pools: pools)
        guard !units.isEmpty else {
            print("rolling-restart: no worker instance is running")
            return 0
        }
        for (number, unit) in units.enumerated() {
            let restarted = try ChildProcess.run(systemctl, ["restart", unit])
            guard restarted.status == 0 else {
                // Stop here: the pool is one worker short until it is looked at, not all of them.
                CommandLineInterface.printError("rolling-restart: \(unit) did not come back (systemctl restart: \(restarted.status)); stopped")
                return 1
            }
            print("restarted \(unit) (\(number + 1)/\(units.count))")
        }
        return 0
    }

    /// The first column of `systemctl list-units` lines naming an instance of `pools`, api first
    /// and each pool in instance order (2 before 10).
    static func instances(in listing: String, pools: [String]) -> [String] {
        let names = listing.split(whereSeparator: \.isNewline).compactMap { $0.split(separator: " ").first.map(String.init) }
        return pools.flatMap { pool -> [String] in
            let prefix = pool == "api" ? "commerce-fcgi@" : "commerce-fcgi-checkout@"
            return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".service") }
                .sorted { (Int($0.dropFirst(prefix.count).dropLast(".service".count)) ?? 0) < (Int($1.dropFirst(prefix.count).dropLast(".service".count)) ?? 0) }
        }
    }
}
