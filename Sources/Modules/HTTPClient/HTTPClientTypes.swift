public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?
    public var connectTimeoutMilliseconds: Int
    public var totalTimeoutMilliseconds: Int
    /// A PEM file of certificates to trust instead of the system's (a private CA, a self-signed test server).
    public var caBundlePath: String?
    /// The local address to connect from (`127.0.0.2`), when the peer treats addresses differently.
    public var localAddress: String?
    /// `host:port:address` pins (CURLOPT_RESOLVE): connect to the address checked beforehand,
    /// whatever a second DNS answer would say.
    public var resolve: [String] = []
    /// Only http and https, and no redirect followed (libcurl's default, said here).
    public var webOnly = false

    public init(
        method: String = "GET", url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        connectTimeoutMilliseconds: Int = 5000, totalTimeoutMilliseconds: Int = 15000, caBundlePath: String? = nil,
        localAddress: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
        self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        self.caBundlePath = caBundlePath
        self.localAddress = localAddress
    }
}

public struct HTTPClientResponse: Sendable {
    public let status: Int
    /// Header names lowercased, in arrival order; repeated headers appear once each.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first(where: { $0.name == lower })?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    /// The libcurl result code (`CURLE_*`).
    public let code: Int
    public let message: String

    /// Failures where the request cannot have reached the server, or got no answer:
    /// connect, timeout, send and receive errors.
    public var isTransient: Bool { [7, 28, 52, 55, 56].contains(code) }

    public var description: String { "HTTP client error \(code): \(message)" }
}
