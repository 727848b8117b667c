public enum FastCGIError: Error, Equatable, CustomStringConvertible {
    /// `FCGX_Accept_r` failed with this errno (it returns -errno).
    case acceptFailed(errno: Int32)
    /// A stream reported an error: an errno (EPIPE once nginx has gone) or a libfcgi code.
    case streamFailed(code: Int32)
    case socketFailed(operation: String, errno: Int32)

    public var description: String {
        switch self {
        case .acceptFailed(let errno): "FastCGI accept failed (errno \(errno))"
        case .streamFailed(let code): "FastCGI stream error \(code)"
        case .socketFailed(let operation, let errno): "\(operation) failed (errno \(errno))"
        }
    }
}
