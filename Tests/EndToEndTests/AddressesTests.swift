import Foundation
import HTTP
import Testing

extension EndToEndTests {
    /// The address book of API.md §3.
    @Suite struct Addresses {
        let stack: Stack
        init() throws { stack = try Stack.current() }

        func address(type: String = "shipping", line: String = "1 Main St", extra: String = "") -> String {
            #"{"type":"\#(type)","firstName":"Ann","lastName":"Lee","addressLine1":"\#(line)","city":"Springfield","state":"IL","postalCode":"62701","country":"us","phone":"+1 555 0100"\#(extra)}"#
        }

        @Test func oneDefaultPerTypeAndTheFirstBecomesIt() throws {
            let account = try stack.register()
            let first = try stack.send("POST", "/api/users/me/addresses", json: address(), token: account.accessToken)
            #expect(first.status == 201)
            let created = try #require(try first.json["data"])
            #expect(created["isDefault"] == true)
            #expect(created["country"] == "US")
            #expect(created["addressLine2"] == .null)
            #expect(
                created.objectValue?.keys == [
                    "id", "type", "firstName", "lastName", "addressLine1", "addressLine2", "city", "state",
                    "postalCode", "country", "phone", "isDefault", "createdAt", "updatedAt",
                ])
            let billing = try stack.send("POST", "/api/users/me/addresses", json: address(type: "billing"), token: account.accessToken).json["data"]
            #expect(billing?["isDefault"] == true)
            let second = try stack.send("POST", "/api/users/me/addresses", json: address(line: "2 Side St", extra: #","isDefault":true"#), token: account.accessToken)
            #expect(try second.json["data"]?["isDefault"] == true)
            let list = try stack.send("GET", "/api/users/me/addresses", token: account.accessToken).json["data"]?.arrayValue ?? []
            #expect(list.count == 3)
            #expect(list.filter { $0["type"] == "shipping" && $0["isDefault"] == true }.map { $0["addressLine1"] } == ["2 Side St"])
            #expect(list.filter { $0["type"] == "billing" && $0["isDefault"] == true }.count == 1)

            let firstId = try #require(created["id"]?.stringValue)
            let patched = try stack.send("PATCH", "/api/users/me/addresses/\(firstId)", json: #"{"isDefault":true,"addressLine2":"Apt 4"}"#, token: account.accessToken)
            #expect(patched.status == 200)
            #expect(try patched.json["data"]?["addressLine2"] == "Apt 4")
            let after = try stack.send("GET", "/api/users/me/addresses", token: account.accessToken).json["data"]?.arrayValue ?? []
            #expect(after.filter { $0["type"] == "shipping" && $0["isDefault"] == true }.map { $0["id"] } == [.string(firstId)])
            let cleared = try stack.send("PATCH", "/api/users/me/addresses/\(firstId)", json: #"{"addressLine2":null}"#, token: account.accessToken)
            #expect(cleared.status == 200)
            #expect(try cleared.json["data"]?["addressLine2"] == .null)

            let deleted = try stack.send("DELETE", "/api/users/me/addresses/\(firstId)", token: account.accessToken)
            #expect(deleted.status == 200)
            #expect(try deleted.json["data"] == .null)
            #expect(try stack.send("DELETE", "/api/users/me/addresses/\(firstId)", token: account.accessToken).status == 404)
        }

        @Test func anotherUsersAddressIsNotFound() throws {
            let owner = try stack.register()
            let intruder = try stack.register()
            let id = try #require(try stack.send("POST", "/api/users/me/addresses", json: address(), token: owner.accessToken).json["data"]?["id"]?.stringValue)
            #expect(try stack.send("PATCH", "/api/users/me/addresses/\(id)", json: #"{"city":"Elsewhere"}"#, token: intruder.accessToken).status == 404)
            #expect(try stack.send("DELETE", "/api/users/me/addresses/\(id)", token: intruder.accessToken).status == 404)
            #expect(try stack.send("GET", "/api/users/me/addresses", token: intruder.accessToken).json["data"] == .array([]))
            let untouched = try stack.send("GET", "/api/users/me/addresses", token: owner.accessToken).json["data"]?.arrayValue?.first
            #expect(untouched?["city"] == "Springfield")
        }

        @Test func badAddressesAre400AndWriteNothing() throws {
            let account = try stack.register()
            let cases = [
                address(type: "office"),
                address().replacingOccurrences(of: #""country":"us""#, with: #""country":"USA""#),
                address().replacingOccurrences(of: #""phone":"+1 555 0100""#, with: #""phone":"call me""#),
                address().replacingOccurrences(of: #","city":"Springfield""#, with: ""),
                address(extra: #","userId":"\#(UUID().uuidString.lowercased())""#),
                address(line: String(repeating: "x", count: 256)),
            ]
            for body in cases {
                #expect(try stack.send("POST", "/api/users/me/addresses", json: body, token: account.accessToken).status == 400, "\(body)")
            }
            #expect(try stack.send("GET", "/api/users/me/addresses", token: account.accessToken).json["data"] == .array([]))
            #expect(try stack.send("PATCH", "/api/users/me/addresses/not-a-uuid", json: #"{"city":"X"}"#, token: account.accessToken).status == 400)
            #expect(try stack.send("DELETE", "/api/users/me/addresses/12345", token: account.accessToken).status == 400)
        }
    }
}
