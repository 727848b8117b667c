/// One transactional email as the outbox stores it: rendered when its cause happens, so the
/// jobs process sends exactly what the request decided, even after a deploy changes templates.
public struct MailMessage: Equatable, Sendable {
    public let template: String
    public let to: String
    public let subject: String
    public let bodyText: String
    /// An HTML alternative; the text part stays, for clients that show only text.
    public let bodyHTML: String?

    public init(template: String, to: String, subject: String, bodyText: String, bodyHTML: String? = nil) {
        self.template = template
        self.to = to
        self.subject = subject
        self.bodyText = bodyText
        self.bodyHTML = bodyHTML
    }
}
