import Foundation

/// Talks FastCGI to a socket directly with `cgi-fcgi` (libfcgi's own bridge, Debian's
/// libfcgi-bin): for what nginx would never forward (a body past its limit, a foreign
/// REMOTE_ADDR) and for a socket nginx does not know (socket activation).
struct FastCGIProbe {
    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    static func send(socket: String, method: String, uri: String, parameters: [String: String] = [:], body: [UInt8] = []) throws -> Answer {
        var environment = [
            "REQUEST_METHOD": method, "REQUEST_URI": uri, "SCRIPT_NAME": uri, "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": String(body.count), "PATH": "/usr/bin:/bin",
        ]
        for (name, value) in parameters { environment[name] = value }
        let (_, data) = try Subprocess.run("/usr/bin/cgi-fcgi", ["-bind", "-connect", socket], environment: environment, input: body)
        return parse(String(decoding: data, as: UTF8.self))
    }

    static func parse(_ text: String) -> Answer {
        let parts = text.components(separatedBy: "\r\n\r\n")
        var headers: [String: String] = [:]
        for line in (parts.first ?? "").components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let status = Int(headers["status"]?.prefix(3) ?? "") ?? 0
        return Answer(status: status, headers: headers, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
