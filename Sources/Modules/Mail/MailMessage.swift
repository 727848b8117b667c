/// One transactional email as the outbox stores it: rendered when its cause happens, so the
/// jobs process sends exactly what the request decided, even after a deploy changes templates.
public struct MailMessage: Equatable, Sendable {
    public let template: String
    public let to: String
    public let subject: String
    public let bodyText: String

    public init(template: String, to: String, subject: String, bodyText: String) {
        self.template = template
        self.to = to
        self.subject = subject
        self.bodyText = bodyText
    }
}
