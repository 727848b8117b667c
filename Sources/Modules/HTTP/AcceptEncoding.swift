/// Content negotiation of `Accept-Encoding` (RFC 9110 §12.5.3), as far as the service uses it.
public enum AcceptEncoding {
    /// Whether an `Accept-Encoding` header takes gzip (`gzip`, `x-gzip` or `*`, not at `q=0`).
    public static func allowsGzip(_ acceptEncoding: String?) -> Bool {
        guard let acceptEncoding else { return false }
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";")
            let coding = parts.first.map { $0.trimmingBlanks.lowercased() } ?? ""
            guard coding == "gzip" || coding == "x-gzip" || coding == "*" else { continue }
            let refused = parts.dropFirst().contains { parameter in
                let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingBlanks }
                return pair.count == 2 && pair[0].lowercased() == "q" && (Double(pair[1]) ?? 1) == 0
            }
            return !refused
        }
        return false
    }
}
