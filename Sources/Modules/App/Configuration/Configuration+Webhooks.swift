import Webhooks

extension Configuration {
    public var webhookSettings: WebhookSettings {
        WebhookSettings(
            allowPrivate: webhookAllowPrivate, maxAttempts: webhookMaxAttempts, retryBaseSeconds: webhookRetryBaseSeconds, jwtSecret: jwtSecret)
    }
}
