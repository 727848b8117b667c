import Core
#if canImport(Glibc)
import Glibc
#endif

/// Creates a pool's listening TCP socket (`serve --listen HOST:PORT`) for a front nginx on
/// another host. Who may connect is the listener's business (`FASTCGI_ALLOWED_ADDRESSES`).
public enum TCPListeningSocket {
    public static func bind(_ address: ListenAddress, backlog: Int32) throws(FastCGIError) -> Int32 {
        let family = address.host.isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socketFailed(operation: "socket", errno: errno) }
        // A restarted `serve` binds again while the last run's connections sit in TIME_WAIT.
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.host.withSocketAddress(port: address.port) { Glibc.bind(fd, $0, $1) }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw .socketFailed(operation: "bind \(address)", errno: code)
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw .socketFailed(operation: "listen", errno: code)
        }
        return fd
    }

    /// True when `fd` is a TCP (IPv4 or IPv6) socket, as systemd hands over for
    /// `ListenStream=ADDRESS:PORT`.
    public static func isNetworkSocket(_ fd: Int32) -> Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return got == 0 && (Int32(storage.ss_family) == AF_INET || Int32(storage.ss_family) == AF_INET6)
    }
}
