/// A C `NAME=value` array ending in NULL: what libfcgi hands over as a request's parameters
/// (CGI's environment, by heritage) and what `environ` is for a process.
public enum EnvironmentBlock {
    public static func dictionary(_ block: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String: String] {
        var values: [String: String] = [:]
        guard var cursor = block else { return values }
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                values[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return values
    }
}
