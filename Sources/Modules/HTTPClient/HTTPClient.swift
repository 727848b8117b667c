import CCurl
import Core

/// Owns one libcurl easy handle, reused across requests so connections stay warm.
/// `curl_global_init` must have run while the process was single-threaded (`HTTPClient.globalInit`).
public final class HTTPClient {
    private let handle: UnsafeMutableRawPointer

    public static func globalInit() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }

    public init() {
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Collects what libcurl hands to its callbacks, which cannot capture Swift context.
    private final class Sink {
        var body: [UInt8] = []
        var headerLines: [String] = []
    }

    public func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        curl_easy_reset(handle)
        // The error buffer, the body and the sink below live only for this call; resetting on
        // the way out means the handle never points at them between calls (the connection
        // cache survives a reset).
        defer { curl_easy_reset(handle) }
        let sink = Sink()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // An explicit empty Expect stops libcurl from waiting for 100-continue on large bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }
        var resolveList: UnsafeMutablePointer<curl_slist>?
        for pin in request.resolve { resolveList = curl_slist_append(resolveList, pin) }
        defer { curl_slist_free_all(resolveList) }

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
            cfcgi_curl_setopt_ptr(handle, CURLOPT_URL, request.url)
            cfcgi_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, request.method)
            cfcgi_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, headerList)
            cfcgi_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            cfcgi_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMilliseconds)
            cfcgi_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.totalTimeoutMilliseconds)
            cfcgi_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
            cfcgi_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, sinkPointer)
            cfcgi_curl_setopt_fn(handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
                let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                let length = size * count
                if let data { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length)) }
                return length
            }
            cfcgi_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, sinkPointer)
            cfcgi_curl_setopt_fn(handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
                let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
                let length = size * count
                if let data { sink.headerLines.append(String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)) }
                return length
            }
            if let local = request.localAddress { cfcgi_curl_setopt_ptr(handle, CURLOPT_INTERFACE, "host!" + local) }
            if let caBundle = request.caBundlePath { cfcgi_curl_setopt_ptr(handle, CURLOPT_CAINFO, caBundle) }
            if resolveList != nil { cfcgi_curl_setopt_ptr(handle, CURLOPT_RESOLVE, resolveList) }
            if request.webOnly {
                cfcgi_curl_setopt_ptr(handle, CURLOPT_PROTOCOLS_STR, "http,https")
                cfcgi_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
            }
            if request.method == "HEAD" { cfcgi_curl_setopt_long(handle, CURLOPT_NOBODY, 1) }
            guard let body = request.body else { return curl_easy_perform(handle) }
            return body.withUnsafeBytes { raw in
                cfcgi_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(raw.count))
                cfcgi_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1))
                cfcgi_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, request.method)
                return curl_easy_perform(handle)
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw HTTPClientError(code: Int(code.rawValue), message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        var status = 0
        cfcgi_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPClientResponse(status: status, headers: Self.parseHeaders(sink.headerLines), body: sink.body)
    }

    /// Keeps the headers of the last response only (a 100 Continue or a redirect comes first).
    private static func parseHeaders(_ lines: [String]) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        for line in lines {
            if line.hasPrefix("HTTP/") { headers.removeAll(); continue }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers.append((name: name, value: line[line.index(after: colon)...].trimmingBlanks))
        }
        return headers
    }
}
