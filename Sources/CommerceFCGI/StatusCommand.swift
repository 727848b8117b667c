import App
import HTTP
import Pool
import Scoreboard

/// `status [--json]`: every pool's workers, queue and breaker from the scoreboard (php-fpm's
/// `status?full`), without asking a worker: it answers when all of them are busy.
enum StatusCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        let configuration = try Configuration.load(environment)
        let settings = configuration.pool
        guard
            let scoreboard = Scoreboard.existing(
                path: settings.scoreboardPath, layout: Application.scoreboardLayout(configuration: configuration),
                slots: settings.scoreboardSlots)
        else {
            CommandLineInterface.printError("status: no scoreboard of this build at \(settings.scoreboardPath): is the pool running with the same configuration?")
            return CommandLineInterface.exitUnavailable
        }
        let status = PoolStatus(scoreboard: scoreboard, settings: settings, nowMilliseconds: UInt64(Clock.system.epochMilliseconds()))
        if options.flags.contains("json") {
            print(String(decoding: JSONWriter.encode(status.json), as: UTF8.self))
        } else {
            print(status.text, terminator: "")
        }
        return 0
    }
}
