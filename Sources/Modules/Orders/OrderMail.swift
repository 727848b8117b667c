import HTTP
import Mail
import Users

/// The order emails (API.md §8): confirmation on payment, shipped, cancelled, refunded. Each
/// has a text part and an HTML part with the same lines and totals, so the message stands on
/// its own in any client.
public enum OrderMail {
    public static func confirmation(_ order: OrderRecord, to address: String, firstName: String) -> MailMessage {
        let intro = "thank you: we received your payment for order \(order.orderNumber). It will ship to:"
        return message(
            "order-confirmation", order, to: address, subject: "Order \(order.orderNumber) confirmed", firstName: firstName,
            paragraphs: [intro], showsAddress: true)
    }

    static func shipped(_ order: OrderRecord, to address: String, firstName: String) -> MailMessage {
        message(
            "order-shipped", order, to: address, subject: "Your order \(order.orderNumber) has shipped", firstName: firstName,
            paragraphs: ["your order \(order.orderNumber) is on its way to:"], showsAddress: true)
    }

    enum CancelReason {
        /// The owner, or an admin on the store's behalf.
        case requestedBy(userId: String)
        case paymentTimeout(minutes: Int)
    }

    static func cancelled(_ order: OrderRecord, reason: CancelReason, wasPaid: Bool, to address: String, firstName: String) -> MailMessage {
        let why =
            switch reason {
            case .requestedBy(let userId) where userId == order.userId: "as you asked, your order \(order.orderNumber) has been cancelled."
            case .requestedBy: "your order \(order.orderNumber) has been cancelled by the store."
            case .paymentTimeout(let minutes): "your order \(order.orderNumber) has been cancelled because its payment did not arrive within \(minutes) minutes."
            }
        let money =
            wasPaid
            ? "The \(order.totals.total) \(order.currency.uppercased()) you paid will be refunded to your original payment method; we will write again when the refund is issued."
            : "Nothing was charged."
        return message(
            "order-cancelled", order, to: address, subject: "Your order \(order.orderNumber) was cancelled", firstName: firstName,
            paragraphs: [why + " " + money], showsAddress: false)
    }

    /// Stripe confirmed the refund (`charge.refunded`).
    public static func refunded(_ order: OrderRecord, amount: Cents, to address: String, firstName: String) -> MailMessage {
        let text =
            "we have refunded \(amount) \(order.currency.uppercased()) for order \(order.orderNumber) to your original payment method. "
            + "Depending on your bank it can take 5–10 days to appear on your statement."
        return message(
            "order-refunded", order, to: address, subject: "Refund issued for order \(order.orderNumber)", firstName: firstName,
            paragraphs: [text], showsAddress: false)
    }

    private static func message(
        _ template: String, _ order: OrderRecord, to address: String, subject: String, firstName: String,
        paragraphs: [String], showsAddress: Bool
    ) -> MailMessage {
        var text = ["Hello \(firstName),", ""]
        for paragraph in paragraphs { text += [paragraph, ""] }
        if showsAddress { text += [addressLines(order.shippingAddress), ""] }
        text.append(summary(order))
        return MailMessage(
            template: template, to: address, subject: subject, bodyText: text.joined(separator: "\n"),
            bodyHTML: OrderMailHTML.render(
                order, greeting: "Hello \(firstName),", paragraphs: paragraphs,
                address: showsAddress ? order.shippingAddress : nil))
    }

    /// The lines and totals, aligned for a monospaced reader and still clear in a proportional one.
    static func summary(_ order: OrderRecord) -> String {
        let currency = order.currency.uppercased()
        var lines = order.items.map { "  \($0.quantity) × \($0.name) (\($0.sku)) at \($0.unitPrice): \($0.lineTotal)" }
        lines.append("")
        lines.append("  Subtotal: \(order.totals.subtotal) \(currency)")
        if let code = order.couponCode { lines.append("  Discount (coupon \(code)): -\(order.totals.discount) \(currency)") }
        lines.append("  Tax: \(order.totals.tax) \(currency)")
        lines.append("  Shipping: \(order.totals.shipping) \(currency)")
        lines.append("  Total: \(order.totals.total) \(currency)")
        return lines.joined(separator: "\n")
    }

    static func addressLines(_ address: PostalAddress) -> String {
        [
            "  \(address.firstName) \(address.lastName)", "  \(address.addressLine1)", address.addressLine2.map { "  " + $0 },
            "  \(address.postalCode) \(address.city), \(address.state)", "  \(address.country)",
        ].compactMap { $0 }.joined(separator: "\n")
    }
}
