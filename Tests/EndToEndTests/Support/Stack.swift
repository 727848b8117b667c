import Foundation
import HTTP
import HTTPClient
import Testing

/// The stack `make test` started (scripts/test.sh): nginx → FastCGI pool → PostgreSQL/Redis.
/// Tests read where it is from the environment and fail loudly when it is not there.
struct Stack {
    let baseURL: String
    let httpsURL: String
    let state: String
    let root: String
    let binary: String

    static func current() throws -> Stack {
        let env = ProcessInfo.processInfo.environment
        guard let base = env["COMMERCE_TEST_BASE_URL"], let state = env["COMMERCE_TEST_STATE"], let root = env["COMMERCE_TEST_ROOT"],
            let binary = env["COMMERCE_TEST_BINARY"], let https = env["COMMERCE_TEST_HTTPS_URL"]
        else {
            throw StackError("end-to-end tests need the stack that `make test` starts (COMMERCE_TEST_* are not set)")
        }
        return Stack(baseURL: base, httpsURL: https, state: state, root: root, binary: binary)
    }

    struct StackError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: HTTP through nginx

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil, client: HTTPClient = HTTPClient()) throws -> HTTPClientResponse {
        try client.send(
            HTTPClientRequest(
                method: method, url: baseURL + path, headers: headers.map { (name: $0.0, value: $0.1) }, body: body,
                connectTimeoutMilliseconds: 2000, totalTimeoutMilliseconds: 20_000))
    }

    func get(_ path: String, headers: [(String, String)] = []) throws -> HTTPClientResponse {
        try request("GET", path, headers: headers)
    }

    func postJSON(_ path: String, _ json: String, contentType: String = "application/json") throws -> HTTPClientResponse {
        try request("POST", path, headers: [("Content-Type", contentType)], body: Array(json.utf8))
    }

    // MARK: Processes

    var supervisorPID: Int32 {
        get throws {
            guard let text = try? String(contentsOfFile: state + "/pool.pid", encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw StackError("no pool.pid in \(state)")
            }
            return pid
        }
    }

    /// The supervisor's children, read from /proc (by parent pid, never by name).
    func workerPIDs() throws -> Set<Int32> {
        let parent = try supervisorPID
        var children = Set<Int32>()
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8) else { continue }
            // Fields after the command name, which is in parentheses and may hold spaces.
            guard let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, Int32(fields[1]) == parent, fields[0] != "Z" { children.insert(pid) }
        }
        return children
    }

    /// Runs one of the scripts with the test profile, e.g. `services.sh pg-stop`.
    func script(_ name: String, _ arguments: String...) throws { try script(name, arguments) }

    func script(_ name: String, _ arguments: [String]) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["PROFILE"] = "test"
        environment["SKIP_BUILD"] = "1"
        let (status, _) = try Subprocess.run(root + "/scripts/" + name, arguments, environment: environment)
        guard status == 0 else { throw StackError("scripts/\(name) \(arguments.joined(separator: " ")) failed") }
    }

    /// The profile's environment file (what the pool runs with), as pairs.
    func environmentFile() throws -> [String: String] {
        let text = try String(contentsOfFile: state + "/commerce.env", encoding: .utf8)
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            values[String(line[..<equals])] = value
        }
        return values
    }

    /// Polls `condition` every 100 ms until it holds or `seconds` pass.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return try condition()
    }

    func logLines(_ file: String = "pool.log") throws -> [String] {
        try String(contentsOfFile: state + "/logs/" + file, encoding: .utf8).split(separator: "\n").map(String.init)
    }
}

extension HTTPClientResponse {
    var json: JSONValue {
        get throws { try JSONParser.parse(body) }
    }
}
