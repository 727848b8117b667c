import Postgres

/// The order state machine of API.md §6.
public enum OrderStatus: String, Sendable, CaseIterable {
    case pending = "PENDING"
    case paid = "PAID"
    case processing = "PROCESSING"
    case shipped = "SHIPPED"
    case delivered = "DELIVERED"
    case cancelled = "CANCELLED"

    /// What an owner or admin may cancel; stock goes back from each of these.
    public static let cancellable: [OrderStatus] = [.pending, .paid, .processing]
    /// What an admin may refund part of (API.md §12.4): paid, and not cancelled.
    public static let refundable: [OrderStatus] = [.paid, .processing, .shipped, .delivered]

    static let unknownMessage = "must be one of " + allCases.map(\.rawValue).joined(separator: ", ")

    /// The states an admin may move an order to `self` from. Payment moves PENDING to PAID
    /// (the webhook); cancelling has its own route.
    public var adminPredecessors: [OrderStatus] {
        switch self {
        case .processing: [.paid]
        case .shipped: [.paid, .processing]
        case .delivered: [.shipped]
        case .pending, .paid, .cancelled: []
        }
    }
}

public enum PaymentStatus: String, Sendable, CaseIterable {
    case pending = "PENDING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
    case partiallyRefunded = "PARTIALLY_REFUNDED"
    case refunded = "REFUNDED"
}

extension OrderStatus: PostgresDecodable {}
extension PaymentStatus: PostgresDecodable {}
