import Cart
import HTTP
import Inventory

/// What orders need from a worker: the cart's context, the pricing settings, and two
/// effects outside the order's own rows.
public protocol OrdersContext: CartContext {
    var orderSettings: OrderSettings { get }
    var orderPayments: any OrderPaymentHooks { get }
    /// Where every stock change is published, so catalog pages show it at once.
    var stockLevels: StockLevels { get }
    /// One order was placed (`orders_created_total`).
    func orderPlaced()
}

/// The deployment's pricing rules (API.md §6, §11).
public struct OrderSettings: Sendable {
    public var currency: String
    /// `TAX_RATE` in millionths, so 0.08 is 80 000 and no float is involved.
    public var taxRatePartsPerMillion: Int
    public var shippingFlat: Cents
    public var freeShippingMinimum: Cents
    public var paymentTimeoutSeconds: Int
    /// `MAX_PENDING_ORDERS`: unpaid orders one user may hold; each holds stock until it expires.
    /// 0: no limit.
    public var maxPendingOrders: Int

    public init(
        currency: String, taxRatePartsPerMillion: Int, shippingFlat: Cents, freeShippingMinimum: Cents, paymentTimeoutSeconds: Int,
        maxPendingOrders: Int = 5
    ) {
        self.currency = currency
        self.taxRatePartsPerMillion = taxRatePartsPerMillion
        self.shippingFlat = shippingFlat
        self.freeShippingMinimum = freeShippingMinimum
        self.paymentTimeoutSeconds = paymentTimeoutSeconds
        self.maxPendingOrders = maxPendingOrders
    }
}

/// The seam where payments plug in: Orders calls these after its own transaction commits,
/// so a slow or failing payment provider never holds an order's locks or undoes it.
public protocol OrderPaymentHooks {
    /// A checkout committed: start its payment. nil when it could not be started now; the
    /// order stands with `payment: null` and the client retries through create-payment-intent.
    func orderPlaced(_ order: OrderRecord) -> OrderPayment?
    /// A cancel committed (by its owner, an admin or expiry): cancel or refund the payment.
    func orderCancelled(_ order: OrderRecord, previousStatus: OrderStatus)
}

/// An order's PaymentIntent as its owner needs it to pay.
public struct OrderPayment: Sendable, Equatable {
    public let paymentIntentId: String
    public let clientSecret: String

    public init(paymentIntentId: String, clientSecret: String) {
        self.paymentIntentId = paymentIntentId
        self.clientSecret = clientSecret
    }
}
