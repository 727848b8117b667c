import Foundation
import HTTP
import HTTPClient
import Postgres
import Testing

/// A signed-in user as the tests hold it.
struct Account {
    let id: String
    let email: String
    let password: String
    var accessToken: String
    var refreshToken: String

    var bearer: [(String, String)] { [("Authorization", "Bearer " + accessToken)] }
}

extension Stack {
    /// An email no other test uses.
    static func uniqueEmail(_ prefix: String = "user") -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.com" }

    /// A JSON request with an optional bearer token.
    func send(_ method: String, _ path: String, json: String? = nil, token: String? = nil) throws -> HTTPClientResponse {
        var headers: [(String, String)] = []
        if json != nil { headers.append(("Content-Type", "application/json")) }
        if let token { headers.append(("Authorization", "Bearer " + token)) }
        return try request(method, path, headers: headers, body: json.map { Array($0.utf8) })
    }

    func register(email: String = Stack.uniqueEmail(), password: String = "correct horse 1", firstName: String = "Ann", lastName: String = "Lee") throws -> Account {
        let response = try send("POST", "/api/auth/register", json: #"{"email":"\#(email)","password":"\#(password)","firstName":"\#(firstName)","lastName":"\#(lastName)"}"#)
        guard response.status == 201 else { throw StackError("register answered \(response.status): \(response.text)") }
        return try account(from: response, password: password)
    }

    func login(_ email: String, _ password: String) throws -> Account {
        let response = try send("POST", "/api/auth/login", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
        guard response.status == 200 else { throw StackError("login answered \(response.status): \(response.text)") }
        return try account(from: response, password: password)
    }

    func account(from response: HTTPClientResponse, password: String) throws -> Account {
        let data = try response.json["data"]
        guard let id = data?["user"]?["id"]?.stringValue, let email = data?["user"]?["email"]?.stringValue,
            let access = data?["accessToken"]?.stringValue, let refresh = data?["refreshToken"]?.stringValue
        else { throw StackError("no tokens in \(response.text)") }
        return Account(id: id, email: email, password: password, accessToken: access, refreshToken: refresh)
    }

    /// An administrator made the only supported way, with `commerce-fcgi create-admin`.
    func admin() throws -> Account {
        let email = Stack.uniqueEmail("admin")
        var env = try environmentFile()
        env["ADMIN_PASSWORD"] = "admin password 1"
        let (status, output) = try Subprocess.run(binary, ["create-admin", "--email", email], environment: env)
        guard status == 0 else { throw StackError("create-admin failed: \(String(decoding: output, as: UTF8.self))") }
        return try login(email, "admin password 1")
    }

    /// The test database, for setting up states the API cannot reach and checking what was written.
    func database() throws -> PostgresConnection {
        try PostgresConnection.connect([("dbname", try environmentFile()["DATABASE_URL"]!)])
    }

    /// Sends `count` requests at once, so several workers answer; their statuses.
    func concurrentStatuses(_ count: Int, _ method: String, _ path: String, token: String?) -> [Int] {
        let statuses = Locked([Int]())
        DispatchQueue.concurrentPerform(iterations: count) { _ in
            let status = (try? send(method, path, token: token).status) ?? -1
            statuses.mutate { $0.append(status) }
        }
        return statuses.value
    }
}

/// What the local SMTP sink (scripts/smtp-sink.py) received: one .eml file per message.
struct Mailbox {
    let directory: String

    init(stack: Stack) { directory = stack.state + "/mail" }

    struct Message {
        let text: String
        var subject: String? { header("Subject") }
        func header(_ name: String) -> String? {
            text.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix(name.lowercased() + ": ") }
                .map { String($0.dropFirst(name.count + 2)) }
        }
        var body: String { text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n") }
        /// The text as the reader sees it: the text/plain part of a multipart message, base64
        /// (non-ASCII mail) decoded.
        var decodedBody: String { part("text/plain") ?? Self.decode(body, base64: header("Content-Transfer-Encoding") == "base64") }

        /// The HTML alternative, decoded; nil for a text-only message.
        var html: String? { part("text/html") }

        /// The body of the part of `type` in a multipart/alternative message.
        func part(_ type: String) -> String? {
            guard let contentType = header("Content-Type"), contentType.hasPrefix("multipart/alternative"),
                let quoted = contentType.components(separatedBy: "boundary=\"").last?.components(separatedBy: "\"").first
            else { return nil }
            for chunk in body.components(separatedBy: "--" + quoted + "\r\n") {
                let sections = chunk.components(separatedBy: "\r\n\r\n")
                guard sections.count >= 2, sections[0].contains("Content-Type: \(type);") else { continue }
                var content = sections.dropFirst().joined(separator: "\r\n\r\n")
                if let end = content.range(of: "\r\n--" + quoted) { content = String(content[..<end.lowerBound]) }
                return Self.decode(content, base64: sections[0].contains("Content-Transfer-Encoding: base64"))
            }
            return nil
        }

        static func decode(_ text: String, base64: Bool) -> String {
            guard base64, let data = Data(base64Encoded: text.replacingOccurrences(of: "\r\n", with: "")) else { return text }
            return String(decoding: data, as: UTF8.self)
        }
    }

    func messages(to address: String) -> [Message] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".eml") && !$0.hasPrefix(".") }.sorted()
        return names.compactMap { try? String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }
            .map(Message.init(text:)).filter { $0.header("X-Envelope-To") == "<\(address)>" }
    }

    /// Waits for the `count`-th message to `address`.
    func waitForMessages(to address: String, count: Int = 1, seconds: Double = 10) -> [Message] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let found = messages(to: address)
            if found.count >= count { return found }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return messages(to: address)
    }
}
