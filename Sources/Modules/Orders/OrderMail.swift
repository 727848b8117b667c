import HTTP
import Mail
import Users

/// The order emails this feature queues: shipped and cancelled. Plain text with the lines
/// and totals, so the message stands on its own.
enum OrderMail {
    static func shipped(_ order: OrderRecord, to address: String, firstName: String) -> MailMessage {
        MailMessage(template: "order-shipped", to: address, subject: "Your order \(order.orderNumber) has shipped", bodyText: """
            Hello \(firstName),

            your order \(order.orderNumber) is on its way to:

            \(addressLines(order.shippingAddress))

            \(summary(order))
            """)
    }

    enum CancelReason {
        /// The owner, or an admin on the store's behalf.
        case requestedBy(userId: String)
        case paymentTimeout(minutes: Int)
    }

    static func cancelled(_ order: OrderRecord, reason: CancelReason, wasPaid: Bool, to address: String, firstName: String) -> MailMessage {
        let why = switch reason {
        case .requestedBy(let userId) where userId == order.userId: "as you asked, your order \(order.orderNumber) has been cancelled."
        case .requestedBy: "your order \(order.orderNumber) has been cancelled by the store."
        case .paymentTimeout(let minutes): "your order \(order.orderNumber) has been cancelled because its payment did not arrive within \(minutes) minutes."
        }
        let money = wasPaid
            ? "The \(order.totals.total) \(order.currency.uppercased()) you paid will be refunded to your original payment method."
            : "Nothing was charged."
        return MailMessage(template: "order-cancelled", to: address, subject: "Your order \(order.orderNumber) was cancelled", bodyText: """
            Hello \(firstName),

            \(why) \(money)

            \(summary(order))
            """)
    }

    /// The lines and totals, aligned for a monospaced reader and still clear in a proportional one.
    static func summary(_ order: OrderRecord) -> String {
        let currency = order.currency.uppercased()
        var lines = order.items.map { "  \($0.quantity) × \($0.name) (\($0.sku)) at \($0.unitPrice): \($0.lineTotal)" }
        lines.append("")
        lines.append("  Subtotal: \(order.totals.subtotal) \(currency)")
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
