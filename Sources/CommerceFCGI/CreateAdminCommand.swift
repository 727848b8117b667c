import App
#if canImport(Glibc)
import Glibc
#endif

/// `create-admin --email E [--first-name F] [--last-name L] [--promote-existing]`: the password
/// comes from ADMIN_PASSWORD or the first line of standard input, never from the command line,
/// where `ps` and shell history would show it.
enum CreateAdminCommand {
    static func run(options: Options, environment: [String: String]) throws -> Int32 {
        guard let email = options["email"] else { throw Options.UsageError(description: "--email is required") }
        let configuration = try Configuration.load(environment)
        guard let password = environment["ADMIN_PASSWORD"] ?? readLine(strippingNewline: true), !password.isEmpty else {
            throw Options.UsageError(description: "give the password in ADMIN_PASSWORD or on standard input")
        }
        let context = CommandContext(configuration: configuration, name: "create-admin")
        do {
            switch try AdminAccounts.createOrPromote(
                email: email, password: password, firstName: options["first-name"] ?? "Admin", lastName: options["last-name"] ?? "User",
                promoteExisting: options.flags.contains("promote-existing"), context: context)
            {
            case .created(let id): print("created admin \(email.lowercased()) (\(id))")
            case .promoted(let id): print("\(email.lowercased()) (\(id)) is now an active admin with the new password; its sessions were revoked")
            }
            return 0
        } catch let invalid as AdminAccounts.InvalidInput {
            throw Options.UsageError(description: invalid.description)
        }
    }
}
