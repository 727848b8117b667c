import CCurl

/// Sends one message over SMTP with libcurl (`smtp://` with STARTTLS, or `smtps://`). The
/// libcurl owner lives here beside `HTTPClient`: same library, same handle rules.
public final class SMTPClient {
    public struct Envelope: Sendable {
        public var url: String
        public var from: String
        public var recipients: [String]
        public var connectTimeoutMilliseconds: Int
        public var totalTimeoutMilliseconds: Int

        public init(url: String, from: String, recipients: [String], connectTimeoutMilliseconds: Int = 5000, totalTimeoutMilliseconds: Int = 30_000) {
            self.url = url
            self.from = from
            self.recipients = recipients
            self.connectTimeoutMilliseconds = connectTimeoutMilliseconds
            self.totalTimeoutMilliseconds = totalTimeoutMilliseconds
        }

        /// A relay on this machine may speak plain SMTP; any other must offer STARTTLS, and a
        /// server that does not is refused rather than sent the mail in clear text.
        var requiresTLS: Bool {
            guard url.hasPrefix("smtp://") else { return false }
            let rest = url.dropFirst("smtp://".count)
            let authority = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            let host = authority.split(separator: "@").last.map(String.init) ?? authority
            return !(host.hasPrefix("127.") || host.hasPrefix("localhost") || host.hasPrefix("[::1]"))
        }
    }

    private let handle: UnsafeMutableRawPointer

    public init() {
        guard let handle = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// The bytes libcurl pulls through the read callback, which cannot capture Swift context.
    private final class Source {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    /// `message` is the whole RFC 5322 message with CRLF line ends; libcurl dot-stuffs it.
    public func send(_ message: [UInt8], envelope: Envelope) throws(HTTPClientError) {
        curl_easy_reset(handle)
        // The error buffer, the body and the sink below live only for this call; resetting on
        // the way out means the handle never points at them between calls (the connection
        // cache survives a reset).
        defer { curl_easy_reset(handle) }
        let source = Source(message)
        var recipients: UnsafeMutablePointer<curl_slist>?
        for recipient in envelope.recipients { recipients = curl_slist_append(recipients, "<\(recipient)>") }
        defer { curl_slist_free_all(recipients) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))

        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errorPointer in
            cfcgi_curl_setopt_ptr(handle, CURLOPT_URL, envelope.url)
            cfcgi_curl_setopt_ptr(handle, CURLOPT_MAIL_FROM, "<\(envelope.from)>")
            cfcgi_curl_setopt_ptr(handle, CURLOPT_MAIL_RCPT, recipients)
            if envelope.requiresTLS { cfcgi_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
            cfcgi_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            cfcgi_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, envelope.connectTimeoutMilliseconds)
            cfcgi_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, envelope.totalTimeoutMilliseconds)
            cfcgi_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorPointer.baseAddress)
            cfcgi_curl_setopt_long(handle, CURLOPT_UPLOAD, 1)
            cfcgi_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(message.count))
            cfcgi_curl_setopt_ptr(handle, CURLOPT_READDATA, Unmanaged.passUnretained(source).toOpaque())
            cfcgi_curl_setopt_fn(handle, CURLOPT_READFUNCTION) { buffer, size, count, context in
                let source = Unmanaged<Source>.fromOpaque(context!).takeUnretainedValue()
                let length = min(size * count, source.bytes.count - source.offset)
                guard length > 0, let buffer else { return 0 }
                source.bytes.withUnsafeBytes { raw in
                    UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + source.offset, byteCount: length)
                }
                source.offset += length
                return length
            }
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw HTTPClientError(code: Int(code.rawValue), message: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
    }
}
