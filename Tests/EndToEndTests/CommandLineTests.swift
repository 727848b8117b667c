import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

extension EndToEndTests {
    /// Every command reads its configuration one way: `--env-file` with systemd's rules, under
    /// the variables already in the environment (issue 10 item 2).
    @Suite struct CommandLine {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        /// The command's exit status and everything it printed, standard error included.
        func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
            let (status, output) = try Subprocess.run("/bin/sh", ["-c", #"exec "$0" "$@" 2>&1"#, stack.binary] + arguments, environment: environment)
            return (status, String(decoding: output, as: UTF8.self))
        }

        @Test func anEnvFileConfiguresACommandRunWithAnEmptyEnvironment() throws {
            let file = stack.state + "/commerce.env"
            for arguments in [["--env-file", file, "check-config"], ["check-config", "--env-file", file]] {
                let (status, output) = try run(arguments, environment: [:])
                #expect(status == 0, "\(output)")
                #expect(output.contains("configuration ok"))
            }
            // The environment wins over the file: a bad value given for one run is what is checked.
            let (status, output) = try run(["check-config", "--env-file", file], environment: ["API_WORKERS": "0"])
            #expect(status == 78)
            #expect(output.contains("API_WORKERS"))
            // A file that cannot be read is a configuration error, named.
            let (missing, message) = try run(["check-config", "--env-file", file + ".missing"], environment: [:])
            #expect(missing == 78)
            #expect(message.contains("cannot read \(file).missing"))
        }

        /// systemd hands a worker whatever its socket unit's ListenStream= names: a TCP socket
        /// with no front named to accept is a configuration error, not an open door.
        @Test func aWorkerHandedATCPSocketWithoutAllowedFrontsRefusesToStart() throws {
            // Not close-on-exec: the worker inherits it, as from systemd.
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            #expect(bound == 0 && listen(fd, 4) == 0)
            // Were it to start, it would serve: `timeout` ends it (status 124) instead of the test.
            let (status, raw) = try Subprocess.run(
                "/bin/sh", ["-c", #"exec timeout 10 "$0" "$@" 2>&1"#, stack.binary, "worker", "--pool", "api", "--fd", String(fd), "--env-file", stack.state + "/commerce.env"],
                environment: [:])
            #expect(status == 78)
            #expect(String(decoding: raw, as: UTF8.self).contains("FASTCGI_ALLOWED_ADDRESSES is required when a pool listens on TCP"))
        }

        @Test func everyCommandExplainsItselfAndRefusesWhatItDoesNotKnow() throws {
            for command in ["serve", "worker", "migrate", "jobs", "create-admin", "seed-demo", "status", "check-config"] {
                let (status, output) = try run([command, "--help"], environment: [:])
                #expect(status == 0, "\(command)")
                #expect(output.contains("USAGE: commerce-fcgi \(command)"), "\(command): \(output)")
                #expect(output.contains("--env-file <path>"), "\(command)")
            }
            let (top, overview) = try run(["--help"], environment: [:])
            #expect(top == 0 && overview.contains("SUBCOMMANDS:") && overview.contains("create-admin"))
            let (unknown, message) = try run(["status", "--bogus"], environment: [:])
            #expect(unknown == 64)
            #expect(message.contains("Unknown option '--bogus'"))
            let (missing, _) = try run(["create-admin"], environment: [:])
            #expect(missing == 64, "--email is required")
            let (completion, script) = try run(["--generate-completion-script", "bash"], environment: [:])
            #expect(completion == 0 && script.contains("create-admin"))
        }

        @Test func aRollingRestartRestartsTheRunningInstancesOneByOneAndStopsAtAFailure() throws {
            // A stand-in for systemctl: it lists three instances and logs what it is asked.
            let directory = NSTemporaryDirectory() + "fake-systemd-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let script = """
                #!/bin/sh
                echo "$*" >> \(directory)/log
                case "$1" in
                  list-units) printf 'commerce-fcgi@10.service loaded active running w\\ncommerce-fcgi@2.service loaded active running w\\ncommerce-fcgi-checkout@1.service loaded active running w\\n' ;;
                  restart) [ "$2" = commerce-fcgi@10.service ] && [ -f \(directory)/fail ] && exit 1; exit 0 ;;
                esac
                """
            try script.write(toFile: directory + "/systemctl", atomically: true, encoding: .utf8)
            chmod(directory + "/systemctl", 0o755)
            func log() -> [String] { ((try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

            let (status, output) = try run(["rolling-restart", "--systemctl", directory + "/systemctl"], environment: [:])
            #expect(status == 0, "\(output)")
            #expect(log().dropFirst() == ["restart commerce-fcgi@2.service", "restart commerce-fcgi@10.service", "restart commerce-fcgi-checkout@1.service"])
            #expect(output.contains("restarted commerce-fcgi-checkout@1.service (3/3)"))

            try? FileManager.default.removeItem(atPath: directory + "/log")
            FileManager.default.createFile(atPath: directory + "/fail", contents: nil)
            let (failed, message) = try run(["rolling-restart", "--pool", "api", "--systemctl", directory + "/systemctl"], environment: [:])
            #expect(failed == 1)
            #expect(message.contains("commerce-fcgi@10.service did not come back"))
            #expect(log() == ["list-units --plain --no-legend --state=active commerce-fcgi@*.service", "restart commerce-fcgi@2.service", "restart commerce-fcgi@10.service"])
        }
    }
}
