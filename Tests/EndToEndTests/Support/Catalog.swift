import Foundation
import HTTP
import HTTPClient
import Testing

/// Catalog fixtures made through the API, as an admin would.
struct CatalogFixture {
    let stack: Stack
    let admin: Account
    /// A word no other test uses, so listings can be narrowed to this test's rows.
    let marker: String

    init(stack: Stack) throws {
        self.stack = stack
        admin = try stack.admin()
        marker = "m" + UUID().uuidString.prefix(8).lowercased().filter { $0.isLetter || $0.isNumber }
    }

    func category(_ name: String, parent: String? = nil, extra: String = "") throws -> JSONValue {
        let parentField = parent.map { #","parentId":"\#($0)""# } ?? ""
        let response = try stack.send("POST", "/api/categories", json: #"{"name":"\#(name) \#(marker)"\#(parentField)\#(extra)}"#, token: admin.accessToken)
        guard response.status == 201, let data = try response.json["data"] else { throw Stack.StackError("category: \(response.status) \(response.text)") }
        return data
    }

    func product(_ name: String, price: String = "10.00", stock: Int = 5, category: String? = nil, description: String? = nil, extra: String = "") throws -> JSONValue {
        let categoryField = category.map { #","categoryId":"\#($0)""# } ?? ""
        let body =
            #"{"name":"\#(name) \#(marker)","description":"\#(description ?? "About \(name)")","price":"\#(price)","sku":"SKU-\#(marker)-\#(UUID().uuidString.prefix(6))","stockQuantity":\#(stock)\#(categoryField)\#(extra)}"#
        let response = try stack.send("POST", "/api/products", json: body, token: admin.accessToken)
        guard response.status == 201, let data = try response.json["data"] else { throw Stack.StackError("product: \(response.status) \(response.text)") }
        return data
    }

    /// Names in a listing, without the marker.
    func names(_ path: String) throws -> [String] {
        let response = try stack.get(path)
        guard response.status == 200 else { throw Stack.StackError("\(path): \(response.status) \(response.text)") }
        return try response.json["data"]?.arrayValue?.compactMap { $0["name"]?.stringValue?.replacingOccurrences(of: " " + marker, with: "") } ?? []
    }
}

extension JSONValue {
    var id: String { self["id"]?.stringValue ?? "" }
}
