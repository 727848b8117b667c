import Foundation
import HTTP
import HTTPClient
import Testing

/// Cart and checkout through the API, as a storefront drives them.
struct Shopper {
    let stack: Stack
    let account: Account

    var token: String { account.accessToken }

    func cart() throws -> JSONValue {
        try data(stack.send("GET", "/api/cart", token: token), expect: 200)
    }

    @discardableResult
    func add(_ productId: String, quantity: Int = 1) throws -> JSONValue {
        try data(stack.send("POST", "/api/cart/items", json: #"{"productId":"\#(productId)","quantity":\#(quantity)}"#, token: token), expect: 201)
    }

    func checkout(_ body: String = Shopper.inlineShipping, idempotencyKey: String? = nil) throws -> HTTPClientResponse {
        var headers = [("Content-Type", "application/json"), ("Authorization", "Bearer " + token)]
        if let idempotencyKey { headers.append(("Idempotency-Key", idempotencyKey)) }
        return try stack.request("POST", "/api/orders", headers: headers, body: Array(body.utf8))
    }

    /// A checkout that must succeed; the order.
    func order(_ body: String = Shopper.inlineShipping) throws -> JSONValue {
        try data(checkout(body), expect: 201)
    }

    static let address =
        #"{"firstName":"Ann","lastName":"Lee","addressLine1":"1 Main St","city":"Springfield","state":"IL","postalCode":"62701","country":"us","phone":"+1 217 555 0100"}"#
    static let inlineShipping = #"{"shippingAddress":\#(address)}"#

    private func data(_ response: HTTPClientResponse, expect status: Int) throws -> JSONValue {
        guard response.status == status, let data = try response.json["data"] else {
            throw Stack.StackError("expected \(status), got \(response.status): \(response.text)")
        }
        return data
    }
}

extension Stack {
    func shopper() throws -> Shopper { Shopper(stack: self, account: try register()) }

    /// A product's stock as PostgreSQL has it.
    func stock(of productId: String) throws -> Int {
        try database().query("SELECT stock_quantity FROM products WHERE id = $1", [productId]).first!.int("stock_quantity")!
    }

    /// Runs `body` on `count` threads released together, so the requests really overlap
    /// (a concurrentPerform on two cores would run them two at a time); the results in order.
    func race<T>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
        let results = Locked([Int: T]())
        let start = DispatchSemaphore(value: 0)
        let done = DispatchGroup()
        for index in 0..<count {
            done.enter()
            let thread = Thread {
                start.wait()
                let result = body(index)
                results.mutate { $0[index] = result }
                done.leave()
            }
            thread.start()
        }
        for _ in 0..<count { start.signal() }
        done.wait()
        return (0..<count).map { results.value[$0]! }
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? { arrayValue.flatMap { index < $0.count ? $0[index] : nil } }
}
