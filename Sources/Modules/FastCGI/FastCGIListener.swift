import CFastCGI
import CSystem
#if canImport(Glibc)
import Glibc
#endif

/// Accepts FastCGI connections on a listening socket that several worker processes share.
///
/// The socket is put in non-blocking mode and waited on with epoll first (EPOLLEXCLUSIVE, so
/// one idle worker is woken per connection, not the whole pool): a drain signal then wakes
/// the worker at once (epoll_wait returns EINTR), and losing an accept race to a sibling
/// worker shows up as EAGAIN instead of blocking.
public final class FastCGIListener {
    private let fd: Int32
    private let waiter: Int32
    private let request: UnsafeMutablePointer<FCGX_Request>
    private var hasOpenRequest = false

    public init(fd: Int32) throws(FastCGIError) {
        self.fd = fd
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else {
            throw .socketFailed(operation: "fcntl(O_NONBLOCK)", errno: errno)
        }
        let waiter = cfcgi_exclusive_waiter(fd)
        guard waiter >= 0 else { throw .socketFailed(operation: "epoll_ctl(EPOLLEXCLUSIVE)", errno: -waiter) }
        self.waiter = waiter
        FCGX_Init()
        request = .allocate(capacity: 1)
        request.initialize(to: FCGX_Request())
        FCGX_InitRequest(request, fd, 0)
    }

    deinit {
        if hasOpenRequest { FCGX_Finish_r(request) }
        FCGX_Free(request, 0)
        close(waiter)
        request.deinitialize(count: 1)
        request.deallocate()
    }

    /// Waits up to `timeoutMilliseconds` for a connection. Nil when none arrived, a sibling
    /// took it, or a signal interrupted the wait: the caller checks its flags and loops.
    public func accept(timeoutMilliseconds: Int32) throws(FastCGIError) -> FastCGIExchange? {
        let ready = cfcgi_wait_readable(waiter, timeoutMilliseconds)
        if ready == 0 { return nil }
        if ready < 0 { throw .socketFailed(operation: "epoll_wait", errno: -ready) }
        let result = FCGX_Accept_r(request)
        if result < 0 {
            hasOpenRequest = false
            let code = -result
            if code == EAGAIN || code == EINTR || code == ECONNABORTED { return nil }
            throw .acceptFailed(errno: code)
        }
        hasOpenRequest = true
        return FastCGIExchange(request: request, finish: { [unowned self] in self.finish() })
    }

    private func finish() {
        guard hasOpenRequest else { return }
        FCGX_Finish_r(request)
        hasOpenRequest = false
    }

    /// The FastCGI listening socket libfcgi would use when run under a launcher that passes
    /// it as fd 0 (spawn-fcgi).
    public static var standardListenFD: Int32 { 0 }
}
