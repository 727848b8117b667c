/// The events an endpoint may subscribe to (API.md §12.6).
public enum WebhookEventType: String, CaseIterable, Sendable {
    case orderCreated = "order.created"
    case orderPaid = "order.paid"
    case orderCancelled = "order.cancelled"
    case orderShipped = "order.shipped"
    case orderDelivered = "order.delivered"
    case orderRefunded = "order.refunded"
    case productCreated = "product.created"
    case productUpdated = "product.updated"
    case productDeleted = "product.deleted"
    case productOutOfStock = "product.out_of_stock"
}
