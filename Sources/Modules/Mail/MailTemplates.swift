/// The account emails. Plain text: they carry one link or none, and read the same everywhere.
public enum MailTemplates {
    public static func welcome(to address: String, firstName: String, storeURL: String) -> MailMessage {
        MailMessage(
            template: "welcome", to: address, subject: "Welcome to the store",
            bodyText: """
                Hello \(firstName),

                your account is ready. Sign in with this email address at \(storeURL).

                If you did not create this account, reply to this message and we will close it.
                """)
    }

    public static let passwordResetTemplate = "password-reset"

    public static func passwordReset(to address: String, firstName: String, resetURL: String, validMinutes: Int) -> MailMessage {
        MailMessage(
            template: passwordResetTemplate, to: address, subject: "Reset your password",
            bodyText: """
                Hello \(firstName),

                someone asked to reset the password of this account. To choose a new password, open
                \(resetURL)

                The link works once and expires in \(validMinutes) minutes. If you did not ask for it,
                ignore this message: your password stays as it is.
                """)
    }
}
