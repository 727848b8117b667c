import Auth

/// What the cart needs from a worker: the account context (every cart route is a bearer
/// route) and the deployment's currency.
public protocol CartContext: AuthContext {
    var currency: String { get }
}
