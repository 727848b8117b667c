import App
import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// Runs one command once its arguments are parsed (`CommerceFCGICommand`): the environment it
/// reads (`--env-file`, then the default file), and its errors as sysexits.h statuses, so
/// systemd's RestartPreventExitStatus can stop a restart loop on a configuration error.
enum CommandLineInterface {
    static let exitUsage: Int32 = 64
    static let exitDataError: Int32 = 65
    static let exitNoInput: Int32 = 66
    static let exitUnavailable: Int32 = 69
    static let exitIOError: Int32 = 74
    static let exitConfig: Int32 = 78

    static func execute(_ command: String, envFile: String?, _ body: ([String: String]) throws -> Int32) -> Int32 {
        let environment: [String: String]
        do {
            environment = try EnvironmentFile.environment(process: ProcessEnvironment.current(), envFile: envFile)
        } catch {
            printError("\(command): \(error.description)")
            return exitConfig
        }
        do {
            return try body(environment)
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

    /// `--env-file PATH` may also stand before the command word, where the parser would not
    /// look for a subcommand's option: it is moved behind the command word.
    static func reordered(_ arguments: [String]) -> [String] {
        guard arguments.count >= 3, arguments[0] == "--env-file" else { return arguments }
        return [arguments[2], arguments[0], arguments[1]] + arguments.dropFirst(3)
    }

    static func printError(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        cfcgi_stderr_write(line)
    }
}
